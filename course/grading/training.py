"""The check engine of 06_capstone's training loop: it trains a network, so it cannot be compared with one value.

``check_train_loop`` runs the student's loop on a model and an optimizer that record every call, and names what the
loop does wrong: the samples it visits, the batch sizes, the order of zero_grad / forward / backward / step, the
gradient it passes back, the learning-rate schedule, training and evaluation modes, and the history it returns.
"""

import numpy as np

from course import losses
from course.grading.checks import call_student, fail, fmt

__all__ = ["check_train_loop"]


class _SpyParameter:
    def __init__(self, data):
        self.data, self.grad, self.name = data, np.zeros_like(data), "weight"

    def zero_grad(self):
        self.grad = np.zeros_like(self.data)


class _SpyModel:
    """A linear model ``scores = x[:, 1:] @ W.T`` that records every call; column 0 of ``x`` is each row's id."""

    def __init__(self, labels, n_features, n_classes):
        self.labels = labels  # id -> label
        self.param = _SpyParameter(np.random.default_rng(5).standard_normal((n_classes, n_features)))
        self.training = True
        self.log = []  # ("forward", ids, training) / ("backward", ok, factor) / ("step", grad_count, lr)
        self._last = None

    def parameters(self):
        return [self.param]

    def zero_grad(self):
        self.param.zero_grad()

    def train(self, mode=True):
        self.training = bool(mode)
        return self

    def eval(self):
        return self.train(False)

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        ids = np.rint(x[:, 0]).astype(int)
        scores = x[:, 1:] @ self.param.data.T
        self._last = (ids, scores)
        self.log.append(("forward", ids, self.training))
        return scores

    __call__ = forward

    def backward(self, dout):
        ids, scores = self._last
        expected = losses.cross_entropy_backward(scores, self.labels[ids])
        dout = np.asarray(dout, dtype=np.float64)
        ok = dout.shape == expected.shape and np.allclose(dout, expected, rtol=1e-6, atol=1e-9)
        factor = float(np.sum(dout * expected) / np.sum(expected * expected)) if dout.shape == expected.shape else 0
        self.log.append(("backward", ok, factor))
        self.param.grad = self.param.grad + 1.0  # counts the backward passes since the last zero_grad
        return np.zeros((len(ids), self.param.data.shape[1] + 1))


class _SpyOptimizer:
    def __init__(self, model, lr):
        self.model, self.lr, self.params = model, lr, model.parameters()

    def zero_grad(self):
        self.model.zero_grad()

    def step(self):
        self.model.log.append(("step", float(self.model.param.grad.flat[0]), self.lr))


class _SpyData:
    def __init__(self, rng, n_train=50, n_val=13, n_features=4, n_classes=3):
        def block(n, first_id):
            return np.c_[np.arange(first_id, first_id + n), rng.standard_normal((n, n_features))]

        self.X_train, self.X_val, self.X_test = block(n_train, 0), block(n_val, 1000), block(5, 2000)
        labels = rng.integers(0, n_classes, 2005)
        self.y_train, self.y_val, self.y_test = labels[:n_train], labels[1000:1000 + n_val], labels[2000:2005]
        self.labels = labels


def _run_spy(train, epochs, batch_size, seed, schedule):
    data = _SpyData(np.random.default_rng(11))
    model = _SpyModel(data.labels, data.X_train.shape[1] - 1, 3)
    opt = _SpyOptimizer(model, lr=0.5)
    history = call_student(train, model, opt, data, epochs, batch_size, np.random.default_rng(seed),
                           lr_schedule=schedule, show_progress=False,
                           where=f"{train.__name__}(a recording model, epochs={epochs}, batch_size={batch_size}):")
    return model.log, history, data


