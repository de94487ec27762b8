"""Lesson 01's line fit: one straight line fitted under MSE, MAE or Huber to clean data plus one movable outlier."""

import numpy as np

__all__ = ["TRUE_SLOPE", "TRUE_INTERCEPT", "outlier_data", "fit_line"]

TRUE_SLOPE, TRUE_INTERCEPT = 0.8, 0.5


def outlier_data(outlier_y=8.0, rng_seed=0):
    """Twenty points near ``y = 0.8 x + 0.5`` and a last one at ``(1.5, outlier_y)``: ``(x, y)``, each (21,)."""
    rng = np.random.default_rng(rng_seed)
    x = np.sort(rng.uniform(-2, 2, 20))
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + 0.2 * rng.standard_normal(20)
    return np.r_[x, 1.5], np.r_[y, outlier_y]


def fit_line(x, y, loss_backward, steps=600, lr=0.5, **kw):
    """Fit ``y ≈ w x + b`` by gradient descent on a loss, given its backward ``loss_backward(y_pred, y)``.

    The step shrinks as 1/√t: MAE's gradient never gets small near the minimum, so a constant step would
    circle around it forever.
    """
    w = b = 0.0
    for t in range(steps):
        g = loss_backward(w * x + b, y, **kw)  # ∂loss/∂ŷ, then the chain rule through ŷ = w x + b
        step = lr / np.sqrt(1.0 + t / 20.0)
        w -= step * float(g @ x)
        b -= step * float(g.sum())
    return w, b
