"""06's drawings and explorer: digits, learning curves, the confusion matrix, the misclassified digits; an explorer that
retrains with the student's loop when a control moves and tunes on validation accuracy. Every picture reads on
JupyterLab's light and dark themes: integer epochs, no clipped titles, counts that contrast with their own cells."""

import io

import numpy as np
import pytest
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure

from course import data
from course import train as training
from course.viz import COLORS, INK, to_png
from course.viz import capstone as drawings
from course.widgets import capstone as explorers

PALETTE = {to_rgb(c) for c in [*COLORS, INK]}
SPLIT = data.digits_split()
HISTORY = {"train_loss": [1.0, 0.3, 0.05], "val_loss": [0.9, 0.4, 0.2], "val_acc": [0.9, 0.95, 0.94],
           "train_acc": [0.8, 0.9, 0.97], "lr": [3e-3, 2e-3, 1e-3]}


def _mistakes():
    """Scores that are right on every test digit but 3 + 2 + 1 chosen ones (counts 1..3 off the diagonal)."""
    y = SPLIT.y_test
    pred = y.copy()
    for digit, wrong_as, count in [(8, 1, 3), (5, 9, 2), (9, 8, 1)]:
        pred[np.flatnonzero(y == digit)[:count]] = wrong_as
    return np.eye(10)[pred]


DRAWINGS = {
    "gallery": lambda: drawings.plot_digit_gallery(SPLIT.X_train, SPLIT.y_train),
    "curves": lambda: drawings.plot_learning_curves(HISTORY),
    "confusion": lambda: drawings.plot_confusion_matrix(SPLIT.y_test, _mistakes().argmax(1)),
    "misclassified": lambda: drawings.plot_misclassified(SPLIT.X_test, SPLIT.y_test, _mistakes()),
    "run": lambda: drawings.plot_training_run(width=32, depth=1, epochs=2),
}


def test_drawings_return_figures_with_the_right_content():
    assert drawings.mosaic(SPLIT.X_train[:10], 4).shape == (3 * 9 - 1, 4 * 9 - 1)
    figs = {name: draw() for name, draw in DRAWINGS.items()}
    assert all(isinstance(f, Figure) for f in figs.values())
    assert len(figs["curves"].axes) == 3
    assert figs["misclassified"].axes[0].get_title().startswith("6 misclassified")
    assert "6 wrong" in figs["confusion"].axes[0].get_title()


@pytest.mark.parametrize("name", ["gallery", "curves", "confusion", "misclassified", "run"])
def test_titles_labels_and_legends_stay_inside_the_figure(name):
    fig = DRAWINGS[name]()
    to_png(fig)  # lays the figure out
    box = fig.bbox
    texts = [t for ax in fig.axes for t in (ax.title, ax.xaxis.label, ax.yaxis.label)]
    texts += [ax.get_legend() for ax in fig.axes if ax.get_legend()] + ([fig._suptitle] if fig._suptitle else [])
    for t in texts:
        if hasattr(t, "get_text") and not t.get_text():
            continue  # an empty label draws nothing
        ext = t.get_window_extent()
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1 and ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, (
            f"{name}: {getattr(t, 'get_text', lambda: 'a legend')()!r} is clipped by the figure's edge")


@pytest.mark.parametrize("epochs", [2, 3, 20])
def test_epoch_ticks_are_whole_numbers(epochs):
    history = {k: list(np.linspace(v[0], v[-1], epochs)) for k, v in HISTORY.items()}
    fig = drawings.plot_learning_curves(history)
    to_png(fig)
    for ax in fig.axes:
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), f"{ax.get_title()}: epoch ticks {ticks}"


@pytest.mark.parametrize("losses", [[3.8, 1.9], [0.9, 0.05, 0.004], [0.2, 0.19, 0.21], [0.7, 0.12, 0.06]])
def test_the_loss_axis_always_labels_at_least_two_ticks(losses):
    history = {"train_loss": losses, "val_loss": losses[::-1], "val_acc": [0.5] * len(losses)}
    fig = drawings.plot_learning_curves(history)
    to_png(fig)
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    labelled = [t.get_text() for t in ax.get_yticklabels() if t.get_text() and lo <= t.get_position()[1] <= hi]
    assert len(labelled) >= 2, f"loss axis for {losses}: labelled ticks {labelled}"


