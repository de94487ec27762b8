"""How long does each explorer take to redraw after a control moves? (target: median ≤ 0.5 s)

Every explorer of every lesson (the public functions of ``course/widgets/*.py`` that return an explorer box) is built
headless, exactly as a notebook cell builds it, and each of its controls is moved in turn to a few other values:
``box.controls[name].value = new``. The explorer redraws synchronously inside that assignment (the drawing, and its
PNG for the page), so the time of the assignment is the time a student waits after letting go of a slider, minus the
browser's own few milliseconds. The table gives, per explorer, the time of its first picture, the median and the
largest redraw, and the slowest control.

    python benchmarks/widget_redraw.py                 every explorer
    python benchmarks/widget_redraw.py init optim      only the explorers of course/widgets/init.py and optim.py
    python benchmarks/widget_redraw.py --moves 3       three new values per control (default 2)

``main()`` returns the table's rows. Timings on a shared machine are noisy: read them as a report, not as a test.
"""

import argparse
import importlib
import inspect
import pkgutil
import statistics
import sys
import time

from run import table  # benchmarks/run.py: one table printer for every benchmark

TARGET = 0.5  # seconds, median redraw after a control moves


def explorers(modules=None):
    """``[(module name, function name, function)]`` for every explorer in ``course.widgets``' modules."""
    import course.widgets

    found = []
    for info in pkgutil.iter_modules(course.widgets.__path__):
        if modules and info.name not in modules:
            continue
        module = importlib.import_module(f"course.widgets.{info.name}")
        for name in getattr(module, "__all__", []):
            fn = getattr(module, name)
            if inspect.isfunction(fn):
                found.append((info.name, name, fn))
    return found


def new_values(control, moves):
    """Up to ``moves`` values other than the control's current one, spread over its range."""
    current = control.value
    if hasattr(control, "options") and not hasattr(control, "rows"):  # Dropdown, SelectionSlider, ToggleButtons
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        others = [o for o in options if o != current]
    elif hasattr(control, "options"):  # SelectMultiple: drop one chosen entry, then add one more
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        chosen = list(current)
        others = [tuple(chosen[:-1]) or tuple(options[:1])]
        others += [tuple(chosen + [o]) for o in options if o not in chosen][:1]
    elif isinstance(current, bool):
        return [not current, current][:moves]
    elif hasattr(control, "min") and hasattr(control, "base"):  # FloatLogSlider: min/max are exponents
        import math

        exp = math.log(current, control.base)
        others = [control.base ** e for e in (exp + (control.max - exp) / 2, control.min + (exp - control.min) / 2)]
    elif hasattr(control, "min"):
        span = control.max - control.min
        others = [current + (control.max - current) / 2, control.min + (current - control.min) / 2,
                  control.min + 0.9 * span]
        if isinstance(current, int):
            others = [int(round(v)) for v in others]
    else:
        return []
    picked = []
    for value in others:
        if value != current and value not in picked:
            picked.append(value)
    if len(picked) < moves and picked:
        picked = (picked * moves)[:moves]
    return picked[:moves]


def measure(fn, moves=2, clock=time.perf_counter):
    """(first picture's seconds, [(control, seconds)] for each move) of the explorer ``fn()`` builds."""
    start = clock()
    box = fn()
    first = clock() - start
    times = []
    for name, control in box.controls.items():
        for value in new_values(control, moves):
            start, renders = clock(), box.renders
            control.value = value
            elapsed = clock() - start
            if box.renders > renders:  # a move the widget clamps to its current value draws nothing
                times.append((name, elapsed))
    return first, times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="course.widgets modules to measure (default: all)")
    parser.add_argument("--moves", type=int, default=2, help="new values per control (default 2)")
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    rows = [("explorer", "first picture", "redraws", "median", "max", "slowest control", f"median ≤ {TARGET} s")]
    for module, name, fn in explorers(args.modules):
        try:
            first, times = measure(fn, args.moves)
        except TypeError as exc:  # an explorer that needs arguments the benchmark cannot guess
            rows.append((f"{module}.{name}", f"skipped: {exc}", "", "", "", "", ""))
            continue
        seconds = [t for _, t in times]
        if not seconds:
            rows.append((f"{module}.{name}", f"{first:.2f} s", 0, "", "", "", ""))
            continue
        median = statistics.median(seconds)
        slowest = max(times, key=lambda item: item[1])[0]
        rows.append((f"{module}.{name}", f"{first:.2f} s", len(seconds), f"{median:.3f} s", f"{max(seconds):.3f} s",
                     slowest, "yes" if median <= TARGET else "NO"))
        print(f"measured {module}.{name}", file=sys.stderr)
    table(rows)
    return rows


if __name__ == "__main__":
    main()
