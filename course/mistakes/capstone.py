"""Classic wrong implementations for 06_capstone, and the structural checks of its random and training code.

``MISTAKES[name]`` lists :class:`course.testing.Mistake` entries for the deterministic functions (batch norm,
dropout's backward, accuracy). Dropout's forward is random and the training loop trains a network, so neither can
be compared with one expected value: :func:`check_dropout_forward` grades dropout statistically and structurally
(the mask's values, the fraction zeroed, ``out = x·mask``, the use of ``rng``), and :func:`check_train_loop` runs a
training loop on a recording model to see how it uses the model and the optimizer.
"""

import numpy as np

from course.testing import CheckFailure, Mistake, call_quietly, fmt

__all__ = ["MISTAKES", "batchnorm_variant", "check_dropout_forward", "check_dropout_identity",
           "check_dropout_all_dropped", "check_train_loop"]


def batchnorm_variant(x, gamma, beta, state, training=True, momentum=0.1, eps=1e-5, *, running_ddof=1,
                      old_weight=None, eval_batch_stats=False, norm_ddof=0, eps_outside=False, update_in_eval=False,
                      var_init=1.0):
    """Batch norm forward with one switch per classic mistake (the defaults give the right answer)."""
    x = np.asarray(x, dtype=np.float64)
    state = dict(state)
    d = x.shape[1]
    state.setdefault("running_mean", np.zeros(d))
    state.setdefault("running_var", np.full(d, var_init))
    use_batch = training or eval_batch_stats
    n = x.shape[0]
    mean, var = x.mean(axis=0), x.var(axis=0, ddof=norm_ddof if n > norm_ddof else 0)
    if not use_batch:
        mean, var = state["running_mean"], state["running_var"]
    if training or update_in_eval:
        w_old = momentum if old_weight == "momentum" else 1.0 - momentum
        state["running_mean"] = w_old * state["running_mean"] + (1.0 - w_old) * x.mean(axis=0)
        state["running_var"] = w_old * state["running_var"] + (1.0 - w_old) * x.var(
            axis=0, ddof=running_ddof if n > running_ddof else 0)
    inv_std = 1.0 / (np.sqrt(var) + eps) if eps_outside else 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, training), state


def _bn(**switches):
    return lambda *a, **k: batchnorm_variant(*a, **k, **switches)


def _bn_backward(dout, cache, *, sum_params=True, param_axis=0, dx_mode="full", with_gamma=True):
    x_hat, gamma, inv_std, training = cache
    g = dout * gamma if with_gamma else dout
    if not sum_params:
        dgamma, dbeta = dout * x_hat, dout
    else:
        dgamma, dbeta = (dout * x_hat).sum(axis=param_axis), dout.sum(axis=param_axis)
    mode = dx_mode if training or dx_mode == "train_in_eval" else "constant"
    if mode == "constant":
        dx = g * inv_std
    elif mode == "no_var":
        dx = inv_std * (g - g.mean(axis=0))
    else:  # the full formula (also used, wrongly, for an evaluation cache)
        dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, dgamma, dbeta


def _bnb(**switches):
    return lambda dout, cache: _bn_backward(dout, cache, **switches)


def _acc(scores, labels, how):
    scores, labels = np.asarray(scores), np.asarray(labels)
    if how == "count":
        return float(np.sum(scores.argmax(axis=1) == labels))
    if how == "percent":
        return 100.0 * float(np.mean(scores.argmax(axis=1) == labels))
    if how == "axis0":
        return float(np.mean(scores.argmax(axis=0)[:len(labels)] == labels[:scores.shape[1]]))
    if how == "column":
        return float(np.mean(scores.argmax(axis=1)[:, None] == labels))
    if how == "ties":  # the true class counts as predicted when it merely ties for the maximum
        return float(np.mean(scores[np.arange(len(labels)), labels] == scores.max(axis=1)))
    raise ValueError(how)


