"""Plain drawing functions: parameters in, a matplotlib ``Figure`` out.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no global state), so tests can call every drawing
function headless and widgets can redraw without leaking figures. ``show(fig)`` displays one in a notebook as PNG.
Topic modules (``course.viz.losses`` ...) hold the drawings for each lesson.
"""

import functools
import io

__all__ = ["figure", "fixed_margins", "show", "to_png", "COLORS", "INK", "THEME"]

# One palette for the whole course (colour-blind safe, from Okabe & Ito), without its black and yellow: each colour
# here reads on JupyterLab's light theme and on its dark one.
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999"]
# Text, axes and reference lines: a grey that reads on white and on JupyterLab's dark background alike.
INK = "#808080"
# Figures are transparent PNGs drawn in that grey, so a plot is neither a white slab in the dark theme nor faint in
# the light one.
THEME = {
    "figure.facecolor": "none", "axes.facecolor": "none", "savefig.facecolor": "none", "savefig.transparent": True,
    "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": INK, "xtick.color": INK, "ytick.color": INK,
    "grid.color": INK, "grid.alpha": 0.3, "legend.facecolor": "none", "legend.edgecolor": INK,
    "legend.framealpha": 0.0,
}


@functools.cache
def _apply_theme():
    """Set the course's look once, before the first figure (matplotlib reads these when an artist is made)."""
    import matplotlib
    from cycler import cycler

    matplotlib.rcParams.update(THEME)
    matplotlib.rcParams["axes.prop_cycle"] = cycler(color=COLORS)


def figure(nrows=1, ncols=1, size=(6.4, 4.0), **subplot_kw):
    """A new ``(fig, axes)`` pair that belongs to no pyplot state machine."""
    from matplotlib.figure import Figure

    _apply_theme()
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(nrows, ncols, subplot_kw=subplot_kw or None)
    return fig, axes


def fixed_margins(fig, axes, left, right, bottom, top, wspace=0.2, hspace=0.2):
    """Give up ``fig``'s constrained layout for fixed margins (in inches) around the grid of ``axes``.

    Constrained layout measures every tick label at each draw; for a figure an explorer redraws on every move that is
    a large share of the time, and a regular grid does not need it.
    """
    import numpy as np

    width, height = fig.get_size_inches()
    fig.set_layout_engine("none")
    np.ravel(axes)[0].get_gridspec().update(left=left / width, right=1 - right / width, bottom=bottom / height,
                                            top=1 - top / height, wspace=wspace, hspace=hspace)
    for ax in np.ravel(axes):
        ax.set_position(ax.get_subplotspec().get_position(fig))


def to_png(fig, dpi=90):
    """The figure rendered to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def show(fig):
    """Display a figure in the notebook as a PNG image (works with any matplotlib backend)."""
    from IPython.display import Image, display

    display(Image(data=to_png(fig)))
