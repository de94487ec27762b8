"""Drawings for 05_optimizers: optimizer races on 2-D surfaces, learning-rate schedules, training curves.

The races are run by :func:`course.surfaces.race`; the update functions are arguments (``fns``, a dict such as
``{"adam_update": adam_update, ...}``), so a notebook can race its own implementations (the default is the
reference :mod:`course.optim`).
"""

import functools

import numpy as np

from course import optim
from course.surfaces import OPTIMIZERS, SURFACES, cliff, final_loss, race, run
from course.viz import COLORS, INK, fixed_margins
from course.viz import figure as themed_figure

__all__ = ["STYLE", "plot_race", "plot_races", "plot_schedules", "plot_curves", "plot_clipping_rescue"]

# Each optimizer's own colour and line style. The pairs that run close together (Momentum and Nesterov, RMSprop, Adam
# and AdamW) differ in both, so one line never hides its twin.
STYLE = {
    "SGD": (COLORS[0], "-"),
    "Momentum": (COLORS[2], "-"),
    "Nesterov": (COLORS[3], "--"),
    "AdaGrad": (COLORS[6], "-"),
    "RMSprop": (COLORS[4], "-"),
    "Adam": (COLORS[1], "-"),
    "AdamW": (COLORS[5], "--"),
}


def _style(name, k=0):
    return STYLE.get(name, (COLORS[k % len(COLORS)], "-"))


def figure(nrows=1, ncols=1, size=(6.4, 4.0), left=0.8, right=0.15, bottom=0.5, top=0.35, wspace=0.28, hspace=0.3):
    """``course.viz.figure`` (the course's theme) with fixed margins, in inches, instead of constrained layout.

    Constrained layout measures every tick label at each draw and was half of this lesson's drawing time; the
    explorers redraw on every move, so these figures set their margins once.
    """
    fig, axes = themed_figure(nrows, ncols, size=size)
    fixed_margins(fig, axes, left, right, bottom, top, wspace=wspace, hspace=hspace)
    return fig, axes


@functools.lru_cache(maxsize=None)
def _grid(name, n=90):
    """The surface's contour grid and levels, computed once per surface."""
    surface = SURFACES[name]
    X, Y = np.meshgrid(np.linspace(*surface.xlim, n), np.linspace(*surface.ylim, n))
    with np.errstate(all="ignore"):
        Z = surface.f(X, Y) - surface.f_min
    if surface.log_levels:
        Z = np.log10(np.maximum(Z, 1e-6))
        levels = np.linspace(np.nanmin(Z), min(np.nanmax(Z), np.nanmin(Z) + 12), 20)
    else:
        levels = np.quantile(Z[np.isfinite(Z)], np.linspace(0, 1, 21) ** 2)
    return X, Y, Z, np.unique(levels)


def _contours(ax, surface):
    X, Y, Z, levels = _grid(surface.name)
    ax.contour(X, Y, Z, levels=levels, colors=INK, alpha=0.45, linewidths=0.5, negative_linestyles="solid")
    ax.set(xlim=surface.xlim, ylim=surface.ylim)


def _start_marker(ax, point):
    ax.plot(*point, "*", color=INK, ms=11, zorder=5)


def _one_two_five(value, up):
    """The nearest 1·10ᵏ, 2·10ᵏ or 5·10ᵏ below (``up=False``) or above ``value``."""
    k = np.floor(np.log10(value))
    steps = np.array([1.0, 2.0, 5.0, 10.0, 20.0]) * 10.0**k
    return float(steps[steps >= value * (1 - 1e-12)][0] if up else steps[steps <= value * (1 + 1e-12)][-1])


