"""Drawings for 01_losses: regression losses against the residual, a line fit under each loss, MAPE against the
target, cross-entropy against MSE on probabilities."""

import numpy as np

from course import losses
from course.examples import line_fit
from course.viz import COLORS, INK, figure

__all__ = ["plot_regression_losses", "plot_outlier_fit", "plot_mape", "plot_cross_entropy"]

REGRESSION_LOSSES = {"MSE": (losses.mse_forward, losses.mse_backward), "MAE": (losses.mae_forward, losses.mae_backward),
                     "Huber": (losses.huber_forward, losses.huber_backward)}
# A band or a fill: the axes' grey, see-through, so it reads as a tint on a light and on a dark background alike.
BAND = {"color": INK, "alpha": 0.15, "lw": 0}
OUTLIER = COLORS[3]


def _per_point(loss, r, **kw):
    # Each loss is a mean, so the loss of one residual is the loss on a batch of one.
    return np.array([loss(np.array([ri]), np.array([0.0]), **kw) for ri in r])


def plot_regression_losses(delta=1.0, r_max=3.0):
    """MSE, MAE and Huber(δ) as functions of one residual r = ŷ − y (left) and their derivatives (right)."""
    r = np.linspace(-r_max, r_max, 241)
    fig, (ax, dax) = figure(1, 2, size=(9, 3.6))
    for color, (name, (fwd, bwd)) in zip(COLORS, REGRESSION_LOSSES.items()):
        kw = {"delta": delta} if name == "Huber" else {}
        label = f"Huber (δ={delta:.2f})" if name == "Huber" else name
        ax.plot(r, _per_point(fwd, r, **kw), color=color, label=label)
        dax.plot(r, [bwd(np.array([ri]), np.array([0.0]), **kw)[0] for ri in r], color=color, label=label)
    for a in (ax, dax):
        a.axvspan(-delta, delta, zorder=0, label="|r| ≤ δ", **BAND)
        a.axhline(0, color=INK, lw=0.8)
        a.set_xlabel("residual  r = ŷ − y")
    ax.set(ylabel="loss of one point", ylim=(-0.2, r_max**2 / 2 + 0.5), title="loss")
    dax.set(ylabel="∂loss/∂ŷ", title="gradient: how hard each point pulls")
    ax.legend(loc="upper center")
    return fig


def plot_outlier_fit(outlier_y=8.0, delta=1.0, rng_seed=0):
    """A line fitted under MSE, MAE and Huber to clean data plus one point whose height you move."""
    x, y = line_fit.outlier_data(outlier_y, rng_seed)
    fig, ax = figure(size=(6.4, 4.0))
    ax.scatter(x[:-1], y[:-1], color=INK, s=18, label="data")
    # The outlier's colour is one no line uses (COLORS[0..2] are MSE, MAE, Huber).
    ax.scatter(x[-1:], y[-1:], color=OUTLIER, s=70, marker="*", label="movable outlier", zorder=3)
    grid = np.linspace(-2.2, 2.2, 2)
    for color, (name, (_, bwd)) in zip(COLORS, REGRESSION_LOSSES.items()):
        kw = {"delta": delta} if name == "Huber" else {}
        slow = name == "MAE"  # its gradient never shrinks: more, larger steps
        w, b = line_fit.fit_line(x, y, bwd, steps=3000 if slow else 600, lr=2.0 if slow else 0.5, **kw)
        ax.plot(grid, w * grid + b, color=color, lw=2, label=f"{name}: slope {w:.2f}")
    ax.plot(grid, line_fit.TRUE_SLOPE * grid + line_fit.TRUE_INTERCEPT, color=INK, ls="--", lw=1,
            label=f"true line (slope {line_fit.TRUE_SLOPE:.2f})")
    ax.set(xlabel="x", ylabel="y", ylim=(-3, 11), title="One outlier against three losses")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def plot_mape(forecast=100.0, y_min=-100.0, y_max=300.0, top=4.0):
    """MAPE of one point (left) and its gradient (right) against the true value y, for a fixed forecast ŷ.

    Both explode as y → 0 (the term is divided by |y|); left of the forecast (ŷ > y, too high) the loss climbs
    without bound, right of it (too low) it creeps toward 1 for a forecast ≥ 0: the loss is lopsided.
    """
    fig, (ax, dax) = figure(1, 2, size=(9, 4.2))
    gap = 0.004 * (y_max - y_min)  # keep clear of y = 0 itself, where the curves leave the picture
    sides = [np.linspace(y_min, -gap, 200), np.linspace(gap, y_max, 400)]
    for k, ys in enumerate(sides):
        pred = np.full_like(ys, forecast)
        terms = [losses.mape_forward(np.array([p]), np.array([t])) for p, t in zip(pred, ys)]
        pulls = [losses.mape_backward(np.array([p]), np.array([t]))[0] for p, t in zip(pred, ys)]
        ax.plot(ys, terms, color=COLORS[0], label="MAPE of one point" if k else None)
        (pull,) = dax.plot(ys, pulls, color=COLORS[3])
    for a in (ax, dax):
        a.axvspan(y_min, forecast, zorder=0, label="forecast too high (ŷ > y)", **BAND)
        a.axvline(0, color=INK, lw=0.8, ls=":", label="y = 0: MAPE explodes")
        a.axvline(forecast, color=COLORS[1], lw=1.2, label=f"the forecast ŷ = {forecast:g}")
        a.axhline(0, color=INK, lw=0.8)
        a.set(xlabel="true value y", xlim=(y_min, y_max))
    ax.axhline(1, color=INK, lw=0.8, ls="--", label="1 = 100 %")
    ax.set(ylabel="|ŷ − y| / max(|y|, ε)", ylim=(0, top), title="MAPE of one point")
    dax.set(ylabel="∂ / ∂ŷ = sign(ŷ − y) / |y|", ylim=(-0.06, 0.1), title="its pull on the forecast (+ pulls it down)")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend([*handles, pull], [*labels, "its gradient ∂MAPE/∂ŷ"], loc="outside lower center", ncols=3,
               fontsize=8)
    return fig


