"""Explorers for 07_sequences: the gradient that reaches each step of a recurrent network, and one example's CTC
lattice.

Both take the notebook's own functions as ``borrowing``: a ``course.demo.Yours`` (``yours(rnn_cell_forward, ...)``),
whose note under the picture says which of them had to be borrowed from the course, or a plain dict by name.
"""

from course.examples import through_time as experiments
from course.viz import sequences as drawings
from course.widgets import dropdown, explorer, int_slider, slider, student_functions

__all__ = ["gradient_through_time_explorer", "ctc_lattice_explorer"]

# The lattice explorer's targets: two different labels, a repeated label (a blank must separate its two 1s), both.
CTC_EXAMPLES = {"12 (two labels)": "12", "11 (a label repeated)": "11", "121": "121", "122": "122"}


def _log_slider(value, min_exp, max_exp, description):
    import ipywidgets

    return ipywidgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=0.1,
                                     description=description, readout_format=".2g", continuous_update=False,
                                     style={"description_width": "initial"})


def gradient_through_time_explorer(borrowing=None):
    """‖∂L/∂h_t‖ against the step t for a tanh RNN with ``W_hh = ρ·Q`` (Q orthogonal) and for an LSTM, on the same
    inputs and the same loss on the last state; thin lines: the RNN at ρ = 0.5, 0.9, 1, 1.1, 1.5.

    ``borrowing`` (optional): ``yours(rnn_cell_forward, rnn_cell_backward, lstm_cell_forward, lstm_cell_backward)``,
    the cells the gradients are computed with (the course's for any not given). Each setting is computed once.
    """
    fns, note = student_functions(borrowing)
    cache = {}

    def plot_gradient_through_time(cell, rho, T, input_scale, forget_bias):
        cells = {"RNN": ("rnn",), "LSTM": ("lstm",), "both": ("rnn", "lstm")}[cell]
        key = (cells, rho, T, input_scale, forget_bias)
        if key not in cache:
            if len(cache) >= 64:
                cache.pop(next(iter(cache)))
            cache[key] = experiments.gradient_through_time((rho, *experiments.RHOS), "lstm" in cells, T,
                                                           input_scale, forget_bias, fns=fns)
        return drawings.plot_gradient_through_time((rho,), cells, T, input_scale, forget_bias, results=cache[key],
                                                   context=experiments.RHOS)

    return explorer(plot_gradient_through_time, {
        "cell": dropdown(["RNN", "LSTM", "both"], "both", "cell"),
        "rho": slider(1.1, 0.3, 2.0, 0.05, "spectral radius ρ of W_hh"),
        "T": int_slider(100, 10, 200, 10, "sequence length T"),
        "input_scale": _log_slider(0.3, -3, 0.5, "input size"),
        "forget_bias": slider(1.0, 0.0, 5.0, 0.5, "LSTM forget-gate bias", readout_format=".1f"),
    }, title="Backpropagation through time: how much gradient reaches each step?", borrowing=note)


def ctc_lattice_explorer(borrowing=None):
    """α, β and the posteriors γ of one example's CTC lattice, for scores that roughly read the target: choose the
    target, the input length T, how confident the scores are and how much they favour the blank.

    ``borrowing`` (optional): ``yours(ctc_loss_forward, ctc_loss_backward, ctc_greedy_decode)``. ``p(target | x)``
    in the title comes from ``ctc_loss_forward``, what the best path reads from ``ctc_greedy_decode``, and the
    title checks ``ctc_loss_backward``'s gradient against the γ drawn; α and β come from ``ctc_alpha`` /
    ``ctc_beta`` when given (signatures of :mod:`course.ctc`). The course's for any not given.
    """
    fns, note = student_functions(borrowing)

    def plot_ctc_lattice(example, T, confidence, blank_bias):
        target = [int(c) for c in example]
        logits = experiments.example_logits(target, T, confidence, blank_bias)
        return drawings.plot_ctc_lattice(logits, target, fns=fns)

    return explorer(plot_ctc_lattice, {
        "example": dropdown(list(CTC_EXAMPLES.items()), "121", "target"),
        "T": int_slider(10, 2, 24, 1, "input length T"),
        "confidence": slider(1.0, 0.1, 4.0, 0.1, "confidence (× the scores)", readout_format=".1f"),
        "blank_bias": slider(0.0, -3.0, 3.0, 0.25, "blank bias"),
    }, title="The CTC lattice: α, β and where the alignments pass", borrowing=note)
