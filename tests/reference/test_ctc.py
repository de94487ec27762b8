"""course.ctc against CTC's definition: the brute force of :mod:`course.examples.ctc_paths` (every alignment of a
tiny input, collapsed and summed) for the loss, α and the posteriors, its central differences for the gradient, and
numbers pasted from PyTorch; the cases that trip implementations up (repeated labels, input_lengths < T, padded and
empty targets, zero_infinity, logits of ±1e3, long inputs); greedy decoding on hand-made paths."""

import copy
import warnings

import numpy as np
import pytest

from course import ctc
from course.examples import ctc_paths
from course.gradcheck import numerical_gradient


def _loss_and_grad(logits, targets, input_lengths, target_lengths, **kw):
    loss, cache = ctc.ctc_loss_forward(logits, targets, input_lengths, target_lengths, **kw)
    return loss, ctc.ctc_loss_backward(cache), cache


def _brute_gradient(logits, targets, input_lengths, target_lengths):
    return numerical_gradient(lambda z: ctc_paths.ctc_loss(z, targets, input_lengths, target_lengths), logits)


def _random_case(rng, N, T, C, S, shortest=0):
    """Random logits and targets; target labels avoid the blank 0, repeats are frequent, padding is arbitrary, and
    each target has at least ``shortest`` labels."""
    logits = rng.normal(0.0, 1.5, (N, T, C))
    targets = rng.integers(1, C, (N, S))
    for n in range(N):
        if S > 1 and rng.random() < 0.4:
            targets[n, 1] = targets[n, 0]  # a repeated label
    target_lengths = rng.integers(shortest, S + 1, N)
    for n in range(N):
        targets[n, target_lengths[n]:] = rng.integers(0, C, S - target_lengths[n])  # padding, the blank included
    input_lengths = rng.integers(1, T + 1, N)
    return logits, targets, input_lengths, target_lengths


# ---- the brute force itself ---------------------------------------------------------------------------------------
def test_the_valid_alignments_of_small_targets():
    a, b = 1, 2
    assert ctc_paths.valid_alignments([a], 3) == [(0, 0, a), (0, a, 0), (0, a, a), (a, 0, 0), (a, a, 0), (a, a, a)]
    assert ctc_paths.valid_alignments([a, a], 3) == [(a, 0, a)]  # a repeat needs a blank between
    assert ctc_paths.valid_alignments([a, a], 2) == []
    assert ctc_paths.valid_alignments([a, b], 3) == [(0, a, b), (a, 0, b), (a, a, b), (a, b, 0), (a, b, b)]
    assert ctc_paths.valid_alignments([], 2) == [(0, 0)]
    assert ctc_paths.valid_alignments([a], 2, blank=b) == [(a, a), (a, b), (b, a)]
    assert ctc_paths.collapse([a, a, 0, a, b, b, 0, 0]) == [a, a, b]
    assert ctc_paths.collapse([0, 0]) == []


def test_the_brute_force_probabilities_of_all_targets_sum_to_one():
    probs = ctc_paths.softmax(np.random.default_rng(0).normal(size=(4, 3)))
    spelled = {tuple(ctc_paths.collapse(p)) for p in ctc_paths.all_paths(4, 3)}
    total = sum(ctc_paths.target_probability(probs, list(t)) for t in spelled)
    assert total == pytest.approx(1.0, abs=1e-14)
    by_alignments = sum(ctc_paths.path_probability(probs, p) for p in ctc_paths.valid_alignments([1, 2], 4))
    assert ctc_paths.target_probability(probs, [1, 2]) == pytest.approx(by_alignments, rel=1e-14)


