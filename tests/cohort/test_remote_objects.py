"""A student's objects across the wall (autograder.remote): what lesson 08's tensor tests do with them.

The judge holds one proxy per student object, so ``is`` and dict keys work; a proxy passed back arrives as the
student's own object; arithmetic on a proxy runs the student's operators on the student's side, and the judge's
side runs none for the student. A tiny tensor class stands in for a student's engine.
"""

import types

import numpy as np
import pytest

from autograder import execute, judge as judging, wire
from autograder.channel import Endpoint, PeerGone
from autograder.remote import Remote
from autograder.wire import Handle

STUDENT = '''
import operator

import numpy as np


class Tensor:
    __array_ufunc__ = None  # ndarray * Tensor: NumPy defers to Tensor.__rmul__

    def __init__(self, data, requires_grad=False, parents=(), local_backward=None, op=""):
        self.data = np.asarray(data, dtype=float)
        self.parents, self.local_backward, self.op = tuple(parents), local_backward, op
        self.requires_grad = requires_grad

    def __eq__(self, other):  # elementwise, as in NumPy: the judge's == must never ask for it
        return Tensor(self.data == getattr(other, "data", other), op="==")

    __hash__ = object.__hash__
    T = property(lambda self: Tensor(self.data.T, parents=(self,), op="T"))

    def sum(self, axis=None):
        return Tensor(self.data.sum(axis=axis), parents=(self,), op="sum")


def _binary(fn):
    return (lambda self, other: Tensor(fn(self.data, getattr(other, "data", other)), parents=(self, other)),
            lambda self, other: Tensor(fn(getattr(other, "data", other), self.data), parents=(other, self)))


for _name in ("add", "sub", "mul", "truediv", "matmul", "pow"):
    setattr(Tensor, f"__{_name}__", _binary(getattr(operator, _name))[0])
    setattr(Tensor, f"__r{_name}__", _binary(getattr(operator, _name))[1])
for _name in ("neg", "pos", "abs"):
    setattr(Tensor, f"__{_name}__", lambda self, fn=getattr(operator, _name): Tensor(fn(self.data), parents=(self,)))


def mul(a, b):
    assert isinstance(a, Tensor) and isinstance(b, Tensor), (type(a), type(b))
    out = Tensor(a.data * b.data, parents=(a, b), op="*")
    out.local_backward = lambda g: (g * b.data, g * a.data)
    return out


def grads(t, g):
    """{parent: its gradient}, from the tensor's local_backward (perhaps the judge's, called back)."""
    return dict(zip(t.parents, t.local_backward(g)))


def lookup(table, key):
    return table[key]


def kinds(*values):
    return [type(v).__name__ for v in values]


def poke(obj):
    """What happens when the student's code applies operators to an object of the judge's."""
    said = []
    for attempt in (lambda: obj + 1, lambda: 1 + obj, lambda: obj * obj, lambda: -obj, lambda: np.ones(2) @ obj):
        try:
            attempt()
            said.append("applied")
        except TypeError as exc:
            said.append(str(exc))
    return said
'''


def _student(share):
    """The student's namespace, each public name shared with the judge (the judge sees proxies)."""
    ns = {}
    exec(STUDENT, ns)  # noqa: S102 (the test's own code)
    names = ("Tensor", "mul", "grads", "lookup", "kinds", "poke")
    return types.SimpleNamespace(**{name: share(name, ns[name]) for name in names}), ns


def test_one_proxy_per_object_so_identity_and_hashing_hold(pair):
    judge, share = pair
    api, ns = _student(share)
    a, b = api.Tensor(np.ones((2, 3)), requires_grad=True), api.Tensor(np.full((2, 3), 2.0))
    assert isinstance(a, Remote) and a is not b
    out = api.mul(a, b)
    assert out.parents[0] is a and out.parents[1] is b
    assert id(out.parents[0]) == id(a) and hash(out.parents[0]) == hash(a)
    assert share("Tensor", ns["Tensor"]) is api.Tensor
    assert (a == a) is True and (a == b) is False and a != b, "== is identity, never the student's __eq__"


def test_a_proxy_passed_back_arrives_as_the_students_own_object(pair):
    judge, share = pair
    api, ns = _student(share)
    a, b = api.Tensor(np.ones((2, 3)), requires_grad=True), api.Tensor(np.full((2, 3), 2.0))
    assert api.kinds(a, [b], {"k": (a,)}) == ["Tensor", "list", "dict"]
    out = api.mul(a, b)  # the student's mul asserts isinstance(x, Tensor) on its side
    assert out.op == "*" and out.requires_grad is False and a.requires_grad is True
    ga, gb = out.local_backward(np.ones((2, 3)))
    assert type(ga) is np.ndarray and np.array_equal(ga, np.full((2, 3), 2.0)) and np.array_equal(gb, np.ones((2, 3)))


def test_a_judges_callback_in_a_students_tensor_comes_home_as_itself(pair):
    judge, share = pair
    api, ns = _student(share)
    a, b = api.Tensor(np.ones(2)), api.Tensor(np.zeros(2))
    seen = []

    def local_backward(g):
        seen.append(g)
        return g, -g

    c = api.Tensor(np.ones(2), parents=(a, b), local_backward=local_backward, op="+")
    assert c.local_backward is local_backward and c.parents == (a, b) and c.parents[1] is b
    assert api.kinds(c.local_backward) == ["Remote"] and seen == []  # the student's side holds a proxy of it
    got = api.grads(c, np.array([1.0, 2.0]))  # the student's code calls the judge's function back
    assert len(seen) == 1 and set(got) == {a, b} and np.array_equal(got[b], [-1.0, -2.0])


