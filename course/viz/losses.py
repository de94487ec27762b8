"""Drawings for 01_losses: regression losses against the residual, a line fit under each loss, cross-entropy."""

import numpy as np

from course import losses
from course.examples import line_fit
from course.viz import COLORS, figure

__all__ = ["plot_regression_losses", "plot_outlier_fit", "plot_cross_entropy"]

REGRESSION_LOSSES = {"MSE": (losses.mse_forward, losses.mse_backward), "MAE": (losses.mae_forward, losses.mae_backward),
                     "Huber": (losses.huber_forward, losses.huber_backward)}


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
        a.axvspan(-delta, delta, color="0.92", zorder=0)
        a.axhline(0, color="0.6", lw=0.8)
        a.set_xlabel("residual  r = ŷ − y")
    ax.set(ylabel="loss of one point", ylim=(-0.2, r_max**2 / 2 + 0.5), title="loss")
    dax.set(ylabel="∂loss/∂ŷ", title="gradient: how hard each point pulls")
    ax.legend(loc="upper center")
    return fig


def plot_outlier_fit(outlier_y=8.0, delta=1.0, rng_seed=0):
    """A line fitted under MSE, MAE and Huber to clean data plus one point whose height you move."""
    x, y = line_fit.outlier_data(outlier_y, rng_seed)
    fig, ax = figure(size=(6.4, 4.0))
    ax.scatter(x[:-1], y[:-1], color="0.3", s=18, label="data")
    ax.scatter(x[-1:], y[-1:], color=COLORS[1], s=70, marker="*", label="movable outlier", zorder=3)
    grid = np.linspace(-2.2, 2.2, 2)
    for color, (name, (_, bwd)) in zip(COLORS, REGRESSION_LOSSES.items()):
        kw = {"delta": delta} if name == "Huber" else {}
        slow = name == "MAE"  # its gradient never shrinks: more, larger steps
        w, b = line_fit.fit_line(x, y, bwd, steps=3000 if slow else 600, lr=2.0 if slow else 0.5, **kw)
        ax.plot(grid, w * grid + b, color=color, lw=2, label=f"{name}: slope {w:.2f}")
    ax.plot(grid, line_fit.TRUE_SLOPE * grid + line_fit.TRUE_INTERCEPT, "k--", lw=1,
            label=f"true line (slope {line_fit.TRUE_SLOPE:.2f})")
    ax.set(xlabel="x", ylabel="y", ylim=(-3, 11), title="One outlier against three losses")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def plot_cross_entropy(p=0.3):
    """Cross-entropy −log p of the true class against its predicted probability p, with its slope at p."""
    ps = np.linspace(1e-3, 1.0, 400)
    fig, (ax, dax) = figure(1, 2, size=(9, 3.6))
    ax.plot(ps, -np.log(ps), color=COLORS[0])
    ax.scatter([p], [-np.log(p)], color=COLORS[1], zorder=3, s=50)
    ax.annotate(f"p = {p:.3f}\nloss = {-np.log(p):.3f}", (p, -np.log(p)), xytext=(10, 10),
                textcoords="offset points")
    ax.set(xlabel="predicted probability of the true class", ylabel="−log p", ylim=(0, 7),
           title="cross-entropy of one example")
    # ∂loss/∂z_true = p − 1 for the true class's logit: a confident mistake gets a gradient near −1.
    dax.plot(ps, ps - 1.0, color=COLORS[2])
    dax.scatter([p], [p - 1.0], color=COLORS[1], zorder=3, s=50)
    dax.axhline(0, color="0.6", lw=0.8)
    dax.set(xlabel="predicted probability of the true class", ylabel="∂loss / ∂z_true = p − 1", ylim=(-1.05, 0.05),
            title="gradient on the true class's logit")
    return fig
