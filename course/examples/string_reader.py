"""Lesson 07's task: a recurrent network with a CTC head that reads a strip of handwritten digits.

The reader takes a strip's frames (:mod:`course.examples.digit_strips`) left to right, in three steps:

1. a layer of ReLU units looks at each frame through a window ``rows`` pixels tall at every height it fits, and
   keeps each unit's strongest response (a digit is recognised wherever it sits vertically);
2. a recurrent layer runs over those features, one pass left to right and one right to left when
   ``bidirectional`` (its two states side by side);
3. a linear head gives each frame 11 scores: the blank and the ten digits.

It is trained with CTC, which needs no alignment between frames and digits, and read by greedy decoding.

The recurrent and CTC functions are the lesson's: pass ``my``, an object with attributes named like the lesson's
functions (``my.lstm_forward``, ``my.lstm_backward``, ``my.rnn_forward``, ``my.rnn_backward``,
``my.ctc_loss_forward``, ``my.ctc_loss_backward``, ``my.ctc_greedy_decode``), and the reader calls those; any that
``my`` lacks are the course's (:mod:`course.rnn`, :mod:`course.ctc`). Everything else is the course's own: Adam and
``clip_grad_norm`` from :mod:`course.optim`, the progress bar of :mod:`course.progress`.
"""

import time

import numpy as np

from course import ctc, optim, rnn
from course.demo import own_or_course
from course.examples import digit_strips as strips_
from course.progress import blas_threads, progress

__all__ = ["PRESETS", "StringReader", "train_reader", "read", "evaluate", "exact_accuracy", "character_error_rate",
           "levenshtein", "lesson_functions"]

# Both presets: a bidirectional LSTM over frames of 8 columns taken every 2 (a digit is 8 wide), 8-row windows,
# Adam with a cosine schedule down to lr/20, gradients clipped to norm 5, Gaussian noise of σ 0.15 on the training
# frames, fresh training strips every epoch. They differ in size and length only: "full" has 130,699 weights and
# sees 80,000 training strips, "quick" 41,819 weights and 15,000 strips. (With the full preset's other settings, a
# tanh RNN read 85 % of held-out strips exactly, a GRU 90 %, a one-way LSTM 91 %, the two-way LSTM 93 %: try
# cell="rnn", cell="gru", bidirectional=False.)
PRESETS = {
    # the lesson's goal: ≥ 90 % of held-out strips read exactly, ≤ 3 % character errors, ≤ 60 s on 2 cores
    "full": dict(cell="lstm", bidirectional=True, units=96, hidden=64, window=8, stride=2, rows=8, epochs=40,
                 strips_per_epoch=2000, batch_size=32, lr=2e-2, max_norm=5.0, noise=0.15, n_val=300),
    # the notebook's: about 6 s, and about four strips in five read exactly
    "quick": dict(cell="lstm", bidirectional=True, units=48, hidden=48, window=8, stride=2, rows=8, epochs=10,
                  strips_per_epoch=1500, batch_size=32, lr=2e-2, max_norm=5.0, noise=0.15, n_val=200),
}
_GATES = {"rnn": 1, "lstm": 4, "gru": 3}
_CELL_PARAMS = ("W_ih", "W_hh", "b_ih", "b_hh")  # the keys of the lesson's params dict


def lesson_functions(my=None, cell="lstm"):
    """``(forward, backward, loss_forward, loss_backward, decode)``: ``my``'s functions where it has them, else the
    course's. ``forward(x, params) -> (hs, cache)`` and ``backward(dhs, cache) -> (dx, grads)`` wrap the cell's
    sequence functions (``{cell}_forward``, ``{cell}_backward``), starting from zero states."""
    seq_forward, seq_backward = own_or_course(my, f"{cell}_forward", rnn), own_or_course(my, f"{cell}_backward", rnn)

    def forward(x, params):
        h0 = np.zeros((x.shape[0], params["W_hh"].shape[1]))
        return seq_forward(x, h0, h0, params) if cell == "lstm" else seq_forward(x, h0, params)

    def backward(dhs, cache):
        out = seq_backward(dhs, cache)
        return out[0], out[-1]

    return (forward, backward, *(own_or_course(my, name, ctc)
                                 for name in ("ctc_loss_forward", "ctc_loss_backward", "ctc_greedy_decode")))


