"""What does lesson 08's engine cost? ``course.autograd`` / ``course.autograd_nn`` against the hand-written backward
of ``course.nn``, on the same models with the same weights.

1. One training step (forward, mean cross-entropy, backward, Adam) of the MLP 1024 → 1024 → ReLU → 1024 → ReLU → 10
   at batch 512 in float32, on the engine and on course.nn, in interleaved rounds (engine step, course.nn step,
   again ...), so that a change in the machine's load slows both alike: the median of each phase and of the whole
   step, and the median of the per-round ratios (goal ≤ 1.3×). Measured twice, as benchmarks/train_bench.py does:
   on all cores against the wall clock, and on one BLAS thread against the process's CPU clock. (course.nn's
   backward also computes the gradient of the input batch, one 512×1024 by 1024×1024 product the engine skips
   because the input does not require a gradient: most of why the engine's backward is the faster one.)
2. Where the engine's time goes, from cProfile over a few steps (one thread, CPU clock): building the graph in the
   forward, and inside the backward the topological sort, the operations' local backwards (beside the time of their
   matrix products alone), ``unbroadcast`` and backward's own loop (adding up what each tensor receives, copying
   each leaf's gradient); then the optimizer, on the gradients as the engine makes them and on C-ordered copies.
   A tiny model (16 → 16 → 16 → 4, batch 8) shows the fixed cost per step that no arithmetic hides.
3. Lesson 06's digits recipe on both (64-256-256-10, batch norm, dropout 0.2, Adam lr 3e-3 + L2 1e-4, cosine, 20
   epochs of 64, trained on train + validation): held-out test accuracy and training time, side by side.

    python benchmarks/autograd_bench.py              all tables
    python benchmarks/autograd_bench.py --repeat 21  more rounds per timing (default 11)

``main(argv)`` prints the tables and returns their rows.
"""

import argparse
import contextlib
import cProfile
import pstats
import statistics
import time

import numpy as np

from course import autograd_nn as an
from course import data, losses, mlp, optim
from course import train as training
from course.autograd import Tensor, cross_entropy, topological_order
from run import tables  # benchmarks/run.py: one table printer for every benchmark

BIG, BATCH = (1024, 1024, 1024, 10), 512
TINY, TINY_BATCH = (16, 16, 16, 4), 8
RECIPE = {"sizes": (64, 256, 256, 10), "lr": 3e-3, "weight_decay": 1e-4, "epochs": 20, "batch_size": 64}


def pair(sizes, batch, dtype, batchnorm=False, dropout=0.0, seed=0):
    """The same model on course.nn and on the engine (equal weights), each with its Adam, and one batch; returns
    ``{"course.nn": step, "engine": step}``, each ``step(clock) -> (forward, backward, optimizer)`` seconds, and the
    engine's model and optimizer (for profiling)."""
    kw = {"batchnorm": batchnorm, "dropout": dropout, "dtype": dtype}
    ref, eng = mlp.build_mlp(sizes, rng=np.random.default_rng(seed), **kw), an.build_mlp(
        sizes, rng=np.random.default_rng(seed), **kw)
    opt_ref = optim.Adam(ref.parameters(), lr=1e-3, weight_decay=1e-4)
    opt_eng = an.Adam(eng.parameters(), lr=1e-3, weight_decay=1e-4)
    rng = np.random.default_rng(seed + 1)
    X, y = rng.standard_normal((batch, sizes[0])).astype(dtype), rng.integers(0, sizes[-1], batch)

    def course_step(clock):
        t0 = clock()
        scores = ref(X)
        losses.cross_entropy_forward(scores, y)
        t1 = clock()
        opt_ref.zero_grad()
        ref.backward(losses.cross_entropy_backward(scores, y))
        t2 = clock()
        opt_ref.step()
        return t1 - t0, t2 - t1, clock() - t2

    def engine_step(clock):
        t0 = clock()
        loss = cross_entropy(eng(X), y)
        t1 = clock()
        opt_eng.zero_grad()
        loss.backward()
        t2 = clock()
        opt_eng.step()
        return t1 - t0, t2 - t1, clock() - t2

    return {"course.nn": course_step, "engine": engine_step}, (eng, opt_eng, X, y)


def interleaved(steps, repeat, clock, warmup=2):
    """Median phases (forward, backward, optimizer) and whole step per model, and the median per-round ratio."""
    rounds = []
    for r in range(repeat + warmup):
        times = {name: step(clock) for name, step in steps.items()}
        if r >= warmup:
            rounds.append(times)
    med = {name: [statistics.median(r[name][k] for r in rounds) for k in range(3)]
           + [statistics.median(sum(r[name]) for r in rounds)] for name in steps}
    ratio = statistics.median(sum(r["engine"]) / sum(r["course.nn"]) for r in rounds)
    return med, ratio