def plot_cross_entropy(p=0.3):
    """Cross-entropy −log p of the true class against its predicted probability p, with its slope at p; dashed, MSE on
    the probability, (1 − p)² with p = σ(z), whose slope on the logit vanishes for a confident mistake."""
    ps = np.linspace(1e-3, 1.0, 400)
    fig, (ax, dax) = figure(1, 2, size=(9, 3.6))
    ax.plot(ps, -np.log(ps), color=COLORS[0], label="cross-entropy  −log p")
    ax.plot(ps, (1.0 - ps) ** 2, color=COLORS[3], ls="--", label="MSE on p  (1 − p)²")
    ax.scatter([p], [-np.log(p)], color=COLORS[1], zorder=3, s=50)
    ax.scatter([p], [(1.0 - p) ** 2], facecolor="none", edgecolor=COLORS[1], zorder=3, s=50)
    ax.annotate(f"p = {p:.3f}\nloss = {-np.log(p):.3f}", (p, -np.log(p)), xytext=(10, 10),
                textcoords="offset points")
    ax.set(xlabel="predicted probability of the true class", ylabel="loss of one example", ylim=(0, 7),
           title="cross-entropy against MSE on p")
    ax.legend(loc="upper right", fontsize=8)
    # ∂loss/∂z_true = p − 1 for the true class's logit: a confident mistake gets a gradient near −1. MSE on p = σ(z)
    # has −2p(1 − p)², which goes to 0 as p → 0: the more confidently wrong, the weaker the push.
    dax.plot(ps, ps - 1.0, color=COLORS[0], label="cross-entropy: p − 1")
    dax.plot(ps, -2.0 * ps * (1.0 - ps) ** 2, color=COLORS[3], ls="--", label="MSE on p: −2p(1 − p)²")
    dax.scatter([p], [p - 1.0], color=COLORS[1], zorder=3, s=50)
    dax.scatter([p], [-2.0 * p * (1.0 - p) ** 2], facecolor="none", edgecolor=COLORS[1], zorder=3, s=50)
    dax.axhline(0, color=INK, lw=0.8)
    dax.set(xlabel="predicted probability of the true class", ylabel="∂loss / ∂z_true", ylim=(-1.05, 0.05),
            title="gradient on the true class's logit")
    dax.legend(loc="lower right", fontsize=8)
    return fig
