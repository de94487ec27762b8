"""Planted mistakes for 05_optimizers: each must fail only its own test cell, with words that name it."""

from harness import Planted

_MOMENTUM_BODY = '''    if "momentum_buffer" not in state:
        buf = np.array(dw, dtype=float)
    else:
        buf = momentum * state["momentum_buffer"] + (1.0 - dampening) * dw
    state["momentum_buffer"] = buf
    direction = dw + momentum * buf if nesterov else buf
    return w - lr * direction, state'''

_ADAM_STEP = '''    t = state.get("step", 0) + 1
    m = beta1 * state.get("exp_avg", np.zeros(np.shape(dw))) + (1.0 - beta1) * dw
    v = beta2 * state.get("exp_avg_sq", np.zeros(np.shape(dw))) + (1.0 - beta2) * dw * dw
    state["step"], state["exp_avg"], state["exp_avg_sq"] = t, m, v
    m_hat'''

_ADAMW_BODY = '''    w = w * (1.0 - lr * weight_decay)
    t = state.get("step", 0) + 1
    m = beta1 * state.get("exp_avg", np.zeros(np.shape(dw))) + (1.0 - beta1) * dw
    v = beta2 * state.get("exp_avg_sq", np.zeros(np.shape(dw))) + (1.0 - beta2) * dw * dw
    state["step"], state["exp_avg"], state["exp_avg_sq"] = t, m, v
    return w - lr * (m / (1.0 - beta1**t)) / (np.sqrt(v / (1.0 - beta2**t)) + eps), state'''

