"""Valid ways of writing 02_gradients' functions: plain loops and nditer in one group, vectorised and in-place
forms in the other. Each entry replaces the whole solution block of its function."""

from harness import Variant, read, solution_block

LOOPS = {
    "numerical_derivative": (
        "    x = float(x)\n    f_plus, f_minus = f(x + h), f(x - h)\n    return (f_plus - f_minus) / (h + h)\n"
    ),
    "numerical_gradient": """    x = x.astype(np.float64)          # astype copies
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
        it.iternext()
    return grad
""",
    "rel_error": """    worst = 0.0
    for p, q in zip(np.ravel(a), np.ravel(b)):
        p, q = float(p), float(q)
        worst = max(worst, abs(p - q) / max(1e-8, abs(p) + abs(q)))
    return worst
""",
    "graph_forward": "    return (x + w) * (w + 1), [x + w, w + 1]\n",
    "graph_backward": "    a, b = cache\n    return dy * b, dy * (a + b)\n",
    "linreg_forward": """    N, D = X.shape
    out = np.zeros(N)
    for n in range(N):
        out[n] = sum(float(X[n, d]) * float(w[d]) for d in range(D)) + b
    return out
""",
    "linreg_backward": """    N, D = X.shape
    dw, db = np.zeros(D), 0.0
    for n in range(N):
        r = sum(float(X[n, d]) * float(w[d]) for d in range(D)) + b - float(y[n])
        for d in range(D):
            dw[d] += 2 * r * float(X[n, d]) / N
        db += 2 * r / N
    return dw, db
""",
    "gd_update": (
        "    w_new = np.array(w, dtype=np.float64, copy=True)\n    w_new -= lr * np.asarray(dw)\n    return w_new\n"
    ),
    "gradient_descent": """    x0 = np.asarray(x0, dtype=np.float64)
    path = np.empty((num_steps + 1,) + x0.shape)
    path[0] = x0
    for t in range(num_steps):
        path[t + 1] = path[t] - lr * grad_fn(path[t])
    return path
""",
}

VECTORISED = {
    "numerical_gradient": """    xc = np.array(x, dtype=float)
    flat = xc.reshape(-1)                 # a view of the private copy
    g = np.zeros(xc.size)
    for k in range(xc.size):
        xp, xm = xc.copy(), xc.copy()
        xp.reshape(-1)[k] += h
        xm.reshape(-1)[k] -= h
        g[k] = (f(xp) - f(xm)) / (2 * h)
    return g.reshape(xc.shape)
""",
    "rel_error": """    diff = np.abs(np.subtract(a, b, dtype=float))
    den = np.maximum(np.abs(a) + np.abs(b), 1e-8)
    return float((diff / den).max())
""",
    "graph_backward": """    a, b = cache
    dy_da, dy_db = b, a                     # local derivatives of the product
    return dy * dy_da * 1.0, dy * dy_da * 1.0 + dy * dy_db * 1.0
""",
    "linreg_forward": "    return np.einsum('nd,d->n', X, w) + b\n",
    "linreg_backward": "    r = np.dot(X, w) + b - y\n    return 2 * np.mean(r[:, None] * X, axis=0), 2 * np.mean(r)\n",
    "gd_update": "    return np.subtract(w, np.multiply(lr, dw))\n",
    "gradient_descent": """    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(num_steps):
        x -= lr * grad_fn(x)              # in place on a private copy, stored as copies
        path.append(x.copy())
    return np.stack(path)
""",
}


def _whole_blocks(bodies):
    nb = read("02_gradients")
    return [Variant(f"{gid}: another valid form", gid, solution_block(nb, gid), body) for gid, body in bodies.items()]


GROUPS = {"loops": _whole_blocks(LOOPS), "vectorised": _whole_blocks(VECTORISED)}