def step_rows(repeat):
    rows = [("1024-1024 MLP step, batch 512, float32", "course.nn", "engine", "engine / course.nn")]
    ratios = {}
    for label, threads, clock in (("all cores, wall", None, time.perf_counter),
                                  ("1 thread, CPU", 1, time.process_time)):
        steps, _ = pair(BIG, BATCH, np.float32)
        with training.blas_threads(threads) if threads else contextlib.nullcontext():
            med, ratios[label] = interleaved(steps, repeat, clock)
        for k, phase in enumerate(("forward + loss", "zero_grad + backward", "Adam step", "whole step")):
            a, b = med["course.nn"][k], med["engine"][k]
            rows.append((f"[{label}] {phase}", f"{a * 1e3:.1f} ms", f"{b * 1e3:.1f} ms", f"{b / a:.2f}x"))
        rows.append((f"[{label}] median of per-round step ratios (goal ≤ 1.3x)", "", "", f"{ratios[label]:.2f}x"))
    return rows


def profile_rows(steps=5):
    """cProfile over ``steps`` engine steps of the big model: milliseconds per step in each part of the engine."""
    _, (model, opt, X, y) = pair(BIG, BATCH, np.float32)

    def step():
        loss = cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    with training.blas_threads(1):  # one thread, the CPU clock: what other jobs on the machine distort least
        step()  # warm-up
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(steps):
            step()
        profiler.disable()
        products = backward_products(repeat=steps)
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (calls, primitive, tottime, cumtime, callers)}

    def cum(file, name=None, caller=None):
        """Cumulative seconds of the functions of ``file`` named ``name`` (any) called by ``caller`` (anyone)."""
        return sum(v[3] for k, v in stats.items() if k[0].endswith(file) and name in (None, k[2])
                   and (caller is None or any(c[2] == caller for c in v[4])))

    whole = cum("autograd_bench.py", "step")
    backward = cum("autograd.py", "backward", "<lambda>")
    topo, unbroadcast = cum("dag.py", "topological_order"), cum("autograd.py", "unbroadcast")
    local = cum("autograd.py", caller="backward")  # every function of the engine that backward calls
    parts = [
        ("forward: the operations building the graph, and the loss",
         cum("/nn.py", "__call__", "step") + cum("autograd.py", "cross_entropy", "step")),
        ("zero_grad", cum("autograd_nn.py", "zero_grad", "step")),
        ("backward, all of it", backward),
        ("  topological sort", topo),
        ("  local backwards (each operation's gradients), without unbroadcast", local - unbroadcast),
        ("  unbroadcast", unbroadcast),
        ("  backward's own loop: adding up what each tensor receives, copying leaf gradients",
         backward - topo - local),
        ("Adam step (course.optim.Adam's, on the engine's gradients)", cum("optim.py", "step", "step")),
    ]
    rows = [("where the engine's 1024-1024 step goes (cProfile; 1 thread, CPU clock)", "ms per step", "share")]
    rows += [(label, f"{t / steps * 1e3:.2f}", f"{t / whole:.1%}") for label, t in parts]
    rows.insert(6, ("    of which its matrix products alone (timed apart, same shapes and layouts)",
                    f"{products * 1e3:.2f}", f"{products * steps / whole:.1%}"))
    return rows


def backward_products(repeat):
    """Median seconds of the products the engine's backward computes for the big model: ``x.T @ grad`` for every
    weight, ``grad @ W`` for every layer but the first (the input needs no gradient)."""
    rng = np.random.default_rng(2)
    calls = []
    for k, (fan_in, fan_out) in enumerate(zip(BIG[:-1], BIG[1:])):
        x, g = rng.standard_normal((BATCH, fan_in), np.float32), rng.standard_normal((BATCH, fan_out), np.float32)
        W = rng.standard_normal((fan_out, fan_in), np.float32)
        calls += [lambda x=x, g=g: x.T @ g] + ([lambda g=g, W=W: g @ W] if k else [])
    times = []
    for _ in range(repeat + 1):
        start = time.process_time()
        for c in calls:
            c()
        times.append(time.process_time() - start)
    return statistics.median(times[1:])


