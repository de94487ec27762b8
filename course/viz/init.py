"""Drawings for 04_initialization: symmetric units, per-layer statistics of a deep MLP, training curves by init."""

import numpy as np

from course.examples import init_experiments
from course.viz import COLORS, INK, figure, fixed_margins

__all__ = ["plot_unit_weights", "plot_layer_stds", "plot_training_curves", "plot_layer_histograms",
           "layer_samples"]


def plot_unit_weights(weights, title="first-layer weights after training"):
    """Heatmaps of first-layer weight matrices, one per scheme: ``weights[name]`` has shape (hidden units, inputs).

    Identical rows are identical hidden units: the network has effectively one unit per layer.
    """
    fig, axes = figure(1, len(weights), size=(3.2 * len(weights), 3.4))
    axes = np.atleast_1d(axes)
    for ax, (name, W) in zip(axes, weights.items()):
        lim = float(np.abs(W).max()) or 1.0
        im = ax.imshow(W, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
        ax.set(title=name, xlabel="input", ylabel="hidden unit", xticks=range(W.shape[1]))
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle(title)
    return fig


def _positive(v):
    # A std of exactly 0 (everything underflowed) or inf (overflow) cannot sit on a log axis: leave a gap.
    v = np.asarray(v, dtype=float)
    return np.where((v > 0) & np.isfinite(v), v, np.nan)


def _few_log_ticks(ax):
    # A handful of labelled powers of ten and no minor ticks: these axes span up to 130 decades, and a tick per decade
    # (with its label measured at every draw) made this picture take seconds.
    from matplotlib.ticker import LogLocator, NullLocator

    ax.yaxis.set_major_locator(LogLocator(numticks=7))
    ax.yaxis.set_minor_locator(NullLocator())


def plot_layer_stds(results):
    """Std of the activations (top) and of ∂loss/∂W (bottom) against depth, one column per activation.

    ``results[(scheme, activation)]`` is a :func:`course.examples.init_experiments.deep_stats` dict.
    """
    activations = list(dict.fromkeys(a for _, a in results))
    schemes = list(dict.fromkeys(s for s, _ in results))
    fig, axes = figure(2, len(activations), size=(4.0 * len(activations), 6.4))
    axes = np.asarray(axes).reshape(2, -1)
    for j, act in enumerate(activations):
        for color, scheme in zip(COLORS, schemes):
            r = results.get((scheme, act))
            if r is None:
                continue
            layers = np.arange(1, len(r["act_std"]) + 1)
            axes[0, j].semilogy(layers, _positive(r["act_std"]), color=color, label=scheme)
            axes[1, j].semilogy(layers, _positive(r["grad_std"]), color=color, label=scheme)
        axes[0, j].set(title=f"{act}: activations")
        axes[1, j].set(title=f"{act}: gradients ∂loss/∂W", xlabel="layer (1 = next to the input)")
        for ax in axes[:, j]:
            ax.axhspan(1e-2, 1e2, color=INK, alpha=0.15, lw=0, zorder=0)
            _few_log_ticks(ax)
    axes[0, 0].set_ylabel("std of the layer's activations")
    axes[1, 0].set_ylabel("std of the layer's weight gradient")
    axes[0, -1].legend(fontsize=8, loc="lower left")
    fig.suptitle("A 50-layer MLP: what each initialisation does to the signal (grey band: 10⁻² … 10²)")
    return fig


def plot_training_curves(histories, title="Training a 4-hidden-layer ReLU MLP on spirals (full-batch SGD)"):
    """Training loss against the step, one line per scheme.

    ``histories[name]`` is a :func:`course.examples.init_experiments.train` result. The dashed line is ln 3, the loss of
    always guessing uniformly among three classes.
    """
    fig, ax = figure(size=(7.0, 4.0))
    top = 10.0
    for color, (name, h) in zip(COLORS, histories.items()):
        loss = np.where(np.isfinite(h["loss"]), h["loss"], np.nan)
        peak = np.nanmax(loss)
        off = f", peaks off the chart at {peak:.0e}" if peak > top else ""
        ax.plot(loss, color=color, label=f"{name}: final accuracy {h['accuracy']:.0%}{off}")
    ax.axhline(np.log(3), color=INK, ls="--", lw=1, label="ln 3: uniform guessing")
    ax.set(xlabel="SGD step", ylabel="training cross-entropy", yscale="log", ylim=(1e-2, top), title=title)
    ax.legend(fontsize=8)
    return fig


def _layers_to_show(depth, n_panels):
    return sorted(set(np.linspace(1, depth, min(n_panels, depth)).round().astype(int)))


def _all_equal(v):
    """True when every value is the same up to rounding (a spread below 1e-9 of their size, e.g. 1e-17 around 0.1)."""
    return v.size > 0 and float(np.ptp(v)) <= 1e-9 * max(float(np.abs(v).max()), 1e-300)


def layer_samples(scheme="xavier", activation="tanh", depth=10, width=128, n_panels=5, seed=0, fns=None):
    """The values :func:`plot_layer_histograms` draws: ``{"layers": [k, ...], "acts": [...], "grads": [...]}``.

    One forward and backward pass (:func:`course.examples.init_experiments.deep_stats`) through ``fns``' initializers
    (the course's by default), keeping only the shown layers' activations and weight gradients, flattened. An
    explorer keeps these per setting, so that coming back to a setting redraws without recomputing.
    """
    r = init_experiments.deep_stats(scheme, activation, depth=depth, width=width, seed=seed, keep=True, fns=fns)
    layers = _layers_to_show(depth, n_panels)
    return {"layers": layers, "acts": [np.asarray(r["acts"][k - 1]).ravel() for k in layers],
            "grads": [np.asarray(r["grads"][k - 1]).ravel() for k in layers]}


def _compact(x, _pos=None):
    return "0" if x == 0 else f"{x:.2g}"


def plot_layer_histograms(scheme="xavier", activation="tanh", depth=10, width=128, n_panels=5, seed=0, fns=None,
                          samples=None):
    """Histograms of a few layers' activations (top) and weight gradients (bottom) for one init and activation.

    Each row shares its x-axis, so a layer whose values have shrunk to a spike at 0 has vanished, and one that
    fills the axis while the others are spikes has exploded. A layer whose values are all equal (zeros or a constant
    start; a spread of rounding noise, 1e-17, is no distribution) is drawn as one bar and labelled "all equal".
    ``fns``: the initializers to use (default the course's); ``samples``: a :func:`layer_samples` result to draw
    instead of computing it.
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    s = samples or layer_samples(scheme, activation, depth, width, n_panels, seed, fns)
    layers = s["layers"]
    # Wide enough for the title even with one panel; fixed margins, since the explorer redraws this on every move.
    size = (max(2.3 * len(layers) + 1.0, 5.6), 4.8)
    fig, axes = figure(2, len(layers), size=size)
    axes = np.asarray(axes).reshape(2, -1)
    fixed_margins(fig, axes, left=0.45, right=0.12, bottom=0.35, top=0.62, wspace=0.12, hspace=0.42)
    for row, (key, what, color) in enumerate([("acts", "activation", COLORS[0]), ("grads", "∂loss/∂W", COLORS[1])]):
        values = s[key]
        finite = [v[np.isfinite(v)] for v in values]
        equal = [_all_equal(fv) for fv in finite]
        # One x-range per row, so the layers can be compared: a layer that is a spike at 0 has vanished.
        if row == 0 and activation in ("tanh", "sigmoid"):
            low, high = (-1.0, 1.0) if activation == "tanh" else (0.0, 1.0)
        else:
            spread = max([float(fv.std()) for fv, same in zip(finite, equal) if fv.size and not same] or [0.0])
            level = max([float(np.abs(fv).max()) for fv, same in zip(finite, equal) if same] or [0.0])
            high = max(4.0 * spread, 1.2 * level) or 1.0
            low = 0.0 if row == 0 and activation in ("relu", "sigmoid") else -high
        for ax, v, fv, same in zip(axes[row], values, finite, equal):
            if same:  # one value, however many copies: a single bar, not a histogram of rounding noise
                note = "all 0" if fv[0] == 0 else f"all equal: {fv[0]:.3g}"
                counts, edges = np.array([1.0]), fv[0] + np.array([-0.015, 0.015]) * (high - low)
            else:
                note = f"std {float(fv.std()) if fv.size else float('nan'):.2g}"
                if row == 0 and activation == "relu":
                    note += f"\n{np.mean(fv == 0):.0%} zeros (not drawn)"
                    fv = fv[fv != 0]
                counts, edges = np.histogram(fv, bins=40, range=(low, high))
            if fv.size < v.size and not (row == 0 and activation == "relu"):
                note += "\noverflow!"
            if counts.any():
                ax.stairs(counts, edges, fill=True, color=color)
                ax.set_ylim(0, counts.max() * 1.55)  # headroom: the note sits above the bars, no box needed
            ax.set_xlim(low, high)
            ax.set_yticks([])
            ax.text(0.97, 0.95, note, transform=ax.transAxes, ha="right", va="top", fontsize=8, color=INK)
            ax.xaxis.set_major_locator(MaxNLocator(3, steps=[1, 2, 5, 10]))
            ax.xaxis.set_major_formatter(FuncFormatter(_compact))
            ax.tick_params(axis="x", labelsize=7)
        axes[row, 0].set_ylabel(what)
    for ax, k in zip(axes[0], layers):
        ax.set_title(f"layer {k}", fontsize=9)
    fig.suptitle(f"{scheme} init, {activation}, depth {depth}, width {width}")
    return fig