# ---- loss, α, posteriors and gradient against the brute force -----------------------------------------------------
@pytest.mark.parametrize("seed", range(40))
def test_loss_matches_the_brute_force_on_random_tiny_inputs(seed):
    rng = np.random.default_rng(seed)
    args = _random_case(rng, N=int(rng.integers(1, 4)), T=int(rng.integers(1, 6)), C=int(rng.integers(2, 5)),
                        S=int(rng.integers(1, 4)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, cache = ctc.ctc_loss_forward(*args)
    expected = ctc_paths.ctc_loss(*args)
    assert isinstance(loss, float)
    if np.isinf(expected):
        assert loss == np.inf
    else:
        assert loss == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed", range(16))
def test_gradient_matches_central_differences_of_the_brute_force(seed):
    rng = np.random.default_rng(1000 + seed)
    T = int(rng.integers(2, 5))
    logits, targets, input_lengths, target_lengths = args = _random_case(
        rng, N=int(rng.integers(1, 4)), T=T, C=int(rng.integers(3, 5)), S=int(rng.integers(1, 4)), shortest=1)
    input_lengths[0] = T  # at least one sequence uses every step
    for n in range(len(logits)):  # the gradient of an impossible alignment is unspecified: make each one possible
        labels = targets[n, : target_lengths[n]]
        needed = len(labels) + int(np.sum(labels[1:] == labels[:-1]))  # a repeat needs a blank between
        input_lengths[n] = max(input_lengths[n], min(needed, T))
        if needed > T:
            target_lengths[n] = 1
    loss, grad, _ = _loss_and_grad(*args)
    assert np.isfinite(loss) and grad.shape == logits.shape
    np.testing.assert_allclose(grad, _brute_gradient(*args), rtol=1e-6, atol=1e-9)


def _brute_alpha(probs, target, blank=0):
    """``α_t(s)`` from its definition: the log of the summed probability of the partial paths ``π_0 … π_t`` that
    spell the first ``k = ⌈s/2⌉`` labels and end in ``l'_s`` (the blank for even s, the label l_k for odd s)."""
    T, C = probs.shape
    alpha = np.full((T, 2 * len(target) + 1), -np.inf)
    for t in range(T):
        for path in ctc_paths.all_paths(t + 1, C):
            spelled = ctc_paths.collapse(path, blank)
            k = len(spelled)
            if spelled != list(target[:k]):
                continue
            s = 2 * k if path[-1] == blank else 2 * k - 1
            alpha[t, s] = np.logaddexp(alpha[t, s], np.log(ctc_paths.path_probability(probs, path)))
    return alpha


def _brute_posteriors(probs, target, blank=0):
    """``γ_t(s)``: the share of p(target) carried by the valid alignments that sit at lattice position s at step t."""
    T = len(probs)
    gamma = np.zeros((T, 2 * len(target) + 1))
    for path in ctc_paths.valid_alignments(target, T, blank):
        p = ctc_paths.path_probability(probs, path)
        for t in range(T):
            k = len(ctc_paths.collapse(path[: t + 1], blank))
            gamma[t, 2 * k if path[t] == blank else 2 * k - 1] += p
    return gamma / ctc_paths.target_probability(probs, target, blank)


@pytest.mark.parametrize("target", [[1, 2], [2, 2], [1, 2, 1], [3], []])
def test_alpha_and_the_posteriors_match_their_definitions(target):
    rng = np.random.default_rng(len(target) * 10 + sum(target))
    N, T, C = 2, 5, 4
    logits = rng.normal(0.0, 1.5, (N, T, C))
    targets = np.array([target + [0] * (3 - len(target)), [3, 1, 3]])
    input_lengths, target_lengths = np.array([T, 4]), np.array([len(target), 3])
    _, cache = ctc.ctc_loss_forward(logits, targets, input_lengths, target_lengths)
    log_alpha, nll = cache[7], cache[8]
    ext, skip, valid = ctc.extend_targets(targets, target_lengths)
    log_beta = ctc.ctc_beta(ctc.emissions(cache[6], ext, valid), skip, input_lengths, target_lengths)
    gamma = ctc.ctc_posteriors(log_alpha, log_beta, nll)
    for n in range(N):
        T_n, L_n = input_lengths[n], 2 * target_lengths[n] + 1
        probs = ctc_paths.softmax(logits[n, :T_n])
        target_n = list(targets[n, : target_lengths[n]])
        np.testing.assert_allclose(log_alpha[n, :T_n, :L_n], _brute_alpha(probs, target_n), rtol=1e-12)
        assert np.all(log_alpha[n, :T_n, L_n:] == -np.inf), "α is −inf past the target's end"
        assert np.all(log_alpha[n, T_n:] == -np.inf), "α is −inf from input_lengths[n] on"
        np.testing.assert_allclose(nll[n], -np.log(ctc_paths.target_probability(probs, target_n)), rtol=1e-12)
        np.testing.assert_allclose(gamma[n, :T_n, :L_n], _brute_posteriors(probs, target_n), atol=1e-13)
        np.testing.assert_allclose(gamma[n, :T_n].sum(axis=1), 1.0, rtol=1e-12)  # one position at every step


# ---- the cases that trip implementations up -----------------------------------------------------------------------
def test_a_repeated_label_needs_its_blank():
    logits = np.random.default_rng(3).normal(size=(1, 3, 3))
    y = ctc_paths.softmax(logits[0])
    # "aa" cannot be read in 2 steps (a, a collapses to "a"): impossible, inf
    assert ctc.ctc_loss_forward(logits[:, :2], [[1, 1]], [2], [2])[0] == np.inf
    # in 3 steps exactly one path spells it: a, blank, a
    loss, grad, _ = _loss_and_grad(logits, [[1, 1]], [3], [2])
    assert loss == pytest.approx(-np.log(y[0, 1] * y[1, 0] * y[2, 1]) / 2, rel=1e-12)
    occupancy = np.zeros((3, 3))
    occupancy[[0, 1, 2], [1, 0, 1]] = 1.0
    np.testing.assert_allclose(grad[0], (y - occupancy) / 2, rtol=1e-12, atol=1e-15)
    # two different labels need no blank: "ab" in 2 steps is the single path a, b
    assert ctc.ctc_loss_forward(logits[:, :2], [[1, 2]], [2], [2])[0] == pytest.approx(
        -np.log(y[0, 1] * y[1, 2]) / 2, rel=1e-12)


def test_input_lengths_and_padded_targets_cut_each_sequence():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(3, 5, 4))
    targets = np.array([[1, 2, 3, 3], [2, 2, 0, 1], [3, 0, 0, 0]])  # padded with labels, the blank and repeats
    input_lengths, target_lengths = np.array([5, 4, 2]), np.array([3, 2, 1])
    loss, grad, _ = _loss_and_grad(logits, targets, input_lengths, target_lengths)
    alone = [ctc.ctc_loss_forward(logits[n:n + 1, : input_lengths[n]], targets[n:n + 1, : target_lengths[n]],
                                  input_lengths[n:n + 1], target_lengths[n:n + 1]) for n in range(3)]
    assert loss == pytest.approx(np.mean([a[0] for a in alone]), rel=1e-12)
    for n in range(3):
        assert np.all(grad[n, input_lengths[n]:] == 0.0), "no gradient past input_lengths"
        np.testing.assert_allclose(grad[n, : input_lengths[n]], ctc.ctc_loss_backward(alone[n][1])[0] / 3,
                                   rtol=1e-12, atol=1e-15)
    # What lies past the lengths changes nothing.
    other_logits, other_targets = logits.copy(), targets.copy()
    other_logits[1, 4:], other_logits[2, 2:] = 50.0, -50.0
    other_targets[0, 3], other_targets[1, 2:], other_targets[2, 1:] = 1, 2, 3
    loss2, grad2, _ = _loss_and_grad(other_logits, other_targets, input_lengths, target_lengths)
    assert loss2 == loss
    np.testing.assert_array_equal(grad2, grad)
    np.testing.assert_allclose(grad, _brute_gradient(logits, targets, input_lengths, target_lengths),
                               rtol=1e-6, atol=1e-9)


def test_an_empty_target_is_read_by_the_all_blank_path():
    logits = np.random.default_rng(5).normal(size=(2, 4, 3))
    y = ctc_paths.softmax(logits)
    loss, grad, _ = _loss_and_grad(logits, np.zeros((2, 0), dtype=int), [4, 3], [0, 0])
    nll = [-np.log(y[0, :, 0]).sum(), -np.log(y[1, :3, 0]).sum()]  # divided by max(0, 1) = 1
    assert loss == pytest.approx(np.mean(nll), rel=1e-12)
    blank = np.zeros(3)
    blank[0] = 1.0
    np.testing.assert_allclose(grad[0], (y[0] - blank) / 2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad[1, :3], (y[1, :3] - blank) / 2, rtol=1e-12, atol=1e-15)
    assert np.all(grad[1, 3] == 0.0)


def test_zero_infinity_counts_an_impossible_sequence_as_zero():
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(2, 4, 3))
    targets, input_lengths, target_lengths = np.array([[1, 1, 1], [2, 1, 0]]), np.array([4, 4]), np.array([3, 2])
    # "aaa" needs 5 steps (a∅a∅a): impossible in 4
    assert ctc.ctc_loss_forward(logits, targets, input_lengths, target_lengths)[0] == np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad, _ = _loss_and_grad(logits, targets, input_lengths, target_lengths, zero_infinity=True)
    possible = ctc_paths.ctc_loss(logits[1:], targets[1:], input_lengths[1:], target_lengths[1:])
    assert loss == pytest.approx(possible / 2, rel=1e-12)  # (0 + the possible one's) / N
    assert np.all(grad[0] == 0.0)
    np.testing.assert_allclose(grad[1], _brute_gradient(logits[1:], targets[1:], [4], [2])[0] / 2,
                               rtol=1e-6, atol=1e-9)
    # A possible sequence is unaffected by zero_infinity.
    loss_1, grad_1, _ = _loss_and_grad(logits[1:], targets[1:], [4], [2], zero_infinity=True)
    assert loss_1 == pytest.approx(possible, rel=1e-12)


