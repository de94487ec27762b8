"""course.nn against the pure functions it wraps, a gradient check of whole models, float32 end to end, the
training helpers, the capstone's drawings and explorer, and the training-loop check's diagnoses."""

import math

import numpy as np
import pytest

from course import data, losses, nn, optim
from course import train as T
from course.mistakes import capstone as MC
from course.testing import CheckFailure


def _mlp(rng, dropout=0.3, batchnorm=True, dtype=np.float64):
    return T.build_mlp((64, 12, 9, 10), batchnorm=batchnorm, dropout=dropout, rng=rng, dtype=dtype)


# ---------------------------------------------------------------- layers

def test_linear_is_x_WT_plus_b_with_torchs_initialisation_bounds():
    layer = nn.Linear(400, 300, rng=np.random.default_rng(0))
    bound = 1 / math.sqrt(400)
    assert layer.weight.data.shape == (300, 400) and layer.bias.data.shape == (300,)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.weight.data).max() > 0.99 * bound
    assert abs(layer.weight.data.std() - bound / math.sqrt(3)) < 0.01 * bound  # U(±b) has std b/√3
    assert np.abs(layer.bias.data).max() <= bound
    x = np.random.default_rng(1).standard_normal((5, 400))
    np.testing.assert_allclose(layer(x), x @ layer.weight.data.T + layer.bias.data)


def test_backward_accumulates_into_grad_until_zero_grad():
    rng = np.random.default_rng(2)
    layer = nn.Linear(3, 2, rng=rng)
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer(x)
    dx = layer.backward(dout)
    np.testing.assert_allclose(dx, dout @ layer.weight.data)
    np.testing.assert_allclose(layer.weight.grad, dout.T @ x)
    np.testing.assert_allclose(layer.bias.grad, dout.sum(0))
    layer.backward(dout)
    np.testing.assert_allclose(layer.weight.grad, 2 * dout.T @ x)  # torch accumulates
    layer.zero_grad()
    assert not layer.weight.grad.any() and not layer.bias.grad.any()


def test_sequential_collects_parameters_and_switches_modes():
    model = _mlp(np.random.default_rng(3))
    names = [type(m).__name__ for m in model]
    assert names == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    params = model.parameters()
    assert len(params) == 10 and len({id(p) for p in params}) == 10
    assert sum(p.data.size for p in params) == 64 * 12 + 12 + 24 + 12 * 9 + 9 + 18 + 9 * 10 + 10
    model.eval()
    assert not any(m.training for m in model)
    model.train()
    assert all(m.training for m in model)
    assert "BatchNorm1d(12" in repr(model) and len(model[:2]) == 2


def test_batchnorm_module_updates_running_statistics_only_in_training():
    bn = nn.BatchNorm1d(3)
    x = np.random.default_rng(4).normal(5.0, 2.0, (20, 3))
    bn(x)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(0))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(0, ddof=1))
    bn.eval()
    before = bn.running_mean.copy()
    out = bn(x)
    np.testing.assert_array_equal(bn.running_mean, before)
    np.testing.assert_allclose(out, (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5))


def test_dropout_module_is_identity_in_eval_and_random_in_training():
    drop = nn.Dropout(0.5, rng=np.random.default_rng(0))
    x = np.ones((100, 100))
    out = drop(x)
    assert set(np.unique(out)) == {0.0, 2.0}
    np.testing.assert_array_equal(drop.backward(x), out)
    drop.eval()
    np.testing.assert_array_equal(drop(x), x)
    with pytest.raises(ValueError):
        nn.Dropout(1.5)


# ---------------------------------------------------------------- whole-model gradient check

@pytest.mark.parametrize("dropout,batchnorm", [(0.0, False), (0.3, True), (0.5, False)])
def test_whole_model_gradients_match_central_differences(dropout, batchnorm):
    split = data.digits_split(0)
    model = _mlp(np.random.default_rng(5), dropout=dropout, batchnorm=batchnorm)
    errors = T.check_model_gradients(model, split.X_train[:12], split.y_train[:12], max_entries=25)
    assert len(errors) == len(model.parameters())
    assert max(errors.values()) < 1e-7, errors


def test_gradient_check_catches_a_wrong_backward():
    class Doubled(nn.ReLU):
        def backward(self, dout):
            return 2 * super().backward(dout)

    rng = np.random.default_rng(6)
    model = nn.Sequential(nn.Linear(64, 8, rng=rng), Doubled(), nn.Linear(8, 10, rng=rng))
    split = data.digits_split(0)
    errors = T.check_model_gradients(model, split.X_train[:8], split.y_train[:8], max_entries=10)
    assert errors["0.weight"] > 0.1 and errors["2.weight"] < 1e-7