def test_the_best_validation_accuracy_is_in_the_legend_not_over_the_curves():
    fig = drawings.plot_learning_curves(HISTORY)
    ax = fig.axes[1]
    assert not ax.texts, "an annotation inside the accuracy plot collides with the curves and the 97 % line"
    assert "validation (best 95.0 %)" in [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.mark.parametrize("name", ["curves", "run"])
def test_curves_use_the_course_colours_only(name):
    fig = DRAWINGS[name]()
    for ax in fig.axes:
        for line in ax.get_lines():
            for rgba in (to_rgba(line.get_color()), to_rgba(line.get_markeredgecolor())):
                assert rgba[:3] in PALETTE, f"{name}: line {line.get_label()!r} is {rgba}, not a course colour"
        for t in ax.texts:
            assert to_rgb(t.get_color()) in PALETTE, f"{name}: text {t.get_text()!r} is {t.get_color()}"


def test_confusion_counts_sit_on_opaque_cells_and_contrast_with_them():
    fig = drawings.plot_confusion_matrix(SPLIT.y_test, _mistakes().argmax(1))
    ax = fig.axes[0]
    cells = ax.get_images()[0].get_array()
    C = training.confusion_matrix(SPLIT.y_test, _mistakes().argmax(1))
    assert np.all(cells[C == 0][:, 3] == 0), "an empty cell is painted: it would be a slab in one of the themes"
    assert len(ax.texts) == np.count_nonzero(C)
    for t in ax.texts:
        j, i = (round(v) for v in t.get_position())
        fill = cells[i, j]
        assert fill[3] == 1, f"the count {t.get_text()} lies on a see-through cell: its colour depends on the theme"
        ratio = drawings.contrast_ratio(t.get_color(), fill)
        assert ratio >= 4.5, f"the count {t.get_text()} at ({i}, {j}) has contrast {ratio:.1f} with its cell"
    assert len({tuple(cells[i, j]) for i, j in zip(*np.nonzero(C)) if i != j}) == 3, "error counts 1, 2, 3 look alike"
    bar = fig.axes[1]
    assert [float(t) for t in bar.get_yticks() if 0.5 <= t <= 3.5] == [1.0, 2.0, 3.0], "colour bar of whole counts"


@pytest.mark.parametrize("name", ["curves", "confusion"])
def test_no_opaque_white_or_black_slab(name):
    from PIL import Image

    rgba = np.asarray(Image.open(io.BytesIO(to_png(DRAWINGS[name]()))).convert("RGBA"), dtype=np.float64) / 255
    covering = rgba[..., 3] > 0.5  # more of this pixel is the picture's than the theme's
    lum = rgba[..., :3] @ [0.2126, 0.7152, 0.0722]
    slab = np.mean(covering & ((lum > 0.85) | (lum < 0.05)))
    assert slab < 0.01, f"{name}: {slab:.1%} of the picture is white or black paint (a slab on one of the themes)"


def test_a_training_run_reports_validation_accuracy_and_never_looks_at_the_test_set(monkeypatch):
    looked = []
    predict = training.predict
    monkeypatch.setattr(training, "predict", lambda model, X, *a, **k: looked.append(len(X)) or predict(model, X))
    fig = drawings.plot_training_run(width=32, depth=1, epochs=2)
    title = fig._suptitle.get_text()
    assert "validation accuracy" in title and "test" not in title
    assert looked and len(SPLIT.y_test) not in looked, f"the run evaluated sets of sizes {looked}"


@pytest.mark.slow  # two trainings of the explorer's default network
def test_the_explorer_trains_with_the_students_loop_and_says_what_it_borrowed():
    calls = []

    def train(*args, **kwargs):
        calls.append(args[3])
        return training.fit(*args, **kwargs)

    box = explorers.hyperparameter_explorer(train)
    assert calls == [8] and box.note.value == ""

    def train(*args, **kwargs):  # noqa: F811 (a student's loop, not written yet)
        raise NotImplementedError

    box = explorers.hyperparameter_explorer(train)
    assert box.renders == 1 and "borrowed the course" in box.note.value and "train" in box.note.value
    assert "validation accuracy" in box.figure._suptitle.get_text()

    def train(*args, **kwargs):  # noqa: F811 (a loop that forgot to return its history)
        training.fit(*args, **kwargs)

    box = explorers.hyperparameter_explorer(train)
    assert box.renders == 1 and "returned NoneType, not a history dict" in box.note.value


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_explorer_retrains_when_a_control_moves():
    box = explorers.hyperparameter_explorer()
    assert box.renders == 1 and box.output.outputs
    first = box.figure
    assert "validation accuracy" in first._suptitle.get_text()
    box.controls["epochs"].value = 3
    box.controls["batchnorm"].value = False
    assert box.renders == 3 and box.figure is not first
    assert "batch norm off" in box.figure._suptitle.get_text()
    assert box.output.outputs[0]["data"]["image/png"]
