"""ipywidgets explorers. Each wires controls to a plain drawing function from ``course.viz``.

``explorer(draw, controls)`` is the one piece of wiring: whenever a control changes, ``draw(**values)`` is called and
its figure replaces the previous one in an ``Output``. The returned box keeps ``draw``, ``controls`` and the last
figure (``box.figure``), so tests can move a slider and check that the picture changed.
"""

__all__ = ["explorer", "slider", "int_slider", "dropdown", "checkbox", "select_multiple", "student_functions"]


def _w():
    import ipywidgets

    return ipywidgets


def slider(value, min, max, step, description, readout_format=".2f", **kw):  # noqa: A002 (ipywidgets' names)
    return _w().FloatSlider(value=value, min=min, max=max, step=step, description=description,
                             readout_format=readout_format, continuous_update=False,
                             style={"description_width": "initial"}, **kw)


def int_slider(value, min, max, step, description, **kw):  # noqa: A002
    return _w().IntSlider(value=value, min=min, max=max, step=step, description=description,
                           continuous_update=False, style={"description_width": "initial"}, **kw)


def dropdown(options, value, description, **kw):
    return _w().Dropdown(options=options, value=value, description=description,
                         style={"description_width": "initial"}, **kw)


def checkbox(value, description, **kw):
    return _w().Checkbox(value=value, description=description, indent=False, **kw)


def select_multiple(options, value, description, **kw):
    return _w().SelectMultiple(options=options, value=tuple(value), description=description,
                               style={"description_width": "initial"}, **kw)


def student_functions(fns):
    """An explorer's ``fns`` argument as ``(dict of functions by name, or None; the Yours whose note says what it
    borrowed, or None)``: ``fns`` is a ``course.demo.Yours``, a plain dict, or None (the course's own)."""
    if hasattr(fns, "note"):
        return fns.functions, fns
    return fns, None


def explorer(draw, controls, title=None, borrowing=None):
    """A widget that redraws ``draw(**{name: control.value})`` whenever a control changes.

    Parameters
    ----------
    draw : callable returning a matplotlib Figure.
    controls : dict name -> ipywidget with a ``value``; names are ``draw``'s keyword arguments.
    title : optional HTML line shown above the controls.
    borrowing : optional ``course.demo.Yours`` holding the student's functions that ``draw`` uses; a line under the
        picture says which of them it had to borrow from the course.
    """
    import base64
    import html

    from course.viz import to_png

    w = _w()

    out = w.Output()
    box = w.VBox()

    def render(_change=None):
        from course.demo import DemoNeedsFunction

        try:
            fig = draw(**{name: c.value for name, c in controls.items()})
        except DemoNeedsFunction as exc:  # the student has a function left to write: say which, keep the widget
            out.outputs, note.value = (), html.escape(f"ⓘ {exc}")
            return
        box.figure = fig
        box.renders += 1
        # One assignment replaces the picture in a single update, in a kernel or in a plain test process alike.
        png = base64.b64encode(to_png(fig)).decode("ascii")
        out.outputs = ({"output_type": "display_data", "metadata": {},
                        "data": {"image/png": png, "text/plain": f"<{draw.__name__} figure>"}},)
        note.value = html.escape(borrowing.note()) if borrowing is not None else ""

    header = [w.HTML(f"<b>{title}</b>")] if title else []
    note = w.HTML("")
    box.children = [*header, w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap")), out, note]
    box.add_class("course-explorer")
    box.draw, box.controls, box.output, box.note, box.renders = draw, controls, out, note, 0
    for control in controls.values():
        control.observe(render, names="value")
    render()
    return box