def test_gradient_check_restores_the_model():
    model = _mlp(np.random.default_rng(7))
    before = [p.data.copy() for p in model.parameters()]
    running = model[1].running_mean.copy()
    split = data.digits_split(0)
    T.check_model_gradients(model, split.X_train[:8], split.y_train[:8], max_entries=5)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))
    np.testing.assert_array_equal(model[1].running_mean, running)


# ---------------------------------------------------------------- float32 end to end

def test_a_float32_model_stays_float32_through_a_training_step():
    rng = np.random.default_rng(8)
    model = _mlp(rng, dtype=np.float32)
    opt = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    x, y = rng.standard_normal((16, 64)).astype(np.float32), rng.integers(0, 10, 16)
    scores = model(x)
    assert scores.dtype == np.float32
    opt.zero_grad()
    dx = model.backward(losses.cross_entropy_backward(scores, y))  # a float64 gradient arrives from the loss
    opt.step()
    assert dx.dtype == np.float32
    assert all(p.data.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())


# ---------------------------------------------------------------- training helpers

def test_reference_fit_reaches_97_percent_on_the_digits():
    s = data.digits_split(0)  # the 06 test's recipe: train + validation for training, test held out
    split = data.DigitsSplit(np.r_[s.X_train, s.X_val], np.r_[s.y_train, s.y_val], s.X_val, s.y_val, s.X_test, s.y_test)
    model = T.build_mlp((64, 256, 256, 10), batchnorm=True, dropout=0.2, rng=np.random.default_rng(1))
    opt = optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    with T.blas_threads(1):
        history = T.fit(model, opt, split, 20, 64, np.random.default_rng(1), show_progress=False,
                        lr_schedule=lambda e: optim.cosine_annealing_lr(3e-3, e, 20))
    assert T.evaluate(model, split.X_test, split.y_test)[1] >= 0.97
    assert len(history["val_acc"]) == 20 and history["lr"][0] == 3e-3 and history["lr"][-1] < 1e-4
    assert model.training, "fit leaves the model as it found it (training mode)"


def test_predict_restores_the_mode_and_blas_threads_is_a_context():
    model = _mlp(np.random.default_rng(9))
    model.train()
    T.predict(model, np.zeros((3, 64)))
    assert model.training
    with T.blas_threads(1):
        assert np.allclose(np.eye(3) @ np.eye(3), np.eye(3))


def test_progress_bar_is_silent_when_disabled(capsys):
    bar = T.progress(5, enabled=False)
    bar.update(1)
    bar.set_postfix(loss="0.1")
    bar.close()
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- the training-loop check

def _loop(zero_grad=True, evaluate=True, retrain=True, shuffle="rng", last=True, schedule=True, scale=1):
    def train(model, optimizer, data, epochs, batch_size, rng, lr_schedule=None, show_progress=True):
        history = {"train_loss": [], "val_loss": [], "val_acc": [], "lr": []}
        n = len(data.X_train)
        if not retrain:
            model.train()
        for epoch in range(epochs):
            if schedule and lr_schedule is not None:
                optimizer.lr = lr_schedule(epoch)
            if retrain:
                model.train()
            order = {"rng": lambda: rng.permutation(n), "none": lambda: np.arange(n),
                     "numpy": lambda: np.random.permutation(n)}[shuffle]()
            stop = n if last else n - batch_size + 1
            for start in range(0, stop, batch_size):
                idx = order[start:start + batch_size]
                if zero_grad:
                    optimizer.zero_grad()
                scores = model(data.X_train[idx])
                model.backward(scale * losses.cross_entropy_backward(scores, data.y_train[idx]))
                optimizer.step()
            if evaluate:
                model.eval()
            s = model(data.X_val)
            history["train_loss"].append(0.0)
            history["val_loss"].append(losses.cross_entropy_forward(s, data.y_val))
            history["val_acc"].append(float(np.mean(s.argmax(1) == data.y_val)))
            history["lr"].append(optimizer.lr)
        return history
    train.__name__ = "train"
    return train


@pytest.mark.parametrize("kw,words", [
    ({"zero_grad": False}, "accumulate"),
    ({"evaluate": False}, "validation set in training mode"),
    ({"retrain": False}, "trains in evaluation mode"),
    ({"shuffle": "none"}, "does not shuffle"),
    ({"shuffle": "numpy"}, "random source other than `rng`"),
    ({"last": False}, "exactly once"),
    ({"schedule": False}, "does not apply the learning-rate schedule"),
    ({"scale": "N"}, "summed loss"),
])
def test_train_loop_check_names_each_mistake(kw, words):
    if kw.get("scale") == "N":
        kw = {"scale": 16}  # batch_size of the check's first run: the sum over a full batch
    with pytest.raises(CheckFailure, match=words):
        MC.check_train_loop(_loop(**kw), epochs=3, batch_size=16)


