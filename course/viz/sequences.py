"""Drawings for 07_sequences: gradients through time, a run rescued by clipping, and the CTC lattice of one example.

Each is a plain function (parameters in, a ``Figure`` out) on the experiments of
:mod:`course.examples.through_time`; the functions those run are arguments (``fns``), so a picture can be drawn with
the student's own. Figures use fixed margins: the explorers redraw them on every move.
"""

import numpy as np

from course.examples import through_time as experiments
from course.viz import COLORS, INK, figure, fixed_margins
from course.viz.gradients import _integer_ticks, _plain_log

__all__ = ["plot_gradient_through_time", "plot_clipping_rescue", "plot_ctc_lattice", "row_labels", "BLANK"]

BLANK = "∅"
# One colour per spectral radius of the lesson's set (another ρ takes the first); the LSTM's is its own.
_RHO_COLORS = dict(zip(experiments.RHOS, (COLORS[5], COLORS[0], COLORS[6], COLORS[4], COLORS[3])))
_LSTM_COLOR = COLORS[1]


def _positive(values):
    """Values a log axis can show: 0 (an underflow) and inf (an overflow) become gaps."""
    v = np.asarray(values, dtype=float)
    return np.where((v > 0) & np.isfinite(v), v, np.nan)


def _log_y(ax, values, top=None):
    """Log y-axis over ``values`` (capped at ``top``), labelled in plain text with about six ticks."""
    v = _positive(np.concatenate([np.ravel(x) for x in values]))
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.1, 10.0)
    hi = min(hi, top) if top else hi
    lo, hi = lo / 2.0, max(hi * 2.0, lo * 10.0)
    ax.set_yscale("log")
    ax.set_ylim(lo, hi)
    _plain_log(ax, "y", every=max(1, int(np.ceil(np.log10(hi / lo) / 6))))


def _label_left_ends(ax, ends, gap=0.045):
    """Small ink labels just right of the y-axis at each thin line's start, skipping one that would touch the last."""
    low, high = np.log10(ax.get_ylim())
    placed = []
    for text, value in sorted(ends.items(), key=lambda item: -item[1] if np.isfinite(item[1]) else np.inf):
        if not (value > 0 and np.isfinite(value)):
            continue
        y = (np.log10(value) - low) / (high - low)
        above = y < 0.94  # above its line, or below it at the top of the frame
        middle = y + (0.03 if above else -0.03)  # of the label, about 0.035 of the axes high
        if 0.0 <= y <= 1.0 and all(abs(middle - other) >= gap for other in placed):
            ax.text(0.01, y + (0.012 if above else -0.012), text, transform=ax.transAxes, fontsize=7, color=INK,
                    va="bottom" if above else "top")
            placed.append(middle)


def plot_gradient_through_time(rhos=experiments.RHOS, cells=("rnn", "lstm"), T=100, input_scale=0.3, forget_bias=1.0,
                               fns=None, results=None, context=()):
    """``‖∂L/∂h_t‖`` against the step t (log scale) for a loss on the last state
    (:func:`course.examples.through_time.gradient_through_time`): with ``"rnn"`` in ``cells``, a line per spectral
    radius ρ in ``rhos`` of the tanh RNN's ``W_hh``; with ``"lstm"``, the LSTM's (forget-gate bias ``forget_bias``).

    ``fns``: the cell functions to use (e.g. ``yours(rnn_cell_forward, ...)``), the course's for any not given.
    ``results``: a ``gradient_through_time`` dict to draw instead of computing one (it must hold every ρ drawn).
    ``context``: more ρ drawn thin, for comparison. With one ρ drawn, a dotted line shows ``ρ^(T−1−t)``, the linear
    regime.
    """
    rhos, lstm = (tuple(rhos) if "rnn" in cells else ()), "lstm" in cells
    everything = tuple(dict.fromkeys((*rhos, *context)))
    r = results or experiments.gradient_through_time(everything, lstm, T, input_scale, forget_bias, fns=fns)
    t = np.arange(T)
    fig, ax = figure(size=(7.6, 4.4))
    fixed_margins(fig, ax, left=0.8, right=2.45, bottom=0.55, top=0.5)
    drawn, thin = [], [rho for rho in context if rho not in rhos]
    for rho in thin:
        ax.plot(t, _positive(r["rnn"][rho]), color=INK, lw=0.8, alpha=0.55)
        drawn.append(r["rnn"][rho])
    for k, rho in enumerate(rhos):
        color = _RHO_COLORS.get(rho, COLORS[k % len(COLORS)])
        ax.plot(t, _positive(r["rnn"][rho]), color=color, lw=2.0,
                label=f"tanh RNN, ρ = {rho:g}\n(mean |h| {r['mean_abs_h'][rho]:.2g})")
        drawn.append(r["rnn"][rho])
    if len(rhos) == 1:
        rho = rhos[0]
        with np.errstate(over="ignore", under="ignore"):
            linear = np.float64(rho) ** (T - 1 - t)
        ax.plot(t, _positive(linear), color=INK, ls=":", lw=1.4, label="ρ^(T−1−t): linear,\nno saturation")
        drawn.append(linear)
    if lstm and r["lstm"] is not None:
        ax.plot(t, _positive(r["lstm"]), color=_LSTM_COLOR, ls="--", lw=2.2,
                label=f"LSTM, forget-gate bias {forget_bias:g}")
        drawn.append(r["lstm"])
    _log_y(ax, drawn or [[1.0]])
    _integer_ticks(ax)
    ax.set_xlim(0, max(T - 1, 1))
    _label_left_ends(ax, {f"ρ={rho:g}": r["rnn"][rho][0] for rho in thin})
    ax.set(xlabel="step t (the loss reads the last state, t = T−1)", ylabel="‖∂L/∂h_t‖ (log scale)",
           title=f"Gradient reaching each step, T = {T}, input size {input_scale:g}")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.1, 1.0), labelspacing=0.9)
    return fig


