"""07's task: strips of handwritten digits and the recurrent CTC reader that reads them.

The strips are checked against the shipped split itself (every digit block is a test image in a test strip, and the
page around the blocks is blank), their frames against columns sliced by hand, the scores against edit distances
worked out by hand; the reader is checked to learn and to call the functions it is given.
"""

import types

import numpy as np
import pytest

from course import ctc, data, rnn
from course.examples import digit_strips as ds
from course.examples import string_reader as sr
from numeric import fd_grad

SPLIT = data.digits_split()
IMAGES = {"train": (SPLIT.X_train, SPLIT.y_train), "val": (SPLIT.X_val, SPLIT.y_val),
          "test": (SPLIT.X_test, SPLIT.y_test)}


def _lookup(part):
    """Each image of one part of the split, as bytes of its 8×8 float64 block, mapped to its label."""
    X, y = IMAGES[part]
    return {img.reshape(8, 8).astype(np.float64).tobytes(): int(label) for img, label in zip(X, y)}


@pytest.mark.parametrize("part", ["test", "train", "val"])
def test_every_digit_of_a_strip_is_an_image_of_its_own_part_of_the_split_and_nothing_else_is_inked(part):
    strips = ds.make_strips(60, part, np.random.default_rng(3))
    own = _lookup(part)
    others = {}
    for other in {"train", "val", "test"} - {part}:
        others.update(_lookup(other))
    for i in range(60):
        page = strips.images[i].copy()
        labels = []
        for k in range(int(strips.target_lengths[i])):
            r, c = strips.positions[i, k]
            block = np.ascontiguousarray(page[r:r + 8, c:c + 8]).tobytes()
            found, elsewhere = block in own, block in others
            assert found, f"strip {i}, digit {k}: the block at ({r}, {c}) is no {part} image"
            assert not elsewhere, f"strip {i}, digit {k} is also an image of another part of the split"
            labels.append(own[block])
            page[r:r + 8, c:c + 8] = 0.0
        assert not page.any(), f"strip {i} has ink outside its {len(labels)} digits"
        assert strips.strings[i] == "".join(map(str, labels))
        assert list(strips.targets[i, :len(labels)]) == [d + 1 for d in labels], "digit d is class d + 1"
        assert not strips.targets[i, len(labels):].any(), "targets are padded with 0 past their length"


def test_shapes_lengths_and_frames_agree_with_the_images():
    window, stride = 3, 2
    strips = ds.make_strips(40, "train", np.random.default_rng(0), window=window, stride=stride)
    n, t, d = strips.inputs.shape
    height = strips.images.shape[1]
    assert (n, d) == (40, height * window) and height == 12
    assert strips.targets.shape == (40, 5) and strips.positions.shape == (40, 5, 2)
    assert strips.images.shape[2] == strips.widths.max()
    expected_lengths = [int(np.ceil(max(w - window, 0) / stride)) + 1 for w in strips.widths]
    assert list(strips.input_lengths) == expected_lengths
    assert t == max(expected_lengths)
    assert set(strips.target_lengths) <= {1, 2, 3, 4, 5}
    for i in range(n):
        page = np.zeros((height, (t - 1) * stride + window))
        page[:, :strips.widths[i]] = strips.images[i, :, :strips.widths[i]]
        for step in range(t):
            columns = page[:, step * stride:step * stride + window]
            np.testing.assert_array_equal(strips.inputs[i, step], columns.T.ravel(), err_msg=f"strip {i} step {step}")
        assert not strips.images[i, :, strips.widths[i]:].any(), "the page past a strip's width is blank"
        labels = strips.targets[i, :strips.target_lengths[i]]
        repeats = int(np.sum(labels[1:] == labels[:-1]))
        assert strips.input_lengths[i] >= len(labels) + repeats, "CTC needs a frame per label and per repeat"
        assert np.all((1 <= labels) & (labels <= 10))