def test_train_loop_check_passes_valid_loops():
    MC.check_train_loop(_loop(), epochs=3, batch_size=16)
    MC.check_train_loop(_loop(), epochs=2, batch_size=7)

    def train(model, optimizer, data, epochs, batch_size, rng, lr_schedule=None, show_progress=True):
        # Another valid style: rng.shuffle of an index array, model.zero_grad, forward(), batched validation.
        history = {k: [] for k in ("train_loss", "val_loss", "val_acc", "lr")}
        idx = np.arange(len(data.X_train))
        for epoch in range(epochs):
            model.train()
            if lr_schedule:
                optimizer.lr = lr_schedule(epoch)
            rng.shuffle(idx)
            for b in np.array_split(idx, range(batch_size, len(idx), batch_size)):
                model.zero_grad()
                s = model.forward(data.X_train[b])
                model.backward(losses.cross_entropy_backward(s, data.y_train[b]))
                optimizer.step()
            model.eval()
            s = np.concatenate([model.forward(data.X_val[i:i + 5]) for i in range(0, len(data.X_val), 5)])
            for k, v in zip(history, (0.0, 0.0, float(np.mean(s.argmax(1) == data.y_val)), optimizer.lr)):
                history[k].append(v)
        return history
    MC.check_train_loop(train, epochs=3, batch_size=16)


# ---------------------------------------------------------------- drawings and explorer

def test_confusion_matrix_counts_pairs():
    from course.viz import capstone as V

    C = V.confusion_matrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0], n_classes=3)
    np.testing.assert_array_equal(C, [[1, 0, 0], [0, 1, 1], [1, 0, 2]])


def test_drawings_return_figures_with_the_right_content():
    from matplotlib.figure import Figure

    from course.viz import capstone as V

    split = data.digits_split(0)
    assert V.mosaic(split.X_train[:10], 4).shape == (3 * 9 - 1, 4 * 9 - 1)
    fig = V.plot_digit_gallery(split.X_train, split.y_train)
    assert isinstance(fig, Figure)
    history = {"train_loss": [1.0, 0.5], "val_loss": [0.9, 0.6], "val_acc": [0.9, 0.95], "lr": [0.1, 0.05]}
    assert len(V.plot_learning_curves(history).axes) == 3
    scores = np.eye(10)[split.y_test]
    scores[:3] = np.eye(10)[(split.y_test[:3] + 1) % 10]  # three confident mistakes
    fig = V.plot_misclassified(split.X_test, split.y_test, scores)
    assert fig.axes[0].get_title().startswith("3 misclassified")
    fig = V.plot_confusion_matrix(split.y_test, scores.argmax(1))
    assert "3 wrong" in fig.axes[0].get_title()


def test_explorer_retrains_when_a_control_moves():
    from course.widgets import capstone as W

    box = W.hyperparameter_explorer()
    assert box.renders == 1 and box.output.outputs
    first = box.figure
    assert "test accuracy" in first._suptitle.get_text()
    box.controls["epochs"].value = 3
    box.controls["batchnorm"].value = False
    assert box.renders == 3 and box.figure is not first
    assert "batch norm off" in box.figure._suptitle.get_text()
    assert box.output.outputs[0]["data"]["image/png"]


@pytest.mark.slow
def test_valid_alternative_loop_and_accuracy_pass_every_cell():
    from harness import Planted, plant, read, run

    variants = [
        Planted("accuracy with a loop", "accuracy", "    return float(np.mean(np.argmax(scores, axis=1) == labels))",
                "    hits = 0\n    for row, label in zip(scores, labels):\n        hits += int(np.argmax(row) == label)\n"
                "    return hits / len(labels)", ""),
        Planted("train with rng.shuffle and model.zero_grad", "train", """        order = rng.permutation(n)""",
                """        order = np.arange(n)
        rng.shuffle(order)""", ""),
        Planted("model.zero_grad", "train", "            optimizer.zero_grad()\n", "            model.zero_grad()\n",
                ""),
    ]
    nb = read("06_capstone")
    for v in variants:
        nb = plant(nb, v)
    failed = {k: v for k, v in run(nb).items() if v}
    assert not failed, f"valid variants fail: {failed}"