def check_train_loop(train, epochs=3, batch_size=16):
    """Run ``train`` on a model and optimizer that record every call, and name what the loop does wrong.

    Checks, per epoch: every training sample is seen exactly once, in mini-batches of ``batch_size`` (the last may
    be smaller), in a shuffled order drawn from ``rng``; each step is zero_grad → forward (training mode) → backward
    of the *mean* cross-entropy of that batch → one ``optimizer.step()`` at ``lr_schedule(epoch)``; the validation
    set is evaluated in evaluation mode; ``history`` has one entry per epoch for each of its keys.
    """
    __tracebackhide__ = True
    schedule = lambda epoch: 0.1 * (epoch + 1)  # noqa: E731 (a distinct lr for every epoch)
    where = f"{train.__name__}(model, optimizer, data, epochs={epochs}, batch_size={batch_size}, rng, lr_schedule)"
    log, history, data = _run_spy(train, epochs, batch_size, 0, schedule)
    n = len(data.X_train)
    epoch, orders, steps, val_seen = 0, [[] for _ in range(epochs + 1)], [], [set() for _ in range(epochs + 1)]
    batches = [[] for _ in range(epochs + 1)]
    pending = None
    for entry in log:
        kind = entry[0]
        if kind == "forward":
            ids, training = entry[1], entry[2]
            if np.all(ids >= 2000):
                continue  # test rows: the loop has no business there, but looking is harmless
            if np.all((ids >= 1000) & (ids < 2000)):
                if training:
                    fail(where, "evaluates the validation set in training mode: call model.eval() before "
                                 "validating (dropout and batch norm behave differently there)")
                val_seen[epoch] |= set(ids.tolist())
                continue
            if np.any(ids >= 1000):
                fail(where, "mixes validation rows into a training batch")
            if val_seen[epoch] and epoch < epochs and len(val_seen[epoch]) == len(data.X_val):
                epoch += 1
            pending = ("forward", ids, training)
        elif kind == "backward":
            if pending is None:
                fail(where, "calls model.backward without a forward pass on a training batch before it")
            if not entry[1]:
                if np.isclose(entry[2], len(pending[1])):
                    fail(where, "passes model.backward the gradient of the summed loss: use the gradient of the "
                                 "*mean* cross-entropy over the batch (losses.cross_entropy_backward)")
                fail(where, "passes model.backward something other than ∂(mean cross-entropy)/∂scores of the "
                             "batch it just computed")
            if not pending[2]:
                fail(where, "trains in evaluation mode: call model.train() before the training batches (after "
                             "validating with model.eval() it has to be switched back every epoch)")
            orders[min(epoch, epochs)].extend(pending[1].tolist())
            batches[min(epoch, epochs)].append(len(pending[1]))
        elif kind == "step":
            steps.append((min(epoch, epochs), entry[1], entry[2]))
    for e in range(epochs):
        seen = orders[e]
        if sorted(seen) != list(range(n)):
            missing, extra = n - len(set(seen)), len(seen) - len(set(seen))
            fail(where, f"does not visit every training sample exactly once in epoch {e}: {len(seen)} rows seen "
                         f"for {n} samples ({missing} missing, {extra} repeated)")
        sizes = batches[e]
        want = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        if sorted(sizes, reverse=True) != want:
            fail(where, f"uses mini-batches of sizes {sizes} in epoch {e}; with {n} samples and batch_size="
                         f"{batch_size} they should be {want}")
        if not val_seen[e] or len(val_seen[e]) != len(data.X_val):
            fail(where, f"does not evaluate the whole validation set after epoch {e}")
    if orders[0] == list(range(n)) or orders[0] == orders[1]:
        fail(where, "does not shuffle the training set: draw a new permutation from `rng` every epoch")
    if len(steps) != sum(len(batches[e]) for e in range(epochs)):
        fail(where, f"calls optimizer.step() {len(steps)} times for {sum(map(len, batches[:epochs]))} mini-batches:"
                     " one step per batch")
    counts = {c for _, c, _ in steps}
    if counts != {1.0}:
        if max(counts) > 1:
            fail(where, "lets gradients accumulate across steps: call optimizer.zero_grad() (or model.zero_grad()) "
                         "before each backward")
        fail(where, "calls optimizer.step() with no gradient from this batch (zero_grad between backward and step?)")
    for e, _, lr in steps:
        if not np.isclose(lr, schedule(e)):
            if e + 1 < epochs and np.isclose(lr, schedule(e + 1)) or e > 0 and np.isclose(lr, schedule(e - 1)):
                fail(where, f"applies the learning-rate schedule for the wrong epoch: epoch {e} ran at lr={lr:g} "
                             f"instead of lr_schedule({e}) = {schedule(e):g} (epochs count from 0; set the lr "
                             "before the epoch's first step)")
            fail(where, f"does not apply the learning-rate schedule: epoch {e} ran at lr={lr:g} instead of "
                         f"lr_schedule({e}) = {schedule(e):g} (set optimizer.lr = lr_schedule(epoch))")
    log2, _, _ = _run_spy(train, epochs, batch_size, 0, schedule)
    if [e[1].tolist() for e in log2 if e[0] == "forward"] != [e[1].tolist() for e in log if e[0] == "forward"]:
        fail(where, "shuffles with a random source other than `rng`: a generator in the same state gave another "
                    "order")
    if not isinstance(history, dict):
        fail(where, f"should return the history dict; it returned {fmt(history)}")
    for key in ("train_loss", "val_loss", "val_acc", "lr"):
        if key not in history or len(history[key]) != epochs:
            fail(where, f"history[{key!r}] should be a list with one value per epoch ({epochs})")
    if not np.allclose(history["lr"], [schedule(e) for e in range(epochs)]):
        fail(where, f"history['lr'] should record each epoch's learning rate; got {fmt(history['lr'])}")
    return history
