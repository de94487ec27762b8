"""Plain data across the wall between the judge and the student's sandbox, without pickle.

A message is a JSON header plus raw byte buffers (one per array). Only these types cross as values: None, bool,
int, float, complex, str, bytes, list, tuple, dict, NumPy arrays and scalars of numeric, bool or string dtypes, and
NumPy Generators (by state; :mod:`autograder.channel` keeps the two sides' copies in step). Everything else
crosses as a *handle*: a number naming an object that stays on its own side, which the other side can only ask to
call, iterate, read public attributes of or (the student's objects only) apply operators to. A proxy of such an
object sent back to its own side crosses as its id alone and arrives as the object itself (an id that side never
shared is refused). Decoding builds values from JSON and bytes alone, so a message can never run code.

Containers and arrays that appear twice in one message are sent once and referenced, so a function that returns
its own argument is seen to do so.
"""

import json
import struct

import numpy as np

MAX_MESSAGE = 1 << 28  # bytes (256 MiB): a bigger message is refused, not allocated
_DTYPE_KINDS = set("biufcUSmM")
_RNG_CLASSES = {cls.__name__: cls for cls in (np.random.PCG64, np.random.PCG64DXSM, np.random.Philox,
                                               np.random.SFC64, np.random.MT19937)}
_HEAD = struct.Struct("<QQ")  # total length, JSON length
_LEN = struct.Struct("<Q")


class WireError(ValueError):
    """A message that is not well-formed plain data."""


class Handle:
    """A reference to an object that lives on the other side, as decoded; :mod:`channel` turns it into a proxy."""

    __slots__ = ("id", "type", "callable", "name", "params")

    def __init__(self, id, type, callable, name, params=None):
        self.id, self.type, self.callable, self.name, self.params = id, type, callable, name, params


class _Encoder:
    def __init__(self, export, share_rng):
        self.export, self.share_rng, self.buffers, self.memo = export, share_rng, [], {}
        self.alive = []  # memo keys are ids: the objects must outlive the encoding (a temporary's id is reused)

    def __call__(self, x):
        t = type(x)
        if x is None or t in (bool, int, str):
            return x
        if t is float:
            return x if x == x and abs(x) != float("inf") else {"$f": repr(x)}
        if t is complex:
            return {"$c": [self(x.real), self(x.imag)]}
        if t is bytes:
            self.buffers.append(x)
            return {"$b": len(self.buffers) - 1}
        if isinstance(x, np.generic) and x.dtype.kind in _DTYPE_KINDS:
            self.buffers.append(np.asarray(x).tobytes())
            return {"$s": [x.dtype.str, len(self.buffers) - 1]}
        if id(x) in self.memo:
            return {"$r": self.memo[id(x)]}
        self.alive.append(x)
        if t is np.ndarray and x.dtype.kind in _DTYPE_KINDS and not x.dtype.hasobject:
            self.memo[id(x)] = len(self.memo)
            self.buffers.append(np.ascontiguousarray(x).tobytes())
            return {"$a": [x.dtype.str, list(x.shape), len(self.buffers) - 1]}
        if t in (list, tuple, dict):
            self.memo[id(x)] = len(self.memo)
            if t is dict:
                return {"$d": [[self(k), self(v)] for k, v in x.items()]}
            return {"$l" if t is list else "$t": [self(v) for v in x]}
        if t is np.random.Generator and type(x.bit_generator).__name__ in _RNG_CLASSES:
            self.memo[id(x)] = len(self.memo)
            rid, owner = self.share_rng(x)
            return {"$g": [rid, owner, self(x.bit_generator.state)]}
        named = self.export(x)
        if type(named) is int:  # a proxy of one of the receiver's own objects: it goes home by its id
            return {"$o": named}
        return {"$h": list(named)}