def test_another_blank_index():
    logits = np.random.default_rng(9).normal(0.0, 1.5, (2, 4, 3))
    targets, input_lengths, target_lengths = np.array([[0, 1], [1, 1]]), np.array([4, 3]), np.array([2, 2])
    loss, grad, _ = _loss_and_grad(logits, targets, input_lengths, target_lengths, blank=2)  # 0 is a label here
    assert loss == pytest.approx(ctc_paths.ctc_loss(logits, targets, input_lengths, target_lengths, blank=2),
                                 rel=1e-12)
    brute = numerical_gradient(lambda z: ctc_paths.ctc_loss(z, targets, input_lengths, target_lengths, blank=2),
                               logits)
    np.testing.assert_allclose(grad, brute, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("scale, T, S", [(1e3, 12, 3), (1e3, 60, 8), (3.0, 400, 30), (1e3, 300, 20)])
def test_extreme_logits_and_long_inputs_stay_finite_without_warnings(scale, T, S):
    rng = np.random.default_rng(int(T + S))
    N, C = 3, 6
    logits = scale * rng.standard_normal((N, T, C))
    targets = rng.integers(1, C, (N, S))
    targets[:, 1] = targets[:, 0]  # a repeat
    input_lengths, target_lengths = np.array([T, T - 1, T // 2]), np.array([S, S - 1, S // 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning (overflow, log of 0, 0/0) fails the test
        loss, grad, cache = _loss_and_grad(logits, targets, input_lengths, target_lengths)
    assert np.isfinite(loss) and loss > 0 and np.all(np.isfinite(grad))
    inside = np.arange(T)[None, :] < input_lengths[:, None]
    # softmax and the occupancy each sum to 1 over the classes, so every step's gradient sums to 0 (to rounding:
    # with logits of ±1e3, −log p is of order 1e5 and α + β − log p cancels it)
    np.testing.assert_allclose(grad.sum(axis=2)[inside], 0.0, atol=1e-9)
    assert np.all(grad[~inside] == 0.0)
    # The loss is the batch mean of each −log p divided by its target length.
    np.testing.assert_allclose(loss, np.mean(cache[8] / target_lengths), rtol=1e-12)


# ---- PyTorch on a fixed example -----------------------------------------------------------------------------------
def _wave(*shape, phase=0.0, scale=0.5):
    """Fixed, irregular values (no random generator, so the pasted numbers below can always be recomputed)."""
    k = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    return scale * np.sin(0.9 * k + phase)


LOGITS = _wave(2, 5, 4, phase=0.3, scale=1.5)
TARGETS, INPUT_LENGTHS, TARGET_LENGTHS = np.array([[1, 2, 2], [3, 1, 0]]), np.array([5, 4]), np.array([3, 2])

# From PyTorch 2.13 in float64 (torch is the independent computation here, not a dependency of the course):
#     z = torch.tensor(LOGITS, requires_grad=True)
#     loss = F.ctc_loss(F.log_softmax(z, 2).transpose(0, 1), TARGETS, INPUT_LENGTHS, TARGET_LENGTHS,
#                       reduction="mean"); loss.backward()            # dlogits = z.grad
#     nll = F.ctc_loss(…, reduction="none")                           # −log p per sequence, not divided
TORCH_CTC = {
    "loss": 1.727352468278564,
    "nll": np.array([5.2113060616788, 3.4352058319951]),
    "dlogits": np.array([
        0.024632499338911, -0.10225411358352, 0.057990068851118, 0.019631545393489, 0.022246293485975,
        0.013891951451164, -0.13786637000791, 0.10172812507077, -0.091550839347947, 0.064980800195536,
        0.020258488124224, 0.0063115510281867, 0.0023793672783996, 0.011599005582683, -0.12081728969401,
        0.10683891683293, -0.03701602775415, 0.036957670538282, -0.0070349640110363, 0.0070933212269044,
        0.0020867827057668, 0.042734691349688, 0.10603036034056, -0.15085183439602, -0.0066979052974935,
        -0.0041376075484353, 0.025988850052426, -0.015153337206497, 0.0040377259222411, -0.10576157824908,
        0.082553641225273, 0.019170211101571, -0.10074704759431, -0.099154859718771, 0.042742667820582,
        0.1571592394925, 0, 0, 0, 0
    ]).reshape(2, 5, 4),
}


def test_loss_and_gradient_match_torch_on_a_fixed_example():
    loss, grad, cache = _loss_and_grad(LOGITS, TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
    assert loss == pytest.approx(TORCH_CTC["loss"], rel=1e-12)
    np.testing.assert_allclose(cache[8], TORCH_CTC["nll"], rtol=1e-12)
    np.testing.assert_allclose(grad, TORCH_CTC["dlogits"], rtol=1e-11, atol=1e-15)


# ---- the cache, float32, inputs left alone ------------------------------------------------------------------------
def test_the_cache_is_laid_out_as_documented_and_suffices_for_the_backward():
    args = (LOGITS, TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
    loss, cache = ctc.ctc_loss_forward(*args, blank=0, zero_infinity=True)
    assert isinstance(cache, tuple) and len(cache) == 9
    assert all(c is a for c, a in zip(cache, args)) and cache[4:6] == (0, True)
    log_probs, log_alpha, nll = cache[6:]
    np.testing.assert_allclose(log_probs, np.log(ctc_paths.softmax(LOGITS)), rtol=1e-13)
    assert log_alpha.shape == (2, 5, 2 * 3 + 1) and nll.shape == (2,)
    # A cache built by hand from the documented parts: α from the recursion, −log p from the brute force.
    lp = np.log(ctc_paths.softmax(LOGITS))
    ext, skip, valid = ctc.extend_targets(TARGETS, TARGET_LENGTHS)
    hand_nll = np.array([-np.log(ctc_paths.target_probability(np.exp(lp[n, : INPUT_LENGTHS[n]]),
                                                              TARGETS[n, : TARGET_LENGTHS[n]])) for n in range(2)])
    hand = (*args, 0, True, lp, ctc.ctc_alpha(ctc.emissions(lp, ext, valid), skip), hand_nll)
    np.testing.assert_allclose(ctc.ctc_loss_backward(hand), ctc.ctc_loss_backward(cache), rtol=1e-12, atol=1e-15)


def test_float32_logits_are_accepted():
    logits32 = LOGITS.astype(np.float32)
    loss, grad, _ = _loss_and_grad(logits32, TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
    loss64, grad64, _ = _loss_and_grad(logits32.astype(np.float64), TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
    assert loss == pytest.approx(loss64, rel=1e-6)
    np.testing.assert_allclose(grad, grad64, rtol=1e-5, atol=1e-7)
    assert ctc.ctc_greedy_decode(logits32, INPUT_LENGTHS) == ctc.ctc_greedy_decode(LOGITS, INPUT_LENGTHS)


def test_no_function_changes_its_inputs():
    args = (LOGITS.copy(), TARGETS.copy(), INPUT_LENGTHS.copy(), TARGET_LENGTHS.copy())
    before = copy.deepcopy(args)
    _, cache = ctc.ctc_loss_forward(*args)
    cache_before = copy.deepcopy(cache)
    ctc.ctc_loss_backward(cache)
    ctc.ctc_greedy_decode(args[0], args[2])
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(cache, cache_before):
        np.testing.assert_array_equal(a, b)


# ---- greedy (best-path) decoding ----------------------------------------------------------------------------------
def _logits_for(paths, C=4, rng=None):
    """Logits whose argmax at each step follows ``paths`` (N lists of equal length), with small noise elsewhere."""
    rng = rng or np.random.default_rng(7)
    paths = np.asarray(paths)
    logits = rng.uniform(-1.0, 1.0, (*paths.shape, C))
    np.put_along_axis(logits, paths[..., None], 3.0, axis=2)
    return logits


@pytest.mark.parametrize("path, length, expected", [
    ([1, 0, 1, 2, 2], 5, [1, 1, 2]),        # a blank between repeats keeps both
    ([1, 1, 1, 2, 3], 5, [1, 2, 3]),        # repeats without a blank merge
    ([0, 2, 2, 0, 0], 5, [2]),              # leading and trailing blanks go
    ([0, 0, 0, 0, 0], 5, []),               # all blanks read as nothing
    ([3, 0, 3, 3, 1], 2, [3]),              # input_lengths cuts: only the first 2 steps count
    ([3, 3, 0, 1, 1], 1, [3]),
    ([2, 1, 2, 1, 2], 5, [2, 1, 2, 1, 2]),
])
def test_greedy_decoding_on_hand_made_paths(path, length, expected):
    decoded = ctc.ctc_greedy_decode(_logits_for([path]), [length])
    assert decoded == [expected]
    assert isinstance(decoded, list) and all(type(label) is int for label in decoded[0])


def test_greedy_decoding_of_a_batch_and_another_blank():
    paths = [[1, 0, 1, 2, 2], [3, 3, 3, 0, 3], [2, 1, 1, 0, 0]]
    assert ctc.ctc_greedy_decode(_logits_for(paths), [5, 4, 3]) == [[1, 1, 2], [3], [2, 1]]
    # With blank=3 the label 0 is an ordinary label and 3 separates repeats.
    assert ctc.ctc_greedy_decode(_logits_for([[0, 3, 0, 0, 3]]), [5], blank=3) == [[0, 0]]
    # Greedy decoding agrees with collapsing the argmax path by hand.
    logits = np.random.default_rng(8).normal(size=(4, 9, 5))
    lengths = [9, 7, 3, 1]
    assert ctc.ctc_greedy_decode(logits, lengths) == [
        ctc_paths.collapse(list(logits[n, :lengths[n]].argmax(axis=1))) for n in range(4)]
