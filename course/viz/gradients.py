"""Drawings for 02_gradients: the slope of a one-weight error curve, gradient descent on quadratic bowls, the error
of finite differences against the step h, and linear regression trained by the four steps."""

import numpy as np

from course import gradients
from course.examples import one_weight
from course.viz import COLORS, INK, figure

__all__ = ["plot_tangent", "plot_gradient_descent", "plot_difference_errors", "plot_linreg_training",
           "slope_advice", "descent_regime", "log_ticks", "DIFFERENCE_FUNCTIONS", "GD_CURVATURES"]


def log_ticks(lo, hi, every=1):
    """Tick values for a log axis from ``lo`` to ``hi``: every ``every``-th power of ten when the axis spans three
    decades or more, else 1, 2 and 5 times each power of ten, and evenly spaced round numbers on an axis too short
    for those, so that a short axis still carries several ticks."""
    lo, hi = sorted((float(lo), float(hi)))
    if not (lo > 0 and np.isfinite(hi)):
        return np.array([])
    first, last = int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi)))
    if np.log10(hi / lo) >= 3:
        powers = np.arange(first - first % every, last + 1, every)
        ticks = 10.0 ** powers
    else:
        ticks = np.array([m * 10.0**k for k in range(first, last + 1) for m in (1, 2, 5)])
    ticks = ticks[(ticks >= lo * (1 - 1e-9)) & (ticks <= hi * (1 + 1e-9))]
    if len(ticks) < 3 and np.log10(hi / lo) < 3:  # under a decade or so: evenly spaced round numbers
        from matplotlib.ticker import MaxNLocator

        even = MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
        even = even[(even >= lo * (1 - 1e-9)) & (even <= hi * (1 + 1e-9)) & (even > 0)]
        ticks = np.union1d(ticks, even) if len(even) > len(ticks) else ticks
    return ticks


def _tick_labels(ticks):
    """Plain-text labels: 1e-5 style on an axis of powers of ten, 0.02 or 50 on the 1-2-5 ticks of a short axis."""
    powers = all(abs(np.log10(v) - round(np.log10(v))) < 1e-9 for v in ticks)
    return {v: f"1e{round(np.log10(v)):d}" if powers and abs(np.log10(v)) >= 3 else f"{v:g}" for v in ticks}