PLANTED = [
    # sgd_update
    Planted("sgd in place", "sgd_update", "    return w - lr * (dw + weight_decay * w)",
            "    w -= lr * (dw + weight_decay * w)\n    return w", "in place"),
    Planted("sgd ignores weight decay", "sgd_update", "return w - lr * (dw + weight_decay * w)", "return w - lr * dw",
            "ignores weight_decay"),
    Planted("sgd uphill", "sgd_update", "return w - lr", "return w + lr", "steps uphill"),
    # momentum_update
    Planted("momentum CS231n convention", "momentum_update", _MOMENTUM_BODY,
            '''    v = momentum * state.get("momentum_buffer", np.zeros(np.shape(dw))) - lr * dw
    state["momentum_buffer"] = v
    return w + v, state''', "CS231n"),
    Planted("nesterov as plain momentum", "momentum_update", "direction = dw + momentum * buf if nesterov else buf",
            "direction = buf", "ignores nesterov"),
    Planted("momentum buffer starts at zeros", "momentum_update", "buf = np.array(dw, dtype=float)",
            "buf = (1.0 - dampening) * dw", "starts the momentum buffer at zeros"),
    Planted("momentum in place", "momentum_update", "    return w - lr * direction, state",
            "    w -= lr * direction\n    return w, state", "in place"),
    Planted("momentum keeps dw itself and mutates it", "momentum_update", '''        buf = np.array(dw, dtype=float)
    else:
        buf = momentum * state["momentum_buffer"] + (1.0 - dampening) * dw''', '''        buf = dw
    else:
        buf = state["momentum_buffer"]
        buf *= momentum
        buf += (1.0 - dampening) * dw''', "store a copy"),
    # adagrad_update
    Planted("adagrad eps inside the root", "adagrad_update", "(np.sqrt(state[\"sum\"]) + eps)",
            "np.sqrt(state[\"sum\"] + eps)", "eps inside the square root"),
    Planted("adagrad without step", "adagrad_update", '    state["step"] = state.get("step", 0) + 1\n', "",
            "missing the key(s) ['step']"),
    # rmsprop_update
    Planted("rmsprop eps inside the root", "rmsprop_update", "(np.sqrt(state[\"square_avg\"]) + eps)",
            "np.sqrt(state[\"square_avg\"] + eps)", "eps inside the square root"),
    Planted("rmsprop alpha swapped", "rmsprop_update", "alpha * state.get(\"square_avg\", np.zeros(np.shape(dw))) "
            "+ (1.0 - alpha) * dw * dw", "(1.0 - alpha) * state.get(\"square_avg\", np.zeros(np.shape(dw))) "
            "+ alpha * dw * dw", "swaps alpha"),
    # adam_update
    Planted("adam without bias correction", "adam_update",
            "    m_hat = m / (1.0 - beta1**t)\n    v_hat = v / (1.0 - beta2**t)", "    m_hat, v_hat = m, v",
            "no bias correction"),
    Planted("adam step counted from 0", "adam_update", _ADAM_STEP,
            _ADAM_STEP.replace('state.get("step", 0) + 1', 'state.get("step", 0)').replace("= t, m, v",
                                                                                           "= t + 1, m, v"),
            "counts step from 0"),
    Planted("adam eps inside the root", "adam_update", "(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)",
            "eps inside the square root"),
    Planted("adam corrects only the first moment", "adam_update", "    v_hat = v / (1.0 - beta2**t)",
            "    v_hat = v", "not exp_avg_sq"),
    Planted("adam in place", "adam_update", "    return w - lr * m_hat / (np.sqrt(v_hat) + eps), state",
            "    w -= lr * m_hat / (np.sqrt(v_hat) + eps)\n    return w, state", "in place"),
    # adamw_update
    Planted("adamw as adam with L2", "adamw_update", "    w = w * (1.0 - lr * weight_decay)\n",
            "    dw = dw + weight_decay * w\n", "Adam with L2"),
    Planted("adamw decays after the step", "adamw_update", _ADAMW_BODY,
            _ADAMW_BODY.replace("    w = w * (1.0 - lr * weight_decay)\n", "").replace(
                "    return w - lr * (m / (1.0 - beta1**t)) / (np.sqrt(v / (1.0 - beta2**t)) + eps), state",
                "    w = w - lr * (m / (1.0 - beta1**t)) / (np.sqrt(v / (1.0 - beta2**t)) + eps)\n"
                "    return w * (1.0 - lr * weight_decay), state"), "after the Adam step"),
    Planted("adamw decay without lr", "adamw_update", "w * (1.0 - lr * weight_decay)", "w * (1.0 - weight_decay)",
            "without lr"),
    # clip_grad_norm
    Planted("clip always rescales", "clip_grad_norm", "if total > max_norm:", "if True:", "even when"),
    Planted("clip returns the clipped norm", "clip_grad_norm", "        return [g * scale for g in grads], total",
            "        return [g * scale for g in grads], max_norm", "norm after clipping"),
    Planted("clip in place", "clip_grad_norm", "        return [g * scale for g in grads], total",
            "        for g in grads:\n            g *= scale\n        return grads, total", "in place"),
    Planted("clip each array by its own norm", "clip_grad_norm", '''    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        return [g * scale for g in grads], total''', '''    if total > max_norm:
        return [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads], total''', "its own norm"),
    # clip_grad_value
    Planted("clip value only from above", "clip_grad_value", "np.clip(g, -clip_value, clip_value)",
            "np.minimum(g, clip_value)", "only from above"),
    Planted("clip value in place", "clip_grad_value", "np.clip(g, -clip_value, clip_value)",
            "np.clip(g, -clip_value, clip_value, out=g)", "in place"),
    # schedules
    Planted("step_lr continuous", "step_lr", "gamma ** (epoch // step_size)\n", "gamma ** (epoch / step_size)\n",
            "decays continuously"),
    Planted("step_lr one epoch early", "step_lr", "gamma ** (epoch // step_size)\n",
            "gamma ** ((epoch + 1) // step_size)\n",
            "one epoch too early"),
    Planted("cosine forgets eta_min", "cosine_annealing_lr", "return eta_min + (lr0 - eta_min) *",
            "return lr0 *", "forgets eta_min"),
    # iterate_minibatches
    Planted("minibatches drop the last batch", "iterate_minibatches", "range(0, n, batch_size)",
            "range(0, n - batch_size + 1, batch_size)", "drops the last partial batch"),
    Planted("minibatches with replacement", "iterate_minibatches", "order = rng.permutation(n)",
            "order = rng.integers(0, n, n)", "repeats samples"),
    Planted("minibatches use the global RNG", "iterate_minibatches", "order = rng.permutation(n)",
            "order = np.random.permutation(n)", "does not draw its order from the `rng`"),
    Planted("minibatches reseed every epoch", "iterate_minibatches", "rng = np.random.default_rng() if rng is None "
            "else rng", "rng = np.random.default_rng(0)", "same order every epoch"),
    Planted("minibatches separate labels", "iterate_minibatches", "order = rng.permutation(n)",
            "order = rng.permutation(n)\n        y = y[rng.permutation(n)]", "separates samples from their labels"),
    Planted("minibatches shuffle X in place", "iterate_minibatches", "order = rng.permutation(n)",
            "rng.shuffle(X)\n        order = np.arange(n)", "in place"),
    Planted("minibatches always shuffle", "iterate_minibatches", "if shuffle:", "if True:", "changed the order"),
]
