"""course.train: the reference loop reaches 97 % on the digits, a whole-model gradient check that catches a wrong
backward and restores the model, evaluation helpers and metrics."""

import numpy as np
import pytest

from course import data, mlp, nn, optim, train


def _mlp(rng, dropout=0.3, batchnorm=True, dtype=np.float64):
    return mlp.build_mlp((64, 12, 9, 10), batchnorm=batchnorm, dropout=dropout, rng=rng, dtype=dtype)


@pytest.mark.parametrize("dropout,batchnorm", [(0.0, False), (0.3, True), (0.5, False)])
def test_whole_model_gradients_match_central_differences(dropout, batchnorm):
    split = data.digits_split(0)
    model = _mlp(np.random.default_rng(5), dropout=dropout, batchnorm=batchnorm)
    errors = train.check_model_gradients(model, split.X_train[:12], split.y_train[:12], max_entries=25)
    assert len(errors) == len(model.parameters())
    assert max(errors.values()) < 1e-7, errors


def test_gradient_check_catches_a_wrong_backward():
    class Doubled(nn.ReLU):
        def backward(self, dout):
            return 2 * super().backward(dout)

    rng = np.random.default_rng(6)
    model = nn.Sequential(nn.Linear(64, 8, rng=rng), Doubled(), nn.Linear(8, 10, rng=rng))
    split = data.digits_split(0)
    errors = train.check_model_gradients(model, split.X_train[:8], split.y_train[:8], max_entries=10)
    assert errors["0.weight"] > 0.1 and errors["2.weight"] < 1e-7


def test_gradient_check_restores_the_model():
    model = _mlp(np.random.default_rng(7))
    before = [p.data.copy() for p in model.parameters()]
    running = model[1].running_mean.copy()
    split = data.digits_split(0)
    train.check_model_gradients(model, split.X_train[:8], split.y_train[:8], max_entries=5)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))
    np.testing.assert_array_equal(model[1].running_mean, running)


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_reference_fit_reaches_97_percent_on_the_digits():
    s = data.digits_split(0)  # the 06 test's recipe: train + validation for training, test held out
    split = data.DigitsSplit(np.r_[s.X_train, s.X_val], np.r_[s.y_train, s.y_val], s.X_val, s.y_val, s.X_test, s.y_test)
    model = mlp.build_mlp((64, 256, 256, 10), batchnorm=True, dropout=0.2, rng=np.random.default_rng(1))
    opt = optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    with train.blas_threads(1):
        history = train.fit(
            model,
            opt,
            split,
            20,
            64,
            np.random.default_rng(1),
            show_progress=False,
            lr_schedule=lambda e: optim.cosine_annealing_lr(3e-3, e, 20),
        )
    assert train.evaluate(model, split.X_test, split.y_test)[1] >= 0.97
    assert len(history["val_acc"]) == 20 and history["lr"][0] == 3e-3 and history["lr"][-1] < 1e-4
    assert model.training, "fit leaves the model as it found it (training mode)"


def test_predict_restores_the_mode_and_blas_threads_is_a_context():
    model = _mlp(np.random.default_rng(9))
    model.train()
    train.predict(model, np.zeros((3, 64)))
    assert model.training
    with train.blas_threads(1):
        assert np.allclose(np.eye(3) @ np.eye(3), np.eye(3))


def test_progress_bar_is_silent_when_disabled(capsys):
    bar = train.progress(5, enabled=False)
    bar.update(1)
    bar.set_postfix(loss="0.1")
    bar.close()
    assert capsys.readouterr().err == ""


def test_confusion_matrix_counts_pairs():
    C = train.confusion_matrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0], n_classes=3)
    np.testing.assert_array_equal(C, [[1, 0, 0], [0, 1, 1], [1, 0, 2]])


def test_accuracy_takes_the_first_maximum_on_a_tie():
    scores = np.array([[0.2, 0.5, 0.5], [1.0, 0.0, 0.0], [0.0, 0.0, 3.0], [0.1, 0.1, 0.0]])
    assert train.accuracy(scores, np.array([1, 0, 1, 0])) == pytest.approx(0.75)
    assert train.accuracy(scores, np.array([2, 0, 2, 1])) == pytest.approx(0.5)