MISTAKES = {
    "batchnorm_forward": [
        Mistake("updates running_var with the biased batch variance (÷N); torch's running estimate uses the "
                "unbiased variance (÷(N − 1)), only the normalisation uses the biased one", _bn(running_ddof=0)),
        Mistake("puts the momentum on the old value: torch's rule is running = (1 − momentum)·running + "
                "momentum·batch_stat", _bn(old_weight="momentum")),
        Mistake("uses the batch statistics in evaluation mode: evaluation must normalise with running_mean and "
                "running_var", _bn(eval_batch_stats=True)),
        Mistake("normalises with the unbiased variance (÷(N − 1)); the batch is normalised with its biased "
                "variance (÷N), only the running estimate is unbiased", _bn(norm_ddof=1)),
        Mistake("adds eps outside the square root: normalise by √(σ² + eps), not √σ² + eps", _bn(eps_outside=True)),
        Mistake("updates the running statistics in evaluation mode: they change only in training",
                _bn(update_in_eval=True)),
        Mistake("starts running_var at zeros: torch starts it at ones (and running_mean at zeros)",
                _bn(var_init=0.0)),
    ],
    "batchnorm_backward": [
        Mistake("returns dgamma and dbeta per sample: they must be summed over the batch (axis 0) to shape (D,)",
                _bnb(sum_params=False)),
        Mistake("sums dgamma and dbeta over the features (axis 1): sum over the batch (axis 0)",
                _bnb(param_axis=1)),
        Mistake("treats the batch mean and variance as constants (dx = dout·gamma·inv_std): in training they "
                "depend on every row of x, which adds the two mean terms", _bnb(dx_mode="constant")),
        Mistake("drops the path through the batch variance: dx needs − x_hat·mean(g·x_hat) as well as − mean(g)",
                _bnb(dx_mode="no_var")),
        Mistake("forgets to multiply dout by gamma before going back through the normalisation",
                _bnb(with_gamma=False)),
        Mistake("uses the training formula for an evaluation cache: in evaluation the statistics are constants, "
                "so dx = dout·gamma·inv_std", _bnb(dx_mode="train_in_eval")),
    ],
    "dropout_backward": [
        Mistake("forgets the 1/(1 − p) scale: the cache is the *scaled* mask, so dx = dout·mask",
                lambda dout, cache: dout * (cache > 0) if cache is not None else dout),
    ],
    "accuracy": [
        Mistake("counts the correct predictions instead of returning their fraction", lambda s, y: _acc(s, y, "count")),
        Mistake("returns a percentage: accuracy is a fraction in [0, 1]", lambda s, y: _acc(s, y, "percent")),
        Mistake("compares an (N, 1) array with an (N,) one, which broadcasts to (N, N)",
                lambda s, y: _acc(s, y, "column")),
        Mistake("counts a tie as correct: the prediction is np.argmax (the first maximal class), and a tie "
                "between the true class and another one is a miss when the other comes first",
                lambda s, y: _acc(s, y, "ties")),
        Mistake("takes the argmax over the batch (axis 0): each row's prediction is the argmax over its classes "
                "(axis 1)", lambda s, y: _acc(s, y, "axis0")),
    ],
}


def _fail(where, sentence):
    raise CheckFailure(f"{where}: {sentence}.")


def _call(fn, where, *args, **kwargs):
    result, _, exc = call_quietly(fn, *args, **kwargs)
    if isinstance(exc, NotImplementedError):
        raise CheckFailure(f"{fn.__name__} is not implemented yet: it still raises NotImplementedError.")
    if exc is not None:
        _fail(where, f"raised {type(exc).__name__}: {exc}")
    return result


def _dropout_call(fn, x, p, training, seed, where):
    before = x.copy()
    result = _call(fn, where, x, p, training, np.random.default_rng(seed))
    if not np.array_equal(before, x):
        _fail(where, "changed its input `x` in place: compute into a new array (out = x * mask)")
    if not isinstance(result, tuple) or len(result) != 2:
        _fail(where, f"should return the pair (out, cache); it returned {fmt(result)}")
    out, cache = result
    out = np.asarray(out)
    if out.shape != x.shape:
        _fail(where, f"out has shape {out.shape} where {x.shape} (the shape of x) was expected")
    if not np.all(np.isfinite(out)):
        _fail(where, "out contains NaN or inf (is 0·inf or 1/0 computed somewhere?)")
    return out, cache