def test_gaps_margins_jitter_and_lengths_vary():
    strips = ds.make_strips(300, "train", np.random.default_rng(1))
    gaps, rows, leads = [], [], []
    for i in range(300):
        k = int(strips.target_lengths[i])
        cols = strips.positions[i, :k, 1]
        gaps += list(np.diff(cols) - 8)
        rows += list(strips.positions[i, :k, 0])
        leads.append(cols[0])
        assert np.all(strips.positions[i, k:] == -1)
    assert set(gaps) == {0, 1, 2, 3}, f"gaps between digits {sorted(set(gaps))}"
    assert set(rows) == {0, 1, 2, 3, 4}, f"vertical offsets {sorted(set(rows))}"
    assert set(leads) == {0, 1, 2, 3}
    assert set(strips.target_lengths) == {1, 2, 3, 4, 5}
    assert len(set(strips.widths)) > 20


def test_the_same_generator_state_gives_the_same_strips_and_the_global_one_is_left_alone():
    before = np.random.get_state()[1].copy()
    a = ds.make_strips(20, "test", np.random.default_rng(7), window=2, stride=2)
    b = ds.make_strips(20, "test", np.random.default_rng(7), window=2, stride=2)
    c = ds.make_strips(20, "test", np.random.default_rng(8), window=2, stride=2)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert a.strings != c.strings
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("true, read, distance", [
    ("123", "123", 0), ("123", "133", 1), ("123", "12", 1), ("12", "123", 1), ("1234", "", 4), ("", "77", 2),
    ("12", "21", 2), ("90210", "9210", 1), ("555", "55", 1), ("31415", "31451", 2), ("kitten", "sitting", 3),
])
def test_levenshtein_counts_insertions_deletions_and_substitutions(true, read, distance):
    assert sr.levenshtein(true, read) == distance
    assert sr.levenshtein(read, true) == distance


def test_exact_accuracy_and_character_error_rate_by_hand():
    true = ["407", "12", "9", "3333"]
    read = ["407", "1", "99", "3833"]   # right; a deletion; an insertion; a substitution
    assert sr.exact_accuracy(true, read) == pytest.approx(1 / 4)
    assert sr.character_error_rate(true, read) == pytest.approx(3 / 10)
    assert sr.character_error_rate(["12"], ["3456"]) == pytest.approx(4 / 2), "CER can pass 1 when digits are added"
    assert sr.character_error_rate(true, true) == 0.0 and sr.exact_accuracy(true, true) == 1.0
    with pytest.raises(ValueError):
        sr.exact_accuracy(true, read[:3])


