"""Two-dimensional test functions for optimizers, and races of the optimizers across them.

Each :class:`Surface` has ``f(x, y)`` (elementwise, so it can be drawn as contours), ``grad(p)`` for a point
``p = [x, y]``, a default start, its minimum value and plotting limits. ``run(step, surface, start, steps)`` applies
``step(w, dw, state) -> (w, state)`` from ``state = {}`` and returns the path; ``race`` runs every optimizer of
:mod:`course.optim` (or a notebook's own update functions) from the same start.

- ``ravine``: ``f = ½(x²/10 + 10y²)``, an ill-conditioned bowl (curvatures 0.1 and 10: condition number 100).
- ``rosenbrock``: ``(1 − x)² + 100(y − x²)²``, a curved banana-shaped valley, minimum 0 at (1, 1).
- ``saddle``: ``½x² + ¼y⁴ − ½y²``, a saddle at the origin between minima −¼ at (0, ±1).
- ``cliff``: the loss of a one-unit linear RNN ``h_t = w·h_{t−1} + u·x_t`` over 20 steps, against ``(w, u)``; for
  |w| > 1 the gradient grows like w²⁰, the exploding-gradient cliff.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from course import optim

__all__ = ["Surface", "SURFACES", "ravine", "rosenbrock", "saddle", "cliff", "run", "OPTIMIZERS", "reference_fns",
           "make_steps", "race", "final_loss", "final_losses", "format_table"]


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface. ``lr_sgd`` / ``lr_adaptive`` are learning rates that work for the race's defaults."""

    name: str
    f: Callable
    grad: Callable
    start: tuple
    f_min: float
    xlim: tuple
    ylim: tuple
    lr_sgd: float
    lr_adaptive: float
    steps: int
    log_levels: bool = False

    def __call__(self, p):
        return float(self.f(p[0], p[1]))


def _ravine_f(x, y):
    return 0.5 * (x**2 / 10.0 + 10.0 * y**2)


def _ravine_grad(p):
    return np.array([p[0] / 10.0, 10.0 * p[1]])


def _rosen_f(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def _rosen_grad(p):
    x, y = p
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x**2), 200.0 * (y - x**2)])


def _saddle_f(x, y):
    return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2


def _saddle_grad(p):
    return np.array([p[0], p[1] ** 3 - p[1]])


# The RNN's data: 64 random input sequences of length 20; targets made by w* = 0.5, u* = 1.
_T = 20
_XS = np.random.default_rng(0).standard_normal((64, _T))
_Y = (0.5 ** np.arange(_T - 1, -1, -1) * _XS).sum(axis=1)


def _rnn_poly(w):
    """``P(w) = Σ_t w^{T−t} x_t`` per sequence and its derivative, by Horner's rule; w is any shape."""
    w = np.asarray(w, dtype=float)[..., None]
    P = np.zeros(w.shape[:-1] + (len(_XS),))
    dP = np.zeros_like(P)
    for t in range(_T):
        dP = dP * w + P
        P = P * w + _XS[:, t]
    return P, dP


def _cliff_f(x, y):
    P, _ = _rnn_poly(x)
    with np.errstate(over="ignore", invalid="ignore"):
        return 0.5 * np.mean((np.asarray(y, dtype=float)[..., None] * P - _Y) ** 2, axis=-1)


def _cliff_grad(p):
    P, dP = _rnn_poly(p[0])
    r = p[1] * P - _Y  # h_T = u·P(w) − y
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array([np.mean(r * p[1] * dP), np.mean(r * P)])


ravine = Surface("ravine", _ravine_f, _ravine_grad, (-9.0, 1.0), 0.0, (-10, 10), (-1.6, 1.6), 0.12, 0.3, 100)
rosenbrock = Surface("rosenbrock", _rosen_f, _rosen_grad, (-1.2, 1.0), 0.0, (-2, 2), (-1, 3), 1.5e-3, 0.1, 300,
                     log_levels=True)
saddle = Surface("saddle", _saddle_f, _saddle_grad, (-2.0, 1e-5), -0.25, (-2.5, 2.5), (-1.6, 1.6), 0.1, 0.1, 60)
cliff = Surface("cliff", _cliff_f, _cliff_grad, (1.15, 0.3), 0.0, (-0.2, 1.25), (-0.5, 1.5), 0.05, 0.05, 100,
                log_levels=True)
SURFACES = {s.name: s for s in (ravine, rosenbrock, saddle, cliff)}