def check_dropout_forward(fn, p, shape=(200, 500), dtype=np.float64, seed=0):
    """Grade a training-mode ``dropout_forward(x, p, True, rng)`` statistically and structurally.

    With every entry of ``x`` nonzero, ``out / x`` is the mask: each entry must be 0 or 1/(1 − p), the fraction of
    zeros must be p within six standard deviations of a binomial draw, the cache must be that scaled mask with
    ``out = x·mask``, rows must get their own draws, and the draws must come from ``rng`` alone (the same seed gives
    the same mask, another seed another one).
    """
    __tracebackhide__ = True
    x = (0.5 + np.random.default_rng(99).random(shape)).astype(dtype)
    where = f"{fn.__name__}(x: {np.dtype(dtype).name} {shape}, p={p}, training=True)"
    out, cache = _dropout_call(fn, x, p, True, seed, where)
    ratio = out.astype(np.float64) / x.astype(np.float64)
    rtol = 1e-4 if dtype == np.float32 else 1e-9
    zero = np.isclose(ratio, 0.0, atol=1e-12)
    scale = 1.0 / (1.0 - p) if p < 1 else 0.0
    kept = np.isclose(ratio, scale, rtol=rtol)
    if not np.all(zero | kept):
        if np.all(zero | np.isclose(ratio, 1.0, rtol=rtol)):
            _fail(where, f"does not rescale the kept entries: inverted dropout multiplies them by 1/(1 − p) = "
                         f"{scale:.4g} so that the expected output equals x")
        if p > 0 and np.all(zero | np.isclose(ratio, 1.0 / p, rtol=rtol)):
            _fail(where, "treats p as the keep probability: it scales the survivors by 1/p; p is the probability of "
                         "zeroing and the survivors are scaled by 1/(1 − p)")
        if np.all(zero | np.isclose(ratio, 1.0 - p, rtol=rtol)):
            _fail(where, "multiplies the kept entries by (1 − p): inverted dropout divides them by (1 − p)")
        values = np.unique(np.round(ratio, 6))[:6]
        _fail(where, f"out / x should be 0 or 1/(1 − p) = {scale:.6g} everywhere; it takes the values "
                     f"{fmt(values)}")
    if x.shape[0] > 1 and x.ndim > 1 and 0 < p < 1 and np.all(zero == zero[:1]):
        _fail(where, "draws one mask shared by every row: each entry of x needs its own draw")
    n = x.size
    frac = float(zero.mean())
    tol = 6.0 * np.sqrt(p * (1.0 - p) / n) + 1.0 / n
    if abs(frac - p) > tol:
        if abs(frac - (1.0 - p)) <= tol:
            _fail(where, f"treats p as the keep probability: it zeroes a fraction {frac:.4f} ≈ 1 − p of the entries; "
                         f"p = {p} is the probability of zeroing")
        _fail(where, f"zeroes a fraction {frac:.4f} of the entries where p = {p} was expected (± {tol:.4f})")
    if cache is None or np.shape(cache) != x.shape:
        _fail(where, f"the cache should be the scaled mask, an array shaped like x {x.shape} with entries 0 or "
                     f"1/(1 − p); got {fmt(cache)}")
    mask = np.asarray(cache, dtype=np.float64)
    if not np.allclose(out, x * mask, rtol=max(rtol, 1e-7), atol=0):
        _fail(where, "out is not x·cache: the cache must be the scaled mask itself (entries 0 or 1/(1 − p)), so "
                     "that backward can compute dx = dout·mask")
    again, _ = _dropout_call(fn, x, p, True, seed, where)
    if not np.array_equal(out, again):
        _fail(where, "does not draw from `rng` alone: two calls with generators of the same seed gave different "
                     "masks (use rng.random or rng.binomial, not np.random)")
    if 0 < p < 1:
        other, _ = _dropout_call(fn, x, p, True, seed + 1, where)
        if np.array_equal(out, other):
            _fail(where, "gives the same mask for generators of different seeds: draw the mask from `rng`")
    return out, cache


