import os

# Tests import their helpers (harness, planted/, adversarial/) by plain name: pyproject.toml puts tests/ on the
# import path (pytest's `pythonpath`); `course` and `autograder` are installed packages. Nothing opens a window.
os.environ.setdefault("MPLBACKEND", "Agg")
