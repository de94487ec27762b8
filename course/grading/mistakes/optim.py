"""Classic mistakes in 05_optimizers, each the reference in :mod:`course.optim` with a line changed.

Adam's reference is the in-place kernel ``_adam_`` (the one the optimizer classes step with), written with named
bias corrections so that each classic Adam mistake is one of its lines changed.
"""

from course import optim
from course.grading.mutants import Mistake, differs

__all__ = ["MISTAKES"]

_MOMENTUM_BUF = "buf = np.array(dw, copy=True) if buf is None else momentum * buf + (1.0 - dampening) * dw"
_ADAGRAD_DENOM = '(np.sqrt(state["sum"]) + eps)'
_RMS_DENOM = '(np.sqrt(state["square_avg"]) + eps)'
_BIAS1, _BIAS2 = "bias1 = 1.0 - beta1**t", "bias2 = 1.0 - beta2**t"
_DECAYED = "adam_update(w * (1.0 - lr * weight_decay), dw,"
_CLIPPED = "return [g * coef if coef < 1.0 else np.array(g, copy=True) for g in grads], total"
_TOTAL = "total = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads))"


def _adam(*edits):
    return differs(optim.adam_update, *edits, helpers=("_adam_",))


MISTAKES = {
    "sgd_update": [
        Mistake(
            "ignores weight_decay: torch adds weight_decay·w to the gradient before the step",
            differs(optim.sgd_update, ("dw = dw + weight_decay * w", "pass")),
        ),
        Mistake(
            "subtracts weight_decay·w without multiplying it by lr: the step is lr·(dw + weight_decay·w)",
            differs(
                optim.sgd_update,
                ("dw = dw + weight_decay * w", "pass"),
                ("return w - lr * dw", "return w - lr * dw - weight_decay * w"),
            ),
        ),
        Mistake(
            "steps uphill: it adds lr·dw instead of subtracting it",
            differs(optim.sgd_update, ("return w - lr * dw", "return w + lr * dw")),
        ),
    ],
    "momentum_update": [
        Mistake(
            "uses CS231n's convention v = μv − lr·g, w += v. The weights agree but torch's "
            "state['momentum_buffer'] is v = μv + g, without lr (the update is w − lr·v)",
            differs(
                optim.momentum_update,
                (_MOMENTUM_BUF, "buf = -lr * dw if buf is None else momentum * buf - lr * dw"),
                ("return w - lr * direction, state", "return w + buf, state"),
            ),
        ),
        Mistake(
            "starts the momentum buffer at zeros, so dampening shrinks the first gradient; torch sets the "
            "buffer to the first gradient itself (no dampening on step 1)",
            differs(
                optim.momentum_update,
                (_MOMENTUM_BUF, "buf = momentum * (0.0 if buf is None else buf) + (1.0 - dampening) * dw"),
            ),
        ),
        Mistake(
            "ignores nesterov: with Nesterov the direction is g + μ·buf (the look-ahead), not buf",
            differs(optim.momentum_update, ("direction = dw + momentum * buf if nesterov else buf", "direction = buf")),
        ),
        Mistake(
            "computes Nesterov's direction as buf + μ·g; torch's is g + μ·buf",
            differs(optim.momentum_update, ("direction = dw + momentum * buf", "direction = buf + momentum * dw")),
        ),
        Mistake(
            "weights the gradient by dampening; the buffer is μ·buf + (1 − dampening)·g",
            differs(optim.momentum_update, ("(1.0 - dampening) * dw", "dampening * dw")),
        ),
    ],
    "adagrad_update": [
        Mistake(
            "puts eps inside the square root; torch divides by √sum + eps",
            differs(optim.adagrad_update, (_ADAGRAD_DENOM, 'np.sqrt(state["sum"] + eps)')),
        ),
        Mistake(
            "divides by sum instead of its square root √sum + eps",
            differs(optim.adagrad_update, (_ADAGRAD_DENOM, '(state["sum"] + eps)')),
        ),
    ],
    "rmsprop_update": [
        Mistake(
            "puts eps inside the square root; torch divides by √square_avg + eps",
            differs(optim.rmsprop_update, (_RMS_DENOM, 'np.sqrt(state["square_avg"] + eps)')),
        ),
        Mistake(
            "swaps alpha and 1 − alpha: square_avg = α·square_avg + (1 − α)·g²",
            differs(
                optim.rmsprop_update,
                ('state["square_avg"] = alpha *', 'state["square_avg"] = (1.0 - alpha) *'),
                ("+ (1.0 - alpha) * dw * dw", "+ alpha * dw * dw"),
            ),
        ),
        Mistake(
            "bias-corrects square_avg like Adam; torch's RMSprop divides by √square_avg + eps, uncorrected",
            differs(
                optim.rmsprop_update,
                ('np.sqrt(state["square_avg"])', 'np.sqrt(state["square_avg"] / (1 - alpha ** state["step"]))'),
            ),
        ),
        Mistake(
            "divides by square_avg instead of its square root √square_avg + eps",
            differs(optim.rmsprop_update, (_RMS_DENOM, '(state["square_avg"] + eps)')),
        ),
    ],
    "adam_update": [
        Mistake(
            "has no bias correction: divide exp_avg by 1 − β₁ᵗ and exp_avg_sq by 1 − β₂ᵗ",
            _adam((_BIAS1, "bias1 = 1.0"), (_BIAS2, "bias2 = 1.0")),
        ),
        Mistake(
            "bias-corrects exp_avg but not exp_avg_sq: v̂ = exp_avg_sq / (1 − β₂ᵗ) is needed too",
            _adam((_BIAS2, "bias2 = 1.0")),
        ),
        # A NumPy zero, as in a student's array code: 1 − β⁰ = 0 divides to inf and NaN instead of raising.
        Mistake(
            "counts step from 0: the first call must use t = 1 (so 1 − β₁ᵗ = 0.1, not 0); increment step "
            "before the bias correction",
            _adam(
                (_BIAS1, "bias1 = np.float64(1.0) - beta1 ** (t - 1)"),
                (_BIAS2, "bias2 = np.float64(1.0) - beta2 ** (t - 1)"),
            ),
        ),
        Mistake(
            "stores step counted from 0: after the first call state['step'] must be 1",
            _adam(
                (
                    't = state["step"] = state.get("step", 0) + 1',
                    't = state.get("step", 0) + 1\n    state["step"] = t - 1',
                )
            ),
        ),
        Mistake(
            "puts eps inside the square root; torch divides by √v̂ + eps",
            _adam(
                (
                    "np.sqrt(v, out=scratch)\n    scratch /= math.sqrt(bias2)\n    scratch += eps",
                    "np.divide(v, bias2, out=scratch)\n    scratch += eps\n    np.sqrt(scratch, out=scratch)",
                )
            ),
        ),
        Mistake(
            "swaps β₁ and β₂: β₁ averages the gradient (exp_avg), β₂ its square (exp_avg_sq)",
            _adam(("beta1, beta2 = betas", "beta2, beta1 = betas")),
        ),
        Mistake(
            "averages |g| in exp_avg_sq; it is the average of g² (g * g)",
            _adam(("np.multiply(dw, dw, out=scratch)", "np.abs(dw, out=scratch)")),
        ),
    ],
    "adamw_update": [
        Mistake(
            "folds the weight decay into the gradient (dw + weight_decay·w): that is Adam with L2, not AdamW. "
            "AdamW decays the weights directly, w ← w·(1 − lr·weight_decay), before the Adam step",
            differs(optim.adamw_update, (_DECAYED, "adam_update(w, dw + weight_decay * w,")),
        ),
        Mistake(
            "applies the decay after the Adam step; torch multiplies w by (1 − lr·weight_decay) first",
            differs(
                optim.adamw_update,
                (
                    "return adam_update(w * (1.0 - lr * weight_decay), dw, state, lr=lr, betas=betas, eps=eps)",
                    "w_new, state = adam_update(w, dw, state, lr=lr, betas=betas, eps=eps)\n"
                    "    return w_new * (1.0 - lr * weight_decay), state",
                ),
            ),
        ),
        Mistake(
            "decays by (1 − weight_decay) without lr; torch's factor is (1 − lr·weight_decay)",
            differs(optim.adamw_update, ("w * (1.0 - lr * weight_decay)", "w * (1.0 - weight_decay)")),
        ),
        Mistake(
            "ignores weight_decay: it is plain Adam", differs(optim.adamw_update, (_DECAYED, "adam_update(w, dw,"))
        ),
    ],
    "clip_grad_norm": [
        Mistake(
            "rescales even when the norm is below max_norm: scale only when total_norm > max_norm",
            differs(
                optim.clip_grad_norm,
                ("coef = min(1.0, max_norm / (total + 1e-6))", "coef = max_norm / (total + 1e-6)"),
                (_CLIPPED, "return [g * coef for g in grads], total"),
            ),
        ),
        Mistake(
            "returns the norm after clipping; torch returns the total norm before clipping",
            differs(
                optim.clip_grad_norm,
                (
                    _CLIPPED,
                    "clipped = [g * coef if coef < 1.0 else np.array(g, copy=True) "
                    "for g in grads]\n    return clipped, "
                    "math.sqrt(sum(float(np.sum(np.square(g))) for g in clipped))",
                ),
            ),
        ),
        Mistake(
            "clips each array by its own norm; the norm is one, over all gradients together "
            "(√ of the sum of every squared entry)",
            differs(
                optim.clip_grad_norm,
                (
                    _CLIPPED,
                    "return [g * min(1.0, max_norm / (math.sqrt(float(np.sum("
                    "np.square(g)))) + 1e-6)) for g in grads], total",
                ),
            ),
        ),
        Mistake(
            "adds up the arrays' norms; the total norm is √(Σ‖g‖²), the norm of all entries together",
            differs(
                optim.clip_grad_norm,
                (_TOTAL, "total = sum(math.sqrt(float(np.sum(np.square(g, dtype=np.float64)))) for g in grads)"),
            ),
        ),
    ],
    "clip_grad_value": [
        Mistake(
            "clips only from above: entries below −clip_value must become −clip_value",
            differs(optim.clip_grad_value, ("np.clip(g, -clip_value, clip_value)", "np.minimum(g, clip_value)")),
        ),
        Mistake(
            "clips the magnitude but loses the sign: use np.clip(g, −clip_value, clip_value)",
            differs(
                optim.clip_grad_value, ("np.clip(g, -clip_value, clip_value)", "np.minimum(np.abs(g), clip_value)")
            ),
        ),
    ],
    "step_lr": [
        Mistake(
            "decays continuously (gamma^(epoch/step_size)); StepLR decays in steps: gamma^(epoch // step_size)",
            differs(optim.step_lr, ("(epoch // step_size)", "(epoch / step_size)")),
        ),
        Mistake(
            "decays one epoch too early: epoch 0 is the first epoch, and the first decay is at epoch = step_size",
            differs(optim.step_lr, ("(epoch // step_size)", "((epoch + 1) // step_size)")),
        ),
        Mistake(
            "multiplies by gamma·k instead of raising gamma to the power k = epoch // step_size",
            differs(optim.step_lr, ("gamma ** (epoch // step_size)", "gamma * (epoch // step_size)")),
        ),
    ],
    "cosine_annealing_lr": [
        Mistake(
            "forgets eta_min: it is eta_min + (lr0 − eta_min)·(1 + cos(π t/T_max))/2",
            differs(optim.cosine_annealing_lr, ("eta_min + (lr0 - eta_min) *", "lr0 *")),
        ),
        Mistake(
            "adds eta_min without subtracting it from lr0: the schedule must start at lr0",
            differs(optim.cosine_annealing_lr, ("(lr0 - eta_min)", "lr0")),
        ),
        Mistake(
            "uses cos(π t/T_max) without (1 + ·)/2: the factor must run from 1 down to 0",
            differs(
                optim.cosine_annealing_lr,
                ("(1.0 + math.cos(math.pi * t / T_max)) / 2.0", "math.cos(math.pi * t / T_max)"),
            ),
        ),
    ],
}