class StringReader:
    """Frames ``(N, T, height·window)`` → ReLU features → recurrent layer(s) → linear head → scores ``(N, T, 11)``.

    ``params`` maps names to :class:`course.optim.Parameter`: ``W_in, b_in`` (the feature layer, ``(hidden,
    window·rows)``: a window read column by column, as the frames are), ``fwd.W_ih`` … and ``bwd.W_ih`` … (each
    direction's cell, the lesson's layout), ``W_out, b_out`` (the head). The right-to-left pass starts from the
    padded end of a batch: padding is blank page, as the margins are.
    """

    def __init__(self, height=strips_.HEIGHT, window=8, stride=2, rows=8, hidden=64, units=96, cell="lstm",
                 bidirectional=True, rng=None, my=None):
        rng = np.random.default_rng() if rng is None else rng
        self.height, self.window, self.stride, self.rows, self.cell = height, window, stride, rows, cell
        self.heights = height - rows + 1
        self.directions = ("fwd", "bwd") if bidirectional else ("fwd",)
        self.forward_seq, self.backward_seq, self.loss_forward, self.loss_backward, self.decode = (
            lesson_functions(my, cell))

        def uniform(shape, fan_in):  # torch's default for recurrent and linear layers: U(−1/√fan_in, 1/√fan_in)
            return optim.Parameter(rng.uniform(-1, 1, shape) / np.sqrt(fan_in))

        n_in = rows * window
        params = {"W_in": optim.Parameter(rng.standard_normal((hidden, n_in)) * np.sqrt(2.0 / n_in)),  # Kaiming
                  "b_in": optim.Parameter(np.zeros(hidden))}
        g = _GATES[cell] * units
        for d in self.directions:
            params.update({f"{d}.W_ih": uniform((g, hidden), units), f"{d}.W_hh": uniform((g, units), units),
                           f"{d}.b_ih": uniform((g,), units), f"{d}.b_hh": uniform((g,), units)})
            if cell == "lstm":  # a forget gate that starts open
                params[f"{d}.b_ih"].data[units:2 * units] += 1.0
        width = units * len(self.directions)
        params["W_out"] = uniform((strips_.N_CLASSES, width), width)
        params["b_out"] = optim.Parameter(np.zeros(strips_.N_CLASSES))
        self.params = params

    def _spread(self, W):
        """``(P·hidden, height·window)``: ``W (hidden, window·rows)`` placed at each of the ``P = height − rows + 1``
        heights of a frame (zeros elsewhere), so that one product with a frame gives every height's response."""
        hidden = W.shape[0]
        big = np.zeros((self.heights, hidden, self.window, self.height))
        for k in range(self.heights):
            big[k, :, :, k:k + self.rows] = W.reshape(hidden, self.window, self.rows)
        return big.reshape(self.heights * hidden, -1)

    def _fold(self, dbig):
        """The gradient of ``W`` from that of its spread copy: the sum over the heights of their blocks."""
        dbig = dbig.reshape(self.heights, -1, self.window, self.height)
        return sum(dbig[k, :, :, k:k + self.rows] for k in range(self.heights)).reshape(dbig.shape[1], -1)

    def forward(self, x):
        """``(scores (N, T, 11), cache)`` for frames ``x (N, T, height·window)``."""
        p = {k: v.data for k, v in self.params.items()}
        hidden = p["W_in"].shape[0]
        zs = _rows(x) @ self._spread(p["W_in"]).T                 # (N·T, P·hidden): every height's response
        z, best = zs[:, :hidden], np.zeros((len(zs), hidden), dtype=np.int8)
        for k in range(1, self.heights):                          # each unit's strongest height
            higher = zs[:, k * hidden:(k + 1) * hidden] > z
            z = np.where(higher, zs[:, k * hidden:(k + 1) * hidden], z)
            best[higher] = k
        z = z.reshape(*x.shape[:2], hidden) + p["b_in"]
        a = np.maximum(z, 0.0)
        outs, caches = [], []
        for d in self.directions:
            cell_params = {k: p[f"{d}.{k}"] for k in _CELL_PARAMS}
            hs, cache = self.forward_seq(a if d == "fwd" else a[:, ::-1], cell_params)
            outs.append(hs if d == "fwd" else hs[:, ::-1])
            caches.append(cache)
        h = np.concatenate(outs, axis=2)
        return h @ p["W_out"].T + p["b_out"], (x, best, z, h, caches)

    def backward(self, dscores, cache):
        """Every parameter's gradient (a dict of arrays) given the scores' gradient ``dscores (N, T, 11)``."""
        x, best, z, h, caches = cache
        grads = {"W_out": _rows(dscores).T @ _rows(h), "b_out": dscores.sum(axis=(0, 1))}
        dh = dscores @ self.params["W_out"].data
        units = h.shape[2] // len(self.directions)
        da = np.zeros_like(z)
        for k, (d, c) in enumerate(zip(self.directions, caches)):
            dhs = dh[:, :, k * units:(k + 1) * units]
            dx, g = self.backward_seq(dhs if d == "fwd" else dhs[:, ::-1], c)
            da += dx if d == "fwd" else dx[:, ::-1]
            grads.update({f"{d}.{name}": g[name] for name in _CELL_PARAMS})
        dz = _rows(da * (z > 0))
        heights = np.arange(self.heights)[:, None]
        dzs = np.where(best[:, None, :] == heights, dz[:, None, :], 0.0)  # only the strongest height had an effect
        grads["W_in"] = self._fold(dzs.reshape(len(dz), -1).T @ _rows(x))
        grads["b_in"] = dz.sum(axis=0)
        return grads

    def read(self, strips, batch_size=256):
        """The digit string the reader sees in each strip of ``strips`` (a :class:`~digit_strips.Strips`, cut into
        this reader's frames from its images), by greedy decoding."""
        lengths = strips_.n_frames(strips.widths, self.window, self.stride)
        order = np.argsort(lengths, kind="stable")                # batches of similar lengths: little padding
        out = [""] * len(order)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            x = strips_.frames(strips.images[idx][:, :, :int(strips.widths[idx].max())], self.window, self.stride)
            scores, _ = self.forward(x)
            for i, labels in zip(idx, self.decode(scores, lengths[idx])):
                out[i] = strips_.to_string(labels)
        return out


