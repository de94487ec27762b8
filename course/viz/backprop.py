"""Drawings for 03_backprop: the 2-2-2 network with its values and gradients, and XOR's decision boundary."""

from functools import lru_cache

import numpy as np

from course.examples import network222, xor
from course.viz import COLORS, INK, figure
from course.viz.gradients import _integer_ticks, _plain_log

__all__ = ["net222_history", "draw_net222", "plot_xor_training", "WEIGHT_COLOR", "GRADIENT_COLOR"]

# Node positions of the 2-2-2 network (x: layer, y: height) and its bias nodes.
_POS = {"i1": (0.0, 1.0), "i2": (0.0, 0.0), "h1": (1.6, 1.0), "h2": (1.6, 0.0), "o1": (3.2, 1.0), "o2": (3.2, 0.0),
        "b1": (0.8, -0.75), "b2": (2.4, -0.75)}
_EDGES = {"w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
          "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2")}
# Where along its edge each label sits: straight edges in the middle, crossing edges near their source.
_LABEL_AT = {"w1": 0.5, "w2": 0.3, "w3": 0.3, "w4": 0.5, "w5": 0.5, "w6": 0.3, "w7": 0.3, "w8": 0.5}


def _num(x):
    """Five decimals while they say something, then scientific notation (late in training gradients are tiny)."""
    return f"{x:+.5f}" if abs(x) >= 1e-4 or x == 0 else f"{x:+.2e}"


# Weights and values are blue, gradients and deltas orange (the palette's vermillion), on either theme. A label that
# sits on an edge gets an opaque chip (light tint, dark text of its colour, a thin border) so the edge does not run
# through its digits: the chip and its text carry their own contrast, whatever the page behind them.
WEIGHT_COLOR, GRADIENT_COLOR = COLORS[0], COLORS[1]
_CHIP = {"weight": ("#e3eef7", "#0b4f80"), "gradient": ("#fbe6da", "#9c3d00")}  # (fill, text and border)
_NODE = {"unit": ("#dff1ea", "#0b5e45"), "bias": ("#ececec", "#3c3c3c")}


def _chip(kind):
    fill, ink = _CHIP[kind]
    return {"color": ink, "bbox": {"boxstyle": "round,pad=0.15", "fc": fill, "ec": ink, "lw": 0.5}}


@lru_cache(maxsize=16)
def net222_history(steps, lr):
    """The worked 2-2-2 network trained for ``steps`` gradient-descent steps (cached: the sliders replay it)."""
    return network222.net222_train(int(steps), lr=float(lr))


def draw_net222(step=0, lr=0.5, show_grads=True, max_steps=2000):
    """The worked 2-2-2 network after ``step`` updates with learning rate ``lr``.

    Edges carry their weight (blue) and ∂E/∂w (orange); nodes their output, and beside them (orange) their delta
    ∂E/∂net; each shared bias node shows its value and its gradient, the sum of two deltas. The right panel is the
    error against the step.
    """
    history = net222_history(max(int(step), max_steps), float(lr))
    params, values, grads = history[int(step)]
    # Axes placed by hand instead of the constrained layout: with ~50 labels, the layout pass would double the time.
    fig, ax = figure(size=(11, 4.6) if show_grads else (7, 4.2))
    fig.set_layout_engine("none")
    if show_grads:
        ax.set_position([0.0, 0.02, 0.66, 0.9])
        eax = fig.add_axes([0.735, 0.12, 0.25, 0.78])
    else:  # the bare network, before any gradient is introduced
        ax.set_position([0.0, 0.0, 1.0, 0.93])
        eax = None
    deltas = network222.net222_deltas(network222.TARGETS, params, values)
    span = max(abs(g) for k, g in grads.items() if k.startswith("w")) or 1.0
    for name, (a, b) in _EDGES.items():
        (x0, y0), (x1, y1) = _POS[a], _POS[b]
        width = 1.5 + 5.0 * abs(grads[name]) / span if show_grads else 1.5
        ax.plot([x0, x1], [y0, y1], color=WEIGHT_COLOR, lw=width, alpha=0.8, zorder=1)
        t = _LABEL_AT[name]
        lx, ly = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        ax.text(lx, ly + 0.035, f"{name} = {params[name]:.3f}", ha="center", va="bottom", fontsize=8, zorder=4,
                gid=f"weight:{name}", **_chip("weight"))
        if show_grads:
            ax.text(lx, ly - 0.035, f"∂E/∂{name} = {_num(grads[name])}", ha="center", va="top", fontsize=7.5,
                    zorder=4, gid=f"gradient:{name}", **_chip("gradient"))
    for bias, units in (("b1", ("h1", "h2")), ("b2", ("o1", "o2"))):
        for u in units:
            (x0, y0), (x1, y1) = _POS[bias], _POS[u]
            ax.plot([x0, x1], [y0, y1], color=INK, lw=1.0, ls="--", zorder=0)
    inputs = dict(zip(("i1", "i2"), network222.INPUTS))
    targets = dict(zip(("o1", "o2"), network222.TARGETS))
    for node, (x, y) in _POS.items():
        is_bias = node.startswith("b")
        fill, ink = _NODE["bias" if is_bias else "unit"]
        ax.scatter([x], [y], s=1900 if not is_bias else 1100, color=fill, zorder=2,
                   edgecolor=COLORS[2] if not is_bias else INK, linewidth=2)
        if node in inputs:
            label = f"{node}\n{inputs[node]:.2f}"
        elif is_bias:
            label = f"{node}\n{params[node]:.3f}"
        else:
            label = f"{node}\n{values['out_' + node]:.4f}"
        ax.text(x, y, label, ha="center", va="center", fontsize=8.5, zorder=3, color=ink, gid=f"node:{node}")
        if show_grads and node in deltas:
            # Above a top node, below a bottom one: the space there is free of edges and their labels.
            above = y > 0.5
            ax.text(x, y + 0.21 if above else y - 0.21, f"δ{node} = {_num(deltas[node])}", ha="center",
                    va="bottom" if above else "top", fontsize=8, color=GRADIENT_COLOR, gid=f"delta:{node}")
        if show_grads and is_bias:
            two = " + ".join(f"δ{u}" for u in (("h1", "h2") if node == "b1" else ("o1", "o2")))
            ax.text(x, y - 0.17, f"∂E/∂{node} = {two} = {_num(grads[node])}", ha="center", va="top", fontsize=7.5,
                    color=GRADIENT_COLOR, gid=f"gradient:{node}")
        if node in targets:
            ax.text(x + 0.25, y, f"target {targets[node]:.1f}", ha="left", va="center", fontsize=8, color=INK)
    ax.set(xlim=(-0.3, 3.95), ylim=(-1.0, 1.42 if show_grads else 1.25))  # room above the top units' deltas
    ax.set_title(f"step {int(step)}: E = {values['E']:.6g}", color=INK)
    ax.axis("off")
    if eax is None:
        return fig
    errors = [h[1]["E"] for h in history]
    eax.semilogy(errors, color=WEIGHT_COLOR)
    eax.scatter([int(step)], [values["E"]], color=GRADIENT_COLOR, zorder=3)
    eax.set(xlabel="step", ylabel="E (log scale)", title=f"error against step, lr = {lr:g}")
    _plain_log(eax, "y", every=max(1, int(np.ceil(np.log10(max(errors) / min(errors)) / 6))))  # about 6 ticks
    _integer_ticks(eax)
    return fig