def _plain_log(ax, which="y", every=1):
    """Label a log axis in plain text (mathtext tick labels are slow to lay out) with :func:`log_ticks`: every few
    decades on a long axis, 1-2-5 steps on a short one. Call it once the data (and limits) are set."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

    axis = ax.yaxis if which == "y" else ax.xaxis
    ticks = log_ticks(*(ax.get_ylim() if which == "y" else ax.get_xlim()), every)
    labels = _tick_labels(ticks)
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda v, _: labels.get(v, f"{v:g}")))
    axis.set_minor_locator(NullLocator())
    axis.set_minor_formatter(NullFormatter())


def _integer_ticks(ax, which="x"):
    """Steps and epochs are whole numbers: no 2.5 on their axis."""
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if which == "x" else ax.yaxis).set_major_locator(MaxNLocator(nbins=6, integer=True))


def slope_advice(slope, tol=0.1):
    """What the sign of dE/dw says to do with the weight: "raise", "lower" or "keep" (|slope| < tol)."""
    if abs(slope) < tol:
        return "keep"
    return "raise" if slope < 0 else "lower"


_ADVICE = {"raise": "negative: raising w lowers the error → raise the weight",
           "lower": "positive: raising w raises the error → lower the weight",
           "keep": "≈ 0: the bottom of the curve → leave the weight as it is"}


def plot_tangent(w=1.0, w_range=(0.0, 4.0)):
    """The one-weight error curve E(w), the tangent at ``w`` and what the sign of its slope says."""
    ws = np.linspace(*w_range, 300)
    E, slope = float(one_weight.error(w)), float(one_weight.slope(w))
    advice = slope_advice(slope)
    fig, ax = figure(size=(6.8, 4.2))
    ax.plot(ws, one_weight.error(ws), color=COLORS[0], lw=2, label="error E(w)")
    half = 0.6
    tw = np.array([w - half, w + half])
    ax.plot(tw, E + slope * (tw - w), color=COLORS[1], lw=2, label=f"tangent, slope dE/dw = {slope:+.4f}")
    ax.plot([], [], color=COLORS[2], lw=2.5, label="one step −lr·dE/dw (lr = 0.05)")
    ax.scatter([w], [E], color=COLORS[1], zorder=3, s=50)
    if advice != "keep":
        # The arrow is one gradient-descent step, −lr·dE/dw with lr = 0.05: long where the curve is steep.
        step = -0.05 * slope
        ax.annotate("", xy=(w + step, E), xytext=(w, E),
                    arrowprops={"arrowstyle": "-|>", "color": COLORS[2], "lw": 2.5})
        ax.annotate(f"{advice} w", (w, E), xytext=(0, 18), textcoords="offset points", color=COLORS[2],
                    ha="center", fontsize=10)
    w_star = one_weight.best_weight()
    ax.axvline(w_star, color=INK, ls=":", lw=1)
    ax.text(w_star, -0.9, f" best w = {w_star:.3f}", color=INK, va="bottom", fontsize=8)
    ax.set(xlabel="weight w", ylabel="error E(w) = mean((w·x − t)²)", xlim=w_range, ylim=(-1.0, None),
           title=f"w = {w:.2f}: the slope is {_ADVICE[advice]}")
    ax.title.set_fontsize(10)
    ax.legend(loc="upper center", fontsize=9)
    return fig


# Curvatures of the bowls: L = 10 in both, so 1/L = 0.1 and 2/L = 0.2.
GD_CURVATURES = {"1-D": np.array([10.0]), "2-D": np.array([10.0, 1.0])}
_GD_START = {"1-D": np.array([1.0]), "2-D": np.array([0.6, 2.0])}


def descent_regime(lr, L):
    """In words, what gradient descent with step ``lr`` does on a bowl of largest curvature ``L``."""
    q = lr * L
    if q <= 0:
        return "lr ≤ 0: no descent at all"
    if q < 1 - 1e-9:
        return "lr < 1/L: converges smoothly"
    if q <= 1 + 1e-9:
        return "lr = 1/L: lands on the bottom of the steep direction at once"
    if q < 2 - 1e-9:
        return "1/L < lr < 2/L: overshoots and oscillates, but converges"
    if q <= 2 + 1e-9:
        return "lr = 2/L: bounces between two sides forever"
    return "lr > 2/L: every step overshoots further, diverges"


def plot_gradient_descent(lr=0.05, dims="1-D", num_steps=20):
    """Gradient descent on ``E = ½ Σ L_i x_i²`` with L = 10 (1-D) or L = (10, 1) (2-D): path and error per step."""
    L, x0 = GD_CURVATURES[dims], _GD_START[dims]
    E, grad = gradients.quadratic_bowl(L)
    with np.errstate(over="ignore", invalid="ignore"):
        path = gradients.gradient_descent(grad, x0, lr, num_steps)
        errors = np.array([E(p) for p in path])
    fig, (ax, eax) = figure(1, 2, size=(10, 4.0))
    shown = np.clip(path, -50, 50)
    if dims == "1-D":
        ws = np.linspace(-1.6, 1.6, 200)
        ax.plot(ws, 0.5 * L[0] * ws**2, color=COLORS[0], lw=2)
        ax.plot(shown[:, 0], [E(p) for p in shown], "-o", color=COLORS[1], ms=4, lw=1, alpha=0.8)
        ax.set(xlim=(-1.6, 1.6), ylim=(-0.5, 13), xlabel="w", ylabel="E(w) = ½·L·w²")
    else:
        gx, gy = np.meshgrid(np.linspace(-2.2, 2.2, 120), np.linspace(-2.5, 2.5, 120))
        ax.contour(gx, gy, 0.5 * (L[0] * gx**2 + L[1] * gy**2), levels=np.geomspace(0.05, 30, 12),
                   colors=INK, linewidths=0.8, alpha=0.6)
        ax.plot(shown[:, 0], shown[:, 1], "-o", color=COLORS[1], ms=4, lw=1, alpha=0.8)
        ax.set(xlim=(-2.2, 2.2), ylim=(-2.5, 2.5), xlabel="x₁ (steep, L₁ = 10)", ylabel="x₂ (shallow, L₂ = 1)")
    ax.scatter(*([shown[0, 0], E(shown[0])] if dims == "1-D" else shown[0]), color=COLORS[2], s=60, zorder=3,
               label="start")
    ax.legend(loc="upper center" if dims == "1-D" else "lower left", fontsize=8)
    ax.set_title(f"{dims} bowl, lr = {lr:.3f} (1/L = {1 / L.max():.2f}, 2/L = {2 / L.max():.2f})", fontsize=10)
    finite = np.where(np.isfinite(errors), errors, np.nan)
    eax.semilogy(np.arange(num_steps + 1), np.maximum(finite, 1e-300), "-o", color=COLORS[1], ms=3)
    eax.axhline(errors[0], color=INK, ls=":", lw=1)
    eax.set(xlabel="step t", ylabel="error E(x_t)  (log scale)", ylim=(1e-12, 1e8))
    _plain_log(eax, "y", every=4)
    _integer_ticks(eax)
    eax.set_title(descent_regime(lr, L.max()), fontsize=10)
    return fig


# Functions to differentiate numerically: (f, f', point).
DIFFERENCE_FUNCTIONS = {
    "sin(x) at x = 1": (np.sin, np.cos, 1.0),
    "exp(x) at x = 1": (np.exp, np.exp, 1.0),
    "x³ at x = 2": (lambda x: x**3, lambda x: 3 * x**2, 2.0),
}


def plot_difference_errors(function="sin(x) at x = 1", log10_h=-5.0):
    """Log-log error of the forward and central differences against the step h, with the chosen h marked."""
    f, df, x = DIFFERENCE_FUNCTIONS[function]
    hs = np.logspace(-15, 0, 301)
    fwd, cen = gradients.difference_errors(f, df, x, hs)
    h = 10.0**log10_h
    fh, ch = (float(e[0]) for e in gradients.difference_errors(f, df, x, np.array([h])))
    floor = 1e-17  # an error of exactly 0 has no logarithm: draw it at the floor
    fig, ax = figure(size=(7.2, 4.4))
    ax.loglog(hs, np.maximum(fwd, floor), color=COLORS[0], lw=1.5, label="forward  (f(x+h) − f(x)) / h")
    ax.loglog(hs, np.maximum(cen, floor), color=COLORS[1], lw=1.5, label="central  (f(x+h) − f(x−h)) / 2h")
    eps = np.finfo(np.float64).eps
    ax.loglog(hs, eps / hs, color=INK, ls=":", lw=1, label="rounding ≈ ε/h")
    for best, color in ((np.sqrt(eps), COLORS[0]), (eps ** (1 / 3), COLORS[1])):
        ax.axvline(best, color=color, ls="--", lw=0.8, alpha=0.6)
    ax.axvline(h, color=COLORS[2], lw=2, alpha=0.7)
    ax.scatter([h, h], [max(fh, floor), max(ch, floor)], color=[COLORS[0], COLORS[1]], zorder=3, s=40)
    ax.set(xlabel="step h", ylabel="|numerical − exact derivative|", ylim=(1e-17, 1e2), xlim=(1e-15, 1))
    _plain_log(ax, "x", every=3)
    _plain_log(ax, "y", every=3)
    ax.set_title(f"{function}; h = 1e{log10_h:+.1f}: forward error {fh:.1e}, central error {ch:.1e}", fontsize=10)
    ax.text(np.sqrt(eps), 3e-17, " √ε", color=COLORS[0], fontsize=8)
    ax.text(eps ** (1 / 3), 3e-17, " ε^⅓", color=COLORS[1], fontsize=8)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def plot_linreg_training(x, y, w, b, losses):
    """The four steps at work: the fitted line ŷ = w·x + b over the data (left) and the loss per step."""
    fig, (ax, lax) = figure(1, 2, size=(10, 3.8))
    ax.scatter(x, y, color=INK, s=15, label="data")
    grid = np.linspace(np.min(x), np.max(x), 2)
    w0, b0 = float(np.ravel(w)[0]), float(np.ravel(b)[0])
    if np.isfinite(w0) and np.isfinite(b0) and max(abs(w0), abs(b0)) < 1e6:
        ax.plot(grid, w0 * grid + b0, color=COLORS[1], lw=2, label=f"ŷ = {w0:.3f}·x + {b0:.3f}")
        ax.set_title("the fitted line")
    else:  # a diverged run: say so instead of drawing an infinite line
        ax.set_title(f"diverged: w = {w0:.3g}, b = {b0:.3g}")
    ax.set(xlabel="x", ylabel="y")
    ax.legend(fontsize=9)
    losses = np.asarray(losses, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        shown = np.where(np.isfinite(losses) & (losses < 1e300), losses, np.nan)
    lax.semilogy(np.arange(len(losses)), shown, color=COLORS[0])
    lax.set(xlabel="step", ylabel="MSE (log scale)", title="loss after each forward pass")
    _plain_log(lax, "y")
    _integer_ticks(lax)
    return fig
