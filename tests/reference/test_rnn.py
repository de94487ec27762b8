"""course.rnn against independent computations: central differences of the reference forwards for every gradient
a backward returns, numbers pasted from PyTorch for one fixed example, the cache layouts the docstrings promise (a
backward given a cache built by hand from them), float32, N = 1 and T = 1, and inputs left alone."""

import copy

import numpy as np
import pytest

from course import rnn
from course.gradcheck import numerical_gradient

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
CELL = {"rnn": rnn.rnn_cell_forward, "lstm": rnn.lstm_cell_forward, "gru": rnn.gru_cell_forward}
CELL_BACKWARD = {"rnn": rnn.rnn_cell_backward, "lstm": rnn.lstm_cell_backward, "gru": rnn.gru_cell_backward}
SEQUENCE = {"rnn": (rnn.rnn_forward, rnn.rnn_backward), "lstm": (rnn.lstm_forward, rnn.lstm_backward),
            "gru": (rnn.gru_forward, rnn.gru_backward)}


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _params(kind, D, H, rng):
    G = GATES[kind]
    return {"W_ih": rng.normal(0, 0.6, (G * H, D)), "W_hh": rng.normal(0, 0.6, (G * H, H)),
            "b_ih": rng.normal(0, 0.3, G * H), "b_hh": rng.normal(0, 0.3, G * H)}


def _numerical(forward, args, upstream, wrt, h=1e-6):
    """Central differences of ``L = Σₖ Σ upstream[k] · outₖ``, ``out = forward(*args)``, with respect to each entry
    of ``wrt``: an argument's position, or ``(position, key)`` for an entry of a dict argument."""

    def at(where, value):
        new = list(args)
        if isinstance(where, int):
            new[where] = value
        else:
            new[where[0]] = {**new[where[0]], where[1]: value}
        return new

    def gradient(where):
        current = args[where] if isinstance(where, int) else args[where[0]][where[1]]

        def loss(value):
            outs = forward(*at(where, value))
            return sum(float(np.sum(u * o)) for u, o in zip(upstream, outs))

        return numerical_gradient(loss, current, h=h)

    return [gradient(w) for w in wrt]


def _close(got, expected, what, rtol=1e-6, atol=1e-9):
    assert np.shape(got) == np.shape(expected), f"{what}: shape {np.shape(got)}, expected {np.shape(expected)}"
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=what)


def _same(a, b):
    """Exact equality of nested tuples, lists, dicts and arrays."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return np.asarray(a).dtype == np.asarray(b).dtype and np.array_equal(a, b)


def _lead(kind, x, h0, c0):
    """The forward's arguments before ``params``: ``(x, h0)``, and ``c0`` for the LSTM."""
    return (x, h0, c0) if kind == "lstm" else (x, h0)


# ---- every gradient against central differences ------------------------------------------------------------------
CELL_SHAPES = [(1, 3, 2), (4, 5, 3), (3, 2, 4)]  # (N, D, H): one example, D > H, D < H
CELL_GRADS = ("dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")


@pytest.mark.parametrize("kind", ["rnn", "gru"])
@pytest.mark.parametrize("N, D, H", CELL_SHAPES)
def test_rnn_and_gru_cell_gradients_match_central_differences(kind, N, D, H):
    rng = np.random.default_rng(100 * N + 10 * D + H)
    x, h_prev, dh = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    args = [x, h_prev, *_params(kind, D, H, rng).values()]
    _, cache = CELL[kind](*args)
    got = CELL_BACKWARD[kind](dh, cache)
    expected = _numerical(lambda *a: CELL[kind](*a)[:1], args, [dh], range(6))
    assert len(got) == 6
    for name, g, e in zip(CELL_GRADS, got, expected):
        _close(g, e, f"{kind} cell {name}")