def _rows(a):
    """``a`` with every axis but the last merged: ``(..., k)`` to ``(−1, k)``."""
    return a.reshape(-1, a.shape[-1])


def read(model, strips):
    """The digit strings ``model`` reads in ``strips``, e.g. ``["407", "1", ...]`` (greedy decoding)."""
    return model.read(strips)


def levenshtein(a, b):
    """The fewest insertions, deletions and substitutions that turn the sequence ``a`` into ``b``."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def _same_length(true, predicted):
    if len(true) != len(predicted):
        raise ValueError(f"{len(true)} true strings but {len(predicted)} read ones")
    if not len(true):
        raise ValueError("no strings to score")


def exact_accuracy(true, predicted):
    """The fraction of strings read exactly right."""
    _same_length(true, predicted)
    return sum(t == p for t, p in zip(true, predicted)) / len(true)


def character_error_rate(true, predicted):
    """``Σ levenshtein(true, read) / Σ len(true)``: the edits that turn the read strings into the true ones, per
    true character (so it can exceed 1 when the reader adds characters)."""
    _same_length(true, predicted)
    return sum(levenshtein(t, p) for t, p in zip(true, predicted)) / max(sum(len(t) for t in true), 1)


def evaluate(model, strips):
    """``(exact accuracy, character error rate, the strings read)`` of ``model`` on ``strips``."""
    got = model.read(strips)
    return exact_accuracy(strips.strings, got), character_error_rate(strips.strings, got), got


def train_reader(preset="quick", my=None, rng=None, show_progress=True, max_seconds=None, **overrides):
    """Build a :class:`StringReader` and train it on fresh training strips every epoch; returns
    ``(model, history)``.

    Parameters
    ----------
    preset : ``"quick"`` or ``"full"`` (:data:`PRESETS`); ``overrides`` change any of its settings
        (``epochs=20``, ``cell="rnn"`` ...).
    my : an object whose attributes are the lesson's functions (see the module's docstring); None: the course's.
    rng : np.random.Generator for the weights, the strips, their order and the noise (``default_rng(0)`` when
        None, so a preset always trains the same network).
    show_progress : a live bar with the epoch's loss and the validation scores.
    max_seconds : stop after the first epoch that ends past this much training time.

    Returns
    -------
    model : the trained :class:`StringReader`.
    history : per-epoch lists ``loss`` (the epoch's mean CTC loss), ``val_acc`` (strings read exactly),
        ``val_cer`` (character error rate), ``lr``; ``seconds`` (training time, validation excluded) and
        ``config`` (the settings used). Validation strips come from the validation digits only.
    """
    cfg = {**PRESETS[preset], **overrides}
    rng = np.random.default_rng(0) if rng is None else rng
    cut = dict(window=cfg["window"], stride=cfg["stride"])
    val = strips_.make_strips(cfg["n_val"], "val", rng, **cut)
    model = StringReader(val.images.shape[1], cfg["window"], cfg["stride"], cfg["rows"], cfg["hidden"],
                         cfg["units"], cfg["cell"], cfg["bidirectional"], rng, my)
    names = list(model.params)
    opt = optim.Adam([model.params[k] for k in names], lr=cfg["lr"])
    size = cfg["batch_size"]
    batches = -(-cfg["strips_per_epoch"] // size)
    history = {"loss": [], "val_acc": [], "val_cer": [], "lr": [], "seconds": 0.0, "config": cfg}
    bar = progress(cfg["epochs"] * batches, desc="reading strips", enabled=show_progress)
    with blas_threads(1):  # small products: one thread is faster
        for epoch in range(cfg["epochs"]):
            start = time.perf_counter()
            opt.lr = optim.cosine_annealing_lr(cfg["lr"], epoch, cfg["epochs"], eta_min=cfg["lr"] / 20)
            train = strips_.make_strips(cfg["strips_per_epoch"], "train", rng, **cut)
            # batches of strips of about the same length (little padding), visited in random order
            order = np.argsort(train.input_lengths + rng.random(len(train.input_lengths)), kind="stable")
            total = 0.0
            for b in rng.permutation(batches):
                part = train.subset(order[b * size:(b + 1) * size])
                x = part.inputs + cfg["noise"] * rng.standard_normal(part.inputs.shape)
                scores, cache = model.forward(x)
                loss, loss_cache = model.loss_forward(scores, part.targets, part.input_lengths, part.target_lengths)
                grads = model.backward(model.loss_backward(loss_cache), cache)
                clipped, _ = optim.clip_grad_norm([grads[k] for k in names], cfg["max_norm"])
                for k, g in zip(names, clipped):
                    model.params[k].grad = g
                opt.step()
                total += loss
                bar.update(1)
            history["seconds"] += time.perf_counter() - start
            acc, cer, _ = evaluate(model, val)
            for key, value in zip(("loss", "val_acc", "val_cer", "lr"), (total / batches, acc, cer, opt.lr)):
                history[key].append(value)
            bar.set_postfix(loss=f"{total / batches:.3f}", val_acc=f"{acc:.3f}", val_cer=f"{cer:.3f}")
            if max_seconds is not None and history["seconds"] > max_seconds:
                break
    bar.close()
    return model, history
