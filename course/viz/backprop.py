"""Drawings for 03_backprop: the 2-2-2 network with its values and gradients, and XOR's decision boundary."""

from functools import lru_cache

import numpy as np

from course.examples import network222, xor
from course.viz import COLORS, figure

__all__ = ["net222_history", "draw_net222", "plot_xor_training"]

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


_BOX = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85}


@lru_cache(maxsize=16)
def net222_history(steps, lr):
    """The worked 2-2-2 network trained for ``steps`` gradient-descent steps (cached: the sliders replay it)."""
    return network222.net222_train(int(steps), lr=float(lr))


def draw_net222(step=0, lr=0.5, show_grads=True, max_steps=2000):
    """The worked 2-2-2 network after ``step`` updates with learning rate ``lr``.

    Edges carry their weight and (red) ∂E/∂w; nodes their output and (red) delta ∂E/∂net; each shared bias node
    shows its value and its gradient, the sum of two deltas. The right panel is the error against the step.
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
        width = 1.0 + 5.0 * abs(grads[name]) / span if show_grads else 1.5
        ax.plot([x0, x1], [y0, y1], color=COLORS[0], lw=width, alpha=0.55, zorder=1)
        t = _LABEL_AT[name]
        lx, ly = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        ax.text(lx, ly + 0.03, f"{name} = {params[name]:.3f}", ha="center", va="bottom", fontsize=8, zorder=4,
                bbox=_BOX)
        if show_grads:
            ax.text(lx, ly - 0.03, f"∂E/∂{name} = {_num(grads[name])}", ha="center", va="top", fontsize=7.5,
                    color=COLORS[1], zorder=4, bbox=_BOX)
    for bias, units in (("b1", ("h1", "h2")), ("b2", ("o1", "o2"))):
        for u in units:
            (x0, y0), (x1, y1) = _POS[bias], _POS[u]
            ax.plot([x0, x1], [y0, y1], color="0.55", lw=1.0, ls="--", zorder=0)
    inputs = dict(zip(("i1", "i2"), network222.INPUTS))
    targets = dict(zip(("o1", "o2"), network222.TARGETS))
    for node, (x, y) in _POS.items():
        is_bias = node.startswith("b")
        ax.scatter([x], [y], s=1900 if not is_bias else 1100, color="white", zorder=2,
                   edgecolor=COLORS[2] if not is_bias else "0.5", linewidth=2)
        if node in inputs:
            label = f"{node}\n{inputs[node]:.2f}"
        elif is_bias:
            label = f"{node}\n{params[node]:.3f}"
        else:
            label = f"{node}\n{values['out_' + node]:.4f}"
        ax.text(x, y, label, ha="center", va="center", fontsize=8.5, zorder=3)
        if show_grads and node in deltas:
            ax.text(x, y - 0.2, f"δ{node} = {_num(deltas[node])}", ha="center", va="top", fontsize=8, color=COLORS[1])
        if show_grads and is_bias:
            two = " + ".join(f"δ{u}" for u in (("h1", "h2") if node == "b1" else ("o1", "o2")))
            ax.text(x, y - 0.17, f"∂E/∂{node} = {two} = {_num(grads[node])}", ha="center", va="top", fontsize=7.5,
                    color=COLORS[1])
        if node in targets:
            ax.text(x + 0.25, y, f"target {targets[node]:.1f}", ha="left", va="center", fontsize=8, color="0.3")
    ax.set(xlim=(-0.3, 3.95), ylim=(-1.0, 1.25), title=f"step {int(step)}: E = {values['E']:.6g}")
    ax.axis("off")
    if eax is None:
        return fig
    errors = [h[1]["E"] for h in history]
    eax.semilogy(errors, color=COLORS[0])
    eax.scatter([int(step)], [values["E"]], color=COLORS[1], zorder=3)
    eax.set(xlabel="step", ylabel="E (log scale)", title=f"error against step, lr = {lr:g}")
    return fig


def plot_xor_training(epoch=0, seed=0, lr=5.0, hidden=2, epochs=1500):
    """The XOR network's output over the plane after ``epoch`` epochs (left) and its MSE curve (right).

    Dashed lines are where each hidden unit's pre-activation is 0; the bold contour is output 0.5, the decision
    boundary.
    """
    history, losses = xor.train_history(int(seed), float(lr), int(hidden), int(epochs))
    epoch = int(np.clip(epoch, 0, epochs))
    params = history[epoch]
    g = np.linspace(-0.5, 1.5, 81)
    gx, gy = np.meshgrid(g, g)
    out = xor.forward(np.c_[gx.ravel(), gy.ravel()], params)[1].reshape(gx.shape)
    fig, ax = figure(size=(10, 4.2))
    fig.set_layout_engine("none")  # axes placed by hand: the constrained layout would cost more than the drawing
    ax.set_position([0.06, 0.12, 0.36, 0.8])
    cax, lax = fig.add_axes([0.44, 0.12, 0.015, 0.8]), fig.add_axes([0.59, 0.12, 0.39, 0.8])
    im = ax.imshow(out, origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="RdBu_r", vmin=0, vmax=1, alpha=0.75)
    ax.contour(gx, gy, out, levels=[0.5], colors="k", linewidths=2)
    fig.colorbar(im, cax=cax, label="network output")
    W1, b1 = params["W1"], params["b1"]
    for j in range(len(b1)):
        if abs(W1[j, 1]) > 1e-9:
            ax.plot(g, -(W1[j, 0] * g + b1[j]) / W1[j, 1], ls="--", color=COLORS[4], lw=1.2,
                    label="hidden units' lines" if j == 0 else None)
    for cls, marker in ((0, "o"), (1, "s")):
        pts = xor.X[xor.Y == cls]
        ax.scatter(pts[:, 0], pts[:, 1], s=120, marker=marker, color=COLORS[cls], edgecolor="k", zorder=3,
                   label=f"target {cls}")
    ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="x1", ylabel="x2", aspect="equal",
           title=f"epoch {epoch}: MSE = {losses[epoch]:.4f}")
    ax.legend(loc="upper right", fontsize=7)
    lax.semilogy(losses, color=COLORS[0])
    lax.axhline(0.01, color="0.5", ls=":", lw=1)
    lax.text(len(losses) - 1, 0.011, "MSE 0.01", ha="right", va="bottom", fontsize=8, color="0.4")
    lax.scatter([epoch], [losses[epoch]], color=COLORS[1], zorder=3)
    lax.set(xlabel="epoch", ylabel="MSE (log scale)", title=f"seed {seed}, lr = {lr:g}, {hidden} hidden units")
    return fig