@pytest.mark.parametrize("N, D, H", CELL_SHAPES)
def test_lstm_cell_gradients_match_central_differences(N, D, H):
    rng = np.random.default_rng(100 * N + 10 * D + H)
    x, h_prev, c_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    dh, dc = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    args = [x, h_prev, c_prev, *_params("lstm", D, H, rng).values()]
    _, _, cache = rnn.lstm_cell_forward(*args)
    got = rnn.lstm_cell_backward(dh, dc, cache)
    expected = _numerical(lambda *a: rnn.lstm_cell_forward(*a)[:2], args, [dh, dc], range(7))
    assert len(got) == 7
    for name, g, e in zip(("dx", "dh_prev", "dc_prev", *CELL_GRADS[2:]), got, expected):
        _close(g, e, f"lstm cell {name}")


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("N, T, D, H", [(1, 4, 3, 2), (3, 1, 2, 3), (2, 6, 4, 3)])  # N = 1, T = 1, longer
def test_bptt_gradients_match_central_differences(kind, N, T, D, H):
    rng = np.random.default_rng(1000 * N + 100 * T + 10 * D + H)
    x, h0, c0, dhs = (rng.normal(size=s) for s in ((N, T, D), (N, H), (N, H), (N, T, H)))
    lead = _lead(kind, x, h0, c0)
    args = [*lead, _params(kind, D, H, rng)]
    forward, backward = SEQUENCE[kind]
    hs, cache = forward(*args)
    assert hs.shape == (N, T, H)
    *got, grads = backward(dhs, cache)
    wrt = [*range(len(lead)), *((len(lead), k) for k in rnn.PARAM_NAMES)]
    expected = _numerical(lambda *a: forward(*a)[:1], args, [dhs], wrt)
    assert len(got) == len(lead) and sorted(grads) == sorted(rnn.PARAM_NAMES)
    for name, g, e in zip(("dx", "dh0", "dc0"), got, expected):
        _close(g, e, f"{kind} {name}")
    for k, e in zip(rnn.PARAM_NAMES, expected[len(lead):]):
        _close(grads[k], e, f"{kind} grads[{k!r}]")


def test_a_single_step_sequence_is_one_cell():
    rng = np.random.default_rng(5)
    x, h0, c0, dhs = (rng.normal(size=s) for s in ((2, 1, 3), (2, 4), (2, 4), (2, 1, 4)))
    for kind in ("rnn", "lstm", "gru"):
        weights = list(_params(kind, 3, 4, rng).values())
        forward, backward = SEQUENCE[kind]
        hs, cache = forward(*_lead(kind, x, h0, c0), dict(zip(rnn.PARAM_NAMES, weights)))
        dx, dh0, *dc0, grads = backward(dhs, cache)
        if kind == "lstm":
            h, _, cell_cache = rnn.lstm_cell_forward(x[:, 0], h0, c0, *weights)
            dx_cell, dh_cell, dc_cell, *dweights = rnn.lstm_cell_backward(dhs[:, 0], np.zeros_like(c0), cell_cache)
            _close(dc0[0], dc_cell, "lstm dc0", rtol=1e-14, atol=1e-15)
        else:
            h, cell_cache = CELL[kind](x[:, 0], h0, *weights)
            dx_cell, dh_cell, *dweights = CELL_BACKWARD[kind](dhs[:, 0], cell_cache)
        _close(hs[:, 0], h, f"{kind} hs")
        _close(dx[:, 0], dx_cell, f"{kind} dx", rtol=1e-14, atol=1e-15)
        _close(dh0, dh_cell, f"{kind} dh0", rtol=1e-14, atol=1e-15)
        for k, e in zip(rnn.PARAM_NAMES, dweights):
            _close(grads[k], e, f"{kind} grads[{k!r}]", rtol=1e-14, atol=1e-15)


# ---- numbers from PyTorch -----------------------------------------------------------------------------------------
def _wave(*shape, phase=0.0, scale=0.5):
    """Fixed, irregular values (no random generator, so the pasted numbers below can always be recomputed)."""
    k = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    return scale * np.sin(0.9 * k + phase)


