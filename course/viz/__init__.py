"""Plain drawing functions: parameters in, a matplotlib ``Figure`` out.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no global state), so tests can call every drawing
function headless and widgets can redraw without leaking figures. ``show(fig)`` displays one in a notebook as PNG.
Topic modules (``course.viz.losses`` ...) hold the drawings for each lesson.
"""

import io

__all__ = ["figure", "show", "to_png", "COLORS"]

# One palette for the whole course (colour-blind safe, from Okabe & Ito).
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def figure(nrows=1, ncols=1, size=(6.4, 4.0), **subplot_kw):
    """A new ``(fig, axes)`` pair that belongs to no pyplot state machine."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(nrows, ncols, subplot_kw=subplot_kw or None)
    return fig, axes


def to_png(fig, dpi=90):
    """The figure rendered to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def show(fig):
    """Display a figure in the notebook as a PNG image (works with any matplotlib backend)."""
    from IPython.display import Image, display

    display(Image(data=to_png(fig)))