class _Decoder:
    def __init__(self, buffers, resolve_rng, resolve_own):
        self.buffers, self.resolve_rng, self.resolve_own, self.memo = buffers, resolve_rng, resolve_own, []

    def buffer(self, i):
        if type(i) is not int or not 0 <= i < len(self.buffers):
            raise WireError(f"buffer index {i!r} out of range")
        return self.buffers[i]

    def __call__(self, x):
        if x is None or type(x) in (bool, int, float, str):
            return x
        if type(x) is not dict or len(x) != 1:
            raise WireError(f"not an encoded value: {str(x)[:80]}")
        (tag, v), = x.items()
        if tag == "$f":
            return float(v) if v in ("nan", "inf", "-inf") else _fail(v)
        if tag == "$c":
            return complex(self(v[0]), self(v[1]))
        if tag == "$b":
            return bytes(self.buffer(v))
        if tag in ("$s", "$a"):
            dtype = _dtype(v[0])
            if tag == "$s":
                return np.frombuffer(self.buffer(v[1]), dtype=dtype, count=1)[0]
            shape = tuple(v[1])
            if not all(type(n) is int and n >= 0 for n in shape):
                raise WireError(f"bad array shape {v[1]!r}")
            data = self.buffer(v[2])
            if len(data) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
                raise WireError(f"array of shape {shape} and dtype {dtype} does not match its {len(data)} bytes")
            arr = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
            self.memo.append(arr)
            return arr
        if tag == "$r":
            if type(v) is not int or not 0 <= v < len(self.memo):
                raise WireError(f"reference {v!r} to nothing")
            return self.memo[v]
        if tag in ("$l", "$t", "$d"):
            return self._container(tag, v)
        if tag == "$g":
            slot = len(self.memo)
            self.memo.append(None)
            rid, owner, state = v[0], v[1], self(v[2])
            rng = self.resolve_rng(rid, bool(owner), state)
            self.memo[slot] = rng
            return rng
        if tag == "$h":
            hid, public_type, is_callable, name, params = v
            return Handle(int(hid), str(public_type), bool(is_callable), str(name), _params(params))
        if tag == "$o":
            return self.resolve_own(v)
        raise WireError(f"unknown tag {tag!r}")

    def _container(self, tag, items):
        if type(items) is not list:
            raise WireError(f"{tag} needs a list")
        if tag == "$t":  # a tuple cannot be filled after creation: it is memoised once complete
            slot = len(self.memo)
            self.memo.append(None)
            out = tuple(self(v) for v in items)
            self.memo[slot] = out
            return out
        out = [] if tag == "$l" else {}
        self.memo.append(out)
        for v in items:
            if tag == "$l":
                out.append(self(v))
            else:
                out[self(v[0])] = self(v[1])
        return out


def _params(params):
    """A function's parameters as [[name, kind, default text or None]], checked to be just that."""
    if params is None:
        return None
    if type(params) is not list or not all(type(p) is list and len(p) == 3 and type(p[0]) is str and
                                           type(p[1]) is int and (p[2] is None or type(p[2]) is str)
                                           for p in params):
        raise WireError("bad parameter list")
    return params


def _fail(v):
    raise WireError(f"bad float {v!r}")


def _dtype(text):
    try:
        dtype = np.dtype(str(text))
    except TypeError:
        raise WireError(f"unknown dtype {text!r}") from None
    if dtype.kind not in _DTYPE_KINDS or dtype.hasobject or dtype.fields:
        raise WireError(f"dtype {text!r} is not plain data")
    return dtype


def generator(state, rng=None):
    """A Generator with ``state`` (a bit generator's state dict), or ``rng`` set to it; WireError if malformed."""
    if type(state) is not dict or state.get("bit_generator") not in _RNG_CLASSES:
        raise WireError("bad random generator state")
    if rng is not None and type(rng.bit_generator).__name__ != state["bit_generator"]:
        raise WireError("random generator state of another kind")
    bitgen = rng.bit_generator if rng is not None else _RNG_CLASSES[state["bit_generator"]]()
    try:
        bitgen.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise WireError(f"bad random generator state: {exc}") from None
    return rng if rng is not None else np.random.Generator(bitgen)


def dumps(message, export, share_rng):
    """Bytes of one message (a dict whose values are encoded); ``export(obj)`` names an object that stays here
    (its handle's fields; an int: the receiver's own object of that id), ``share_rng(generator)`` gives a
    Generator's (id, whether it is the receiver's own)."""
    enc = _Encoder(export, share_rng)
    header = json.dumps({k: enc(v) for k, v in message.items()}, separators=(",", ":")).encode()
    parts = [header]
    for buf in enc.buffers:
        parts += [_LEN.pack(len(buf)), buf]
    body = b"".join(parts)
    return _HEAD.pack(len(body), len(header)) + body


def _unknown_own(hid):
    raise WireError(f"no object {hid!r} was shared")


def loads_body(body, json_len, resolve_rng, resolve_own=_unknown_own):
    """Decode one message body (after its 16-byte head). Raises WireError on anything malformed.
    ``resolve_rng(id, ours, state)`` gives the Generator an encoded one stands for, with that state;
    ``resolve_own(id)`` the object of ours a proxy sent back stands for (WireError if there is none)."""
    try:
        raw = json.loads(body[:json_len])
    except (ValueError, RecursionError) as exc:
        raise WireError(f"message header is not JSON: {str(exc)[:80]}") from None
    buffers, pos = [], json_len
    while pos < len(body):
        (n,) = _LEN.unpack_from(body, pos)
        buffers.append(body[pos + 8:pos + 8 + n])
        pos += 8 + n
    if type(raw) is not dict:
        raise WireError("message is not a dict")
    dec = _Decoder(buffers, resolve_rng, resolve_own)
    try:
        return {str(k): dec(v) for k, v in raw.items()}
    except (RecursionError, TypeError, ValueError, IndexError, struct.error) as exc:
        if isinstance(exc, WireError):
            raise
        raise WireError(f"malformed message: {type(exc).__name__}: {str(exc)[:80]}") from None


def head(data):
    """(body length, JSON length) from a message's first 16 bytes."""
    total, json_len = _HEAD.unpack(data)
    if total > MAX_MESSAGE or json_len > total:
        raise WireError(f"message of {total} bytes refused (limit {MAX_MESSAGE})")
    return total, json_len


HEAD_SIZE = _HEAD.size