@lru_cache(maxsize=1)
def _pale_red_blue():
    """The middle of matplotlib's RdBu_r, mixed a quarter with white: opaque, and light enough for markers drawn on
    top."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    rgba = colormaps["RdBu_r"](np.linspace(0.1, 0.9, 256))
    rgba[:, :3] = 0.75 * rgba[:, :3] + 0.25
    return ListedColormap(rgba, name="pale_RdBu_r")


def plot_xor_training(epoch=0, start=0, lr=5.0, hidden=2, epochs=1500):
    """The XOR network's output over the plane after ``epoch`` epochs (left) and its MSE curve (right).

    ``start`` numbers the random starting weights (drawn from ``default_rng(start)``). Dashed lines are where each
    hidden unit's pre-activation is 0; the bold contour is output 0.5, the decision boundary.
    """
    history, losses = xor.train_history(int(start), float(lr), int(hidden), int(epochs))
    epoch = int(np.clip(epoch, 0, epochs))
    params = history[epoch]
    g = np.linspace(-0.5, 1.5, 81)
    gx, gy = np.meshgrid(g, g)
    out = xor.forward(np.c_[gx.ravel(), gy.ravel()], params)[1].reshape(gx.shape)
    fig, ax = figure(size=(10, 4.6))
    fig.set_layout_engine("none")  # axes placed by hand: the constrained layout would cost more than the drawing
    ax.set_position([0.06, 0.2, 0.36, 0.72])
    cax, lax = fig.add_axes([0.44, 0.2, 0.015, 0.72]), fig.add_axes([0.59, 0.2, 0.39, 0.72])
    # The map is opaque, so it looks the same on a light or a dark page; it is a pale red-blue, so the targets' markers
    # (strong colours, grey rims) and the lines drawn on it stand out.
    im = ax.imshow(out, origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap=_pale_red_blue(), vmin=0, vmax=1)
    ax.contour(gx, gy, out, levels=[0.5], colors=INK, linewidths=2.5)
    fig.colorbar(im, cax=cax, label="network output")
    W1, b1 = params["W1"], params["b1"]
    for j in range(len(b1)):
        if abs(W1[j, 1]) > 1e-9:
            ax.plot(g, -(W1[j, 0] * g + b1[j]) / W1[j, 1], ls="--", color=COLORS[2], lw=1.5,
                    label="hidden units' lines (pre-activation 0)" if j == 0 else None)
    ax.plot([], [], color=INK, lw=2.5, label="decision boundary (output 0.5)")
    for cls, marker in ((0, "o"), (1, "s")):
        pts = xor.X[xor.Y == cls]
        ax.scatter(pts[:, 0], pts[:, 1], s=150, marker=marker, color=COLORS[cls], edgecolor=INK, linewidth=2,
                   zorder=3, label=f"target {cls}")
    ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="x1", ylabel="x2", aspect="equal",
           title=f"epoch {epoch}: MSE = {losses[epoch]:.4f}")
    # The legend sits under the map, on the page, where its grey text reads on either theme.
    fig.legend(*ax.get_legend_handles_labels(), loc="lower left", bbox_to_anchor=(0.01, 0.0), ncol=2, fontsize=8)
    lax.semilogy(losses, color=COLORS[0])
    lax.axhline(0.01, color=INK, ls=":", lw=1)
    lax.text(len(losses) - 1, 0.011, "MSE 0.01", ha="right", va="bottom", fontsize=8, color=INK)
    lax.scatter([epoch], [losses[epoch]], color=COLORS[1], zorder=3)
    lax.set(xlabel="epoch", ylabel="MSE (log scale)",
            title=f"random start {start}, lr = {lr:g}, {hidden} hidden units")
    _plain_log(lax, "y")
    _integer_ticks(lax)
    return fig