def run(step, surface, start=None, steps=100, clip=None):
    """Follow ``step(w, dw, state) -> (w, state)`` on ``surface`` from ``start``; returns the path (steps + 1, 2).

    ``clip(dw) -> dw`` optionally transforms each gradient (e.g. norm clipping). Once the point leaves the
    finite numbers the rest of the path is NaN.
    """
    w = np.array(surface.start if start is None else start, dtype=float)
    path = np.full((steps + 1, 2), np.nan)
    path[0] = w
    state = {}
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            g = surface.grad(w)
            if clip is not None:
                g = clip(g)
            w, state = step(w, g, state)
            w = np.asarray(w, dtype=float)
            if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e6:
                break
            path[k] = w
    return path


# --- races ----------------------------------------------------------------------------------------------------------
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW")
_FN_NAMES = ("sgd_update", "momentum_update", "adagrad_update", "rmsprop_update", "adam_update", "adamw_update")


def reference_fns():
    """The reference update functions by name."""
    return {name: getattr(optim, name) for name in _FN_NAMES}


def make_steps(fns=None, lr_sgd=0.01, lr_adaptive=0.01, momentum=0.9, betas=(0.9, 0.999), weight_decay=1e-2,
               names=OPTIMIZERS):
    """``{name: step(w, dw, state) -> (w, state)}`` for each optimizer in ``names``.

    The SGD family shares ``lr_sgd`` (a step is lr × gradient), the adaptive family ``lr_adaptive`` (a step is
    about lr in each coordinate, whatever the gradient's size): the two are in different units.
    """
    f = dict(reference_fns(), **(fns or {}))
    table = {
        "SGD": lambda w, g, s: (f["sgd_update"](w, g, lr_sgd), s),
        "Momentum": lambda w, g, s: f["momentum_update"](w, g, s, lr_sgd, momentum=momentum),
        "Nesterov": lambda w, g, s: f["momentum_update"](w, g, s, lr_sgd, momentum=momentum, nesterov=True),
        "AdaGrad": lambda w, g, s: f["adagrad_update"](w, g, s, lr=lr_adaptive),
        "RMSprop": lambda w, g, s: f["rmsprop_update"](w, g, s, lr=lr_adaptive),
        "Adam": lambda w, g, s: f["adam_update"](w, g, s, lr=lr_adaptive, betas=betas),
        "AdamW": lambda w, g, s: f["adamw_update"](w, g, s, lr=lr_adaptive, betas=betas, weight_decay=weight_decay),
    }
    return {name: table[name] for name in names}


def race(surface, fns=None, names=OPTIMIZERS, lr_sgd=None, lr_adaptive=None, momentum=0.9, betas=(0.9, 0.999),
         start=None, steps=None, max_norm=0.0, clip_fn=None):
    """``{name: path}`` of each optimizer on ``surface`` (a name or a :class:`course.surfaces.Surface`).

    ``max_norm > 0`` clips every gradient's norm first with ``clip_fn`` (default: the reference clip_grad_norm).
    """
    surface = SURFACES[surface] if isinstance(surface, str) else surface
    steps_by_name = make_steps(fns, surface.lr_sgd if lr_sgd is None else lr_sgd,
                               surface.lr_adaptive if lr_adaptive is None else lr_adaptive, momentum, betas,
                               names=names)
    clip = None
    if max_norm and max_norm > 0:
        clip_fn = clip_fn or optim.clip_grad_norm
        clip = lambda g: clip_fn([g], max_norm)[0][0]  # noqa: E731
    n = surface.steps if steps is None else steps
    return {name: run(step, surface, start, n, clip) for name, step in steps_by_name.items()}


def final_loss(surface, path):
    """The loss at the end of ``path``, or NaN when the run left the finite numbers."""
    finite = path[np.all(np.isfinite(path), axis=1)]
    return surface(finite[-1]) if len(finite) == len(path) else float("nan")


def final_losses(fns=None, surfaces=("ravine", "rosenbrock", "saddle"), names=OPTIMIZERS):
    """``{surface: {optimizer: final loss}}`` with each surface's default start, steps and learning rates.

    A run that diverged (left the finite numbers) counts as NaN.
    """
    out = {}
    for sname in surfaces:
        surface = SURFACES[sname]
        out[sname] = {name: final_loss(surface, path) for name, path in race(surface, fns, names).items()}
    return out


def format_table(losses, row_label="surface"):
    """A plain-text table of ``{row: {column: value}}``."""
    cols = list(next(iter(losses.values())))
    lines = [f"{row_label:<12}" + "".join(f"{c:>11}" for c in cols)]
    for row, vals in losses.items():
        lines.append(f"{row:<12}" + "".join(f"{vals[c]:>11.3g}" for c in cols))
    return "\n".join(lines)
