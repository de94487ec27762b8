"""Drawings for 06_capstone: digits, learning curves, a confusion matrix, misclassified digits, and the learning
curves of a training run (:func:`course.examples.digits.train_digits`) for the hyperparameter explorer.

The digits are drawn as ink on paper (dark on white tiles) in both of JupyterLab's themes: they are a picture of the
data, and the gaps between the tiles stay transparent. Counts in the confusion matrix are written on opaque cells, in
whichever of a dark and a light text colour contrasts more with that cell, so they read in either theme.
"""

import math

import numpy as np

from course.losses import softmax
from course.train import confusion_matrix
from course.viz import COLORS, INK, figure

__all__ = ["mosaic", "plot_digit_gallery", "plot_learning_curves", "plot_confusion_matrix",
           "plot_misclassified", "plot_training_run", "contrast_ratio", "GOAL"]

GOAL = 97.0  # the lesson's accuracy goal, in percent
# Text drawn on an opaque cell (never on the transparent background): the one of the two that contrasts more with it.
_DARK_TEXT, _LIGHT_TEXT = "#1a1a1a", "#f2f2f2"
_HIT = COLORS[5]  # the diagonal of the confusion matrix: sky blue, apart from the oranges of the errors


def _luminance(color):
    """WCAG relative luminance of an RGB(A) colour."""
    from matplotlib.colors import to_rgb

    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast_ratio(a, b):
    """WCAG contrast ratio of two colours, from 1 (the same) to 21 (black on white); text wants at least 4.5."""
    la, lb = sorted((_luminance(a), _luminance(b)))
    return (lb + 0.05) / (la + 0.05)


def _text_on(fill):
    return max((_DARK_TEXT, _LIGHT_TEXT), key=lambda text: contrast_ratio(text, fill))


