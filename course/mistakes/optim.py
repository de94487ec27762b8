"""Classic wrong optimizers for 05_optimizers, and the two checks its stateful and generator tests need.

``MISTAKES[name]`` lists ``Mistake(sentence, wrong_fn)`` entries with the graded function's signature; the sentence
is the feedback when the student's result equals the wrong function's. ``check_steps`` runs an update several steps
from ``state = {}`` and compares every step's weights and state; ``check_minibatches`` checks a mini-batch generator
without depending on the order in which a valid solution draws its random numbers.
"""

import copy

import numpy as np

from course.testing import CheckFailure, Mistake, call_quietly, check, fmt

__all__ = ["MISTAKES", "check_steps", "check_minibatches", "reference_steps"]


# --- wrong implementations ------------------------------------------------------------------------------------------

def _zeros(state, key, like):
    return state.get(key, np.zeros_like(np.asarray(like, dtype=np.float64)))


def _momentum(w, dw, state, lr, momentum=0.9, dampening=0.0, nesterov=False, form="torch"):
    buf = state.get("momentum_buffer")
    if form == "cs231n":  # v = μv − lr·g, w += v
        buf = -lr * dw if buf is None else momentum * buf - lr * dw
        state["momentum_buffer"] = buf
        return w + buf, state
    if form == "zeros":  # buffer starts at zeros, so dampening also hits the first gradient
        buf = momentum * _zeros(state, "momentum_buffer", dw) + (1 - dampening) * dw
    elif form == "damp":  # dampening used as the weight of the gradient
        buf = np.array(dw, dtype=float) if buf is None else momentum * buf + dampening * dw
    else:
        buf = np.array(dw, dtype=float) if buf is None else momentum * buf + (1 - dampening) * dw
    state["momentum_buffer"] = buf
    if form == "plain":
        return w - lr * buf, state
    if form == "lookahead_buf":  # Nesterov written as buf + μ·g
        return w - lr * ((buf + momentum * dw) if nesterov else buf), state
    return w - lr * ((dw + momentum * buf) if nesterov else buf), state


def _adaptive(w, dw, state, lr, key, decay, eps, where="outside", sqrt=True):
    state["step"] = state.get("step", 0) + 1
    acc = _zeros(state, key, dw)
    state[key] = acc + dw * dw if decay is None else decay[0] * acc + decay[1] * dw * dw
    if not sqrt:
        return w - lr * dw / (state[key] + eps), state
    denom = np.sqrt(state[key] + eps) if where == "inside" else np.sqrt(state[key]) + eps
    return w - lr * dw / denom, state


def _rms_corrected(w, dw, state, lr, alpha, eps):
    state["step"] = state.get("step", 0) + 1
    state["square_avg"] = alpha * _zeros(state, "square_avg", dw) + (1 - alpha) * dw * dw
    return w - lr * dw / (np.sqrt(state["square_avg"] / (1 - alpha ** state["step"])) + eps), state


def _adam(w, dw, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, variant="torch"):
    b1, b2 = betas[::-1] if variant == "swapped" else betas
    t = state.get("step", 0) + 1
    state["step"] = t - 1 if variant == "step0_stored" else t
    m = b1 * _zeros(state, "exp_avg", dw) + (1 - b1) * dw
    v = b2 * _zeros(state, "exp_avg_sq", dw) + (1 - b2) * (np.abs(dw) if variant == "abs" else dw * dw)
    state["exp_avg"], state["exp_avg_sq"] = m, v
    tc = t - 1 if variant == "step0" else t
    with np.errstate(divide="ignore", invalid="ignore"):
        if variant == "no_correction":
            m_hat, v_hat = m, v
        elif variant == "only_m":
            m_hat, v_hat = m / (1 - b1**tc), v
        else:
            m_hat, v_hat = m / (1 - b1**tc), v / (1 - b2**tc)
        denom = np.sqrt(v_hat + eps) if variant == "eps_inside" else np.sqrt(v_hat) + eps
        return w - lr * m_hat / denom, state


def _adamw(w, dw, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, variant="l2"):
    if variant == "l2":
        return _adam(w, dw + weight_decay * w, state, lr, betas, eps)
    if variant == "after":
        w_new, state = _adam(w, dw, state, lr, betas, eps)
        return w_new * (1 - lr * weight_decay), state
    if variant == "no_lr":
        return _adam(w * (1 - weight_decay), dw, state, lr, betas, eps)
    return _adam(w, dw, state, lr, betas, eps)  # "none": the decay is forgotten


