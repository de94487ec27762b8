"""The plain-data channel between the judge and the student's process (autograder.wire, autograder.channel).

Two endpoints over real pipes, the student's side served from a thread (``pair`` in conftest.py): values
round-trip exactly, a call's effect on its arguments comes back, random generators stay in step, exceptions keep
their type and the student's line, and nothing that is not plain data is ever decoded into an object that runs code.
"""

import json
import os
import struct

import numpy as np
import pytest

from autograder import wire
from autograder.channel import RemoteError, TimedOut


VALUES = [None, True, 0, -7, 2**80, 1.5, float("inf"), -0.0, 1 + 2j, "ü", b"\x00\xff",
          np.arange(6.0).reshape(2, 3), np.array([1, 2], dtype=np.int8), np.float32(0.1), np.int64(3),
          np.zeros((0, 3), np.float32), np.array(["a", "bc"]), np.array([True, False]),
          [1, (2, 3.0), {"k": [np.ones(2)]}], (), {1: "int key", (1, 2): "tuple key"}]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_round_trip_exactly(pair, value):
    judge, share = pair
    echo = share("echo", lambda x: x)
    got = echo(value)
    assert type(got) is type(value)
    if isinstance(value, np.ndarray):
        assert got.dtype == value.dtype and got.shape == value.shape and np.array_equal(got, value)
    elif isinstance(value, np.generic):
        assert got.dtype == value.dtype and got == value
    else:
        assert repr(got) == repr(value)


def test_nan_and_identity_inside_one_message(pair):
    judge, share = pair
    a = np.ones(3)
    got = share("echo", lambda x: x)([a, a, float("nan")])
    assert got[0] is got[1] and np.isnan(got[2])


def test_in_place_changes_and_returned_arguments_come_back(pair):
    judge, share = pair

    def step(w, dw, state, lr=0.1):
        w -= lr * dw  # in place: a mistake the checks must see
        state["step"] = state.get("step", 0) + 1
        return w, state

    w, state = np.ones(2), {}
    result = share("step", step)(w, np.ones(2), state)
    assert np.allclose(w, 0.9), "the judge's array was changed as the student's was"
    assert result[0] is w and result[1] is state and state == {"step": 1}
    share("step", step)(w, np.ones(2), state)
    assert state["step"] == 2  # an int is compared by value, never mistaken for another object


def test_random_generators_stay_in_step_even_when_drawn_lazily(pair):
    judge, share = pair

    def batches(n, rng):
        for _ in range(3):
            yield rng.permutation(n)

    rng, twin = np.random.default_rng(5), np.random.default_rng(5)
    got = list(share("batches", batches)(4, rng))
    want = [twin.permutation(4) for _ in range(3)]
    assert all(np.array_equal(g, w) for g, w in zip(got, want))
    assert rng.random() == twin.random(), "the judge's generator advanced as far as the student drew"
    got = list(share("batches", batches)(4, rng))  # a second epoch: new orders, not a replay of the first
    assert all(np.array_equal(g, twin.permutation(4)) for g in got)


def test_callbacks_run_on_the_judges_side(pair):
    judge, share = pair
    calls = []

    def loss(x):
        calls.append(x)
        return float(np.sum(x ** 2))

    def descend(f, x0, steps):
        return [f(x0 * k) for k in range(steps)]

    assert share("descend", descend)(loss, np.array([1.0, 2.0]), 3) == [0.0, 5.0, 20.0]
    assert len(calls) == 3


def test_a_students_function_shows_its_own_signature(pair):
    import inspect

    judge, share = pair

    def huber_forward(y_pred, y, delta=1.0, *rest, scale=np.float64(2), **extra):
        return 0.0

    proxy = share("huber", huber_forward)
    assert str(inspect.signature(proxy)) == str(inspect.signature(huber_forward))
    assert proxy.__name__ == "huber_forward"


def test_exceptions_keep_their_type_and_the_students_line(pair):
    judge, share = pair

    def broken(x):
        return x / 0

    with pytest.raises(ZeroDivisionError, match="division by zero"):
        share("broken", broken)(1)

    class Custom(Exception):
        pass

    def custom():
        raise Custom("mine")

    with pytest.raises(RemoteError) as info:
        share("custom", custom)()
    assert type(info.value).__name__ == "Custom" and str(info.value) == "mine"

    def leave():
        raise SystemExit(3)

    with pytest.raises(RemoteError):  # never a real SystemExit in the judge
        share("leave", leave)()


def test_the_judge_shares_no_private_attribute_module_or_class(pair):
    judge, share = pair

    class Model:
        def __init__(self):
            self.lr, self._log = 0.1, ["secret"]

        def step(self):
            return self.lr

    def probe(model, fn):
        out = {"lr": model.lr, "step": model.step()}
        try:
            model._log
            out["_log"] = "reached"
        except AttributeError:
            out["_log"] = "refused"
        out["own state"] = "secret" in repr(vars(model)) + repr(type(model).__dict__)
        try:
            fn.__globals__
            out["globals"] = "reached"
        except AttributeError:
            out["globals"] = "refused"
        model.lr = 0.5
        return out

    model = Model()
    assert share("probe", probe)(model, test_the_judge_shares_no_private_attribute_module_or_class) == {
        "lr": 0.1, "step": 0.1, "_log": "refused", "own state": False, "globals": "refused"}
    assert model.lr == 0.5 and model._log == ["secret"]
    with pytest.raises(wire.WireError, match="a module cannot cross"):
        share("echo", lambda x: x)(os)


def test_a_hanging_call_times_out(pair):
    import time

    judge, share = pair
    nap = share("nap", lambda: time.sleep(1))
    judge.deadline = time.monotonic() + 0.2
    with pytest.raises(TimedOut):
        nap()


def _message(header, *buffers):
    body = json.dumps(header).encode()
    parts = [body] + [struct.pack("<Q", len(b)) + b for b in buffers]
    data = b"".join(parts)
    return wire.loads_body(data, len(body), lambda *a: None)


@pytest.mark.parametrize("header, buffers, words", [
    ({"v": {"$a": ["|O", [1], 0]}}, [b"\x00" * 8], "not plain data"),
    ({"v": {"$a": ["<f8", [3], 0]}}, [b"\x00" * 8], "does not match"),
    ({"v": {"$a": ["<f8", [-1], 0]}}, [b""], "bad array shape"),
    ({"v": {"$x": 1}}, [], "unknown tag"),
    ({"v": {"$r": 5}}, [], "reference"),
    ({"v": {"$b": 3}}, [], "out of range"),
    ({"v": [1, 2]}, [], "not an encoded value"),
    ({"v": {"$a": ["[('a', '<f8')]", [1], 0]}}, [b"\x00" * 8], "dtype"),
    ({"v": {"$h": [1, "function", True, "f", [["x", "kind", None]]]}}, [], "bad parameter list"),
    ({"v": {"$o": 1}}, [], "no object 1 was shared"),  # a proxy sent home needs a receiver that shared it
])
def test_malformed_messages_are_refused_not_decoded(header, buffers, words):
    with pytest.raises(wire.WireError, match=words):
        _message(header, *buffers)


def test_oversized_messages_are_refused_before_allocation():
    with pytest.raises(wire.WireError, match="refused"):
        wire.head(struct.pack("<QQ", wire.MAX_MESSAGE + 1, 10))


def test_the_channel_never_uses_pickle():
    import autograder.channel
    import autograder.remote
    import autograder.student

    for module in (wire, autograder.channel, autograder.remote, autograder.student):
        source = open(module.__file__).read()
        assert "pickle" not in source.replace("without pickle", "").replace("no pickle", ""), module.__name__
