"""How fast is the course's CTC (``course.ctc``), forward and backward, and is it right?

1. The digit-strings case: a batch of N = 32 sequences of T = 100 steps over C = 11 classes, targets of 1 to 5
   labels: ``ctc_loss_forward`` (log-softmax and the α recursion), ``ctc_loss_backward`` (the β recursion and the
   gradient), and both.
2. How that time grows with T (50, 100, 200, 400; S ≤ 5) and with the target length S (1..5, 10, 20; T = 100): the
   recursions walk the T steps one by one over a lattice of 2S + 1 positions, so the time should grow about
   linearly in T and slowly in S (each step is one vectorised operation over all N·(2S + 1) positions).
3. Correctness beside it, on inputs tiny enough to enumerate every alignment (C^T paths): the loss against a brute
   force that sums the probability of every path that collapses to the target
   (:func:`course.examples.ctc_paths.ctc_loss`), and the gradient against central differences of that brute force.

Times are over repeated calls: the median on the wall clock, and the fastest call on the process's CPU clock, which
other jobs on a shared machine distort least (they can only slow a call down); the scaling columns use the latter.

    python benchmarks/ctc_bench.py               all three tables
    python benchmarks/ctc_bench.py --repeat 21   more repetitions per timing (default 9)

``main(argv)`` prints the tables and returns their rows.
"""

import argparse
import statistics
import time

import numpy as np

from course import ctc
from course.examples import ctc_paths
from run import tables  # benchmarks/run.py: one table printer for every benchmark


def batch(n, t, c, s, rng, fixed=False):
    """Random logits ``(n, t, c)`` and targets of length ``s`` (or 1..s when not ``fixed``), labels 1..c−1."""
    logits = rng.standard_normal((n, t, c))
    lengths = np.full(n, s) if fixed else rng.integers(1, s + 1, size=n)
    targets = rng.integers(1, c, size=(n, s))
    return logits, targets, np.full(n, t), lengths


def calls(n, t, c, s, fixed=False, seed=0):
    """``{"forward": fn, "backward": fn, "both": fn}``: the three calls to time for one batch shape."""
    logits, targets, input_lengths, target_lengths = batch(n, t, c, s, np.random.default_rng(seed), fixed)
    _, cache = ctc.ctc_loss_forward(logits, targets, input_lengths, target_lengths)

    def forward():
        return ctc.ctc_loss_forward(logits, targets, input_lengths, target_lengths)

    return {"forward": forward, "backward": lambda: ctc.ctc_loss_backward(cache),
            "both": lambda: ctc.ctc_loss_backward(forward()[1])}


def measure(cases, repeat):
    """``{label: {"forward": (median wall, fastest CPU), "backward": ..., "both": ...}}`` for ``cases`` (label ->
    the keyword arguments of :func:`calls`). Every call of every case is timed once per round, ``repeat`` rounds
    after a warm-up one, so a change in the machine's load during the run touches all cases alike."""
    fns = {label: calls(**kw) for label, kw in cases.items()}
    wall = {(label, part): [] for label in fns for part in ("forward", "backward", "both")}
    cpu = {key: [] for key in wall}
    for r in range(repeat + 1):
        for label, parts in fns.items():
            for part, fn in parts.items():
                w, c = time.perf_counter(), time.process_time()
                fn()
                if r:
                    wall[label, part].append(time.perf_counter() - w)
                    cpu[label, part].append(time.process_time() - c)
    return {label: {part: (statistics.median(wall[label, part]), min(cpu[label, part])) for part in parts}
            for label, parts in fns.items()}


def _ms(pair):
    return f"{pair[0] * 1e3:.2f} ms", f"{pair[1] * 1e3:.2f} ms"


def timing_rows(repeat):
    r = measure({"case": dict(n=32, t=100, c=11, s=5)}, repeat)["case"]
    rows = [("N=32, T=100, C=11, S=1..5", "wall (median)", "CPU (fastest)")]
    for part in ("forward", "backward", "both"):
        rows.append((f"ctc_loss_{part}" if part != "both" else "forward + backward", *_ms(r[part])))
    return rows