@pytest.mark.parametrize("expr", [
    "a + 1", "1 + a", "2.0 - a", "a - 2.0", "a * 3", "np.ones(3) * a", "a * np.arange(3)", "a / 2", "2 / a",
    "a @ b", "np.ones((4, 2)) @ a", "a ** 2", "2 ** a", "-a", "+a", "abs(-a)", "a * a", "a - b.T", "a.T",
    "a.sum(axis=0)", "(a + 1) * (2 - a)"])
def test_operators_run_the_students_own_on_the_students_side(pair, expr):
    judge, share = pair
    api, ns = _student(share)
    x, y = np.arange(1.0, 7.0).reshape(2, 3), np.arange(6.0).reshape(3, 2)
    a, b = api.Tensor(x), api.Tensor(y)
    got = eval(expr, {"a": a, "b": b, "np": np})  # noqa: S307 (the test's own expressions)
    assert isinstance(got, Remote) and np.array_equal(got.data, eval(expr, {"a": x, "b": y, "np": np}))  # noqa: S307
    made_of = [p for p in got.parents if isinstance(p, Remote)]  # a, b or a tensor made of them: never a copy
    assert made_of and all(p is a or p is b or p.parents for p in made_of), made_of


def test_an_operator_the_student_did_not_write_raises_its_error(pair):
    judge, share = pair
    api, ns = _student(share)
    with pytest.raises(TypeError, match="unsupported operand"):
        api.Tensor(np.ones(2)) // 2  # not forwarded at all
    plain = share("plain", type("Plain", (), {})())
    with pytest.raises(TypeError, match="unsupported operand"):
        plain + 1  # forwarded, and refused by Python on the student's side


def test_the_judges_side_applies_no_operator_for_the_student(pair):
    judge, share = pair
    api, ns = _student(share)
    applied = []

    class Recording:  # a judge object with operators of its own
        def __add__(self, other):
            applied.append(other)
            return 0

        __radd__ = __mul__ = __neg__ = __rmatmul__ = __add__

    refused = "operators are not applied to the judge's objects"
    assert api.poke(Recording()) == [refused] * 5 and applied == []


def test_dicts_keyed_by_proxies_in_both_directions(pair):
    judge, share = pair
    api, ns = _student(share)
    a, b = api.Tensor(np.ones(2)), api.Tensor(np.zeros(2))
    table = {a: 1, b: 2}
    assert {a: 1}[a] == 1 and api.lookup(table, b) == 2 and table == {a: 1, b: 2}
    got = api.grads(api.mul(a, b), np.ones(2))
    assert list(got) == [a, b] and got[a] is not got[b]


def test_truth_is_the_objects_own(pair):
    judge, share = pair
    api, ns = _student(share)
    assert bool(api.Tensor(np.ones(2))) and bool(api.mul)  # neither has len(): True, as in one process
    assert not share("empty", type("Empty", (), {"__len__": lambda self: 0})())


def test_an_id_the_receiver_never_shared_is_a_malformed_message(endpoints):
    judge, student, share = endpoints
    forged = Remote(student, Handle(999, "function", True, "f"))
    with pytest.raises(PeerGone, match="no object 999 was shared"):
        share("forge", lambda: forged)()
    for bad in (999, True, "1", None):
        with pytest.raises(wire.WireError, match="was shared"):
            judge.own(bad)


def test_a_proxy_of_another_channel_is_refused_not_confused(pair):
    judge, share = pair
    echo = share("echo", lambda x: x)
    stranger = Endpoint(-1, -1, guarded=True).proxy(Handle(1, "Tensor", False, ""))  # 1: echo's id on this channel
    with pytest.raises(wire.WireError, match="belongs to another channel"):
        echo(stranger)
    assert echo([1, "still in step"]) == [1, "still in step"]


def test_through_the_judge_and_the_sandboxed_student_process():
    test_cell = '''
import numpy as np
a, b = Tensor(np.ones((2, 3)), requires_grad=True), Tensor(np.full((2, 3), 2.0))
out = mul(a, b)
assert out.parents[0] is a and out.parents[1] is b and {a: 1}[out.parents[0]] == 1
ga, gb = out.local_backward(np.ones((2, 3)))
assert np.array_equal(ga, np.full((2, 3), 2.0)) and np.array_equal(gb, np.ones((2, 3)))
assert np.array_equal((2.0 - a).data, np.ones((2, 3))) and np.array_equal((np.ones(3) * -a).data, -np.ones((2, 3)))
assert np.array_equal((a @ b.T).data, np.full((2, 2), 6.0)) and (a ** 2).parents[0] is a
back = lambda g: (g, g)
c = Tensor(np.ones(3), parents=(a, b), local_backward=back, op="+")
assert c.local_backward is back and kinds(c.local_backward) == ["Remote"]
assert poke(back) == ["operators are not applied to the judge's objects"] * 5
print("all passed")
'''
    cells = [{"index": 0, "source": STUDENT, "solution": True}, {"index": 1, "source": test_cell, "test": True}]
    result = judging.judge({"cells": cells, "setup": [], "library": execute.library("01_losses", []),
                            "timeout": 60, "allow_unsandboxed": True})
    assert result["cells"][1] == [{"output_type": "stream", "name": "stdout", "text": "all passed\n"}], result
