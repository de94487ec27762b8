"""Drawings for 06_capstone: digits, learning curves, a confusion matrix, misclassified digits, and the learning
curves of a training run (:func:`course.examples.digits.train_digits`) for the hyperparameter explorer."""

import numpy as np

from course.losses import softmax
from course.train import confusion_matrix
from course.viz import COLORS, figure

__all__ = ["mosaic", "plot_digit_gallery", "plot_learning_curves", "plot_confusion_matrix",
           "plot_misclassified", "plot_training_run"]


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
    ax.set_title("8×8 handwritten digits, one row per class (pixel values 0..16)", fontsize=10)
    return fig


def plot_learning_curves(history):
    """Training and validation loss per epoch (left), validation accuracy (centre), learning rate (right).

    ``history`` is the dict a training loop returns: per-epoch lists ``train_loss``, ``val_loss``, ``val_acc`` and
    optionally ``lr`` and ``train_acc``.
    """
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (ax, aax, lax) = figure(1, 3, size=(11, 3.3))
    ax.plot(epochs, history["train_loss"], color=COLORS[0], marker=".", label="training (dropout on)")
    ax.plot(epochs, history["val_loss"], color=COLORS[1], marker=".", label="validation")
    ax.set(xlabel="epoch", ylabel="mean cross-entropy", yscale="log", title="loss")
    ax.legend(fontsize=8)
    acc = np.asarray(history["val_acc"], dtype=np.float64)
    if "train_acc" in history:
        aax.plot(epochs, 100 * np.asarray(history["train_acc"]), color=COLORS[0], marker=".", label="training")
    aax.plot(epochs, 100 * acc, color=COLORS[1], marker=".", label="validation")
    best = int(np.argmax(acc))
    aax.annotate(f"{100 * acc[best]:.1f} %", (epochs[best], 100 * acc[best]), xytext=(0, -16),
                 textcoords="offset points", ha="center", fontsize=8)
    aax.axhline(97, color="0.6", lw=0.8, ls="--")
    low = min(acc.min(), np.min(history.get("train_acc", [1.0])))
    aax.set(xlabel="epoch", ylabel="accuracy (%)", ylim=(max(0.0, 100 * low - 3), 100.5), title="accuracy")
    aax.legend(fontsize=8, loc="lower right")
    if "lr" in history:
        lax.plot(epochs, history["lr"], color=COLORS[2], marker=".")
    lax.set(xlabel="epoch", ylabel="learning rate", title="schedule")
    return fig


def plot_confusion_matrix(labels, predictions, n_classes=10):
    """The confusion matrix with every count written in its cell; the diagonal holds the correct predictions."""
    C = confusion_matrix(labels, predictions, n_classes)
    fig, ax = figure(size=(5.2, 4.6))
    off = C.astype(np.float64)
    off[np.diag_indices(n_classes)] = np.nan  # colour only the errors, so a few mistakes stand out
    off[off == 0] = np.nan
    ax.imshow(np.diag(np.diag(C)) > 0, cmap="Greys", vmin=0, vmax=6, alpha=0.6)
    im = ax.imshow(off, cmap="Oranges", vmin=0, vmax=max(1.0, np.nanmax(off) if np.isfinite(off).any() else 1))
    for i in range(n_classes):
        for j in range(n_classes):
            if C[i, j]:
                ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=8,
                        color="black" if i == j or C[i, j] < 0.6 * np.nanmax(off) else "white")
    ax.set(xticks=range(n_classes), yticks=range(n_classes), xlabel="predicted digit", ylabel="true digit")
    errors = int(C.sum() - np.trace(C))
    ax.set_title(f"confusion matrix: {np.trace(C)} right, {errors} wrong ({100 * np.trace(C) / C.sum():.1f} %)",
                 fontsize=10)
    fig.colorbar(im, ax=ax, shrink=0.8, label="misclassified images")
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
    ax.set_title(f"{len(all_wrong)} misclassified test digits: true → predicted (confidence)" if len(all_wrong)
                 else "no misclassified digits", fontsize=10)
    return fig


def plot_training_run(width=128, depth=2, lr=3e-3, weight_decay=1e-4, dropout=0.1, batchnorm=True, epochs=8):
    """Train with these hyperparameters and draw the learning curves, titled with test accuracy and time."""
    from course.examples.digits import train_digits

    _, history, test_acc = train_digits(width, depth, lr, weight_decay, dropout, batchnorm, epochs)
    fig = plot_learning_curves(history)
    fig.suptitle(f"{depth} × {width} units, lr {lr:g}, weight decay {weight_decay:g}, dropout {dropout:g}, "
                 f"batch norm {'on' if batchnorm else 'off'}: test accuracy {100 * test_acc:.1f} % "
                 f"after {history['seconds']:.1f} s of training", fontsize=9)
    return fig
