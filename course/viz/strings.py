"""Drawings for 07's task, reading handwritten digit strings: a gallery of strips with what the reader read, the
reader's learning curve, and the strips it misreads.

Strips are drawn as ink on paper (dark digits on a white page) in both of JupyterLab's themes, as lesson 06 draws its
digits: they are a picture of the data. What the reader read is written under each strip, in green when it is
right and in orange when it is not; text lies on the transparent background in the course's colours.
"""

import numpy as np

from course.viz import COLORS, INK, figure
from course.viz.gradients import _integer_ticks, _plain_log

__all__ = ["plot_strips", "plot_reader_curves", "plot_misread", "GOAL_ACCURACY", "GOAL_CER"]

GOAL_ACCURACY = 90.0   # the task's goals on held-out strips, in percent
GOAL_CER = 3.0
_RIGHT, _WRONG = COLORS[2], COLORS[1]


def _grid(strips, picks, read, title, cols):
    """One small axes per picked strip (its own width, ink on paper), labelled with its string and what was read."""
    rows = max(1, -(-len(picks) // cols))
    widest = int(strips.widths[picks].max()) if len(picks) else 40
    fig, axes = figure(rows, cols, size=(cols * (0.06 * widest + 0.4), rows * 1.05 + 0.45))
    axes = np.atleast_1d(axes).ravel()
    truth = strips.strings
    for ax in axes:
        ax.set_axis_off()
    for ax, i in zip(axes, picks):
        width = int(strips.widths[i])
        ax.imshow(strips.images[i][:, :width], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_xlim(-0.5, widest - 0.5)
        true = truth[i]
        if read is None:
            ax.set_title(true, fontsize=9, color=INK, loc="left")
        else:
            got = read[i]
            ax.set_title(f"{true} → {got or '(nothing)'}", fontsize=9, loc="left",
                         color=_RIGHT if got == true else _WRONG)
    fig.suptitle(title, fontsize=10, color=INK)
    return fig


def plot_strips(strips, read=None, max_strips=12, cols=3):
    """The first ``max_strips`` strips of ``strips`` (a :class:`course.examples.digit_strips.Strips`), each titled
    with its true string and, when ``read`` (the strings read, one per strip) is given, ``true → read`` in green
    when they agree and orange when they do not."""
    picks = np.arange(min(max_strips, len(strips.widths)))
    if read is None:
        title = f"{len(picks)} digit strips, each titled with the string it shows"
    else:
        truth = strips.strings
        right = sum(read[i] == truth[i] for i in picks)
        title = f"{len(picks)} digit strips, true → read: {right} of {len(picks)} read exactly"
    return _grid(strips, picks, read, title, cols)


def plot_misread(strips, read, max_strips=12, cols=3):
    """The strips whose string was not read exactly (the first ``max_strips`` of them), titled ``true → read``."""
    truth = strips.strings
    wrong = np.flatnonzero([got != true for got, true in zip(read, truth)])
    if not len(wrong):
        return _grid(strips, wrong, read, f"every one of the {len(truth)} strips read exactly", cols)
    shown = f", the first {max_strips} shown" if len(wrong) > max_strips else ""
    title = f"{len(wrong)} of {len(truth)} strips misread ({100 * len(wrong) / len(truth):.1f} %){shown}: true → read"
    return _grid(strips, wrong[:max_strips], read, title, cols)


def plot_reader_curves(history):
    """The reader's training: the epoch's mean CTC loss (left), and on validation strips the share read exactly
    (centre) and the character error rate (right), both in percent with the task's goals dashed.

    ``history`` is what :func:`course.examples.string_reader.train_reader` returns: per-epoch lists ``loss``,
    ``val_acc`` and ``val_cer`` (fractions), and ``seconds``. Epochs are numbered from 1 on whole-number ticks.
    """
    missing = [k for k in ("loss", "val_acc", "val_cer") if not isinstance(history, dict) or not history.get(k)]
    if missing:
        raise ValueError("plot_reader_curves needs the history train_reader returns, with per-epoch lists 'loss', "
                         f"'val_acc' and 'val_cer'; got {type(history).__name__} without {missing}")
    epochs = np.arange(1, len(history["loss"]) + 1)
    loss = np.asarray(history["loss"], dtype=float)
    acc = 100 * np.asarray(history["val_acc"], dtype=float)
    cer = 100 * np.asarray(history["val_cer"], dtype=float)
    fig, (lax, aax, cax) = figure(1, 3, size=(11, 3.4))
    lax.plot(epochs, loss, color=COLORS[0], marker=".")
    lax.set(xlabel="epoch", ylabel="mean CTC loss", title="training loss")
    if loss.min() > 0 and loss.max() / loss.min() >= 3:  # CTC's loss falls by decades
        lax.set_yscale("log")
        _plain_log(lax)
    best = int(np.argmax(acc))
    aax.plot(epochs, acc, color=COLORS[2], marker=".", label=f"validation (best {acc[best]:.1f} %)")
    aax.axhline(GOAL_ACCURACY, color=INK, lw=0.8, ls="--", label=f"goal {GOAL_ACCURACY:g} %")
    aax.set(xlabel="epoch", ylabel="strings read exactly (%)", ylim=(-2, 102), title="exact strings")
    aax.legend(fontsize=8, loc="best")
    low = int(np.argmin(cer))
    cax.plot(epochs, cer, color=COLORS[1], marker=".", label=f"validation (lowest {cer[low]:.1f} %)")
    cax.axhline(GOAL_CER, color=INK, lw=0.8, ls="--", label=f"goal {GOAL_CER:g} %")
    cax.set(xlabel="epoch", ylabel="character error rate (%)", title="character errors")
    if cer.min() > 0 and cer.max() / cer.min() >= 3:  # from ~100 % down to a few: a log axis shows both
        cax.set_yscale("log")
        _plain_log(cax)
    cax.legend(fontsize=8, loc="best")
    for ax in (lax, aax, cax):
        _integer_ticks(ax)
    seconds = history.get("seconds")
    if seconds is not None:
        fig.suptitle(f"{len(epochs)} epochs in {seconds:.0f} s: validation {acc[-1]:.1f} % read exactly, "
                     f"{cer[-1]:.1f} % character errors", fontsize=10, color=INK)
    return fig