def scaling_rows(repeat, by):
    """One row per input length T (``by="T"``: 50..400, targets of 1..5 labels) or per target length S
    (``by="S"``: every target S labels long, T = 100), N = 32 and C = 11; the last column compares the CPU time of
    forward + backward with the first row's."""
    if by == "T":
        cases = {f"T={t}, S=1..5": dict(n=32, t=t, c=11, s=5) for t in (50, 100, 200, 400)}
    else:
        cases = {f"T=100, S={s}": dict(n=32, t=100, c=11, s=s, fixed=True) for s in (1, 2, 3, 4, 5, 10, 20)}
    first = next(iter(cases))
    rows = [(f"N=32, C=11, {by} varies", "forward (CPU)", "backward (CPU)", "fwd + bwd (wall, median)",
             "fwd + bwd (CPU)", "CPU per step", f"× the {first.split(', ')[0 if by == 'T' else 1]} row")]
    results = measure(cases, repeat)
    base = results[first]["both"][1]
    for label, r in results.items():
        rows.append((label, f"{r['forward'][1] * 1e3:.2f} ms", f"{r['backward'][1] * 1e3:.2f} ms", *_ms(r["both"]),
                     f"{r['both'][1] / cases[label]['t'] * 1e6:.0f} µs", f"×{r['both'][1] / base:.2f}"))
    return rows


def correctness_rows():
    """Tiny batches, every alignment enumerated: the course's loss and gradient against the brute force."""
    rows = [("tiny case (N=2)", "paths enumerated", "loss (course.ctc)", "loss (every alignment)", "|Δ loss|",
             "gradient: max |Δ| / max |g|", "agrees")]
    cases = [("T=4, C=3, targets [1] and [2, 1]", 4, 3, [[1, 0], [2, 1]], [1, 2], [4, 4]),
             ("T=5, C=3, a repeat [1, 1]", 5, 3, [[1, 1], [2, 0]], [2, 1], [5, 3]),
             ("T=5, C=4, [1, 2, 3] in 5 steps", 5, 4, [[1, 2, 3], [3, 3, 0]], [3, 2], [5, 5]),
             ("T=6, C=3, [1, 2, 1], lengths 6 and 4", 6, 3, [[1, 2, 1], [2, 2, 0]], [3, 2], [6, 4]),
             ("T=3, C=3, [1, 1] needs 3 steps exactly", 3, 3, [[1, 1], [1, 0]], [2, 1], [3, 3])]
    rng = np.random.default_rng(1)
    for label, t, c, targets, target_lengths, input_lengths in cases:
        logits = 1.5 * rng.standard_normal((2, t, c))
        targets, tl, il = np.array(targets), np.array(target_lengths), np.array(input_lengths)
        loss, cache = ctc.ctc_loss_forward(logits, targets, il, tl)
        grad = ctc.ctc_loss_backward(cache)
        brute = ctc_paths.ctc_loss(logits, targets, il, tl)
        numeric = np.zeros_like(logits)
        h = 1e-5
        for idx in np.ndindex(logits.shape):
            up, down = logits.copy(), logits.copy()
            up[idx] += h
            down[idx] -= h
            numeric[idx] = (ctc_paths.ctc_loss(up, targets, il, tl) - ctc_paths.ctc_loss(down, targets, il, tl))
            numeric[idx] /= 2 * h
        gerr = float(np.max(np.abs(grad - numeric)) / np.max(np.abs(numeric)))
        ok = abs(loss - brute) < 1e-12 * max(1.0, abs(brute)) and gerr < 1e-6
        rows.append((label, f"{sum(c ** int(n) for n in il)}", f"{loss:.12f}", f"{brute:.12f}",
                     f"{abs(loss - brute):.1e}", f"{gerr:.1e}", "yes" if ok else "NO"))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9, help="calls per timing (default 9)")
    args = parser.parse_args([] if argv is None else argv)
    return tables((("CTC, the digit-strings case", timing_rows(args.repeat)),
                   ("CTC scaling with the input length T", scaling_rows(args.repeat, "T")),
                   ("CTC scaling with the target length S", scaling_rows(args.repeat, "S")),
                   ("CTC against every alignment (brute force) on tiny inputs", correctness_rows())))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
