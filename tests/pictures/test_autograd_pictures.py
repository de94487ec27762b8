"""08's graph drawing and explorer: the lesson-02 graph's numbers on its boxes, a tensor used twice drawn once with an
arrow to each use, any engine with lesson 08's attributes drawn (a small one written here, not the course's), a
picture that reads on both themes, a one-line message instead of an exception, and an explorer that redraws and
draws with the course's engine (saying why) while the student's is unfinished."""

import math
import sys

import numpy as np
import pytest

from course import autograd
from course.viz import autograd as drawings
from course.widgets import autograd as explorers
from themes import reads_on_both_themes

LESSON_02 = "(x + w) * (w + 1)"


class Mini:
    """A minimal engine with lesson 08's attributes, written here: scalars, + and * (numbers on either side), tanh
    and backward. Its ops are called "add" and "mul", so a drawing of it cannot be the course's."""

    def __init__(self, data, requires_grad=False, parents=(), op=""):
        self.data, self.grad, self.parents, self.op = np.asarray(data, dtype=float), None, tuple(parents), op
        self.requires_grad = requires_grad or any(p.requires_grad for p in self.parents)
        self.local_backward = lambda g: ()

    def _made(self, data, parents, op, local_backward):
        out = type(self)(data, parents=parents, op=op)  # a subclass's ops make its own kind
        out.local_backward = local_backward
        return out

    def __add__(self, other):
        other = other if isinstance(other, Mini) else type(self)(other)
        return self._made(self.data + other.data, (self, other), "add", lambda g: (g, g))

    def __mul__(self, other):
        other = other if isinstance(other, Mini) else type(self)(other)
        return self._made(self.data * other.data, (self, other), "mul", lambda g: (g * other.data, g * self.data))

    __radd__, __rmul__ = __add__, __mul__

    def tanh(self):
        out = np.tanh(self.data)
        return self._made(out, (self,), "tanh", lambda g: (g * (1 - out**2),))

    def backward(self):
        order, seen = [], set()

        def visit(t):
            if id(t) not in seen:
                seen.add(id(t))
                for p in t.parents:
                    visit(p)
                order.append(t)

        visit(self)
        pending = {id(self): np.ones_like(self.data)}
        for t in reversed(order):
            g = pending.pop(id(t), None)
            if g is None or not t.requires_grad:
                continue
            t.grad = g
            for p, pg in zip(t.parents, t.local_backward(g)):
                pending[id(p)] = pending.get(id(p), 0.0) + pg


class NoMul(Mini):
    """A student's engine whose ``*`` is not written yet."""

    def __mul__(self, other):
        raise NotImplementedError()


class NoTanhBackward(Mini):
    """A student's engine whose tanh computes its value but not yet its gradient."""

    def tanh(self):
        def _backward(g):
            raise NotImplementedError()

        return self._made(np.tanh(self.data), (self,), "tanh", _backward)


def _boxes(fig):
    """{label: [(x, y, value, grad), ...]}: every node's box, read from the figure's text artists."""
    found = {}
    for t in fig.axes[0].texts:
        lines = t.get_text().split("\n")
        if len(lines) == 3 and lines[1].startswith("value ") and lines[2].startswith("grad "):
            found.setdefault(lines[0], []).append((*t.get_position(), lines[1][6:], lines[2][5:]))
    return found


def _arrows(fig):
    """[(from (x, y), to (x, y))]: every arrow between boxes."""
    return [(tuple(a.xyann), tuple(a.xy)) for a in fig.axes[0].texts if getattr(a, "arrow_patch", None) is not None]


def _all_text(fig):
    return " ".join(t.get_text() for ax in fig.axes for t in [ax.title, *ax.texts])


def _g(v):
    return f"{v:.4g}"