X, H0, C0 = _wave(2, 3, 3, phase=0.1), _wave(2, 2, phase=1.0), _wave(2, 2, phase=2.0)  # N = 2, T = 3, D = 3, H = 2
DHS = _wave(2, 3, 2, phase=3.0, scale=1.0)


def _wave_params(G, H=2, D=3):
    return {"W_ih": _wave(G * H, D, phase=0.4 + G), "W_hh": _wave(G * H, H, phase=0.7 + G),
            "b_ih": _wave(G * H, phase=1.3 + G, scale=0.2), "b_hh": _wave(G * H, phase=1.9 + G, scale=0.2)}


# From PyTorch 2.13 in float64 (torch is the independent computation here, not a dependency of the course):
#     m = torch.nn.RNN(3, 2, batch_first=True)     # likewise torch.nn.LSTM(3, 2, …) and torch.nn.GRU(3, 2, …)
#     copy W_ih, W_hh, b_ih, b_hh of _wave_params(G) into m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0
#     out, _ = m(X, H0[None])                       # the LSTM: m(X, (H0[None], C0[None]))
#     (out * DHS).sum().backward()
# hs = out, dx = X.grad, dh0 = H0.grad, dc0 = C0.grad, dW_ih = m.weight_ih_l0.grad and so on. The GRU cell:
#     cell = torch.nn.GRUCell(3, 2) with weight_ih, weight_hh, bias_ih, bias_hh from _wave_params(3)
#     h = cell(X[:, 1], H0); (h * DHS[:, 2]).sum().backward()
TORCH_RNN = {
    "hs": np.array([
        0.60132342999969, -0.6312940007485, 0.31913583750628, 0.20909637098165, 0.23985651228368, -0.24736735417448,
        0.47068138168898, -0.25005205006006, -0.010554446582584, 0.25412449701438, 0.56407449418645,
        -0.59237794606094
    ]).reshape(2, 3, 2),
    "dx": np.array([
        0.077172511007079, 0.11087634219185, 0.060671168096613, -0.094990984289043, 0.073334444699687,
        0.18616182797488, -0.2156158112994, -0.31273963833628, -0.17318834202699, 0.067926140981304,
        -0.015058754406696, -0.086647484679188, 0.0028833454111231, 0.1912600685297, 0.23489498484926,
        -0.2672279139417, -0.23832108211565, -0.029057606642583
    ]).reshape(2, 3, 3),
    "dh0": np.array([0.0046455329329915, 0.12124585337272, 0.16081978455808, -0.066889015274333]).reshape(2, 2),
    "dW_ih": np.array([
        0.25786925533894, 0.43550672081956, 0.28356138248168, 0.36011028865386, 0.69559119544554, 0.50466255320666
    ]).reshape(2, 3),
    "dW_hh": np.array([-0.84206104951414, 0.59806996027672, -0.82367549010624, 0.80635768010855]).reshape(2, 2),
    "db_ih": np.array([-1.5305227678071, -0.79257725194317]),
    "db_hh": np.array([-1.5305227678071, -0.79257725194317]),
}
TORCH_LSTM = {
    "hs": np.array([
        0.062422660466982, 0.082452031207876, 0.11595835664792, -0.026771737561262, 0.014573498841337,
        0.0067779083025183, -0.050313325957945, -0.19232895964041, -0.022653599193742, -0.20481465631122,
        -0.014106824268031, -0.17385688310352
    ]).reshape(2, 3, 2),
    "dx": np.array([
        0.045788525001118, 0.023023513292106, -0.017165234267148, -0.06203986455611, 0.018336931536551,
        0.084836703417343, -0.073903773610404, -0.012763679818693, 0.058035712396175, 0.053416059944875,
        0.014228254433097, -0.035727210371467, -0.015995090213334, 0.029191732628246, 0.052286834198954,
        -0.025714715758693, 0.02306508844827, 0.054389693555671
    ]).reshape(2, 3, 3),
    "dh0": np.array([-0.020551063928948, -0.042110376515167, -0.084192595850694, -0.036097594957765]).reshape(2, 2),
    "dc0": np.array([-0.068708024893299, -0.089063298232423, 0.10538321357446, -0.14494217704056]).reshape(2, 2),
    "dW_ih": np.array([
        0.0016785261793839, 0.01107581923095, 0.012091153102061, -0.00037773973289163, -0.0044633144277655,
        -0.005171141746759, -0.013475472225522, -0.005489838580162, 0.0066503954542712, -0.014310418142391,
        -0.022219179150948, -0.013312908351651, 0.046387762628257, 0.048428413540877, 0.01381940658083,
        -0.021577918062466, 0.028351830264991, 0.056825478685339, -0.022721740390495, 0.014452954584502,
        0.040689941671875, -0.060298671723485, -0.064677408290781, -0.020109571707436
    ]).reshape(8, 3),
    "dW_hh": np.array([
        0.0020805975241472, -0.0010067041666465, 0.0015546692220007, -0.014494815030531, -0.0085270173904253,
        -0.0066738463353199, 0.00021996484177885, -0.01866189040447, 0.006027260766574, 0.011709459452399,
        -0.019116464008424, 0.0026496037751201, -0.0041207065119421, 0.00092445277733382, -0.018249948900643,
        -0.027865317608596
    ]).reshape(8, 2),
    "db_ih": np.array([
        -0.018403898249529, 0.025904614571828, -0.018656146091017, 0.074208481848014, -0.31978800013471,
        -0.051006667213131, -0.055393864596505, 0.027580403466855
    ]),
    "db_hh": np.array([
        -0.018403898249529, 0.025904614571828, -0.018656146091017, 0.074208481848014, -0.31978800013471,
        -0.051006667213131, -0.055393864596505, 0.027580403466855
    ]),
}
TORCH_GRU = {
    "hs": np.array([
        0.33009221164118, 0.2764326951266, 0.29592415719004, 0.25626204489646, 0.12394997159914, 0.26483587601546,
        0.32790616305532, -0.22761564680458, 0.097124335834628, -0.0090348105603453, 0.29601020552673,
        -0.13548015510916
    ]).reshape(2, 3, 2),
    "dx": np.array([
        0.059851268805591, 0.061000191393871, 0.015985385268107, -0.17073090958459, -0.10251353316688,
        0.043284041386232, -0.055143505686327, -0.087099769800273, -0.053140664597533, 0.14586083726994,
        0.12838222106289, 0.013746499452904, -0.21504707083325, -0.0355109104212, 0.17089919903288,
        -0.15250826567311, -0.12148997073734, 0.0014695119626169
    ]).reshape(2, 3, 3),
    "dh0": np.array([-0.20210201833765, -0.38108665544232, 0.21273916045803, -0.29470740303616]).reshape(2, 2),
    "dW_ih": np.array([
        0.0076074227056846, 0.0023901073772944, -0.0046359935637576, -0.0036265416637899, -0.0062254503382943,
        -0.0041130623107255, 0.04108518742565, 0.05359995391306, 0.025551343876763, -0.042312055360708,
        -0.055605700224348, -0.026818059743542, 0.11052052944154, 0.11288182649759, 0.029816407733466,
        -0.040734877317533, 0.0061489754125142, 0.048379406139673
    ]).reshape(6, 3),
    "dW_hh": np.array([
        0.0018439167475558, 0.0044848502283955, -0.00055874583047306, -0.0055724701188284, -0.041527477874736,
        0.027473891305408, 0.0092948213516564, -0.060673492687522, -0.10556920405164, -0.0066727579973623,
        -0.03291235862309, 0.021692919145954
    ]).reshape(6, 2),
    "db_ih": np.array([
        0.0033037365072911, 0.0056298215492659, -0.10112740644956, 0.066998737628026, -0.77857817419378,
        -0.13053328525098
    ]),
    "db_hh": np.array([
        0.0033037365072911, 0.0056298215492659, -0.10112740644956, 0.066998737628026, -0.31706967232654,
        -0.04148810198297
    ]),
}
TORCH_GRU_CELL = {
    "h": np.array([0.3476693048336, 0.36955891841751, 0.036753525485278, -0.034832332582792]).reshape(2, 2),
    "dx": np.array([
        -0.16926792783335, -0.15458651317093, -0.022917107261163, -0.1696601461847, -0.10682399790159,
        0.036854422292403
    ]).reshape(2, 3),
    "dh_prev": np.array([0.21049013337745, 0.52317910394465, -0.19795148120187, 0.28497963093701]).reshape(2, 2),
    "dW_ih": np.array([
        0.0051298028082332, 0.0054456497860161, 0.001640337573164, 0.0047430422679822, -0.0051113178660523,
        -0.011097534541058, 0.018852952181366, 0.0072158262013438, -0.0098820931892383, 0.033320362518959,
        0.0042506424859229, -0.02803587903735, 0.15789875530044, 0.073518787975603, -0.066498732378816,
        0.026999849070385, -0.14415211694575, -0.20621263475198
    ]).reshape(6, 3),
    "dW_hh": np.array([
        -0.0040663400783063, 0.00084701713401058, 0.0089255276433196, 0.010993010914879, 0.0010557603516563,
        0.015990906261898, 0.012495949968389, 0.036817690311471, -0.0066081384868324, 0.053965657816421,
        0.064086398404169, 0.055595876682639
    ]).reshape(6, 2),
    "db_ih": np.array([
        -0.016861891485898, 0.019945238481365, -0.01714819459252, -0.00052908451602567, -0.18944595382883,
        0.51650003269399
    ]),
    "db_hh": np.array([
        -0.016861891485898, 0.019945238481365, -0.01714819459252, -0.00052908451602567, -0.097234389047711,
        0.17419591349841
    ]),
}


