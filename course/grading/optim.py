"""The check engines of 05_optimizers: stateful updates run for several steps, and mini-batch generators.

``check_steps`` runs an update several steps from ``state = {}`` and compares every step's weights and state;
``check_minibatches`` checks a mini-batch generator without depending on the order in which a valid solution draws
its random numbers.
"""

import copy

import numpy as np

from course.grading.checks import CheckFailure, call_quietly, call_student, check, fmt
from course.grading.mistakes import mistakes_of
from course.grading.mutants import Mistake

__all__ = ["check_steps", "check_minibatches", "reference_steps"]


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


def check_steps(update, w0, grads, expected, kwargs=None, mistakes=None, label=""):
    """Run ``update(w, dw, state, **kwargs)`` from ``state = {}`` over ``grads`` and check every step.

    ``expected[k]`` is ``(w_after_step_k, state_after_step_k)``, computed independently; the state may list only
    some keys. Each step's ``w`` is the student's previous output. A step that fails names a mistake when the
    whole run so far matches one of ``mistakes`` (run on its own outputs from ``{}``; by default the update's own
    catalogue).
    """
    __tracebackhide__ = True
    kwargs = dict(kwargs or {})
    if mistakes is None:
        mistakes = mistakes_of(getattr(update, "__name__", ""))
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

    def epoch():
        return [tuple(b) for b in fn(X, y, batch_size, shuffle=shuffle, rng=rng)]

    epoch.__name__ = name
    result = call_student(epoch, where=f"{name}(batch_size={batch_size}, shuffle={shuffle})")
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
        raise CheckFailure(f"{name} does not draw its order from the `rng` argument: two generators in the same "
                           "state gave two different orders (it uses np.random's global state or a new generator). "
                           "Use rng.permutation(N).")
    rng = np.random.default_rng(seed)
    e1 = _order(fn, X, y, batch_size, True, rng, ids)
    e2 = _order(fn, X, y, batch_size, True, rng, ids)
    if n > 3 and e1 == e2:
        raise CheckFailure(f"{name} gives the same order every epoch from one rng: draw a new permutation from the "
                           "rng it is given on every call (do not reseed).")
    _order(fn, X, y, batch_size, True, None, ids)
    return first