def _boxes_inside_and_apart(fig):
    """Every box and the title lie inside the figure, and no two of them overlap."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    ax = fig.axes[0]
    boxes = [t.get_bbox_patch().get_window_extent() for t in ax.texts if t.get_bbox_patch() is not None]
    boxes.append(ax.title.get_window_extent(canvas.get_renderer()))
    for box in boxes:
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height, box
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), "two boxes overlap"


# ---- the drawing -------------------------------------------------------------------------------------------------
def test_the_lesson_02_graph_shows_y_6_and_gradients_2_and_5_leaves_left_root_right():
    fig = drawings.draw_expression(LESSON_02, x=2.0, w=1.0)
    boxes = _boxes(fig)
    (x,), (w,), (y,) = boxes["x"], boxes["w"], boxes["*"]
    assert (x[2], x[3]) == ("2", "2"), f"x's box should read value 2, grad 2 (∂y/∂x = w + 1), got {x}"
    assert (w[2], w[3]) == ("1", "5"), f"w's box should read value 1, grad 5 (∂y/∂w = 2w + x + 1), got {w}"
    assert (y[2], y[3]) == ("6", "1"), f"y's box should read value 6, grad 1, got {y}"
    assert sorted(b[2:] for b in boxes["+"]) == [("2", "3"), ("3", "2")], boxes["+"]  # x + w = 3, w + 1 = 2
    assert boxes["constant"] == [(0.0, boxes["constant"][0][1], "1", "—")], "the 1 of w + 1 received no gradient"
    columns = [b[0] for bs in boxes.values() for b in bs]
    assert x[0] == w[0] == min(columns) and y[0] == max(columns) and columns.count(max(columns)) == 1
    assert len(_arrows(fig)) == 6 and "y = (x + w) * (w + 1) at x = 2, w = 1" in fig.axes[0].get_title()
    _boxes_inside_and_apart(fig)
    reads_on_both_themes(fig)


@pytest.mark.parametrize("expression", [preset for _, preset in explorers.PRESETS] + [
    "((x * w).tanh() + (w * w).exp()).log() * x + w / x - x", "(x * w).reshape(1, 1) + w"])
def test_every_preset_and_a_bigger_graph_fit_in_the_picture_without_overlaps(expression):
    fig = drawings.draw_expression(expression, x=-1.3, w=2.7)
    assert "x" in _boxes(fig), _all_text(fig)
    _boxes_inside_and_apart(fig)


def test_values_and_gradients_have_four_significant_digits_and_arrays_show_their_shape():
    s = 1 / (1 + math.exp(-3.0))  # σ(w x + 1) at x = 2, w = 1, by hand
    boxes = _boxes(drawings.draw_expression("(w * x + 1).sigmoid()"))
    assert boxes["sigmoid"][0][2:] == (_g(s), "1") and _g(s) == "0.9526"
    assert boxes["x"][0][2:] == ("2", _g(1.0 * s * (1 - s))) and boxes["w"][0][2:] == ("1", _g(2.0 * s * (1 - s)))
    boxes = _boxes(drawings.draw_expression("(x * w).reshape(1, 1) + w"))
    assert boxes["reshape"][0][2:] == ("(1, 1) [2]", "(1, 1) [1]") and boxes["+"][0][2] == "(1, 1) [3]"
    assert boxes["sum"][0][2:] == ("3", "1"), "a result that is not a scalar is summed before backward"
    big = autograd.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (loss := (big * 2).sum()).backward()
    boxes = _boxes(drawings.plot_graph(loss, {id(big): "W"}))
    assert boxes["W"][0][2:] == ("(2, 3) [0, 1, 2, …]", "(2, 3) [2, 2, 2, …]")


@pytest.mark.parametrize("expression,shared,uses", [("(x * w).tanh() * (x * w)", "x", 2),
                                                    ("(h := x * w).tanh() * h", "h = *", 2), ("x * x", "x", 2)])
def test_a_tensor_used_twice_is_one_box_with_an_arrow_to_each_use(expression, shared, uses):
    fig = drawings.draw_expression(expression)
    boxes = _boxes(fig)
    assert len(boxes[shared]) == 1, f"{shared} is drawn {len(boxes[shared])} times"
    namespace = {"x": autograd.Tensor(2.0, requires_grad=True), "w": autograd.Tensor(1.0, requires_grad=True)}
    y = eval(expression, {}, namespace)
    assert sum(map(len, boxes.values())) == len(autograd.topological_order(y)), "one box per tensor"
    where = boxes[shared][0][:2]
    assert sum(start == where for start, _ in _arrows(fig)) == uses
    if expression == "x * x":
        assert boxes["x"][0][3] == "4", "x * x: both uses add up in x's gradient (2x = 4)"


def test_any_engine_with_the_contracts_attributes_is_drawn_with_its_own_ops_and_numbers():
    fig = drawings.draw_expression(LESSON_02, 2.0, 1.0, tensor=Mini)
    boxes = _boxes(fig)
    assert set(boxes) == {"x", "w", "add", "mul", "constant"}, "the drawing shows the engine's own op names"
    assert boxes["mul"][0][2] == "6" and boxes["x"][0][3] == "2" and boxes["w"][0][3] == "5"
    assert "—" not in boxes["add"][0][3], "this engine keeps interior gradients: they are drawn"
    diamond = _boxes(drawings.draw_expression("(x * w).tanh() * (x * w)", tensor=Mini))
    assert len(diamond["x"]) == len(diamond["w"]) == 1 and len(diamond["mul"]) == 3
    expected = np.tanh(2.0) + 2.0 * (1 - np.tanh(2.0) ** 2)  # d/dw [tanh(xw)·xw] at x = 2, w = 1, times x = 2
    assert diamond["w"][0][3] == _g(2.0 * expected)
    reads_on_both_themes(fig)


@pytest.mark.parametrize("expression,says", [
    ("(x + w", "SyntaxError: '(' was never closed"),
    ("z * x", "NameError: name 'z' is not defined"),
    ("2 + 3", "the expression gives 5, not a tensor"),
    ("x.foo()", "AttributeError"),
])
def test_a_bad_expression_draws_a_one_line_message_instead_of_raising(expression, says):
    fig = drawings.draw_expression(expression)
    (text,) = [t.get_text() for t in fig.axes[0].texts]
    assert says in text and "\n" not in text, text
    assert fig.axes[0].get_title().startswith(f"y = {expression} at x = 2")
    reads_on_both_themes(fig)


def test_an_unwritten_operation_is_named_in_the_message():
    fig = drawings.draw_expression(LESSON_02, tensor=NoMul)
    assert "your mul is not written yet" in _all_text(fig)
    fig = drawings.draw_expression("(x * w).tanh()", tensor=NoTanhBackward)
    assert "your tanh's backward is not written yet" in _all_text(fig)


def test_a_graph_too_big_to_read_is_refused_with_a_reason():
    t = autograd.Tensor(1.0, requires_grad=True)
    for _ in range(drawings.MAX_NODES):
        t = t * 1.0
    with pytest.raises(ValueError, match="too many to draw"):
        drawings.plot_graph(t)


# ---- the explorer ------------------------------------------------------------------------------------------------
def test_the_explorer_is_a_widget_box_whose_controls_redraw_the_graph():
    import ipywidgets

    box = explorers.graph_explorer()
    assert isinstance(box, ipywidgets.VBox) and set(box.controls) == {"preset", "typed", "x", "w"}
    assert all(isinstance(c, ipywidgets.ValueWidget) for c in box.controls.values())
    assert box.renders == 1 and _boxes(box.figure)["*"][0][2] == "6" and box.note.value == ""
    assert LESSON_02 in [value for _, value in box.controls["preset"].options]
    first = box.output.outputs[0]["data"]["image/png"]
    box.controls["x"].value = 3.0  # y = (x + w)(w + 1) = 8, ∂y/∂x = w + 1 = 2, ∂y/∂w = 2w + x + 1 = 6
    boxes = _boxes(box.figure)
    assert box.renders == 2 and box.output.outputs[0]["data"]["image/png"] != first
    assert (boxes["*"][0][2], boxes["x"][0][3], boxes["w"][0][3]) == ("8", "2", "6")
    box.controls["typed"].value = "x * w"
    assert box.renders == 3 and set(_boxes(box.figure)) == {"x", "w", "*"} and _boxes(box.figure)["*"][0][2] == "3"
    assert "y = x * w at x = 3, w = 1" in box.figure.axes[0].get_title()
    box.controls["typed"].value = "(x * "
    assert "SyntaxError" in _all_text(box.figure) and box.note.value == ""
    box.controls["preset"].value = "x ** 3 - 2 * x"  # choosing a preset clears the typed expression
    assert box.controls["typed"].value == "" and _boxes(box.figure)["-"][0][2:] == ("21", "1")
    assert _boxes(box.figure)["x"][0][3] == "25", "d/dx (x³ − 2x) = 3x² − 2 = 25 at x = 3"


def test_the_explorer_draws_the_students_engine():
    box = explorers.graph_explorer(Mini)
    assert "mul" in _boxes(box.figure) and box.note.value == ""
    assert "your engine" in box.children[0].value


def test_while_the_students_engine_raises_the_course_draws_it_and_says_why():
    box = explorers.graph_explorer(NoMul)
    boxes = _boxes(box.figure)
    assert "*" in boxes and boxes["*"][0][2] == "6", "drawn with the course's engine"
    assert box.note.value == "ⓘ drawn with the course&#x27;s engine: your mul is not written yet"
    box.controls["typed"].value = "(x + w).tanh() + 1"  # no *: the student's engine draws it, and the note goes
    assert set(_boxes(box.figure)) == {"x", "w", "add", "tanh", "constant"} and box.note.value == ""
    box.controls["typed"].value = "(x + w).foo()"  # neither engine has foo: the expression's fault, no note
    assert "AttributeError" in _all_text(box.figure) and box.note.value == ""
    box = explorers.graph_explorer(NoTanhBackward)
    box.controls["preset"].value = "(x * w).tanh() * (x * w)"
    assert "your tanh&#x27;s backward is not written yet" in box.note.value and "tanh" in _boxes(box.figure)


def test_without_the_course_engine_the_figure_says_what_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "course.autograd", None)  # `import course.autograd` now fails
    box = explorers.graph_explorer(NoMul)
    text = _all_text(box.figure)
    assert "your mul is not written yet" in text and "course.autograd cannot be imported" in text, text
    assert box.note.value == "" and box.renders == 1
    assert "course.autograd" in _all_text(drawings.draw_expression(LESSON_02))
