"""The catalogues of classic mistakes: each is a small difference from the reference, and each can be told apart.

For every catalogued mistake, on the samples of tests/grading/samples.py: its edits apply to the reference's source;
its "no mistake" form (the same source, compiled the same way, with no edit) reproduces the reference exactly; it
differs from the reference (a mistake no student can make would be dead weight); and ``check`` names it with its own
sentence when a student's function behaves exactly like it.

An 08_autograd operation returns a Tensor: it is compared by its plain form (``samples.plain``: the value and each
leaf's gradient), and its mistakes are named by ``check_op``, as its test cell names them.
"""

import copy

import numpy as np
import pytest

from course.autograd import Tensor
from course.grading import CheckFailure, check
from course.grading.autograd import check_op
from course.grading.mistakes import LESSONS, catalogue
from course.grading.mutants import Mutant, MutationError, differs
from samples import OPS, SAMPLES, plain

ENTRIES = [(name, k, m) for name, entries in catalogue().items() for k, m in enumerate(entries)]
IDS = [f"{name}-{k}" for name, k, _ in ENTRIES]
MUTANTS = [(name, k, m) for name, k, m in ENTRIES if isinstance(m.fn, Mutant)]


def _call(fn, args, name=None):
    with np.errstate(all="ignore"):
        return plain(name, fn)(*copy.deepcopy(args))


def _equal(a, b, close=False):
    """Recursive equality of results: bit for bit, or to 1e-7 with ``close`` (NaN equal to NaN)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k], close) for k in a)
    if isinstance(a, (tuple, list)):
        return isinstance(b, (tuple, list)) and len(a) == len(b) and all(_equal(x, y, close) for x, y in zip(a, b))
    if a is None or b is None:
        return a is b
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if close:
        return bool(np.allclose(a.astype(float), b.astype(float), rtol=1e-7, atol=1e-10, equal_nan=True))
    return a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


def test_every_lesson_has_a_catalogue_and_every_catalogued_function_has_samples():
    assert LESSONS and ENTRIES
    missing = sorted(set(catalogue()) - set(SAMPLES))
    assert not missing, f"no samples for {missing}: add them to tests/grading/samples.py"
    assert len(MUTANTS) > 0.9 * len(ENTRIES), "a mistake is written as the reference with a line changed"


@pytest.mark.parametrize("name,k,mistake", MUTANTS, ids=[f"{n}-{k}" for n, k, _ in MUTANTS])
def test_no_mistake_form_reproduces_the_reference_exactly(name, k, mistake):
    reference, samples = SAMPLES[name]
    assert mistake.fn.reference is reference, f"{name}: the catalogue differs from another function than the sample's"
    mistake.fn.build()  # every edit applies exactly once
    unchanged = mistake.fn.unchanged()
    for args in samples:
        assert _equal(_call(unchanged, args, name), _call(reference, args, name)), (
            f"{name}: the mutant machinery changed it")


@pytest.mark.parametrize("name,k,mistake", ENTRIES, ids=IDS)
def test_every_mistake_differs_from_the_reference(name, k, mistake):
    reference, samples = SAMPLES[name]
    outputs = []
    for args in samples:
        try:
            outputs.append(_equal(_call(mistake.fn, args, name), _call(reference, args, name), close=True))
        except Exception:  # noqa: BLE001 (a mistake that crashes on a sample differs from the reference there)
            outputs.append(False)
    assert not all(outputs), f"{name}: {mistake.sentence!r} gives the right answer on every sample"


@pytest.mark.parametrize("name,k,mistake", ENTRIES, ids=IDS)
def test_check_names_each_mistake_with_its_own_sentence(name, k, mistake):
    reference, samples = SAMPLES[name]
    said = []
    for args in samples:

        def student(*a):
            return mistake.fn(*copy.deepcopy(a))  # a student who makes exactly this mistake

        student.__name__ = name  # check looks the catalogue up by the graded function's name
        try:
            if name in OPS:  # the mistaken operation itself is the student's, run by check_op as its test cell does
                *values, upstream = copy.deepcopy(args)
                value, *grads = _call(reference, args, name)
                check_op(mistake.fn.build() if isinstance(mistake.fn, Mutant) else mistake.fn, Tensor, *values,
                         forward=lambda *raw, value=value: value, upstream=upstream, grads=grads)
            else:
                check(student, *copy.deepcopy(args), expected=_call(reference, args))
        except CheckFailure as failure:
            said.append(str(failure))
        else:
            said.append("(check passed)")
            continue
        if mistake.sentence.rstrip(".") in said[-1]:
            return
    pytest.fail(f"{name}: no sample makes check say {mistake.sentence!r}; it said:\n" + "\n".join(said))


def test_an_edit_must_match_exactly_one_place():
    from course import losses

    with pytest.raises(MutationError, match="occurs 0 times"):
        differs(losses.mse_forward, ("no such text", "x")).build()
    with pytest.raises(MutationError, match="occurs 6 times"):
        differs(losses.mse_forward, ("y_pred", "x")).build()
    with pytest.raises(MutationError, match="at least one edit"):
        differs(losses.mse_forward)
    with pytest.raises(MutationError, match="pair of strings"):
        differs(losses.mse_forward, "(y_pred - y) ** 2")


def test_a_mutant_is_compiled_in_a_copy_of_the_module_and_leaves_the_module_alone():
    from course import losses

    original = losses.mse_forward
    wrong = differs(losses.mse_forward, ("** 2", "** 3"))
    a, b = np.array([1.0, 2.0]), np.array([0.0, 0.0])
    assert wrong(a, b) == pytest.approx(4.5) and losses.mse_forward(a, b) == pytest.approx(2.5)
    assert losses.mse_forward is original and wrong.__name__ == "mse_forward"
    helped = differs(losses.softmax, ("axis=1, keepdims=True)", "axis=0, keepdims=True)"), helpers=("log_softmax",))
    with pytest.raises(MutationError, match="occurs 2 times"):
        helped.build()