def _log_axis(ax, values, axis="y"):
    """A log axis whose ticks are labelled however little the values span.

    Over two decades or more: a few powers of ten (never dozens). Below that, where a log axis would show one tick
    or none, the limits are rounded out to 1, 2 or 5 × 10ᵏ and ticks are labelled at 1, 2 and 5 × 10ᵏ.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    getattr(ax, f"set_{axis}scale")("log")
    target = ax.yaxis if axis == "y" else ax.xaxis
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    target.set_minor_locator(NullLocator())
    if v.size and np.log10(v.max() / v.min()) < 2:
        low, high = _one_two_five(v.min(), up=False), _one_two_five(v.max(), up=True)
        if high <= low:
            high = _one_two_five(low * 1.5, up=True)
        getattr(ax, f"set_{axis}lim")(low / 1.1, high * 1.1)  # a line on a rounded limit stays off the frame
        target.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        target.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.3g}"))
    else:
        target.set_major_locator(LogLocator(numticks=6))


def _integer_ticks(ax, axis="x"):
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))


def _draw_paths(ax, surface, paths):
    _contours(ax, surface)
    for name, path in paths.items():
        color, ls = _style(name)
        lw = 2.6 if name == "SGD" else 1.5  # drawn first and thick, so it stays visible under the others
        ax.plot(path[:, 0], path[:, 1], ls=ls, color=color, lw=lw, label=name, alpha=0.9)
        ax.plot(path[-1:, 0], path[-1:, 1], "o", color=color, ms=4)
    _start_marker(ax, next(iter(paths.values()))[0])


def plot_race(surface="ravine", optimizers=OPTIMIZERS, lr_sgd=None, lr_adaptive=None, momentum=0.9, beta1=0.9,
              beta2=0.999, start_x=None, start_y=None, steps=None, max_norm=0.0, fns=None):
    """Each optimizer's path on the surface's contours (left) and its loss against the step (right)."""
    s = SURFACES[surface]
    start = None if start_x is None or start_y is None else (start_x, start_y)
    paths = race(s, fns, tuple(optimizers), lr_sgd, lr_adaptive, momentum, (beta1, beta2), start, steps, max_norm)
    fig, (ax, lax) = figure(1, 2, size=(10, 4.4), top=0.75, left=0.75, right=0.2)
    if paths:
        _draw_paths(ax, s, paths)
    else:
        _contours(ax, s)
    ax.set(title=f"{surface}: paths from ★", xlabel="x", ylabel="y")
    losses = []
    with np.errstate(all="ignore"):
        for name, path in paths.items():
            color, ls = _style(name)
            loss = np.maximum(s.f(path[:, 0], path[:, 1]) - s.f_min, 1e-12)
            losses.append(loss)
            lax.plot(loss, color=color, ls=ls, label=f"{name}: {final_loss(s, path):.3g}")
    lr_s = s.lr_sgd if lr_sgd is None else lr_sgd
    lr_a = s.lr_adaptive if lr_adaptive is None else lr_adaptive
    n = s.steps if steps is None else steps
    clip = f" · gradients clipped to norm {max_norm:g}" if max_norm else ""
    _log_axis(lax, np.concatenate(losses) if losses else [])
    _integer_ticks(lax)
    lax.set(xlabel="step", ylabel="loss − minimum (floored at 1e-12)", title="loss against the step (log scale)")
    if paths:
        lax.legend(fontsize=7, title="final loss", title_fontsize=7, loc="lower left")
    fig.suptitle(f"{n} steps · lr {lr_s:.3g} (SGD, Momentum, Nesterov) · lr {lr_a:.3g} (adaptive){clip}",
                 fontsize=11)
    return fig


def plot_races(fns=None, surfaces=("ravine", "rosenbrock", "saddle"), names=OPTIMIZERS):
    """Every optimizer on each surface, side by side, from each surface's default start."""
    fig, axes = figure(1, len(surfaces), size=(4.2 * len(surfaces), 4.0), left=0.5, wspace=0.22)
    for ax, sname in zip(np.atleast_1d(axes), surfaces):
        s = SURFACES[sname]
        _draw_paths(ax, s, race(s, fns, names))
        ax.set(title=f"{sname} ({s.steps} steps)")
    np.atleast_1d(axes)[0].legend(fontsize=7, loc="lower right")
    return fig