def layout_rows(repeat):
    """The engine's Adam step on its own gradients (a weight's is the transpose of ``x.T @ grad``, so column-major)
    and on C-ordered copies of the same gradients, interleaved: what the gradients' memory layout costs."""
    _, (model, opt, X, y) = pair(BIG, BATCH, np.float32)
    cross_entropy(model(X), y).backward()
    params = model.parameters()
    as_made = [p.grad for p in params]
    c_order = [np.ascontiguousarray(g) for g in as_made]
    timings = {"as made": [], "C-ordered": []}
    with training.blas_threads(1):
        for _ in range(repeat):
            for label, grads in (("as made", as_made), ("C-ordered", c_order)):
                for p, g in zip(params, grads):
                    p.grad = g
                start = time.process_time()
                opt.step()
                timings[label].append(time.process_time() - start)
    layouts = ", ".join("C" if g.flags.c_contiguous else "F" if g.flags.f_contiguous else "strided" for g in as_made)
    return [(f"  the engine's Adam step on its gradients as made (layouts {layouts})",
             f"{statistics.median(timings['as made']) * 1e3:.2f}", ""),
            ("  the same step on C-ordered copies of the same gradients",
             f"{statistics.median(timings['C-ordered']) * 1e3:.2f}", "")]


def tiny_rows(repeat):
    steps, (model, _, X, y) = pair(TINY, TINY_BATCH, np.float64)
    with training.blas_threads(1):
        med, ratio = interleaved(steps, repeat * 20, time.process_time, warmup=20)
    nodes = len(topological_order(cross_entropy(model(X), y)))
    return [(f"fixed cost per step: tiny MLP {TINY}, batch {TINY_BATCH} ({nodes} tensors in the graph)",
             f"{med['course.nn'][3] * 1e6:.0f} µs", f"{med['engine'][3] * 1e6:.0f} µs", f"{ratio:.2f}x")]


def course_fit(model, optimizer, X, y, epochs, batch_size, rng, lr_schedule):
    """course.autograd_nn.fit's loop with course.nn's model and backward (the same steps, no validation)."""
    for epoch in range(epochs):
        optimizer.lr = lr_schedule(epoch)
        model.train()
        for xb, yb in optim.iterate_minibatches(X, y, batch_size, rng=rng):
            scores = model(xb)
            losses.cross_entropy_forward(scores, yb)
            optimizer.zero_grad()
            model.backward(losses.cross_entropy_backward(scores, yb))
            optimizer.step()


def digits_rows(rounds=3):
    r, s = RECIPE, data.digits_split()
    X, y = np.r_[s.X_train, s.X_val], np.r_[s.y_train, s.y_val]
    schedule = lambda epoch: optim.cosine_annealing_lr(r["lr"], epoch, r["epochs"])  # noqa: E731
    kinds = {"course.nn": (mlp.build_mlp, optim.Adam, course_fit), "engine": (an.build_mlp, an.Adam, an.fit)}
    times, scores = {k: [] for k in kinds}, {}
    for _ in range(rounds):
        for name, (build, adam, fit) in kinds.items():
            model = build(r["sizes"], batchnorm=True, dropout=0.2, rng=np.random.default_rng(1))
            opt = adam(model.parameters(), lr=r["lr"], weight_decay=r["weight_decay"])
            with training.blas_threads(1):
                wall, cpu = time.perf_counter(), time.process_time()
                fit(model, opt, X, y, r["epochs"], r["batch_size"], np.random.default_rng(1), lr_schedule=schedule)
                times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
            model.eval()
            out = model(s.X_test)
            scores[name] = out.data if isinstance(out, Tensor) else out
    acc = {k: training.accuracy(v, s.y_test) for k, v in scores.items()}
    wall = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    cpu = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    gap = float(np.abs(scores["engine"] - scores["course.nn"]).max())
    return [
        ("digits, lesson 06's recipe (1 BLAS thread)", "course.nn", "engine", "engine / course.nn"),
        ("held-out test accuracy (goal ≥ 97 %)", f"{acc['course.nn']:.2%}", f"{acc['engine']:.2%}", ""),
        (f"training time, 20 epochs, wall (median of {rounds})", f"{wall['course.nn']:.2f} s",
         f"{wall['engine']:.2f} s", f"{wall['engine'] / wall['course.nn']:.2f}x"),
        (f"training time, 20 epochs, process CPU (median of {rounds})", f"{cpu['course.nn']:.2f} s",
         f"{cpu['engine']:.2f} s", f"{cpu['engine'] / cpu['course.nn']:.2f}x"),
        ("largest difference between the two trained models' test scores", "", f"{gap:.1e}", ""),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=11, help="interleaved rounds per timing (default 11)")
    args = parser.parse_args([] if argv is None else argv)
    return tables((("The engine against course.nn: one training step", step_rows(args.repeat)
                    + tiny_rows(args.repeat)),
                   ("Where the engine's time goes", profile_rows() + layout_rows(args.repeat)),
                   ("Digits on the engine and on course.nn", digits_rows())))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
