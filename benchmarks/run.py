"""Benchmarks for backprop-lab, printed as a table (a report, not a test: timings on shared machines are noisy).

    python benchmarks/run.py             import time, the execution time of every solution notebook, how fast
                                         every explorer redraws (benchmarks/widget_redraw.py), and CTC's speed
                                         and correctness (benchmarks/ctc_bench.py)
    python benchmarks/run.py --all       also the training benchmark (06), the digit-string reader (07, about
                                         70 s), the grading throughput (cohort), a term on a real JupyterHub
                                         (benchmarks/hub_bench.py, about 90 s) and the autograd engine against
                                         course.nn (08, benchmarks/autograd_bench.py, about 20 s)

Each notebook is executed top to bottom with nbclient in a scratch copy, exactly as a student's kernel would run it.
"""

import argparse
import importlib.util
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent


def import_time(repeats=7):
    """Median wall time of `import course` in a fresh interpreter, minus the interpreter's own start-up."""
    def run(code):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - t

    base = statistics.median(run("pass") for _ in range(repeats))
    full = statistics.median(run("import course") for _ in range(repeats))
    inner = subprocess.run([sys.executable, "-c", "import time; t=time.perf_counter(); import course; "
                                                  "print(time.perf_counter()-t)"], capture_output=True, text=True,
                           check=True)
    return full - base, float(inner.stdout)


def notebook_time(path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, tmp)
        client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp}})
        t = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - t
    errors = sum(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    return elapsed, errors


def extra(name, argv=None):
    """Run benchmarks/<name>.py's main (with ``argv``, for those that parse their own arguments)."""
    path = HERE / f"{name}.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main() if argv is None else module.main(argv)


def table(rows):
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for k, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def tables(sections):
    """Print each ``(title, rows)`` as a titled table; returns the rows of each, for a caller that checks them."""
    out = []
    for title, rows in sections:
        print(title)
        table(rows)
        print()
        out.append(rows)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all", action="store_true", help="also run the training, digit-string, grading, hub "
                                                           "and autograd benchmarks")
    args = parser.parse_args()

    rows = [("measure", "value", "target")]
    outer, inner = import_time()
    rows.append(("import course (in-process)", f"{inner * 1000:.1f} ms", "≤ 300 ms"))
    rows.append(("import course (fresh interpreter, minus bare start-up)", f"{outer * 1000:.1f} ms", "≤ 300 ms"))
    targets = {"05_optimizers": 20, "06_capstone": 20, "07_sequences": 20, "08_autograd": 15}
    for path in sorted((REPO / "solutions").glob("*/*.ipynb")):
        aid = path.parent.name
        elapsed, errors = notebook_time(path)
        note = "" if errors == 0 else f" ({errors} error outputs!)"
        rows.append((f"execute solutions/{aid} (nbclient)", f"{elapsed:.1f} s{note}", f"≤ {targets.get(aid, 15)} s"))
    table(rows)
    print()
    extra("widget_redraw", [])  # prints its own table
    print()
    extra("ctc_bench", [])  # prints its own tables
    if args.all:
        for name in ("train_bench", "digit_strings", "grading_bench", "hub_bench"):
            extra_rows = extra(name)
            if extra_rows:
                print()
                table(extra_rows)
        print()
        extra("autograd_bench", [])  # prints its own tables


if __name__ == "__main__":
    sys.exit(main())
