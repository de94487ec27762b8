"""The check engines of 06_capstone: dropout judged statistically and structurally, and the training loop run on a
recording model; each names the classic mistakes and passes valid variants (another draw, another loop style)."""

import numpy as np
import pytest

from course import layers, losses
from course.grading import CheckFailure
from course.grading import capstone as dropout_checks
from course.grading import training as training_check


def _dropout(keep_rule="ge", scale="inverse", eval_scale=None, rng_source="rng", shared=False):
    def dropout_forward(x, p, training, rng):
        if not training or p == 0:
            return (
                x / (1 - p) if eval_scale == "divide" else x * (1 - p) if eval_scale == "multiply" else x.copy()
            ), None
        shape = x.shape[-1:] if shared else x.shape
        u = rng.random(shape) if rng_source == "rng" else np.random.random(shape)
        keep = u >= p if keep_rule == "ge" else u < p
        mask = {"inverse": keep / (1 - p), "none": keep * 1.0, "keep": keep / p, "times": keep * (1 - p)}[scale]
        return x * mask, mask

    return dropout_forward


@pytest.mark.parametrize(
    "fn,words",
    [
        (_dropout(scale="none"), "does not rescale"),
        (_dropout(keep_rule="lt"), "keep probability"),
        (_dropout(keep_rule="lt", scale="keep"), "keep probability"),
        (_dropout(scale="times"), "multiplies the kept entries by (1 − p)"),
        (_dropout(rng_source="numpy"), "rng"),
        (_dropout(shared=True), "shared by every row"),
    ],
)
def test_dropout_forward_check_names_each_mistake(fn, words):
    with pytest.raises(CheckFailure, match=words.replace("(", r"\(").replace(")", r"\)")):
        dropout_checks.check_dropout_forward(fn, p=0.2)


@pytest.mark.parametrize(
    "eval_scale,words",
    [("divide", "rescales by 1/(1 − p) in evaluation"), ("multiply", "multiplies by (1 − p) in evaluation")],
)
def test_dropout_identity_check_names_rescaling_at_evaluation(eval_scale, words):
    with pytest.raises(CheckFailure, match=words.replace("(", r"\(").replace(")", r"\)")):
        dropout_checks.check_dropout_identity(_dropout(eval_scale=eval_scale), 0.3, False, np.ones((3, 4)))


def test_dropout_checks_pass_valid_variants():
    def binomial(x, p, training, rng):  # another draw order: a valid dropout must still pass
        if not training or p == 0:
            return x.copy(), None
        mask = rng.binomial(1, 1 - p, size=x.shape) / (1 - p) if p < 1 else np.zeros(x.shape)
        return x * mask, mask

    binomial.__name__ = "dropout_forward"
    for fn in (layers.dropout_forward, binomial):
        for p in (0.05, 0.2, 0.5, 0.9):
            dropout_checks.check_dropout_forward(fn, p=p)
            dropout_checks.check_dropout_forward(fn, p=p, dtype=np.float32, seed=3)
        dropout_checks.check_dropout_identity(fn, 0.3, False, np.ones((3, 4)))
        dropout_checks.check_dropout_all_dropped(fn)


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
            order = {
                "rng": lambda: rng.permutation(n),
                "none": lambda: np.arange(n),
                "numpy": lambda: np.random.permutation(n),
            }[shuffle]()
            stop = n if last else n - batch_size + 1
            for start in range(0, stop, batch_size):
                idx = order[start : start + batch_size]
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


@pytest.mark.parametrize(
    "kw,words",
    [
        ({"zero_grad": False}, "accumulate"),
        ({"evaluate": False}, "validation set in training mode"),
        ({"retrain": False}, "trains in evaluation mode"),
        ({"shuffle": "none"}, "does not shuffle"),
        ({"shuffle": "numpy"}, "random source other than `rng`"),
        ({"last": False}, "exactly once"),
        ({"schedule": False}, "does not apply the learning-rate schedule"),
        ({"scale": "N"}, "summed loss"),
    ],
)
def test_train_loop_check_names_each_mistake(kw, words):
    if kw.get("scale") == "N":
        kw = {"scale": 16}  # batch_size of the check's first run: the sum over a full batch
    with pytest.raises(CheckFailure, match=words):
        training_check.check_train_loop(_loop(**kw), epochs=3, batch_size=16)


def test_train_loop_check_passes_valid_loops():
    training_check.check_train_loop(_loop(), epochs=3, batch_size=16)
    training_check.check_train_loop(_loop(), epochs=2, batch_size=7)

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
            s = np.concatenate([model.forward(data.X_val[i : i + 5]) for i in range(0, len(data.X_val), 5)])
            for k, v in zip(history, (0.0, 0.0, float(np.mean(s.argmax(1) == data.y_val)), optimizer.lr)):
                history[k].append(v)
        return history

    training_check.check_train_loop(train, epochs=3, batch_size=16)