def _off_the_chart(ax, values, top, color, what):
    """Mark where a diverging curve leaves the chart, and how far it went."""
    v = np.asarray(values, dtype=float)
    out = np.flatnonzero(~(v <= top))
    if not out.size:
        return
    k, finite = out[0], v[np.isfinite(v)]
    peak = f"reaches {finite.max():.1e}" if finite.size and finite.max() > top else "overflows"
    ax.annotate(f"{what} leaves the chart at step {k},\n{peak}", (k, top), xytext=(8, -28),
                textcoords="offset points", fontsize=8, color=color, arrowprops={"arrowstyle": "->", "color": color})


def plot_clipping_rescue(lr=0.5, max_norm=1.0, rho=1.5, T=25, delay=4, steps=100, fns=None, results=None,
                         loss_top=1e3, norm_top=1e6):
    """The echo task trained by SGD with and without ``clip_grad_norm``
    (:func:`course.examples.through_time.clipping_rescue`): the loss (left) and the gradients' norm before clipping
    (right), with the ``max_norm`` line; ``results`` to draw instead of computing. Curves past ``loss_top`` or
    ``norm_top`` are cut there, with a note of how far they went."""
    r = results or experiments.clipping_rescue(lr, max_norm, rho, T, delay, steps=steps, fns=fns)
    max_norm, lr = r["max_norm"], r["lr"]
    fig, (lax, gax) = figure(1, 2, size=(10.5, 4.2))
    fixed_margins(fig, np.array([lax, gax]), left=0.75, right=0.2, bottom=0.55, top=0.75, wspace=0.3)
    plain, clipped = r["plain"], r["clipped"]
    step = np.arange(len(plain["loss"]))
    for ax, key, top, what in ((lax, "loss", loss_top, "the loss"), (gax, "grad_norm", norm_top, "‖g‖")):
        ax.plot(step, _positive(np.minimum(plain[key], top * 10)), color=COLORS[1], lw=1.4, label="SGD")
        ax.plot(step, _positive(clipped[key]), color=COLORS[2], lw=1.6, label=f"SGD + clip_grad_norm({max_norm:g})")
        _log_y(ax, [plain[key], clipped[key], [max_norm] if key == "grad_norm" else []], top=top)
        _off_the_chart(ax, plain[key], top, COLORS[1], what)
        _integer_ticks(ax)
        ax.set_xlim(0, len(step) - 1)
    gax.axhline(max_norm, color=INK, ls="--", lw=1.2, label=f"max_norm = {max_norm:g}: longer gradients are\n"
                                                             "scaled down to it before the step")
    lax.set(xlabel="step", ylabel="mean squared error", title="training loss")
    gax.set(xlabel="step", ylabel="‖g‖, all gradients, before clipping", title="gradient norm")
    lax.legend(fontsize=8, loc="center right")
    gax.legend(fontsize=8, loc="center right")
    fig.suptitle(f"A tanh RNN echoing the input from {r['delay']} steps before the end of {r['T']}: "
                 f"SGD, lr {lr:g}, with and without clipping")
    return fig


def row_labels(ext, blank=0, names=None):
    """The lattice's row labels: ∅ for the blank, else the label (``names[label]`` when given)."""
    return [BLANK if c == blank else (names[c] if names is not None else str(c)) for c in ext]


def _read(labels, names=None):
    return " ".join(names[c] if names is not None else str(c) for c in labels) or "(nothing)"


