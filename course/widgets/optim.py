"""Explorers for 05_optimizers: an optimizer race on 2-D surfaces and a learning-rate schedule plotter.

Both take the notebook's own functions: a ``course.demo.Yours`` (``yours(sgd_update, momentum_update, ...)``), whose
note under the picture says which of them had to be borrowed from the course, or a plain dict by name.
"""

from course import surfaces
from course.viz import optim as drawings
from course.widgets import checkbox, dropdown, explorer, int_slider, select_multiple, slider, student_functions

__all__ = ["race_explorer", "schedule_explorer"]

# β₂ on either side of Adam's default 0.999: shorter memories down to 0.9, longer ones up to 0.99999.
BETA2_CHOICES = (0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999)


def _log_slider(value, min_exp, max_exp, description):
    import ipywidgets

    return ipywidgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=0.1,
                                     description=description, readout_format=".2g", continuous_update=False,
                                     style={"description_width": "initial"})


def _selection_slider(options, value, description):
    import ipywidgets

    return ipywidgets.SelectionSlider(options=list(options), value=value, description=description,
                                      continuous_update=False, style={"description_width": "initial"})


def race_explorer(fns=None):
    """Race the optimizers on a surface; choosing a surface resets the start and learning rates to its defaults.

    ``fns`` (optional): your update functions, as ``yours(sgd_update, momentum_update, ...)`` or a dict such as
    ``{"adam_update": adam_update}``; the course's own for the others.
    """
    fns, borrowing = student_functions(fns)
    s = surfaces.ravine
    controls = {
        "surface": dropdown(list(surfaces.SURFACES), "ravine", "surface"),
        "optimizers": select_multiple(surfaces.OPTIMIZERS, ("SGD", "Momentum", "RMSprop", "Adam"), "optimizers",
                                      rows=7),
        "lr_sgd": _log_slider(s.lr_sgd, -4, 0, "lr (SGD, momentum)"),
        "lr_adaptive": _log_slider(s.lr_adaptive, -3, 0, "lr (adaptive)"),
        "momentum": slider(0.9, 0.0, 0.99, 0.01, "momentum μ"),
        "beta1": slider(0.9, 0.0, 0.99, 0.01, "Adam β₁"),
        "beta2": _selection_slider(BETA2_CHOICES, 0.999, "Adam β₂"),
        "start_x": slider(s.start[0], *s.xlim, 0.05, "start x"),
        "start_y": slider(s.start[1], *s.ylim, 0.05, "start y", readout_format=".3g"),
        "steps": int_slider(s.steps, 10, 500, 10, "steps"),
        "max_norm": slider(0.0, 0.0, 5.0, 0.25, "clip norm (0 = off)"),
    }

    resetting = []

    def reset(change):
        # Runs before the explorer's own redraw (registered first): the sliders jump to the new surface's defaults
        # while the redraws they trigger are skipped, then the explorer draws once.
        new = surfaces.SURFACES[change["new"]]
        resetting.append(True)
        for key, lim, value in (("start_x", new.xlim, new.start[0]), ("start_y", new.ylim, new.start[1])):
            c = controls[key]
            c.min, c.max = min(lim[0], c.min), max(lim[1], c.max)
            c.value = value
            c.min, c.max = lim
        controls["lr_sgd"].value = new.lr_sgd
        controls["lr_adaptive"].value = new.lr_adaptive
        controls["steps"].value = new.steps
        resetting.clear()

    def plot_race(**kw):
        if resetting:
            from matplotlib.figure import Figure

            return Figure(figsize=(0.2, 0.2))
        return drawings.plot_race(fns=fns, **kw)

    controls["surface"].observe(reset, names="value")
    return explorer(plot_race, controls, title="Optimizer race: same start, same number of steps",
                    borrowing=borrowing)


def schedule_explorer(fns=None, step_lr=None, cosine_annealing_lr=None):
    """StepLR and CosineAnnealingLR against the epoch, drawn with your schedule functions (default: the course's).

    ``fns``: ``yours(step_lr, cosine_annealing_lr)`` or a dict by name; or give the functions as keywords.
    """
    fns, borrowing = student_functions(fns)
    fns = dict(fns or {})
    fns.update({k: v for k, v in (("step_lr", step_lr), ("cosine_annealing_lr", cosine_annealing_lr)) if v is not None})

    def plot_schedules(**kw):
        return drawings.plot_schedules(**kw, **fns)

    return explorer(plot_schedules, {
        "lr0": slider(0.1, 0.01, 1.0, 0.01, "lr0"),
        "epochs": int_slider(100, 10, 300, 10, "epochs"),
        "step_size": int_slider(30, 1, 100, 1, "StepLR step_size"),
        "gamma": slider(0.1, 0.05, 0.95, 0.05, "StepLR γ"),
        "T_max": int_slider(100, 10, 300, 10, "cosine T_max"),
        "eta_min": slider(0.0, 0.0, 0.05, 0.001, "cosine eta_min", readout_format=".3f"),
        "log": checkbox(False, "log scale"),
    }, title="Learning-rate schedules", borrowing=borrowing)
