"""How close does a course.nn training step come to the machine's matrix-multiplication speed?

A training step of an MLP 1024 → 1024 → ReLU → 1024 → ReLU → 10 (two hidden layers of 1024 units) on a batch of
512 in float32: forward, mean cross-entropy, backward, Adam. Almost all of its arithmetic is nine matrix products
(three per linear layer: forward, ∂x, ∂W). The table gives

- the step's time (median of repeated steps),
- the time of those nine products alone, run with the same shapes and layouts,
- the machine's matmul throughput, measured on square float32 products, and the step's throughput as a fraction
  of it (its useful flops / step time / measured throughput);

then trains the digits model of the capstone (the recipe of its graded test) and reports its test accuracy and
training time, wall and CPU (its small products run on one BLAS thread, which is faster for them).

Run ``python benchmarks/train_bench.py``; ``main()`` returns the table's rows for ``benchmarks/run.py``.
"""

import contextlib
import statistics
import time

import numpy as np

from course import data, losses, mlp, optim
from course import train as training

BATCH, WIDTH, IN, CLASSES = 512, 1024, 1024, 10
DIGITS_RECIPE = {"sizes": (64, 256, 256, 10), "batchnorm": True, "dropout": 0.2, "lr": 3e-3, "weight_decay": 1e-4,
                 "epochs": 20, "batch_size": 64}


def _timed(fn, clock=time.perf_counter):
    start = clock()
    fn()
    return clock() - start


def step_matmuls(sizes):
    """The products of one training step with their shapes and layouts (``x @ W.T``, ``dout @ W``, ``dout.T @ x``
    per linear layer), as callables, and their flop count."""
    rng = np.random.default_rng(1)
    calls, flops = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        x = rng.standard_normal((BATCH, fan_in), dtype=np.float32)
        W = rng.standard_normal((fan_out, fan_in), dtype=np.float32)
        d = rng.standard_normal((BATCH, fan_out), dtype=np.float32)
        calls += [lambda x=x, W=W: x @ W.T, lambda d=d, W=W: d @ W, lambda d=d, x=x: d.T @ x]
        flops += 3 * 2 * BATCH * fan_in * fan_out
    return calls, flops


def training_step(repeat=15, square=2048, clock=time.perf_counter):
    """Median seconds of one training step of the 1024-1024 MLP, of its matmuls alone, and of a square product.

    The three are measured in interleaved rounds (step, its products, a square product, again ...), so that a
    machine whose load changes during the run slows all three alike; the fractions are medians of per-round ratios.
    """
    sizes = (IN, WIDTH, WIDTH, CLASSES)
    rng = np.random.default_rng(0)
    model = mlp.build_mlp(sizes, rng=rng, dtype=np.float32)
    opt = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    X = rng.standard_normal((BATCH, IN), dtype=np.float32)
    y = rng.integers(0, CLASSES, BATCH)

    def step():
        scores = model(X)
        losses.cross_entropy_forward(scores, y)
        opt.zero_grad()
        model.backward(losses.cross_entropy_backward(scores, y))
        opt.step()

    calls, flops = step_matmuls(sizes)
    a = rng.standard_normal((square, square), dtype=np.float32)
    b = rng.standard_normal((square, square), dtype=np.float32)
    out = np.empty((square, square), dtype=np.float32)
    rounds = []
    for r in range(repeat + 2):
        t = (_timed(step, clock), _timed(lambda: [c() for c in calls], clock),
             _timed(lambda: np.matmul(a, b, out=out), clock))
        if r >= 2:  # two warm-up rounds
            rounds.append(t)
    assert all(p.data.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters()), \
        "the model must stay float32 end to end"
    t_step, t_mm, t_sq = (statistics.median(col) for col in zip(*rounds))
    peak = 2.0 * square**3 / t_sq
    share = statistics.median(mm / st for st, mm, _ in rounds)
    of_peak = statistics.median(flops / st / (2.0 * square**3 / sq) for st, _, sq in rounds)
    return {"t_step": t_step, "t_mm": t_mm, "peak": peak, "flops": flops, "share": share, "of_peak": of_peak}


def digits_training():
    """Train the capstone's digits model with the reference loop; returns (test accuracy, wall s, CPU s)."""
    r = DIGITS_RECIPE
    s = data.digits_split(0)  # the graded test's recipe: train on train + validation, report test accuracy
    split = data.DigitsSplit(np.r_[s.X_train, s.X_val], np.r_[s.y_train, s.y_val], s.X_val, s.y_val, s.X_test, s.y_test)
    model = mlp.build_mlp(r["sizes"], batchnorm=r["batchnorm"], dropout=r["dropout"], rng=np.random.default_rng(1))
    opt = optim.Adam(model.parameters(), lr=r["lr"], weight_decay=r["weight_decay"])
    schedule = lambda epoch: optim.cosine_annealing_lr(r["lr"], epoch, r["epochs"])  # noqa: E731
    cpu = time.process_time()
    with training.blas_threads(1):  # small products: one thread is faster (see course.train.blas_threads)
        history = training.fit(model, opt, split, r["epochs"], r["batch_size"], np.random.default_rng(1),
                        lr_schedule=schedule, show_progress=False)
    cpu = time.process_time() - cpu
    return training.evaluate(model, split.X_test, split.y_test)[1], history["seconds"], cpu


def main():
    """Run the benchmark and return its table: a header ``("measure", "value", "target")`` then one row per number,
    as strings (the format of ``benchmarks/run.py``).

    The 1024-1024 step is measured twice: with OpenBLAS's own threads (all cores) against the wall clock, the number
    that matters on a quiet machine, and on one thread against the process's CPU clock, which a busy machine (other
    jobs on the same cores) distorts much less. The digits model trains on one thread.
    """
    rows = [("measure", "value", "target")]
    for label, threads, clock in (("all cores, wall clock", None, time.perf_counter),
                                  ("1 thread, CPU clock", 1, time.process_time)):
        with training.blas_threads(threads) if threads else contextlib.nullcontext():
            r = training_step(clock=clock)
        rows += [
            (f"[{label}] matmul throughput, 2048x2048 float32 products", f"{r['peak'] / 1e9:.1f} GFLOP/s", ""),
            (f"[{label}] 1024-1024 MLP step, batch 512, float32 (fwd + loss + bwd + Adam)",
             f"{r['t_step'] * 1e3:.1f} ms", ""),
            (f"[{label}]   its 9 matrix products alone (same shapes and layouts)", f"{r['t_mm'] * 1e3:.1f} ms", ""),
            (f"[{label}]   step throughput / measured matmul throughput", f"{r['of_peak']:.3f}", "≥ 0.65"),
            (f"[{label}]   products' share of the step (products alone / step)", f"{r['share']:.3f}", ""),
        ]
    acc, seconds, cpu = digits_training()
    rows += [
        ("digits 64-256-256-10 (batch norm, dropout, Adam + L2, cosine), test accuracy", f"{acc:.4f}", "≥ 0.97"),
        ("digits: training time, 20 epochs (wall)", f"{seconds:.2f} s", "≤ 5 s"),
        ("digits: training time, 20 epochs (process CPU)", f"{cpu:.2f} s", "≤ 5 s"),
    ]
    return rows


if __name__ == "__main__":
    table = main()
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for k, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
        if k == 0:
            print("  ".join("-" * w for w in widths))
