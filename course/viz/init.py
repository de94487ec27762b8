"""Drawings for 04_initialization: symmetric units, per-layer statistics of a deep MLP, training curves by init."""

import numpy as np

from course.examples import init_experiments
from course.viz import COLORS, figure

__all__ = ["plot_unit_weights", "plot_layer_stds", "plot_training_curves", "plot_layer_histograms"]


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
            ax.axhspan(1e-2, 1e2, color="0.92", zorder=0)
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
    ax.axhline(np.log(3), color="k", ls="--", lw=1, label="ln 3: uniform guessing")
    ax.set(xlabel="SGD step", ylabel="training cross-entropy", yscale="log", ylim=(1e-2, top), title=title)
    ax.legend(fontsize=8)
    return fig


def _layers_to_show(depth, n_panels):
    return sorted(set(np.linspace(1, depth, min(n_panels, depth)).round().astype(int)))


def plot_layer_histograms(scheme="xavier", activation="tanh", depth=10, width=128, n_panels=5, seed=0):
    """Histograms of a few layers' activations (top) and weight gradients (bottom) for one init and activation.

    Each row shares its x-axis, so a layer whose values have shrunk to a spike at 0 has vanished, and one that
    fills the axis while the others are spikes has exploded.
    """
    r = init_experiments.deep_stats(scheme, activation, depth=depth, width=width, seed=seed, keep=True)
    layers = _layers_to_show(depth, n_panels)
    fig, axes = figure(2, len(layers), size=(2.3 * len(layers) + 1.0, 4.6))
    axes = np.asarray(axes).reshape(2, -1)
    for row, (key, what, color) in enumerate([("acts", "activation", COLORS[0]), ("grads", "∂loss/∂W", COLORS[1])]):
        values = [np.asarray(r[key][k - 1]).ravel() for k in layers]
        finite = [v[np.isfinite(v)] for v in values]
        # One x-range per row, so the layers can be compared: a layer that is a spike at 0 has vanished.
        if row == 0 and activation in ("tanh", "sigmoid"):
            low, high = (-1.0, 1.0) if activation == "tanh" else (0.0, 1.0)
        else:
            high = 4.0 * max((float(v.std()) if v.size else 0.0) for v in finite) or 1.0
            low = 0.0 if row == 0 else -high
        for ax, k, v, fv in zip(axes[row], layers, values, finite):
            note = f"std {float(fv.std()) if fv.size else float('nan'):.2g}"
            if row == 0 and activation == "relu":
                note += f"\n{np.mean(fv == 0):.0%} zeros (not drawn)"
                fv = fv[fv != 0]
            if fv.size < v.size and not (row == 0 and activation == "relu"):
                note += "\noverflow!"
            ax.hist(fv, bins=40, range=(low, high), color=color)
            ax.set_yticks([])
            ax.text(0.97, 0.95, note, transform=ax.transAxes, ha="right", va="top", fontsize=8,
                    bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0})
            ax.ticklabel_format(axis="x", style="sci", scilimits=(-2, 3))
            ax.locator_params(axis="x", nbins=3)
            ax.tick_params(axis="x", labelsize=7)
            if row == 0:
                ax.set_title(f"layer {k}", fontsize=9)
        axes[row, 0].set_ylabel(what)
    fig.suptitle(f"{scheme} init, {activation}, depth {depth}, width {width}")
    return fig