def plot_schedules(lr0=0.1, epochs=100, step_size=30, gamma=0.1, T_max=100, eta_min=0.0, log=False,
                   step_lr=optim.step_lr, cosine_annealing_lr=optim.cosine_annealing_lr):
    """The learning rate per epoch under StepLR and CosineAnnealingLR."""
    e = np.arange(epochs + 1)
    step = np.array([step_lr(lr0, k, step_size, gamma) for k in e], dtype=float)
    cosine = np.array([cosine_annealing_lr(lr0, k, T_max, eta_min) for k in e], dtype=float)
    fig, ax = figure(size=(7, 3.6), left=0.85)
    if log:  # a learning rate of 0 has no place on a log axis: that stretch of the line is left out
        step, cosine = (np.where(v > 0, v, np.nan) for v in (step, cosine))
    ax.step(e, step, where="post", color=COLORS[0], label=f"StepLR (step_size={step_size}, γ={gamma:g})")
    ax.plot(e, cosine, color=COLORS[1], label=f"CosineAnnealingLR (T_max={T_max}, eta_min={eta_min:g})")
    if log:
        _log_axis(ax, np.concatenate([step, cosine]))
    _integer_ticks(ax)
    ax.set(xlabel="epoch", ylabel="learning rate", title="Learning-rate schedules" + (" (log scale)" if log else ""))
    ax.legend(fontsize=8)
    return fig


def plot_curves(curves, title="training loss", ylabel="loss", xlabel="epoch", logy=True):
    """One line per entry of ``{name: sequence of values}``; NaN or inf (a run that blew up) ends its line."""
    fig, ax = figure(size=(7, 3.8), left=0.95, top=0.4)
    everything = []
    for k, (name, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        everything.append(values)
        color, ls = _style(name, k)
        ax.plot(np.arange(1, len(values) + 1), values, color=color, ls=ls, label=name)
    if logy:
        _log_axis(ax, np.concatenate(everything) if everything else [])
    _integer_ticks(ax)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    return fig


def plot_clipping_rescue(sgd_update=optim.sgd_update, clip_grad_norm=optim.clip_grad_norm, lr=0.05, max_norm=1.0,
                         steps=100):
    """Plain SGD on the RNN's exploding-gradient cliff, with and without norm clipping."""
    s = cliff

    def step(w, g, state):
        return sgd_update(w, g, lr), state

    plain = run(step, s, steps=steps)
    clipped = run(step, s, steps=steps, clip=lambda g: clip_grad_norm([g], max_norm)[0][0])
    fig, (ax, lax) = figure(1, 2, size=(10, 4.0))
    _contours(ax, s)
    for path, color, label in ((plain, COLORS[1], "SGD"), (clipped, COLORS[2], f"SGD + clip norm {max_norm:g}")):
        ax.plot(path[:, 0], path[:, 1], "-o", color=color, ms=2.5, lw=1.2, label=label)
        with np.errstate(all="ignore"):
            loss = s.f(path[:, 0], path[:, 1])
        lax.plot(loss, "-o" if color == COLORS[1] else "-", ms=3, color=color, label=label)
        finite = np.flatnonzero(np.isfinite(loss))
        if len(finite) < len(loss):
            k = finite[-1]
            lax.annotate(f"step {k}: loss {loss[k]:.2g},\nthen overflow", (k, min(loss[k], 1e9)), xytext=(15, -10),
                         textcoords="offset points", color=color, fontsize=8)
    _start_marker(ax, plain[0])
    ax.set(title="linear RNN loss over (w, u): a cliff at w > 1", xlabel="recurrent weight w",
           ylabel="input weight u")
    ax.legend(fontsize=8, loc="lower left")
    _log_axis(lax, [1e-10, 1e10])
    _integer_ticks(lax)
    lax.set(xlabel="step", ylabel="loss", ylim=(1e-10, 1e10), title=f"SGD, lr = {lr:g}, with and without clipping")
    lax.legend(fontsize=8)
    return fig
