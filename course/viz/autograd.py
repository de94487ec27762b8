"""Drawings for 08_autograd: the computational graph behind a tensor, with the value and the gradient on each node.

The drawing reads any engine that keeps lesson 08's attributes (``.data``, ``.grad``, ``.parents``, ``.op``,
``.requires_grad``), so it draws the student's own engine as well as :mod:`course.autograd`. Leaves sit on the left,
the tensor drawn on the right, and every other node one column right of its furthest parent; a tensor used twice
is drawn once, with an arrow to each use.
"""

import os
import warnings

import numpy as np

from course.dag import topological_order
from course.viz import COLORS, INK, figure, fixed_margins

__all__ = ["plot_graph", "draw_expression", "build_expression", "expression_title", "describe_failure",
           "failure_figure", "MAX_NODES"]

MAX_NODES = 60  # more boxes than this would not be readable on one picture
_FONT = 8.5  # points, the boxes' text
_CHAR = 0.072  # inches, the width of an average character at _FONT
_LINE = 0.165  # inches, the height of a line at _FONT
_MAX_SIZE = (13.0, 9.0)  # inches: a bigger graph is drawn smaller
_LEAF, _CONSTANT, _OP, _ROOT = COLORS[0], INK, COLORS[2], COLORS[1]


def _parents(node):
    return tuple(getattr(node, "parents", None) or ())


def _number(v):
    return f"{float(v):.4g}"


def _show(a):
    """A scalar as a number (4 significant digits); an array as its shape and its first few entries."""
    a = np.asarray(a)
    if a.ndim == 0:
        return _number(a)
    head = ", ".join(_number(v) for v in a.ravel()[:3]) + (", …" if a.size > 3 else "")
    return f"{a.shape} [{head}]"


def _label(node, names):
    name, op = names.get(id(node)), str(getattr(node, "op", "") or "")
    if not _parents(node):
        return name or ("leaf" if node.requires_grad else "constant")
    op = op or "?"
    return f"{name} = {op}" if name else op


def _columns(order, names):
    """Each node's column: leaves at 0, an operation one right of its furthest parent, and a constant (a leaf that
    needs no gradient and has no name) just left of its first use, so its arrow stays short."""
    col, uses = {}, {id(n): [] for n in order}
    for node in order:
        ps = _parents(node)
        col[id(node)] = 1 + max(col[id(p)] for p in ps) if ps else 0
        for p in ps:
            uses[id(p)].append(node)
    for node in order:
        if not _parents(node) and id(node) not in names and not node.requires_grad and uses[id(node)]:
            col[id(node)] = max(0, min(col[id(u)] for u in uses[id(node)]) - 1)
    return col, uses


def _rows(order, col, uses):
    """The nodes of each column, top to bottom: a few sweeps that put each node level with its neighbours."""
    n_cols = max(col.values()) + 1
    columns = [[n for n in order if col[id(n)] == c] for c in range(n_cols)]
    y = {}

    def place():
        for column in columns:
            for i, n in enumerate(column):
                y[id(n)] = (len(column) - 1) / 2 - i

    def mean(nodes, default):
        return np.mean([y[id(m)] for m in nodes]) if nodes else default

    place()
    for _ in range(2):
        for c in range(1, n_cols):  # left to right, by parents
            columns[c].sort(key=lambda n: -mean(_parents(n), y[id(n)]))
            place()
        for c in range(n_cols - 2, -1, -1):  # right to left, by uses
            columns[c].sort(key=lambda n: -mean(uses[id(n)], y[id(n)]))
            place()
    return columns, y


def _bend(start, end, boxes, top):
    """The ``rad`` of matplotlib's ``arc3`` (0: straight) for an arrow from ``start`` to ``end`` (inches) that
    crosses the fewest of the ``boxes`` (rows of x, y, half width, half height) and stays within ``±top`` of the
    middle."""
    (x1, y1), (x2, y2) = start, end
    t = np.linspace(0.1, 0.9, 33)[:, None]
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    best = (np.inf, 0.0)
    for rad in (0.0, 0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4):
        control = np.array([(x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)])
        curve = (1 - t) ** 2 * np.array(start) + 2 * t * (1 - t) * control + t ** 2 * np.array(end)
        inside = ((abs(curve[:, :1] - boxes[:, 0]) < boxes[:, 2]) & (abs(curve[:, 1:] - boxes[:, 1]) < boxes[:, 3]))
        crossed = inside.any(axis=0).sum()
        if np.abs(curve[:, 1]).max() <= top and crossed < best[0]:
            best = (crossed, rad)
    return best[1]