@pytest.mark.parametrize("kind, expected", [("rnn", TORCH_RNN), ("lstm", TORCH_LSTM), ("gru", TORCH_GRU)])
def test_sequences_match_torch_on_a_fixed_example(kind, expected):
    forward, backward = SEQUENCE[kind]
    hs, cache = forward(*_lead(kind, X, H0, C0), _wave_params(GATES[kind]))
    *got, grads = backward(DHS, cache)
    _close(hs, expected["hs"], f"{kind} hs", rtol=1e-12, atol=1e-15)
    for name, g in zip(("dx", "dh0", "dc0"), got):
        _close(g, expected[name], f"{kind} {name}", rtol=1e-12, atol=1e-15)
    for k in rnn.PARAM_NAMES:
        _close(grads[k], expected["d" + k], f"{kind} grads[{k!r}]", rtol=1e-12, atol=1e-15)


def test_gru_cell_matches_torchs_gru_cell():
    weights = _wave_params(3).values()
    h, cache = rnn.gru_cell_forward(X[:, 1], H0, *weights)
    _close(h, TORCH_GRU_CELL["h"], "h", rtol=1e-12, atol=1e-15)
    for name, g in zip(CELL_GRADS, rnn.gru_cell_backward(DHS[:, 2], cache)):
        _close(g, TORCH_GRU_CELL[name], name, rtol=1e-12, atol=1e-15)


