"""Strips of handwritten digits for lesson 07's task, reading a digit string with a recurrent network and CTC.

A strip is 1–5 of the shipped 8×8 digits side by side on a blank page ``height`` pixels tall: random gaps between
the digits, random margins before the first and after the last, and each digit shifted up or down by a random few
rows. The network
reads it left to right, one *frame* at a time: frame t is the window of ``window`` columns that starts at column
``t·stride``, flattened column by column into ``height·window`` numbers.

Digits for training and validation strips come from the training and validation parts of
:func:`course.data.digits_split`, digits for test strips only from its test part, so a test strip is made of
digits the network has never seen.

Labels are CTC's: the digit ``d`` is class ``d + 1`` and class 0 is the blank, so there are ``C = 11`` classes.
"""

from typing import NamedTuple

import numpy as np

from course import data

__all__ = ["Strips", "make_strips", "frames", "n_frames", "to_string", "to_strings", "split_digits", "BLANK",
           "N_CLASSES", "MAX_DIGITS", "HEIGHT"]

BLANK = 0          # CTC's blank class; digit d is class d + 1
N_CLASSES = 11
MAX_DIGITS = 5
HEIGHT = 12        # the page: an 8-pixel digit and up to 4 rows of vertical jitter


class Strips(NamedTuple):
    """A batch of strips, ready for :func:`course.ctc.ctc_loss_forward`.

    Attributes
    ----------
    inputs : (N, T, D) float64, the frames of every strip, padded with frames of blank page past ``input_lengths``
        (``D = height·window``).
    input_lengths : (N,) int64, the frames each strip really has.
    targets : (N, MAX_DIGITS) int64, the classes (digit + 1) of each strip, padded with 0 past ``target_lengths``.
    target_lengths : (N,) int64, the number of digits of each strip (1..MAX_DIGITS).
    images : (N, height, W) float64 in [0, 1], the strips as pictures, blank page past ``widths``.
    widths : (N,) int64, each strip's width in columns.
    positions : (N, MAX_DIGITS, 2) int64, the (row, column) of each digit's top-left pixel, −1 past its end.
    """

    inputs: np.ndarray
    input_lengths: np.ndarray
    targets: np.ndarray
    target_lengths: np.ndarray
    images: np.ndarray
    widths: np.ndarray
    positions: np.ndarray

    @property
    def strings(self):
        """The digit string of each strip, e.g. ``["407", "1", ...]`` (built from ``targets`` at each use: keep it
        in a variable rather than indexing it in a loop)."""
        return to_strings(self.targets, self.target_lengths)

    def subset(self, index):
        """The strips at ``index`` (an array of indices or a slice), cut to their own longest input and image."""
        lengths, widths = self.input_lengths[index], self.widths[index]
        t, w = int(lengths.max()), int(widths.max())
        return Strips(self.inputs[index][:, :t], lengths, self.targets[index], self.target_lengths[index],
                      self.images[index][:, :, :w], widths, self.positions[index])


def to_string(labels):
    """The digit string of a list of CTC labels (class ``d + 1`` is the digit ``d``; blanks are skipped)."""
    return "".join(str(int(c) - 1) for c in labels if int(c) != BLANK)


def to_strings(targets, target_lengths):
    """The digit string of every row of padded ``targets``."""
    return [to_string(row[:n]) for row, n in zip(np.asarray(targets), np.asarray(target_lengths))]


def split_digits(part):
    """``(X, y)`` of one part of :func:`course.data.digits_split`: ``"train"``, ``"val"`` or ``"test"``;
    ``X`` is ``(n, 8, 8)`` in [0, 1]."""
    parts = {"train": (0, 1), "val": (2, 3), "test": (4, 5)}
    if part not in parts:
        raise ValueError(f"part must be 'train', 'val' or 'test', not {part!r}")
    split = data.digits_split()
    X, y = (split[i] for i in parts[part])
    return X.reshape(-1, 8, 8), y