def plot_graph(root, names=None, title=None):
    """The computational graph that ``root`` depends on, left to right: leaves on the left, ``root`` on the right.

    Each node is a box with its operation (a leaf: its name from ``names``, a dict ``id(tensor) -> "x"``, else
    "leaf" or "constant"), its value and its gradient (``grad —`` where none arrived); scalars as numbers with four
    significant digits, arrays as their shape and first entries. Arrows go from each parent to the tensor made from
    it; a tensor used twice is one box with two arrows. Only ``.data``, ``.grad``, ``.parents``, ``.op`` and
    ``.requires_grad`` are read, so the student's engine draws as well as the course's.
    """
    from matplotlib.colors import to_rgb

    names = dict(names or {})
    order = topological_order(root, lambda node: reversed(_parents(node)))
    if len(order) > MAX_NODES:
        raise ValueError(f"the graph has {len(order)} nodes: too many to draw (plot_graph draws at most {MAX_NODES})")
    col, uses = _columns(order, names)
    columns, y = _rows(order, col, uses)
    texts = {id(n): "\n".join((_label(n, names), f"value {_show(n.data)}",
                               "grad —" if n.grad is None else f"grad {_show(n.grad)}")) for n in order}
    widths = {k: max(len(line) for line in t.split("\n")) * _CHAR + 0.2 for k, t in texts.items()}  # inches
    step_x = max(widths.values()) + 0.6  # inches between columns: the widest box and room for an arrow
    step_y = 3 * _LINE * 1.3 + 0.35
    rows = max(len(c) for c in columns) + 0.3  # a little room above and below for bent arrows
    title = title or f"Computational graph: {len(order)} nodes, each with its value and grad = ∂(output)/∂(node)"
    width = max(len(columns) * step_x, len(title) * 0.075 + 0.4, 4.0)
    height = rows * step_y + 0.5
    scale = min(1.0, _MAX_SIZE[0] / width, _MAX_SIZE[1] / height)
    fig, ax = figure(size=(width * scale, height * scale))
    fixed_margins(fig, ax, left=0.0, right=0.0, bottom=0.0, top=0.5 * scale)
    ax.axis("off")
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(-rows / 2, rows / 2)
    inches = (width / len(columns), step_y)  # of one unit along x and along y, before scaling
    centre = {k: (col[k] * inches[0], y[k] * inches[1]) for k in col}
    half = {k: (widths[k] / 2 + 0.05, 3 * _LINE * 1.3 / 2 + 0.1) for k in col}
    boxes = {}
    for node in order:
        color = (_ROOT if node is root else _OP if _parents(node) else _LEAF if node.requires_grad else _CONSTANT)
        boxes[id(node)] = ax.text(
            col[id(node)], y[id(node)], texts[id(node)], ha="center", va="center", fontsize=_FONT * scale,
            color=INK, linespacing=1.3, gid=f"node {len(boxes)}", zorder=3,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": (*to_rgb(color), 0.12), "edgecolor": color,
                  "linewidth": 1.4, "linestyle": "-" if _parents(node) or node.requires_grad else "--"})
    for node in order:
        ps = _parents(node)
        for k, parent in enumerate(ps):
            others = [centre[i] + half[i] for i in centre if i not in (id(node), id(parent))]
            rad = _bend(centre[id(parent)], centre[id(node)], others, rows / 2 * step_y)
            same = [i for i, p in enumerate(ps) if p is parent]  # x * x: two arrows from x, bent apart
            rad += 0.0 if len(same) == 1 else 0.35 * (same.index(k) - (len(same) - 1) / 2)
            ax.annotate("", xy=(col[id(node)], y[id(node)]), xytext=(col[id(parent)], y[id(parent)]), zorder=2,
                        arrowprops={"arrowstyle": "-|>", "color": INK, "lw": 1.1, "shrinkA": 3, "shrinkB": 3,
                                    "patchA": boxes[id(parent)].get_bbox_patch(),
                                    "patchB": boxes[id(node)].get_bbox_patch(),
                                    "connectionstyle": f"arc3,rad={rad:g}"})
    ax.set_title(title, fontsize=10 * max(scale, 0.8), color=INK)
    return fig