def plot_ctc_lattice(logits, target, input_length=None, blank=0, names=None, fns=None, lattice=None):
    """One example's CTC lattice: rows are the blank-extended target (∅, l₁, ∅, l₂, …, ∅), columns the steps.

    Three panels: ``log α_t(s)`` (every path prefix that reaches row s at step t, its emission included), ``log
    β_t(s)`` (every way to finish from there, its emission excluded) and the posterior ``γ_t(s) = exp(α + β − log
    p)``, each column of which sums to 1. Cells no path can reach are left empty. The most likely path through the
    lattice is drawn on each panel; the title gives the target, ``p(target | x)`` and what the greedy best path reads.
    ``logits (T, C)``; ``names``: how to write each class (default its number); ``lattice``: a
    :func:`course.examples.through_time.ctc_lattice` result to draw.
    """
    from matplotlib.ticker import FixedLocator, MaxNLocator

    lat = lattice or experiments.ctc_lattice(logits, target, input_length, blank, fns)
    T, L = lat["log_alpha"].shape
    rows = row_labels(lat["ext"], blank, names)
    width = min(max(0.3 * T + 2.2, 6.4), 10.0)
    panel = 0.22 * L + 0.25
    fig, axes = figure(3, 1, size=(width, 3 * panel + 2.25))
    fixed_margins(fig, axes, left=0.55, right=1.05, bottom=0.75, top=0.95, hspace=0.42 / panel)
    possible = np.isfinite(lat["nll"])
    logs = np.concatenate([lat["log_alpha"].ravel(), lat["log_beta"].ravel()])
    logs = logs[np.isfinite(logs)]
    shared = (float(logs.min()), float(logs.max())) if logs.size else (-1.0, 0.0)  # α and β: one scale, one bar
    panels = (("log α", lat["log_alpha"], "log α_t(s): every path prefix that reaches s at step t", shared),
              ("log β", lat["log_beta"], "log β_t(s): every way to finish from s after step t", shared),
              ("γ", np.where(lat["gamma"] > 0, lat["gamma"], np.nan),
               "γ_t(s) = exp(α + β − log p): where the alignments pass (each column sums to 1)", (0.0, 1.0)))
    for ax, (name, values, title, (vmin, vmax)) in zip(axes, panels):
        shown = np.ma.masked_invalid(np.where(np.isfinite(values), values, np.nan).T)
        im = ax.imshow(shown, aspect="auto", cmap="viridis", vmin=vmin, vmax=max(vmax, vmin + 1e-9),
                       interpolation="nearest", extent=(-0.5, T - 0.5, L - 0.5, -0.5))
        if name != "log β":  # the bar beside α spans β's panel too (inset bounds are in α's axes fraction)
            reach = 1.0 if name == "γ" else 2.0 + 0.42 / panel
            bar = fig.colorbar(im, cax=ax.inset_axes([1.015, 1.0 - reach, 0.018, reach]),
                               label="γ" if name == "γ" else "log-probability (α and β)")
            bar.ax.yaxis.set_major_locator(FixedLocator([0.0, 0.5, 1.0]) if name == "γ" else MaxNLocator(4))
        ax.set_yticks(range(L), rows)
        ax.set_title(title, fontsize=9, loc="left", y=1.0, pad=4)  # placed, not measured: a faster redraw
        _integer_ticks(ax)
        ax.set_xlim(-0.5, T - 0.5)
        ax.tick_params(labelbottom=ax is axes[-1])  # the panels share their columns: one row of step labels
        if lat["path"] is not None:
            ax.plot(np.arange(T), lat["path"], "-o", color=COLORS[1], ms=3.5, lw=1.6,
                    label=f"most likely path (probability {np.exp(lat['path_log_prob']):.2g})")
    axes[-1].set_xlabel("step t", loc="right")
    if lat["path"] is not None:
        fig.legend(*axes[0].get_legend_handles_labels(), fontsize=8, loc="lower left", borderaxespad=0.2)
    else:
        axes[2].text(0.5, 0.5, f"no alignment fits: {T} steps are too few for this target", ha="center",
                     va="center", transform=axes[2].transAxes, color=INK)
    target_text = _read(np.asarray(target).ravel().tolist(), names)
    p = f"p(target | x) = {np.exp(-lat['nll']):.2g}" if possible else "p(target | x) = 0"
    verdict = "✓" if lat["greedy"] == [int(c) for c in np.ravel(target)] else "✗"
    check = {True: "\n∂loss/∂logits from ctc_loss_backward = (softmax − Σ γ over each label's rows) / S  ✓",
             False: "\n∂loss/∂logits from ctc_loss_backward is not (softmax − Σ γ over each label's rows) / S  ✗",
             None: ""}[lat.get("gradient_agrees")]
    fig.suptitle(f"target {target_text} · {p} · the greedy best path reads {_read(lat['greedy'], names)} {verdict}"
                 + check, fontsize=10)
    return fig
