"""Calls across the wall: one endpoint per side of a pipe pair, speaking :mod:`autograder.wire` messages.

Either side can ask the other to call, iterate or read a public attribute of an object it exported, and serves
the other side's requests while it waits for its own answer, so a student's function can call back a function
the test passed in (a loss, a learning-rate schedule, a recording model) and that callback can call again.

What a call does to its arguments comes back too: an array the student changed in place is changed in the
judge's copy, a random generator's state advances as if the draws had happened there, and a result that *is* one
of the arguments is that argument again. Each side's objects are :class:`~autograder.remote.Remote` proxies on
the other, one per object, and a proxy sent back arrives as the object itself. The judge's side serves only names
without a leading underscore and no operators, and exports no module or class, so nothing of its state is in reach.
"""

import builtins
import inspect
import os
import re
import select
import time
import types
import weakref

import numpy as np

from autograder.effects import merge as _merge, mutable as _mutable, substitute as _substitute
from autograder.remote import Remote, apply_operator
from autograder.wire import HEAD_SIZE, Handle, WireError, dumps, head, loads_body

_EXCEPTIONS = {name: cls for name, cls in vars(builtins).items()
               if isinstance(cls, type) and issubclass(cls, Exception)}
_EXCEPTIONS.update(LinAlgError=np.linalg.LinAlgError, AxisError=np.exceptions.AxisError)
_REMOTE_CLASSES = {}


class RemoteError(Exception):
    """An exception raised on the other side whose type has no counterpart here; its class bears that name."""


class PeerGone(BaseException):
    """The other side ended (it exited, crashed, or broke the protocol). A BaseException, like KeyboardInterrupt:
    a check that catches a student's exceptions must not catch this one."""


class TimedOut(BaseException):
    """The other side did not answer before the deadline."""


def remote_exception(type_name, message, line=""):
    """An exception instance to raise here for one raised there: the builtin of that name, or a RemoteError.

    ``line`` (" (at line 3: `return x / n`)") says where in the student's code it was raised; the checks show it.
    """
    name = re.sub(r"\W", "_", str(type_name))[:60] or "Error"
    exc = None
    cls = _EXCEPTIONS.get(name)
    if cls is not None:
        try:
            exc = cls(message)
        except TypeError:  # UnicodeDecodeError and friends need more arguments
            pass
    if exc is None:
        if name not in _REMOTE_CLASSES:
            _REMOTE_CLASSES[name] = type(name, (RemoteError,), {"__module__": "student"})
        exc = _REMOTE_CLASSES[name](message)
    exc.remote_line = str(line or "")
    return exc