def build_expression(expression, x=2.0, w=1.0, tensor=None):
    """``(y, names)``: the tensor ``expression`` (a string in ``x`` and ``w``, e.g. ``"(x + w) * (w + 1)"``) gives
    with ``x`` and ``w`` leaves of the class ``tensor`` (None: :class:`course.autograd.Tensor`) that require a
    gradient, after ``y.backward()`` (on ``y.sum()`` when ``y`` is not a scalar); ``names`` maps ``id`` of x, w (and
    of any tensor the expression names with ``:=``) to its name. Raises whatever the expression or the engine raises.
    """
    if tensor is None:
        from course.autograd import Tensor as tensor
    code = compile(expression, "<expression>", "eval")
    x, w = tensor(float(x), requires_grad=True), tensor(float(w), requires_grad=True)
    namespace = {"x": x, "w": w}
    with warnings.catch_warnings(), np.errstate(all="ignore"):  # log(-1) is drawn as nan, not warned about
        warnings.simplefilter("ignore")
        y = eval(code, {"__builtins__": {}}, namespace)  # the student's own expression, in the student's kernel
        if not (hasattr(y, "data") and hasattr(y, "parents")):
            raise TypeError(f"the expression gives {y!r}, not a tensor: use x or w in it")
        if np.ndim(y.data) != 0:
            y = y.sum()
        y.backward()
    names = {id(v): k for k, v in namespace.items() if hasattr(v, "parents")}
    return y, names


_OPERATORS = {"add": "add", "sub": "sub", "mul": "mul", "truediv": "div", "matmul": "matmul", "neg": "neg",
              "pow": "pow"}


def _word(part):
    """``__rmul__`` -> "mul", ``_backward`` -> "backward", a lambda -> "backward" (an operation's deferred part)."""
    if part.startswith("<"):
        return "backward"
    core = part.strip("_")
    if part.startswith("__") and part.endswith("__"):
        return _OPERATORS.get(core) or _OPERATORS.get(core.removeprefix("r")) or core
    return core


def _theirs(exc):
    """Which of the engine author's functions raised ``exc``: the innermost frame outside the course, the standard
    library, installed packages and the expression itself, named without its class ("mul" for ``Tensor.__rmul__``,
    "mul's backward" for a function defined inside it); None when no such frame is in the traceback."""
    course = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    stdlib = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
    name, tb = None, exc.__traceback__
    while tb is not None:
        code, tb = tb.tb_frame.f_code, tb.tb_next
        path = os.path.abspath(code.co_filename)
        if not (path.startswith((course, stdlib)) or "site-packages" in path or code.co_filename.startswith("<")):
            name = code.co_qualname
    parts = [p for p in (name or "").split(".") if p and p != "<locals>"]
    while len(parts) > 1 and parts[0][:1].isupper():  # a method: leave its class out
        parts.pop(0)
    if not parts or parts == ["<lambda>"]:
        return None
    return _word(parts[0]) + (f"'s {_word(parts[-1])}" if len(parts) > 1 else "")


def describe_failure(exc):
    """One line that says what went wrong: "your mul is not written yet", "SyntaxError: '(' was never closed"..."""
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg}" + (f" (at character {exc.offset})" if exc.offset else "")
    where = _theirs(exc)
    if isinstance(exc, NotImplementedError):
        return f"your {where or 'engine'} is not written yet"
    text = (str(exc).strip().splitlines() or [""])[0][:100]
    said = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"your {where} raised {said}" if where else said


def failure_figure(message, title=None):
    """A small figure that says ``message`` (one line) under ``title``, in place of a graph that could not be drawn."""
    message = message if len(message) <= 130 else message[:129] + "…"
    fig, ax = figure(size=(max(6.0, len(message) * 0.068 + 0.6), 1.5))
    fixed_margins(fig, ax, left=0.0, right=0.0, bottom=0.0, top=0.45)
    ax.axis("off")
    ax.text(0.5, 0.5, f"✗ {message}", ha="center", va="center", fontsize=9, color=COLORS[1], transform=ax.transAxes)
    ax.set_title(title or "Nothing to draw", fontsize=10, color=INK)
    return fig


def expression_title(expression, x, w, boxes=True):
    """The title of an expression's graph: the expression and where it is evaluated (``boxes``: and how to read a
    box)."""
    where = f"y = {expression.strip()} at x = {x:g}, w = {w:g}"
    return where + (": each box has its value and grad = ∂y/∂(box)" if boxes else "")


def draw_expression(expression, x=2.0, w=1.0, tensor=None):
    """The graph of ``expression`` (see :func:`build_expression`) at ``x`` and ``w``, after ``backward()``, with
    x and w named. Whatever goes wrong (a syntax error, an operation the engine does not have yet) is drawn as a
    one-line message instead of raised."""
    try:
        y, names = build_expression(expression, x, w, tensor)
        return plot_graph(y, names, expression_title(expression, x, w))
    except Exception as exc:  # noqa: BLE001 (a picture that says what went wrong)
        return failure_figure(describe_failure(exc), expression_title(expression, x, w, boxes=False))