def check_dropout_identity(fn, p, training, x):
    """Evaluation (or ``p = 0``) must return ``x`` itself, unscaled, with cache ``None`` or a mask of ones."""
    __tracebackhide__ = True
    where = f"{fn.__name__}(x: {x.dtype} {x.shape}, p={p}, training={training})"
    out, cache = _dropout_call(fn, x, p, training, 0, where)
    if np.allclose(out, x, rtol=1e-6, atol=0):
        if cache is not None and not np.allclose(np.asarray(cache, dtype=np.float64), 1.0):
            _fail(where, f"nothing is dropped here, so the cache should be None (or a mask of ones); got {fmt(cache)}")
        return out, cache
    if p > 0 and np.allclose(out, x / (1.0 - p)):
        _fail(where, "rescales by 1/(1 − p) in evaluation mode: inverted dropout scales during training only, and "
                     "is the identity at evaluation")
    if p > 0 and np.allclose(out, x * (1.0 - p)):
        _fail(where, "multiplies by (1 − p) in evaluation mode: with inverted dropout the evaluation output is x "
                     "itself (the rescaling already happened in training)")
    if not training and np.any(out == 0):
        _fail(where, "drops entries in evaluation mode: at evaluation dropout is the identity")
    _fail(where, f"should return x unchanged here.\n  expected: {fmt(x)}\n  got:      {fmt(out)}")


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
        from course import losses

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
    history = _call(train, f"{train.__name__}(a recording model, epochs={epochs}, batch_size={batch_size})",
                    model, opt, data, epochs, batch_size, np.random.default_rng(seed), lr_schedule=schedule,
                    show_progress=False)
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
                    _fail(where, "evaluates the validation set in training mode: call model.eval() before "
                                 "validating (dropout and batch norm behave differently there)")
                val_seen[epoch] |= set(ids.tolist())
                continue
            if np.any(ids >= 1000):
                _fail(where, "mixes validation rows into a training batch")
            if val_seen[epoch] and epoch < epochs and len(val_seen[epoch]) == len(data.X_val):
                epoch += 1
            pending = ("forward", ids, training)
        elif kind == "backward":
            if pending is None:
                _fail(where, "calls model.backward without a forward pass on a training batch before it")
            if not entry[1]:
                if np.isclose(entry[2], len(pending[1])):
                    _fail(where, "passes model.backward the gradient of the summed loss: use the gradient of the "
                                 "*mean* cross-entropy over the batch (losses.cross_entropy_backward)")
                _fail(where, "passes model.backward something other than ∂(mean cross-entropy)/∂scores of the "
                             "batch it just computed")
            if not pending[2]:
                _fail(where, "trains in evaluation mode: call model.train() before the training batches (after "
                             "validating with model.eval() it has to be switched back every epoch)")
            orders[min(epoch, epochs)].extend(pending[1].tolist())
            batches[min(epoch, epochs)].append(len(pending[1]))
        elif kind == "step":
            steps.append((min(epoch, epochs), entry[1], entry[2]))
    for e in range(epochs):
        seen = orders[e]
        if sorted(seen) != list(range(n)):
            missing, extra = n - len(set(seen)), len(seen) - len(set(seen))
            _fail(where, f"does not visit every training sample exactly once in epoch {e}: {len(seen)} rows seen "
                         f"for {n} samples ({missing} missing, {extra} repeated)")
        sizes = batches[e]
        want = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        if sorted(sizes, reverse=True) != want:
            _fail(where, f"uses mini-batches of sizes {sizes} in epoch {e}; with {n} samples and batch_size="
                         f"{batch_size} they should be {want}")
        if not val_seen[e] or len(val_seen[e]) != len(data.X_val):
            _fail(where, f"does not evaluate the whole validation set after epoch {e}")
    if orders[0] == list(range(n)) or orders[0] == orders[1]:
        _fail(where, "does not shuffle the training set: draw a new permutation from `rng` every epoch")
    if len(steps) != sum(len(batches[e]) for e in range(epochs)):
        _fail(where, f"calls optimizer.step() {len(steps)} times for {sum(map(len, batches[:epochs]))} mini-batches:"
                     " one step per batch")
    counts = {c for _, c, _ in steps}
    if counts != {1.0}:
        if max(counts) > 1:
            _fail(where, "lets gradients accumulate across steps: call optimizer.zero_grad() (or model.zero_grad()) "
                         "before each backward")
        _fail(where, "calls optimizer.step() with no gradient from this batch (zero_grad between backward and step?)")
    for e, _, lr in steps:
        if not np.isclose(lr, schedule(e)):
            if e + 1 < epochs and np.isclose(lr, schedule(e + 1)) or e > 0 and np.isclose(lr, schedule(e - 1)):
                _fail(where, f"applies the learning-rate schedule for the wrong epoch: epoch {e} ran at lr={lr:g} "
                             f"instead of lr_schedule({e}) = {schedule(e):g} (epochs count from 0; set the lr "
                             "before the epoch's first step)")
            _fail(where, f"does not apply the learning-rate schedule: epoch {e} ran at lr={lr:g} instead of "
                         f"lr_schedule({e}) = {schedule(e):g} (set optimizer.lr = lr_schedule(epoch))")
    log2, _, _ = _run_spy(train, epochs, batch_size, 0, schedule)
    if [e[1].tolist() for e in log2 if e[0] == "forward"] != [e[1].tolist() for e in log if e[0] == "forward"]:
        _fail(where, "shuffles with a random source other than `rng`: the same seed gave a different order")
    if not isinstance(history, dict):
        _fail(where, f"should return the history dict; it returned {fmt(history)}")
    for key in ("train_loss", "val_loss", "val_acc", "lr"):
        if key not in history or len(history[key]) != epochs:
            _fail(where, f"history[{key!r}] should be a list with one value per epoch ({epochs})")
    if not np.allclose(history["lr"], [schedule(e) for e in range(epochs)]):
        _fail(where, f"history['lr'] should record each epoch's learning rate; got {fmt(history['lr'])}")
    return history


def check_dropout_all_dropped(fn, shape=(4, 6)):
    """``p = 1`` drops everything: out is all zeros (torch's behaviour), with no NaN from 0·inf or 1/0."""
    __tracebackhide__ = True
    x = np.ones(shape)
    where = f"{fn.__name__}(x: float64 {shape}, p=1.0, training=True)"
    out, _ = _dropout_call(fn, x, 1.0, True, 0, where)
    if not np.all(out == 0):
        _fail(where, f"with p = 1 every entry is dropped, so out should be all zeros (as in torch); got {fmt(out)}")
    return out