def _clip_norm(grads, max_norm, variant):
    norms = [float(np.sqrt(np.sum(np.square(g)))) for g in grads]
    total = float(np.sqrt(sum(n * n for n in norms)))
    if variant == "per_array":
        return [g * min(1.0, max_norm / (n + 1e-6)) for g, n in zip(grads, norms)], total
    if variant == "sum_of_norms":
        total = sum(norms)
    coef = max_norm / (total + 1e-6)
    if variant != "always":
        coef = min(1.0, coef)
    clipped = [g * coef for g in grads]
    if variant == "clipped_norm":
        return clipped, float(np.sqrt(sum(np.sum(np.square(g)) for g in clipped)))
    return clipped, total


MISTAKES = {
    "sgd_update": [
        Mistake("ignores weight_decay: torch adds weight_decay·w to the gradient before the step",
                lambda w, dw, lr, weight_decay=0.0: w - lr * dw),
        Mistake("subtracts weight_decay·w without multiplying it by lr: the step is lr·(dw + weight_decay·w)",
                lambda w, dw, lr, weight_decay=0.0: w - lr * dw - weight_decay * w),
        Mistake("steps uphill: it adds lr·dw instead of subtracting it",
                lambda w, dw, lr, weight_decay=0.0: w + lr * (dw + weight_decay * w)),
    ],
    "momentum_update": [
        Mistake("uses CS231n's convention v = μv − lr·g, w += v. The weights agree but torch's "
                "state['momentum_buffer'] is v = μv + g, without lr (the update is w − lr·v)",
                lambda w, dw, s, lr, momentum=0.9, dampening=0.0, nesterov=False:
                _momentum(w, dw, s, lr, momentum, dampening, nesterov, "cs231n")),
        Mistake("starts the momentum buffer at zeros, so dampening shrinks the first gradient; torch sets the "
                "buffer to the first gradient itself (no dampening on step 1)",
                lambda w, dw, s, lr, momentum=0.9, dampening=0.0, nesterov=False:
                _momentum(w, dw, s, lr, momentum, dampening, nesterov, "zeros")),
        Mistake("ignores nesterov: with Nesterov the direction is g + μ·buf (the look-ahead), not buf",
                lambda w, dw, s, lr, momentum=0.9, dampening=0.0, nesterov=False:
                _momentum(w, dw, s, lr, momentum, dampening, nesterov, "plain")),
        Mistake("computes Nesterov's direction as buf + μ·g; torch's is g + μ·buf",
                lambda w, dw, s, lr, momentum=0.9, dampening=0.0, nesterov=False:
                _momentum(w, dw, s, lr, momentum, dampening, nesterov, "lookahead_buf")),
        Mistake("weights the gradient by dampening; the buffer is μ·buf + (1 − dampening)·g",
                lambda w, dw, s, lr, momentum=0.9, dampening=0.0, nesterov=False:
                _momentum(w, dw, s, lr, momentum, dampening, nesterov, "damp")),
    ],
    "adagrad_update": [
        Mistake("puts eps inside the square root; torch divides by √sum + eps",
                lambda w, dw, s, lr=0.01, eps=1e-10: _adaptive(w, dw, s, lr, "sum", None, eps, "inside")),
        Mistake("divides by sum instead of its square root √sum + eps",
                lambda w, dw, s, lr=0.01, eps=1e-10: _adaptive(w, dw, s, lr, "sum", None, eps, sqrt=False)),
    ],
    "rmsprop_update": [
        Mistake("puts eps inside the square root; torch divides by √square_avg + eps",
                lambda w, dw, s, lr=0.01, alpha=0.99, eps=1e-8:
                _adaptive(w, dw, s, lr, "square_avg", (alpha, 1 - alpha), eps, "inside")),
        Mistake("swaps alpha and 1 − alpha: square_avg = α·square_avg + (1 − α)·g²",
                lambda w, dw, s, lr=0.01, alpha=0.99, eps=1e-8:
                _adaptive(w, dw, s, lr, "square_avg", (1 - alpha, alpha), eps)),
        Mistake("bias-corrects square_avg like Adam; torch's RMSprop divides by √square_avg + eps, uncorrected",
                lambda w, dw, s, lr=0.01, alpha=0.99, eps=1e-8: _rms_corrected(w, dw, s, lr, alpha, eps)),
        Mistake("divides by square_avg instead of its square root √square_avg + eps",
                lambda w, dw, s, lr=0.01, alpha=0.99, eps=1e-8:
                _adaptive(w, dw, s, lr, "square_avg", (alpha, 1 - alpha), eps, sqrt=False)),
    ],
    "adam_update": [
        Mistake("has no bias correction: divide exp_avg by 1 − β₁ᵗ and exp_avg_sq by 1 − β₂ᵗ",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8: _adam(w, dw, s, lr, betas, eps,
                                                                               "no_correction")),
        Mistake("bias-corrects exp_avg but not exp_avg_sq: v̂ = exp_avg_sq / (1 − β₂ᵗ) is needed too",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8: _adam(w, dw, s, lr, betas, eps, "only_m")),
        Mistake("counts step from 0: the first call must use t = 1 (so 1 − β₁ᵗ = 0.1, not 0); increment step "
                "before the bias correction",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8: _adam(w, dw, s, lr, betas, eps, "step0")),
        Mistake("stores step counted from 0: after the first call state['step'] must be 1",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8: _adam(w, dw, s, lr, betas, eps,
                                                                               "step0_stored")),
        Mistake("puts eps inside the square root; torch divides by √v̂ + eps",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8: _adam(w, dw, s, lr, betas, eps,
                                                                               "eps_inside")),
        Mistake("swaps β₁ and β₂: β₁ averages the gradient (exp_avg), β₂ its square (exp_avg_sq)",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8: _adam(w, dw, s, lr, betas, eps,
                                                                               "swapped")),
        Mistake("averages |g| in exp_avg_sq; it is the average of g² (g * g)",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8: _adam(w, dw, s, lr, betas, eps, "abs")),
    ],
    "adamw_update": [
        Mistake("folds the weight decay into the gradient (dw + weight_decay·w): that is Adam with L2, not AdamW. "
                "AdamW decays the weights directly, w ← w·(1 − lr·weight_decay), before the Adam step",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2:
                _adamw(w, dw, s, lr, betas, eps, weight_decay, "l2")),
        Mistake("applies the decay after the Adam step; torch multiplies w by (1 − lr·weight_decay) first",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2:
                _adamw(w, dw, s, lr, betas, eps, weight_decay, "after")),
        Mistake("decays by (1 − weight_decay) without lr; torch's factor is (1 − lr·weight_decay)",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2:
                _adamw(w, dw, s, lr, betas, eps, weight_decay, "no_lr")),
        Mistake("ignores weight_decay: it is plain Adam",
                lambda w, dw, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2:
                _adamw(w, dw, s, lr, betas, eps, weight_decay, "none")),
    ],
    "clip_grad_norm": [
        Mistake("rescales even when the norm is below max_norm: scale only when total_norm > max_norm",
                lambda grads, max_norm: _clip_norm(grads, max_norm, "always")),
        Mistake("returns the norm after clipping; torch returns the total norm before clipping",
                lambda grads, max_norm: _clip_norm(grads, max_norm, "clipped_norm")),
        Mistake("clips each array by its own norm; the norm is one, over all gradients together "
                "(√ of the sum of every squared entry)",
                lambda grads, max_norm: _clip_norm(grads, max_norm, "per_array")),
        Mistake("adds up the arrays' norms; the total norm is √(Σ‖g‖²), the norm of all entries together",
                lambda grads, max_norm: _clip_norm(grads, max_norm, "sum_of_norms")),
    ],
    "clip_grad_value": [
        Mistake("clips only from above: entries below −clip_value must become −clip_value",
                lambda grads, clip_value: [np.minimum(g, clip_value) for g in grads]),
        Mistake("clips the magnitude but loses the sign: use np.clip(g, −clip_value, clip_value)",
                lambda grads, clip_value: [np.minimum(np.abs(g), clip_value) for g in grads]),
    ],
    "step_lr": [
        Mistake("decays continuously (gamma^(epoch/step_size)); StepLR decays in steps: "
                "gamma^(epoch // step_size)", lambda lr0, epoch, step_size, gamma=0.1:
                lr0 * gamma ** (epoch / step_size)),
        Mistake("decays one epoch too early: epoch 0 is the first epoch, and the first decay is at "
                "epoch = step_size", lambda lr0, epoch, step_size, gamma=0.1:
                lr0 * gamma ** ((epoch + 1) // step_size)),
        Mistake("multiplies by gamma·k instead of raising gamma to the power k = epoch // step_size",
                lambda lr0, epoch, step_size, gamma=0.1: lr0 * gamma * (epoch // step_size)),
    ],
    "cosine_annealing_lr": [
        Mistake("forgets eta_min: it is eta_min + (lr0 − eta_min)·(1 + cos(π t/T_max))/2",
                lambda lr0, t, T_max, eta_min=0.0: lr0 * (1 + np.cos(np.pi * t / T_max)) / 2),
        Mistake("adds eta_min without subtracting it from lr0: the schedule must start at lr0",
                lambda lr0, t, T_max, eta_min=0.0: eta_min + lr0 * (1 + np.cos(np.pi * t / T_max)) / 2),
        Mistake("uses cos(π t/T_max) without (1 + ·)/2: the factor must run from 1 down to 0",
                lambda lr0, t, T_max, eta_min=0.0: eta_min + (lr0 - eta_min) * np.cos(np.pi * t / T_max)),
    ],
}


# --- stateful updates: several steps from {} ------------------------------------------------------------------------

def _trajectory(fn, w0, grads, kwargs):
    """(w, state) after each step of ``fn`` run on its own outputs from ``state = {}``; shorter if it raises."""
    out, w, state = [], copy.deepcopy(w0), {}
    for g in grads:
        result, _, err = call_quietly(fn, w, copy.deepcopy(g), state, **kwargs)
        if err is not None or not isinstance(result, tuple) or len(result) != 2:
            break
        w, state = result
        out.append(copy.deepcopy(result))
    return out


def reference_steps(fn, w0, grads, kwargs=None):
    """``[(w, state) after step k]`` of a reference update run from ``{}`` in float64: expected values."""
    return _trajectory(fn, np.asarray(w0, dtype=np.float64), [np.asarray(g, dtype=np.float64) for g in grads],
                       dict(kwargs or {}))


def check_steps(update, w0, grads, expected, kwargs=None, mistakes=(), label=""):
    """Run ``update(w, dw, state, **kwargs)`` from ``state = {}`` over ``grads`` and check every step.

    ``expected[k]`` is ``(w_after_step_k, state_after_step_k)``, computed independently; the state may list only
    some keys. Each step's ``w`` is the student's previous output. A step that fails names a mistake when the
    whole run so far matches one of ``mistakes`` (run on its own outputs from ``{}``).
    """
    __tracebackhide__ = True
    kwargs = dict(kwargs or {})
    grads_before = copy.deepcopy(grads)
    runs = [(m, _trajectory(m.fn, w0, grads, kwargs)) for m in mistakes]
    w, state, total = w0, {}, len(grads)
    for k, (g, exp) in enumerate(zip(grads, expected), start=1):
        def step(w, dw, _state=state):
            return update(w, dw, _state, **kwargs)
        step.__name__ = getattr(update, "__name__", "update")
        named = [Mistake(m.sentence, lambda *a, _r=run[k - 1]: copy.deepcopy(_r)) for m, run in runs if len(run) >= k]
        where = f"step {k} of {total}, starting from state = {{}}" + (f"; {label}" if label else "")
        w, state = check(step, w, g, expected=exp, out_names=("w_new", "state"), mistakes=named, label=where)
        if not isinstance(state, dict):
            raise CheckFailure(f"{step.__name__}: the second value returned must be the state dict, "
                               f"got {type(state).__name__}.")
    for k, (b, a) in enumerate(zip(grads_before, grads), start=1):
        if not np.array_equal(b, a):
            raise CheckFailure(
                f"{step.__name__}: the gradient passed at step {k} changed later: the state keeps `dw` itself and a "
                f"later step modifies it in place. Store a copy (torch clones the first gradient: `dw.copy()`).\n"
                f"  before: {fmt(b)}\n  after:  {fmt(a)}")
    return w, state


# --- mini-batches ---------------------------------------------------------------------------------------------------

def _key(row):
    return np.asarray(row, dtype=np.float64).tobytes()


def _batches(fn, X, y, batch_size, shuffle, rng):
    name = getattr(fn, "__name__", "iterate_minibatches")
    result, _, err = call_quietly(lambda: [tuple(b) for b in fn(X, y, batch_size, shuffle=shuffle, rng=rng)])
    if err is not None:
        if isinstance(err, NotImplementedError):
            raise CheckFailure(f"{name} is not implemented yet: it still raises NotImplementedError.")
        raise CheckFailure(f"{name}(batch_size={batch_size}, shuffle={shuffle}) raised "
                           f"{type(err).__name__}: {err}")
    if any(len(b) != 2 for b in result):
        raise CheckFailure(f"{name}: each item it yields must be a pair (X_batch, y_batch).")
    return result


def _order(fn, X, y, batch_size, shuffle, rng, ids):
    """The sample indices in the order the batches give them, after checking sizes, coverage and pairing."""
    name = getattr(fn, "__name__", "iterate_minibatches")
    where = f"{name}(N={len(X)}, batch_size={batch_size}, shuffle={shuffle})"
    X0, y0 = X.copy(), y.copy()
    batches = _batches(fn, X, y, batch_size, shuffle, rng)
    if not (np.array_equal(X, X0) and np.array_equal(y, y0)):
        raise CheckFailure(f"{where} changed X or y in place (shuffled them?). Index them with a permutation "
                           "instead: X[idx], y[idx].")
    n = len(X)
    want = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    sizes = [len(np.asarray(xb)) for xb, _ in batches]
    order = [ids.get(_key(row), -1) for xb, _ in batches for row in np.asarray(xb)]
    if sum(sizes) < n and sizes == want[:len(sizes)] and len(sizes) == len(want) - 1:
        raise CheckFailure(f"{where} drops the last partial batch: the {n % batch_size} samples left over must "
                           f"come as a smaller last batch.\n  expected batch sizes: {want}\n  got: {sizes}")
    if len(set(order)) < len(order):
        raise CheckFailure(f"{where} repeats samples within one epoch (drawn with replacement?): every sample must "
                           f"appear exactly once; use a permutation.")
    if sizes != want:
        raise CheckFailure(f"{where} yields batches of the wrong sizes.\n  expected: {want}\n  got:      {sizes}")
    if -1 in order or sorted(order) != list(range(n)):
        raise CheckFailure(f"{where} yields rows that are not the samples of X.")
    for (xb, yb) in batches:
        idx = [ids[_key(row)] for row in np.asarray(xb)]
        if not np.array_equal(np.asarray(yb), y[idx]):
            raise CheckFailure(f"{where} separates samples from their labels: X and y must be indexed with the same "
                               f"permutation.")
    return order


def check_minibatches(fn, X, y, batch_size, seed=0):
    """Check ``fn(X, y, batch_size, shuffle, rng)`` on data whose rows of ``X`` are all different.

    Checks sizes (last partial batch kept), that each sample comes exactly once with its label, that ``X``/``y`` are
    untouched, no shuffling when ``shuffle=False``, a shuffle when True that depends on ``rng`` alone (not on
    np.random's global state), a new order each epoch from the same ``rng``, and that ``rng=None`` works.
    Any valid way of drawing the permutation passes.
    """
    __tracebackhide__ = True
    name = getattr(fn, "__name__", "iterate_minibatches")
    ids = {_key(row): i for i, row in enumerate(np.asarray(X))}
    assert len(ids) == len(X), "check_minibatches needs distinct rows of X"
    n = len(X)
    if _order(fn, X, y, batch_size, False, np.random.default_rng(seed), ids) != list(range(n)):
        raise CheckFailure(f"{name}(shuffle=False) changed the order: without shuffling, batches come in the "
                           "order of X.")
    saved = np.random.get_state()
    try:
        np.random.seed(1)
        first = _order(fn, X, y, batch_size, True, np.random.default_rng(seed), ids)
        np.random.seed(2)
        again = _order(fn, X, y, batch_size, True, np.random.default_rng(seed), ids)
    finally:
        np.random.set_state(saved)
    if n > 3 and first == list(range(n)):
        raise CheckFailure(f"{name}(shuffle=True) did not shuffle: the batches come in the order of X.")
    if first != again:
        raise CheckFailure(f"{name} does not draw its order from the `rng` argument: the same seed gave two "
                           "different orders (it uses np.random's global state or a new generator). Use "
                           "rng.permutation(N).")
    rng = np.random.default_rng(seed)
    e1 = _order(fn, X, y, batch_size, True, rng, ids)
    e2 = _order(fn, X, y, batch_size, True, rng, ids)
    if n > 3 and e1 == e2:
        raise CheckFailure(f"{name} gives the same order every epoch from one rng: draw a new permutation from the "
                           "rng it is given on every call (do not reseed).")
    _order(fn, X, y, batch_size, True, None, ids)
    return first