def mosaic(images, cols, pad=1):
    """Tile 8×8 images (rows of 64 pixels) into one array, ``cols`` per row, separated by ``pad`` blank pixels;
    one ``imshow`` of it is far faster to draw than one axes per image."""
    images = np.asarray(images, dtype=np.float64).reshape(-1, 8, 8)
    rows = max(1, -(-len(images) // cols))
    out = np.full((rows * (8 + pad) - pad, cols * (8 + pad) - pad), np.nan)
    for k, img in enumerate(images):
        r, c = divmod(k, cols)
        out[r * (8 + pad):r * (8 + pad) + 8, c * (8 + pad):c * (8 + pad) + 8] = img / (img.max() or 1.0)
    return out


def plot_digit_gallery(X, y, per_class=12):
    """The first ``per_class`` images of every digit 0..9, one row per digit."""
    picks = [np.flatnonzero(y == k)[:per_class] for k in range(10)]
    tiles = np.concatenate([np.r_[X[p], np.zeros((per_class - len(p), X.shape[1]))] for p in picks])
    fig, ax = figure(size=(per_class * 0.55, 5.2))
    ax.imshow(mosaic(tiles, per_class), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks([4 + 9 * k for k in range(10)], [str(k) for k in range(10)])
    ax.set_xticks([])
    ax.set_ylabel("label")
    ax.set_title("8×8 handwritten digits of the training set, one row per digit", fontsize=10)
    return fig


def _log_ticks(ax):
    """Labelled ticks on a log y axis that always shows at least two: decades when the data span several, else
    1-2-5 or finer steps; a span under 3× is drawn on a linear axis instead."""
    from matplotlib.ticker import MaxNLocator, NullFormatter

    lo, hi = ax.dataLim.intervaly
    if not (lo > 0 and hi / lo >= 3):
        ax.set_yscale("linear")
        ax.yaxis.set_major_locator(MaxNLocator(5))
        return
    lo, hi = ax.get_ylim()
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    for subs in ((1.0,), (1.0, 3.0), (1.0, 2.0, 5.0), (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)):
        ticks = [m * 10.0 ** k for k in decades for m in subs if lo <= m * 10.0 ** k <= hi]
        if len(ticks) >= 3:
            break
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.yaxis.set_minor_formatter(NullFormatter())


def plot_learning_curves(history):
    """Training and validation loss per epoch (left), accuracy (centre), learning rate (right).

    ``history`` is the dict a training loop returns: per-epoch lists ``train_loss``, ``val_loss``, ``val_acc`` and
    optionally ``lr`` and ``train_acc``. Epochs are numbered from 1 on integer ticks.
    """
    from matplotlib.ticker import MaxNLocator

    missing = [k for k in ("train_loss", "val_loss", "val_acc")
               if not isinstance(history, dict) or len(history.get(k, [])) == 0]
    if missing:
        raise ValueError("plot_learning_curves needs the history dict a training loop returns, with per-epoch lists "
                         f"'train_loss', 'val_loss' and 'val_acc'; got {type(history).__name__} without {missing}")
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (ax, aax, lax) = figure(1, 3, size=(11, 3.3))
    ax.plot(epochs, history["train_loss"], color=COLORS[0], marker=".", label="training (dropout on)")
    ax.plot(epochs, history["val_loss"], color=COLORS[1], marker=".", label="validation")
    ax.set(xlabel="epoch", ylabel="mean cross-entropy", yscale="log", title="loss")
    _log_ticks(ax)
    ax.legend(fontsize=8)
    acc = 100 * np.asarray(history["val_acc"], dtype=np.float64)
    if "train_acc" in history:
        aax.plot(epochs, 100 * np.asarray(history["train_acc"]), color=COLORS[0], marker=".", label="training")
    best = int(np.argmax(acc))
    aax.plot(epochs, acc, color=COLORS[1], marker=".", label=f"validation (best {acc[best]:.1f} %)")
    aax.plot(epochs[best], acc[best], "o", ms=9, mfc="none", mec=COLORS[1])
    aax.axhline(GOAL, color=INK, lw=0.8, ls="--", label=f"{GOAL:g} %")
    low = min(acc.min(), 100 * np.min(history.get("train_acc", [1.0])))
    aax.set(xlabel="epoch", ylabel="accuracy (%)", ylim=(max(0.0, low - 3), 100.5), title="accuracy")
    aax.legend(fontsize=8)
    if "lr" in history:
        lax.plot(epochs, history["lr"], color=COLORS[2], marker=".")
    lax.set(xlabel="epoch", ylabel="learning rate", title="schedule")
    lax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3), useMathText=True)
    for a in (ax, aax, lax):
        a.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    return fig


def plot_confusion_matrix(labels, predictions, n_classes=10):
    """The confusion matrix with every count written in its cell: hits on the diagonal in blue, errors in oranges
    that darken with their count, empty cells left clear."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgba
    from matplotlib.ticker import MaxNLocator

    C = confusion_matrix(labels, predictions, n_classes)
    off = C.copy()
    off[np.diag_indices(n_classes)] = 0
    worst = int(off.max())
    shades = colormaps["Oranges"](np.linspace(0.3, 0.85, max(worst, 1)))  # count k -> shades[k - 1]
    cells = np.zeros((n_classes, n_classes, 4))  # transparent where the count is 0
    for i, j in zip(*np.nonzero(C)):
        cells[i, j] = to_rgba(_HIT) if i == j else shades[C[i, j] - 1]
    fig, ax = figure(size=(5.4, 4.6))
    ax.imshow(cells, interpolation="nearest")
    for i, j in zip(*np.nonzero(C)):
        ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=8, color=_text_on(cells[i, j]))
    ax.set(xticks=range(n_classes), yticks=range(n_classes), xlabel="predicted digit", ylabel="true digit")
    ax.set_xticks(np.arange(n_classes + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_classes + 1) - 0.5, minor=True)
    ax.grid(which="minor", color=INK, alpha=0.25, lw=0.5)
    ax.tick_params(which="minor", length=0)
    errors = int(off.sum())
    ax.set_title(f"confusion matrix: {np.trace(C)} right, {errors} wrong ({100 * np.trace(C) / C.sum():.1f} %)",
                 fontsize=10)
    if worst:
        norm = BoundaryNorm(np.arange(0.5, worst + 1), worst)
        bar = fig.colorbar(ScalarMappable(norm, ListedColormap(shades)), ax=ax, shrink=0.8,
                           label="misclassified images")
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    return fig


def plot_misclassified(X, labels, scores, max_images=24, cols=8):
    """The images the model gets wrong, labelled ``true → predicted (confidence)``, most confident mistakes first."""
    p = softmax(np.asarray(scores, dtype=np.float64))
    pred = p.argmax(axis=1)
    all_wrong = np.flatnonzero(pred != labels)
    wrong = all_wrong[np.argsort(-p[all_wrong, pred[all_wrong]], kind="stable")][:max_images]
    rows = max(1, -(-len(wrong) // cols))
    fig, ax = figure(size=(cols * 1.1, rows * 1.3 + 0.5))
    pad = 4
    ax.imshow(mosaic(X[wrong], cols, pad=pad) if len(wrong) else np.full((8, 8), np.nan), cmap="gray_r", vmin=0,
              vmax=1, interpolation="nearest")
    for k, i in enumerate(wrong):
        r, c = divmod(k, cols)
        ax.text(c * (8 + pad) + 3.5, r * (8 + pad) + 8.3, f"{labels[i]} → {pred[i]} ({p[i, pred[i]]:.0%})",
                ha="center", va="top", fontsize=8, color=COLORS[1])
    ax.set_ylim(rows * (8 + pad) - 0.5, -0.5)
    ax.axis("off")
    shown = f", the {len(wrong)} most confident shown" if len(wrong) < len(all_wrong) else ""
    ax.set_title(f"{len(all_wrong)} misclassified test digits{shown}: true → predicted (confidence)"
                 if len(all_wrong) else "no misclassified digits", fontsize=10)
    return fig


def plot_training_run(width=128, depth=2, lr=3e-3, weight_decay=1e-4, dropout=0.1, batchnorm=True, epochs=8,
                      loop=None):
    """Train with these hyperparameters (with ``loop``, a training loop with :func:`course.train.fit`'s signature;
    the course's by default) and draw the learning curves, titled with the final *validation* accuracy."""
    from course.examples.digits import train_digits

    _, history, seconds = train_digits(width, depth, lr, weight_decay, dropout, batchnorm, epochs, loop=loop)
    fig = plot_learning_curves(history)
    fig.set_size_inches(11, 3.7)
    fig.suptitle(f"{depth} × {width} units, lr {lr:g}, weight decay {weight_decay:g}, dropout {dropout:g}, "
                 f"batch norm {'on' if batchnorm else 'off'}\nvalidation accuracy {100 * history['val_acc'][-1]:.1f} %"
                 f" after {epochs} epochs ({seconds:.2g} s)", fontsize=9)
    return fig
