"""06's drawings and explorer: digits, learning curves, the confusion matrix, the misclassified digits; an explorer that
retrains when a control moves."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from course import data
from course.viz import capstone as drawings
from course.widgets import capstone as explorers


def test_drawings_return_figures_with_the_right_content():
    split = data.digits_split(0)
    assert drawings.mosaic(split.X_train[:10], 4).shape == (3 * 9 - 1, 4 * 9 - 1)
    fig = drawings.plot_digit_gallery(split.X_train, split.y_train)
    assert isinstance(fig, Figure)
    history = {"train_loss": [1.0, 0.5], "val_loss": [0.9, 0.6], "val_acc": [0.9, 0.95], "lr": [0.1, 0.05]}
    assert len(drawings.plot_learning_curves(history).axes) == 3
    scores = np.eye(10)[split.y_test]
    scores[:3] = np.eye(10)[(split.y_test[:3] + 1) % 10]  # three confident mistakes
    fig = drawings.plot_misclassified(split.X_test, split.y_test, scores)
    assert fig.axes[0].get_title().startswith("3 misclassified")
    fig = drawings.plot_confusion_matrix(split.y_test, scores.argmax(1))
    assert "3 wrong" in fig.axes[0].get_title()


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_explorer_retrains_when_a_control_moves():
    box = explorers.hyperparameter_explorer()
    assert box.renders == 1 and box.output.outputs
    first = box.figure
    assert "test accuracy" in first._suptitle.get_text()
    box.controls["epochs"].value = 3
    box.controls["batchnorm"].value = False
    assert box.renders == 3 and box.figure is not first
    assert "batch norm off" in box.figure._suptitle.get_text()
    assert box.output.outputs[0]["data"]["image/png"]
