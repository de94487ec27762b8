"""Explorer for 08_autograd: the computational graph of a small expression in x and w, drawn from the student's
own engine, with the value and the gradient on every node (:func:`course.viz.autograd.draw_expression`)."""

from course.viz import autograd as drawings
from course.widgets import dropdown, explorer, slider

__all__ = ["graph_explorer", "EngineFallback", "PRESETS", "describe"]

describe = drawings.describe_failure  # "your mul is not written yet": for a demo cell that stops early

# (label, expression): lesson 02's graph; x and w each used twice; one tensor used twice (named with :=); a neuron;
# a polynomial; log-sum-exp; a division and a relu.
PRESETS = [
    ("lesson 02: y = (x + w)(w + 1)", "(x + w) * (w + 1)"),
    ("x and w each used twice", "(x * w).tanh() * (x * w)"),
    ("one node used twice (h := x·w)", "(h := x * w).tanh() * h"),
    ("a sigmoid neuron", "(w * x + 1).sigmoid()"),
    ("a polynomial: x³ − 2x", "x ** 3 - 2 * x"),
    ("log-sum-exp of x and w", "(x.exp() + w.exp()).log()"),
    ("a ratio through a relu", "(x - w).relu() / (x * x + 1)"),
]


class EngineFallback:
    """Draws an expression with the student's ``tensor`` class, or with the course's while theirs raises; ``note()``
    says which (the explorer's ``borrowing``, as :class:`course.demo.Yours` is for a lesson's functions)."""

    def __init__(self, tensor):
        self.tensor, self.why, self.done = tensor, None, "drawn with"

    def note(self):
        """"" when the last picture was drawn with the student's engine, else one line saying why it was not."""
        return f"ⓘ {self.done} the course's engine: {self.why}" if self.why else ""

    def run(self, build):
        """``build(Tensor)`` with the student's class, or, when that raises, with the course's (and ``note()`` says
        why). A demo cell's computation, where ``draw`` is a picture's."""
        self.why, self.done = None, "computed with"
        try:
            return build(self.tensor)
        except Exception as exc:  # noqa: BLE001 (the student's engine is not finished: the course's stands in)
            theirs = drawings.describe_failure(exc)
            from course.autograd import Tensor

            result = build(Tensor)
            self.why = theirs if theirs.startswith("your ") else f"your engine raised {theirs}"
            return result

    def draw(self, expression, x, w):
        """The figure of ``expression`` at ``x``, ``w``: the student's engine if it can, the course's if theirs
        raises and the course's draws it, else a one-line message (the expression's fault, or both engines')."""
        self.why, self.done = None, "drawn with"
        title = drawings.expression_title(expression, x, w, boxes=False)
        if self.tensor is None:
            return drawings.draw_expression(expression, x, w)
        try:
            return drawings.plot_graph(*drawings.build_expression(expression, x, w, self.tensor),
                                       title=drawings.expression_title(expression, x, w))
        except SyntaxError as exc:
            return drawings.failure_figure(drawings.describe_failure(exc), title)
        except Exception as exc:  # noqa: BLE001 (the student's engine is not finished: try the course's)
            theirs = drawings.describe_failure(exc)
            theirs = theirs if theirs.startswith("your ") else f"your engine raised {theirs}"
        try:
            from course.autograd import Tensor

            Tensor(0.0)  # a stub (the course's engine withheld while 08 is graded) fails here
        except Exception as exc:  # noqa: BLE001
            missing = ("course.autograd cannot be imported" if isinstance(exc, ImportError)
                       else f"course.autograd.Tensor raised {type(exc).__name__}")  # e.g. withheld while graded
            return drawings.failure_figure(f"{theirs}, and the course's engine cannot stand in: {missing}", title)
        try:
            y, names = drawings.build_expression(expression, x, w, Tensor)
        except Exception as exc:  # noqa: BLE001 (the course's fails too: the expression itself is wrong)
            return drawings.failure_figure(drawings.describe_failure(exc), title)
        self.why = theirs
        return drawings.plot_graph(y, names, title=drawings.expression_title(expression, x, w))


def graph_explorer(tensor=None):
    """The graph of a preset expression, or of one typed in the box (in ``x`` and ``w``, with operators and the
    contract's methods: ``(x * w + 1).tanh()``), at the sliders' ``x`` and ``w``, after ``backward()``.

    ``tensor``: the student's ``Tensor`` class, to draw their own engine's values and gradients. Where it raises
    (an operation not written yet), the course's engine draws the picture and a line under it says why; None: the
    course's engine.
    """
    import ipywidgets

    engine = EngineFallback(tensor)

    def draw_graph(preset, typed, x, w):
        return engine.draw(typed if typed.strip() else preset, x, w)

    controls = {
        "preset": dropdown(PRESETS, PRESETS[0][1], "expression"),
        "typed": ipywidgets.Text(value="", placeholder="or type one in x and w, e.g. (x * w + 1).tanh()",
                                 description="yours", continuous_update=False,
                                 style={"description_width": "initial"}, layout=ipywidgets.Layout(width="28em")),
        "x": slider(2.0, -3.0, 3.0, 0.1, "x"),
        "w": slider(1.0, -3.0, 3.0, 0.1, "w"),
    }

    def clear_typed(_change):  # choosing a preset draws it: the typed expression gives way
        controls["typed"].value = ""

    controls["preset"].observe(clear_typed, names="value")
    whose = "your engine" if tensor is not None else "the course's engine"
    return explorer(draw_graph, controls, title=f"The computational graph of y, drawn from {whose}: each node's "
                                                "value and its gradient ∂y/∂(node)", borrowing=engine)