@pytest.mark.parametrize("cell, bidirectional", [("lstm", True), ("rnn", False)])
def test_the_readers_backward_is_the_gradient_of_its_ctc_loss(cell, bidirectional):
    rng = np.random.default_rng(6)
    strips = ds.make_strips(3, "train", rng, max_digits=2, window=3, stride=2)
    model = sr.StringReader(window=3, stride=2, rows=8, hidden=5, units=4, cell=cell, bidirectional=bidirectional,
                            rng=rng)
    model.params["b_in"].data[:] = 0.3 * rng.standard_normal(5)  # away from ReLU's kink on blank page
    x = strips.inputs + 0.1 * rng.standard_normal(strips.inputs.shape)  # no ties between heights

    def loss():
        scores, _ = model.forward(x)
        return ctc.ctc_loss_forward(scores, strips.targets, strips.input_lengths, strips.target_lengths)[0]

    scores, cache = model.forward(x)
    _, loss_cache = ctc.ctc_loss_forward(scores, strips.targets, strips.input_lengths, strips.target_lengths)
    grads = model.backward(ctc.ctc_loss_backward(loss_cache), cache)
    assert set(grads) == set(model.params)
    for name, p in model.params.items():
        entries = rng.choice(p.data.size, size=min(p.data.size, 12), replace=False)
        flat = p.data.reshape(-1)
        original = flat.copy()

        def loss_at(v, k):
            flat[k] = v[0]
            value = loss()
            flat[:] = original
            return value

        numeric = np.array([fd_grad(lambda v: loss_at(v, k), [original[k]])[0] for k in entries])
        np.testing.assert_allclose(grads[name].reshape(-1)[entries], numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def _recording(calls, module, name):
    fn = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls[name] = calls.get(name, 0) + 1
        return fn(*args, **kwargs)

    return wrapper


def test_a_short_run_lowers_the_ctc_loss_on_training_and_held_out_strips():
    losses = []
    my = types.SimpleNamespace(
        ctc_loss_forward=lambda *a, **k: (lambda out: losses.append(out[0]) or out)(ctc.ctc_loss_forward(*a, **k)))
    model, history = sr.train_reader("quick", my=my, epochs=3, strips_per_epoch=256, n_val=32, show_progress=False)
    assert len(losses) == 3 * 8 and history["loss"] == pytest.approx([np.mean(losses[k:k + 8]) for k in (0, 8, 16)])
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) - 0.5, f"batch losses {np.round(losses, 2)}"
    held_out = ds.make_strips(64, "test", np.random.default_rng(11), window=8, stride=2)
    untrained = sr.StringReader(rng=np.random.default_rng(5), hidden=48, units=48)

    def loss_of(reader):
        scores, _ = reader.forward(held_out.inputs)
        return ctc.ctc_loss_forward(scores, held_out.targets, held_out.input_lengths, held_out.target_lengths)[0]

    assert loss_of(model) < loss_of(untrained) - 0.3
    assert len(history["val_acc"]) == len(history["val_cer"]) == 3 and history["seconds"] > 0


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_the_functions_it_is_given_are_the_ones_it_calls(cell):
    names = [f"{cell}_forward", f"{cell}_backward", "ctc_loss_forward", "ctc_loss_backward", "ctc_greedy_decode"]
    calls = {}
    my = types.SimpleNamespace(**{n: _recording(calls, rnn if n.startswith(cell) else ctc, n) for n in names})
    model, _ = sr.train_reader("quick", my=my, cell=cell, epochs=1, strips_per_epoch=64, n_val=8,
                               show_progress=False)
    # per batch: one loss, one gradient, and a forward and a backward pass in each of the two directions
    assert calls["ctc_loss_forward"] == calls["ctc_loss_backward"] == 2
    assert calls[f"{cell}_forward"] == 2 * 2 + 2 and calls[f"{cell}_backward"] == 2 * 2  # + reading 8 val strips
    assert calls["ctc_greedy_decode"] == 1
    sr.read(model, ds.make_strips(5, "test", np.random.default_rng(0)))
    assert calls["ctc_greedy_decode"] == 2

    class Planted(Exception):
        pass

    def broken(*args, **kwargs):
        raise Planted

    for name in names[:4]:
        with pytest.raises(Planted):
            sr.train_reader("quick", my=types.SimpleNamespace(**{name: broken}), cell=cell, epochs=1,
                            strips_per_epoch=32, n_val=4, show_progress=False)


def test_functions_the_object_lacks_are_the_courses():
    forward, backward, loss_forward, loss_backward, decode = sr.lesson_functions(types.SimpleNamespace(), "lstm")
    assert (loss_forward, loss_backward, decode) == (ctc.ctc_loss_forward, ctc.ctc_loss_backward,
                                                     ctc.ctc_greedy_decode)
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    params = {"W_ih": np.ones((8, 4)) * 0.1, "W_hh": np.ones((8, 2)) * 0.1, "b_ih": np.zeros(8), "b_hh": np.zeros(8)}
    hs, _ = forward(x, params)
    np.testing.assert_array_equal(hs, rnn.lstm_forward(x, np.zeros((2, 2)), np.zeros((2, 2)), params)[0])


def test_read_gives_digit_strings_whatever_frames_the_strips_were_cut_into():
    model = sr.StringReader(rng=np.random.default_rng(0), hidden=16, units=8)
    a = ds.make_strips(9, "test", np.random.default_rng(4), window=1, stride=1)
    b = ds.make_strips(9, "test", np.random.default_rng(4), window=8, stride=2)
    got = sr.read(model, a)
    assert got == sr.read(model, b) and len(got) == 9 and all(s == "" or s.isdigit() for s in got)
    acc, cer, strings = sr.evaluate(model, a)
    assert strings == got and acc == sr.exact_accuracy(a.strings, got)