# ---- the caches' documented layout --------------------------------------------------------------------------------
def _cell_cache_by_hand(kind, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """A cell's cache built from its docstring's formulas alone: the arguments, then what the backward needs."""
    H = h_prev.shape[1]
    ax, ah = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
    if kind == "rnn":
        return (x, h_prev, W_ih, W_hh, b_ih, b_hh, np.tanh(ax + ah))
    if kind == "lstm":
        a = ax + ah
        i, f, g, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), _sigmoid(a[:, 3 * H:])
        return (x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, i, f, g, o, f * c_prev + i * g)
    r, z = _sigmoid(ax[:, :H] + ah[:, :H]), _sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    hn = h_prev @ W_hh[2 * H:].T + b_hh[2 * H:]
    return (x, h_prev, W_ih, W_hh, b_ih, b_hh, r, z, np.tanh(ax[:, 2 * H:] + r * hn), hn)


def _cell_output(kind, hand):
    """The outputs a hand-built cache implies: ``(h,)``, or ``(h, c)`` for the LSTM."""
    if kind == "rnn":
        return (hand[6],)
    if kind == "lstm":
        return hand[10] * np.tanh(hand[11]), hand[11]
    h_prev, z, n = hand[1], hand[7], hand[8]
    return ((1.0 - z) * n + z * h_prev,)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_caches_are_laid_out_as_documented_and_suffice_for_the_backward(kind):
    rng = np.random.default_rng(11)
    N, D, H = 3, 4, 2
    x, h_prev, c_prev, dh, dc = (rng.normal(size=s) for s in ((N, D), (N, H), (N, H), (N, H), (N, H)))
    weights = list(_params(kind, D, H, rng).values())
    args = (x, h_prev, c_prev, *weights) if kind == "lstm" else (x, h_prev, *weights)
    *out, cache = CELL[kind](*args)
    hand = _cell_cache_by_hand(kind, x, h_prev, c_prev, *weights)
    assert isinstance(cache, tuple) and len(cache) == len(hand)
    assert all(c is a for c, a in zip(cache, args)), "the cache starts with the forward's own arguments"
    for k in range(len(args), len(hand)):
        _close(cache[k], hand[k], f"{kind} cache[{k}]", rtol=1e-13, atol=1e-15)
    for o, e in zip(out, _cell_output(kind, hand)):
        _close(o, e, f"{kind} output", rtol=1e-13, atol=1e-15)
    upstream = (dh, dc) if kind == "lstm" else (dh,)
    from_forward, from_hand = CELL_BACKWARD[kind](*upstream, cache), CELL_BACKWARD[kind](*upstream, hand)
    for a, b in zip(from_forward, from_hand):
        _close(a, b, f"{kind} backward from a hand-built cache", rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_sequence_caches_hold_the_arguments_and_every_steps_cell_cache(kind):
    rng = np.random.default_rng(12)
    N, T, D, H = 2, 4, 3, 2
    x, h0, c0, dhs = (rng.normal(size=s) for s in ((N, T, D), (N, H), (N, H), (N, T, H)))
    params = _params(kind, D, H, rng)
    weights = [params[k] for k in rnn.PARAM_NAMES]
    forward, backward = SEQUENCE[kind]
    lead = _lead(kind, x, h0, c0)
    hs, cache = forward(*lead, params)
    assert isinstance(cache, tuple) and len(cache) == len(lead) + 2
    assert all(c is a for c, a in zip(cache, (*lead, params))), "the cache starts with the forward's own arguments"
    steps, hand_steps, h, c = cache[-1], [], h0, c0
    assert len(steps) == T
    for t in range(T):
        hand = _cell_cache_by_hand(kind, x[:, t], h, c, *weights)
        h, *rest = _cell_output(kind, hand)
        c = rest[0] if rest else None
        _close(hs[:, t], h, f"{kind} hs[:, {t}]", rtol=1e-12, atol=1e-15)
        assert len(steps[t]) == len(hand)
        for k, (a, b) in enumerate(zip(steps[t], hand)):
            _close(a, b, f"{kind} steps[{t}][{k}]", rtol=1e-12, atol=1e-15)
        hand_steps.append(hand)
    from_forward, from_hand = backward(dhs, cache), backward(dhs, (*lead, params, hand_steps))
    for a, b in zip(from_forward[:-1], from_hand[:-1]):
        _close(a, b, f"{kind} backward from a hand-built cache", rtol=1e-12, atol=1e-15)
    for k in rnn.PARAM_NAMES:
        _close(from_forward[-1][k], from_hand[-1][k], f"{kind} grads[{k!r}] from a hand-built cache", rtol=1e-12,
               atol=1e-15)


# ---- float32, and inputs left alone -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("weights32", [False, True], ids=["float32-data", "float32-everything"])
def test_float32_inputs_are_accepted(kind, weights32):
    rng = np.random.default_rng(13)
    N, T, D, H = 3, 4, 5, 2
    x, h0, c0, dhs = (rng.normal(size=s) for s in ((N, T, D), (N, H), (N, H), (N, T, H)))
    params = _params(kind, D, H, rng)
    params32 = {k: v.astype(np.float32) for k, v in params.items()} if weights32 else params
    forward, backward = SEQUENCE[kind]
    lead32 = [a.astype(np.float32) for a in _lead(kind, x, h0, c0)]
    # The float64 computation on the very values the float32 arrays hold.
    hs64, cache64 = forward(*(a.astype(np.float64) for a in lead32),
                            {k: v.astype(np.float64) for k, v in params32.items()})
    hs32, cache32 = forward(*lead32, params32)
    _close(hs32, hs64, f"{kind} hs in float32", rtol=1e-4, atol=1e-5)
    dhs32 = dhs.astype(np.float32)
    got, expected = backward(dhs32, cache32), backward(dhs32.astype(np.float64), cache64)
    for a, b in zip(got[:-1], expected[:-1]):
        _close(a, b, f"{kind} backward in float32", rtol=1e-4, atol=1e-5)
    for k in rnn.PARAM_NAMES:
        _close(got[-1][k], expected[-1][k], f"{kind} grads[{k!r}] in float32", rtol=1e-4, atol=1e-5)
    # The cells on their own, float32 throughout.
    step = [a[:, 0] if a.ndim == 3 else a for a in lead32]
    *out32, cell32 = CELL[kind](*step, *params32.values())
    *out64, cell64 = CELL[kind](*(a.astype(np.float64) for a in step),
                                *(v.astype(np.float64) for v in params32.values()))
    upstream = [dhs32[:, 0]] * (2 if kind == "lstm" else 1)
    for a, b in zip((*out32, *CELL_BACKWARD[kind](*upstream, cell32)),
                    (*out64, *CELL_BACKWARD[kind](*(u.astype(np.float64) for u in upstream), cell64))):
        _close(a, b, f"{kind} cell in float32", rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_no_function_changes_its_inputs(kind):
    rng = np.random.default_rng(14)
    N, T, D, H = 2, 3, 4, 3
    x, h0, c0, dhs = (rng.normal(size=s) for s in ((N, T, D), (N, H), (N, H), (N, T, H)))
    params = _params(kind, D, H, rng)
    forward, backward = SEQUENCE[kind]
    args = (*_lead(kind, x, h0, c0), params)
    before = copy.deepcopy(args)
    _, cache = forward(*args)
    cache_before, dhs_before = copy.deepcopy(cache), dhs.copy()
    backward(dhs, cache)
    assert _same(args, before), f"{kind}_forward or {kind}_backward changed the forward's arguments"
    assert _same(cache, cache_before), f"{kind}_backward changed its cache"
    assert _same(dhs, dhs_before), f"{kind}_backward changed dhs"
    cell_args = tuple(a[:, 0] if a.ndim == 3 else a for a in args[:-1]) + tuple(params.values())
    cell_before = copy.deepcopy(cell_args)
    *_, cell_cache = CELL[kind](*cell_args)
    cell_cache_before = copy.deepcopy(cell_cache)
    upstream = (dhs[:, 0], dhs[:, 1]) if kind == "lstm" else (dhs[:, 0],)
    CELL_BACKWARD[kind](*upstream, cell_cache)
    assert _same(cell_args, cell_before) and _same(cell_cache, cell_cache_before), f"the {kind} cell changed an input"
    assert _same(dhs, dhs_before), f"the {kind} cell's backward changed dh"
