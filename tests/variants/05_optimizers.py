"""Valid ways of writing 05_optimizers' functions: loops, in-place operations on copies, torch's step-size form,
other ways of shuffling."""

from harness import Variant

GROUPS = {
    "alternatives": [
        Variant(
            "sgd with a loop",
            "sgd_update",
            "    return w - lr * (dw + weight_decay * w)",
            '''    out = np.array(w, dtype=float)
    flat, g, w0 = out.reshape(-1), np.ravel(dw), np.ravel(w)
    for i in range(flat.size):
        flat[i] = w0[i] - lr * (g[i] + weight_decay * w0[i])
    return out''',
        ),
        Variant(
            "momentum torch-style in-place ops on a copy",
            "momentum_update",
            '''    if "momentum_buffer" not in state:
        buf = np.array(dw, dtype=float)
    else:
        buf = momentum * state["momentum_buffer"] + (1.0 - dampening) * dw
    state["momentum_buffer"] = buf
    direction = dw + momentum * buf if nesterov else buf
    return w - lr * direction, state''',
            '''    buf = state.get("momentum_buffer")
    if buf is None:
        buf = dw.copy()
    else:
        buf = buf * momentum
        buf += (1 - dampening) * dw
    state["momentum_buffer"] = buf
    d = dw + momentum * buf if nesterov else buf
    w = w.copy()
    w -= lr * d
    return w, state''',
        ),
        Variant(
            "adagrad in the input dtype",
            "adagrad_update",
            'state.get("sum", np.zeros(np.shape(dw)))',
            'state.get("sum", np.zeros_like(w))',
        ),
        Variant(
            "adam torch-style step size",
            "adam_update",
            '''    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), state''',
            '''    step_size = lr / (1 - beta1**t)
    denom = np.sqrt(v) / np.sqrt(1 - beta2**t) + eps
    return w - step_size * m / denom, state''',
        ),
        Variant(
            "adamw calling adam",
            "adamw_update",
            "    beta1, beta2 = betas\n",
            "    return adam_update(w * (1 - lr * weight_decay), dw, state, lr, betas, eps)\n",
        ),
        Variant(
            "minibatches as a list, shuffled indices",
            "iterate_minibatches",
            '''    n = len(X)
    if shuffle:
        rng = np.random.default_rng() if rng is None else rng
        order = rng.permutation(n)
    else:
        order = np.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]''',
            '''    idx = np.arange(len(X))
    if shuffle:
        (np.random.default_rng() if rng is None else rng).shuffle(idx)
    return [(X[idx[i:i + batch_size]], y[idx[i:i + batch_size]]) for i in range(0, len(X), batch_size)]''',
        ),
        Variant(
            "clip norm without the 1e-6",
            "clip_grad_norm",
            "        scale = max_norm / (total + 1e-6)",
            "        scale = max_norm / float(np.linalg.norm(np.concatenate([np.ravel(g) for g in grads])))",
        ),
        Variant(
            "step_lr with a loop",
            "step_lr",
            "    return lr0 * gamma ** (epoch // step_size)\n",
            "    lr = lr0\n    for _ in range(epoch // step_size):\n        lr *= gamma\n    return lr\n",
        ),
        Variant("cosine with math", "cosine_annealing_lr", "    return eta_min", "    import math\n    return eta_min"),
        Variant(
            "clip value with where",
            "clip_grad_value",
            "    return [np.clip(g, -clip_value, clip_value) for g in grads]",
            "    return [np.where(g > clip_value, clip_value, np.where(g < -clip_value, -clip_value, g)) "
            "for g in grads]",
        ),
    ]
}