def n_frames(width, window, stride):
    """How many frames of ``window`` columns, ``stride`` apart, cover ``width`` columns (the last one may run past
    the strip's end onto blank page): ``⌈max(width − window, 0) / stride⌉ + 1``."""
    width = np.asarray(width)
    return -(-np.maximum(width - window, 0) // stride) + 1


def frames(images, window=1, stride=1):
    """``(N, T, height·window)``: the windows of ``window`` columns starting every ``stride`` columns, each read
    column by column (all rows of its first column, then of the next ...). ``T`` covers the widest strip; images
    are padded with blank page on the right as needed."""
    images = np.asarray(images, dtype=np.float64)
    n, height, width = images.shape
    t = int(n_frames(width, window, stride))
    columns = np.zeros((n, (t - 1) * stride + window, height))   # one row per column: a frame is a slab of rows
    columns[:, :width] = images.transpose(0, 2, 1)
    slabs = np.lib.stride_tricks.sliding_window_view(columns.reshape(n, -1), window * height, axis=1)
    return np.ascontiguousarray(slabs[:, ::stride * height])


def make_strips(n, part="train", rng=None, min_digits=1, max_digits=MAX_DIGITS, gap=(0, 3), margin=(0, 3),
                jitter=HEIGHT - 8, window=1, stride=1):
    """``n`` random strips of digits from one part of the split.

    Parameters
    ----------
    n : int, the number of strips.
    part : ``"train"``, ``"val"`` or ``"test"``: the part of :func:`course.data.digits_split` the digits come from.
    rng : np.random.Generator, the only source of randomness (a fresh ``default_rng()`` when None).
    min_digits, max_digits : each strip holds a number of digits drawn uniformly from this range (at most 5).
    gap : (low, high), the blank columns between two digits, drawn uniformly from low..high.
    margin : (low, high), the blank columns before the first digit and after the last.
    jitter : each digit's top row is drawn uniformly from 0..jitter; the page is ``8 + jitter`` rows tall.
    window, stride : how the strips are cut into frames (:func:`frames`). CTC needs at least one frame per digit
        plus one between two equal digits; with ``window ≤ 8`` and ``stride ≤ 4`` every strip has them.

    Returns
    -------
    Strips : inputs, lengths, targets and the pictures (see :class:`Strips`).
    """
    rng = np.random.default_rng() if rng is None else rng
    if not 1 <= min_digits <= max_digits <= MAX_DIGITS:
        raise ValueError(f"need 1 ≤ min_digits ≤ max_digits ≤ {MAX_DIGITS}, got {min_digits} and {max_digits}")
    X, y = split_digits(part)
    height = 8 + jitter
    counts = rng.integers(min_digits, max_digits + 1, size=n)
    slots = np.arange(MAX_DIGITS) < counts[:, None]                  # (n, MAX_DIGITS): which digits exist
    picks = rng.integers(0, len(X), size=(n, MAX_DIGITS))
    rows = rng.integers(0, jitter + 1, size=(n, MAX_DIGITS))
    gaps = rng.integers(gap[0], gap[1] + 1, size=(n, MAX_DIGITS - 1))
    lead, trail = rng.integers(margin[0], margin[1] + 1, size=(2, n))
    cols = lead[:, None] + np.c_[np.zeros(n, dtype=np.int64), np.cumsum(8 + gaps, axis=1)]
    widths = cols[np.arange(n), counts - 1] + 8 + trail
    images = np.zeros((n, height, int(widths.max())))
    strip, k = np.nonzero(slots)
    pixel = np.arange(8)
    r, c = rows[strip, k][:, None] + pixel, cols[strip, k][:, None] + pixel
    images[strip[:, None, None], r[:, :, None], c[:, None, :]] = X[picks[strip, k]]
    targets = np.where(slots, y[picks] + 1, 0).astype(np.int64)
    positions = np.where(slots[:, :, None], np.stack([rows, cols], axis=2), -1).astype(np.int64)
    return Strips(frames(images, window, stride), n_frames(widths, window, stride).astype(np.int64), targets,
                  counts.astype(np.int64), images, widths.astype(np.int64), positions)