def _parameters(fn):
    """[[name, kind, default text or None]] of a function, so the other side can show its signature."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    return [[p.name, int(p.kind), None if p.default is p.empty else repr(p.default)[:200]]
            for p in sig.parameters.values()]


class Endpoint:
    """One side of the channel. ``guarded``: serve only public attributes, and export no module or class."""

    def __init__(self, rfd, wfd, guarded):
        self.rfd, self.wfd, self.guarded = rfd, wfd, guarded
        self.exports, self._ids = {}, {}
        self._remotes = weakref.WeakValueDictionary()  # their id -> our one live proxy of that object
        self.rngs_sent, self.rngs_received = {}, {}  # id -> Generator: ours that crossed, theirs that arrived
        self._rng_synced = {}  # id -> the state both sides last agreed on, for the generators that arrived
        self.deadline = None  # time.monotonic() value after which a wait raises TimedOut
        self.ops = {"call": self._serve_call, "getattr": self._serve_getattr, "setattr": self._serve_setattr,
                    "iter": lambda m: iter(self._obj(m)), "next": lambda m: next(self._obj(m)),
                    "len": lambda m: len(self._obj(m)), "getitem": lambda m: self._obj(m)[m["v"]],
                    "bool": lambda m: bool(self._obj(m)), "operator": self._serve_operator}

    # ---- exporting and decoding handles
    def export(self, obj):
        """The handle fields naming ``obj``, or just the id if it is a proxy of the other side's own object."""
        if isinstance(obj, Remote):
            if obj._endpoint is not self:  # another channel's (an earlier student process): its id means nothing
                raise WireError(f"{obj!r} belongs to another channel")
            return obj._handle.id
        if self.guarded and isinstance(obj, (types.ModuleType, type)):
            raise WireError(f"a {type(obj).__name__} cannot cross to the student's side")
        hid = self._ids.get(id(obj))
        if hid is None or self.exports.get(hid) is not obj:
            hid = len(self.exports) + 1
            self.exports[hid], self._ids[id(obj)] = obj, hid
        function = isinstance(obj, (types.FunctionType, types.MethodType, type))
        name = getattr(obj, "__name__", "") if function else ""
        return hid, type(obj).__name__, callable(obj), str(name), _parameters(obj) if function else None

    def own(self, hid):
        """Our object that the other side sent back by its id (its proxy went home)."""
        if type(hid) is not int or hid not in self.exports:
            raise WireError(f"no object {hid!r} was shared")
        return self.exports[hid]

    def proxy(self, handle):
        """The one Remote for the object ``handle`` names, so `is`, id() and hashing hold across messages."""
        remote = self._remotes.get(handle.id)
        if remote is None:
            remote = self._remotes[handle.id] = Remote(self, handle)
        return remote

    # ---- random generators: one object per side, their states kept equal at every message
    def share_rng(self, rng):
        for rid, theirs in self.rngs_received.items():
            if theirs is rng:
                return rid, True
        self.rngs_sent[id(rng)] = rng
        return id(rng), False

    def resolve_rng(self, rid, ours, state):
        from autograder.wire import generator

        table = self.rngs_sent if ours else self.rngs_received
        if type(rid) is not int or (ours and rid not in table):
            raise WireError(f"unknown random generator {rid!r}")
        table[rid] = generator(state, table.get(rid))
        if not ours:
            self._rng_synced[rid] = table[rid].bit_generator.state
        return table[rid]

    def _rng_moves(self):
        """[id, state] of each generator that arrived and has drawn since the two sides last agreed."""
        moves = []
        for rid, rng in self.rngs_received.items():
            state = rng.bit_generator.state
            if state != self._rng_synced.get(rid):
                moves.append([rid, state])
                self._rng_synced[rid] = state
        return moves

    def _proxies(self, value):
        if isinstance(value, Handle):
            return self.proxy(value)
        if type(value) is list:
            value[:] = [self._proxies(v) for v in value]
        elif type(value) is dict:  # keys too: a dict keyed by the other side's objects is keyed by their proxies
            items = [(self._proxies(k), self._proxies(v)) for k, v in value.items()]
            value.clear()
            value.update(items)
        elif type(value) is tuple:
            return tuple(self._proxies(v) for v in value)
        return value

    def _obj(self, m):
        try:
            return self.exports[m["h"]]
        except (KeyError, TypeError):
            raise LookupError(f"no object {m.get('h')!r} was shared") from None

    # ---- the pipe
    def send(self, message):
        moves = self._rng_moves()  # a generator that arrived has drawn (perhaps lazily, in a generator function)
        if moves:
            message = {**message, "g": moves}
        data = memoryview(dumps(message, self.export, self.share_rng))
        while data:
            data = data[os.write(self.wfd, data):]

    def _read(self, n):
        chunks, left = [], n
        while left:
            wait = None if self.deadline is None else self.deadline - time.monotonic()
            if wait is not None and (wait <= 0 or not select.select([self.rfd], [], [], wait)[0]):
                raise TimedOut("no answer before the time limit")
            chunk = os.read(self.rfd, min(left, 1 << 20))
            if not chunk:
                raise PeerGone("the other side closed the channel")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def receive(self):
        try:
            total, json_len = head(self._read(HEAD_SIZE))
            message = loads_body(self._read(total), json_len, self.resolve_rng, self.own)
            for rid, state in message.pop("g", None) or []:
                self.resolve_rng(rid, True, state)
        except (WireError, TypeError, ValueError) as exc:
            raise PeerGone(f"the other side sent a malformed message: {exc}") from None
        return self._proxies(message)

    # ---- asking and serving
    def request(self, message):
        """Send ``message`` and serve the other side's requests until the answer to it comes back."""
        self.send(message)
        while True:
            reply = self.receive()
            op = reply.get("op")
            if op == "return":
                return reply
            if op == "raise":
                raise remote_exception(reply.get("type"), str(reply.get("message", "")), reply.get("line", ""))
            self.serve_one(reply)

    def call(self, handle, args, kwargs):
        reply = self.request({"op": "call", "h": handle.id, "a": list(args), "k": dict(kwargs)})
        self.after_call(reply)
        if "a" not in reply:
            return reply.get("v")
        mapping = {}
        for orig, new in zip(args, reply["a"]):
            _merge(orig, new, mapping)
        for key in kwargs.keys() & reply["k"].keys():
            _merge(kwargs[key], reply["k"][key], mapping)
        return _substitute(reply.get("v"), mapping)

    def after_call(self, reply):
        """Hook: what a call printed or warned about (the judge replays it)."""

    def serve_one(self, message):
        op = self.ops.get(message.get("op"))
        try:
            if op is None:
                raise LookupError(f"unknown request {message.get('op')!r}")
            reply = op(message)
            reply = reply if isinstance(reply, dict) and reply.get("op") == "return" else {"op": "return", "v": reply}
        except BaseException as exc:  # noqa: BLE001 (whatever the call raised is the answer)
            if isinstance(exc, (PeerGone, TimedOut)):
                raise
            reply = {"op": "raise", "type": type(exc).__name__, "message": self.describe(exc), "line": self.where(exc)}
        try:
            self.send(reply)
        except WireError as exc:
            self.send({"op": "raise", "type": "TypeError", "message": f"the result cannot be sent back: {exc}"})

    def describe(self, exc):
        return str(exc)

    def where(self, exc):
        return ""

    def _serve_call(self, m):
        fn = self._obj(m)
        args, kwargs = m.get("a", []), m.get("k", {})
        reply = self.invoke(fn, args, kwargs)
        if any(map(_mutable, args)) or any(map(_mutable, kwargs.values())):
            reply.update(a=args, k=kwargs)
        return reply

    def invoke(self, fn, args, kwargs):
        """Run a call the other side asked for; returns the reply (the sandbox adds what it printed)."""
        return {"op": "return", "v": fn(*args, **kwargs)}

    def _serve_getattr(self, m):
        name = str(m.get("n"))
        if self.guarded and name.startswith("_"):
            raise AttributeError(f"{name!r} is not shared")
        return getattr(self._obj(m), name)

    def _serve_operator(self, m):
        if self.guarded:  # the judge's objects are its own: a student's code cannot make it run their operators
            raise TypeError("operators are not applied to the judge's objects")
        return apply_operator(str(m.get("n")), self._obj(m), m.get("v"))

    def _serve_setattr(self, m):
        name = str(m.get("n"))
        if self.guarded and name.startswith("_"):
            raise AttributeError(f"{name!r} cannot be set")
        setattr(self._obj(m), name, m.get("v"))
