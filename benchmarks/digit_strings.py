"""Lesson 07's task: how well, and how fast, does the recurrent CTC reader read held-out digit strings?

Each preset of :mod:`course.examples.string_reader` is trained as the lesson trains it (``train_reader(preset)``,
the course's own LSTM and CTC, one BLAS thread), then reads 5,000 strips of 1 to 5 digits made only of the test
split's digits, which it never saw. The table gives the share of strips read exactly, the character error rate
(edit distance over true characters), the exact share by number of digits, and the training time: wall clock
(validation excluded, as the lesson's progress bar reports it) and the process's CPU time for the whole call, which
other jobs on a shared machine distort less.

    python benchmarks/digit_strings.py              both presets, each trained once (about 70 s)
    python benchmarks/digit_strings.py --seeds 3    each preset trained from 3 generator states (the spread)
    python benchmarks/digit_strings.py full         one preset

``main()`` returns the table's rows for ``benchmarks/run.py --all``.
"""

import argparse
import time

import numpy as np

from course.examples import digit_strips, string_reader

N_TEST = 5000
TARGETS = {"full": ("≥ 0.90", "≤ 0.03", "≤ 60 s"), "quick": ("most strips", "", "≈ 10 s or less")}


def run(preset, seed=None):
    """Train ``preset`` (from ``default_rng(seed)``; the preset's own generator when None) and read the held-out
    strips; returns ``(exact, cer, exact by number of digits, training wall seconds, CPU seconds, history)``."""
    rng = None if seed is None else np.random.default_rng(seed)
    cpu = time.process_time()
    model, history = string_reader.train_reader(preset, rng=rng, show_progress=False)
    cpu = time.process_time() - cpu
    test = digit_strips.make_strips(N_TEST, "test", np.random.default_rng(2024))
    exact, cer, got = string_reader.evaluate(model, test)
    right = np.array(got) == np.array(test.strings)
    by_length = [right[test.target_lengths == k].mean() for k in range(1, digit_strips.MAX_DIGITS + 1)]
    return exact, cer, by_length, history["seconds"], cpu, history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("presets", nargs="*", default=["full", "quick"], help="presets to train (default both)")
    parser.add_argument("--seeds", type=int, default=1, help="generator states per preset (default 1: the preset's)")
    args = parser.parse_args([] if argv is None else argv)
    rows = [("digit strings (held-out test digits, 5,000 strips)", "exact strings", "character error rate",
             "exact by digits 1 / 2 / 3 / 4 / 5", "training (wall)", "whole call (CPU)", "epochs",
             "target (exact / CER / time)")]
    for preset in args.presets:
        cfg = string_reader.PRESETS[preset]
        for k in range(args.seeds):
            exact, cer, by_length, seconds, cpu, history = run(preset, None if k == 0 else k)
            start = "preset's generator" if k == 0 else f"default_rng({k})"
            label = (f"{preset}: {'bi' if cfg['bidirectional'] else ''}{cfg['cell'].upper()} {cfg['units']} units, "
                     f"{cfg['hidden']} features, {cfg['epochs']} × {cfg['strips_per_epoch']} strips ({start})")
            rows.append((label, f"{exact:.3f}", f"{cer:.4f}", " / ".join(f"{a:.3f}" for a in by_length),
                         f"{seconds:.1f} s", f"{cpu:.1f} s", str(len(history["loss"])),
                         " / ".join(t for t in TARGETS.get(preset, ()) if t)))
    return rows


if __name__ == "__main__":
    import sys

    from run import table  # benchmarks/run.py: one table printer for every benchmark

    table(main(sys.argv[1:]))
