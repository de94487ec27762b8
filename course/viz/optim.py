"""Drawings for 05_optimizers: optimizer races on 2-D surfaces, learning-rate schedules, training curves.

The races are run by :func:`course.surfaces.race`; the update functions are arguments (``fns``, a dict such as
``{"adam_update": adam_update, ...}``), so a notebook can race its own implementations (the default is the
reference :mod:`course.optim`).
"""

import numpy as np

from course import optim
from course.surfaces import OPTIMIZERS, SURFACES, cliff, final_loss, race, run
from course.viz import COLORS

__all__ = ["plot_race", "plot_races", "plot_schedules", "plot_curves", "plot_clipping_rescue"]

_COLOR = dict(zip(OPTIMIZERS, COLORS))


def figure(nrows=1, ncols=1, size=(6.4, 4.0), **margins):
    """Like ``course.viz.figure`` but with fixed margins instead of constrained layout.

    Constrained layout measures every tick label twice per render and was half of this lesson's drawing time; the
    notebook must run in 20 s, so these figures set their margins once.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    axes = fig.subplots(nrows, ncols)
    adjust = {"left": 0.8 / size[0], "right": 1 - 0.15 / size[0], "bottom": 0.5 / size[1], "top": 1 - 0.35 / size[1],
              "wspace": 0.28}
    adjust.update(margins)
    fig.subplots_adjust(**adjust)
    return fig, axes


def _contours(ax, surface, n=90):
    x = np.linspace(*surface.xlim, n)
    y = np.linspace(*surface.ylim, n)
    X, Y = np.meshgrid(x, y)
    with np.errstate(all="ignore"):
        Z = surface.f(X, Y) - surface.f_min
    if surface.log_levels:
        Z = np.log10(np.maximum(Z, 1e-6))
        levels = np.linspace(np.nanmin(Z), min(np.nanmax(Z), np.nanmin(Z) + 12), 20)
    else:
        levels = np.quantile(Z[np.isfinite(Z)], np.linspace(0, 1, 21) ** 2)
    ax.contour(X, Y, Z, levels=np.unique(levels), colors="0.7", linewidths=0.6, negative_linestyles="solid")
    ax.set(xlim=surface.xlim, ylim=surface.ylim)


def _log_y(ax):
    # Few, major-only ticks: a log axis spanning 16 decades otherwise lays out dozens of labels per redraw.
    from matplotlib.ticker import LogLocator, NullLocator

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(numticks=6))
    ax.yaxis.set_minor_locator(NullLocator())


def _draw_paths(ax, surface, paths):
    _contours(ax, surface)
    for name, path in paths.items():
        lw = 2.6 if name == "SGD" else 1.4  # drawn first and thick, so it stays visible under the others
        ax.plot(path[:, 0], path[:, 1], "-", color=_COLOR.get(name, "k"), lw=lw, label=name, alpha=0.9)
        ax.plot(path[-1:, 0], path[-1:, 1], "o", color=_COLOR.get(name, "k"), ms=4)
    start = next(iter(paths.values()))[0]
    ax.plot(*start, "k*", ms=10, zorder=5)


def plot_race(surface="ravine", optimizers=OPTIMIZERS, lr_sgd=None, lr_adaptive=None, momentum=0.9, beta1=0.9,
              beta2=0.999, start_x=None, start_y=None, steps=None, max_norm=0.0, fns=None):
    """Each optimizer's path on the surface's contours (left) and its loss against the step (right)."""
    s = SURFACES[surface]
    start = None if start_x is None or start_y is None else (start_x, start_y)
    paths = race(s, fns, tuple(optimizers), lr_sgd, lr_adaptive, momentum, (beta1, beta2), start, steps, max_norm)
    fig, (ax, lax) = figure(1, 2, size=(10, 4.0))
    if paths:
        _draw_paths(ax, s, paths)
    ax.set(title=f"{surface}: paths from ★", xlabel="x", ylabel="y")
    with np.errstate(all="ignore"):
        for name, path in paths.items():
            loss = s.f(path[:, 0], path[:, 1]) - s.f_min
            lax.plot(np.maximum(loss, 1e-12), color=_COLOR[name], label=f"{name}: {final_loss(s, path):.3g}")
    lr_s = s.lr_sgd if lr_sgd is None else lr_sgd
    lr_a = s.lr_adaptive if lr_adaptive is None else lr_adaptive
    clip = f", clip norm {max_norm:g}" if max_norm else ""
    _log_y(lax)
    lax.set(xlabel="step", ylabel="loss − minimum (log, floored at 1e-12)",
            title=f"lr {lr_s:.3g} (SGD family), {lr_a:.3g} (adaptive){clip}")
    if paths:
        lax.legend(fontsize=7, title="final loss", title_fontsize=7, loc="lower left")
    return fig


def plot_races(fns=None, surfaces=("ravine", "rosenbrock", "saddle"), names=OPTIMIZERS):
    """Every optimizer on each surface, side by side, from each surface's default start."""
    fig, axes = figure(1, len(surfaces), size=(4.2 * len(surfaces), 4.0), left=0.5 / (4.2 * len(surfaces)), wspace=0.15)
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
    fig, ax = figure(size=(7, 3.6), left=0.11)
    ax.step(e, [step_lr(lr0, k, step_size, gamma) for k in e], where="post", color=COLORS[0],
            label=f"StepLR (step_size={step_size}, γ={gamma:g})")
    ax.plot(e, [cosine_annealing_lr(lr0, k, T_max, eta_min) for k in e], color=COLORS[1],
            label=f"CosineAnnealingLR (T_max={T_max}, eta_min={eta_min:g})")
    ax.set(xlabel="epoch", ylabel="learning rate", title="Learning-rate schedules", yscale="log" if log else "linear")
    ax.legend(fontsize=8)
    return fig


def plot_curves(curves, title="training loss", ylabel="loss", xlabel="epoch", logy=True):
    """One line per entry of ``{name: sequence of values}``; NaN or inf (a run that blew up) ends its line."""
    fig, ax = figure(size=(7, 3.8), left=0.14)
    for k, (name, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(1, len(values) + 1), values, color=_COLOR.get(name, COLORS[k % len(COLORS)]),
                label=name)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, yscale="log" if logy else "linear")
    if logy:  # label some minor ticks too: training curves often span only a decade or two
        from matplotlib.ticker import LogFormatterSciNotation

        ax.yaxis.set_minor_formatter(LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
    ax.legend(fontsize=8)
    return fig


def plot_clipping_rescue(sgd_update=optim.sgd_update, clip_grad_norm=optim.clip_grad_norm, lr=0.05, max_norm=1.0,
                         steps=100):
    """Plain SGD on the RNN's exploding-gradient cliff, with and without norm clipping."""
    s = cliff
    step = {"SGD": lambda w, g, st: (sgd_update(w, g, lr), st)}["SGD"]
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
    ax.plot(*plain[0], "k*", ms=10, zorder=5)
    ax.set(title="linear RNN loss over (w, u): a cliff at w > 1", xlabel="recurrent weight w",
           ylabel="input weight u")
    ax.legend(fontsize=8, loc="lower left")
    _log_y(lax)
    lax.set(xlabel="step", ylabel="loss", ylim=(1e-10, 1e10), title=f"SGD, lr = {lr:g}, with and without clipping")
    lax.legend(fontsize=8)
    return fig
