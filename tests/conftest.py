import os
import sys
from pathlib import Path

# Tests import their helpers (harness, planted/) by plain name, and never open a window.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(1, str(Path(__file__).parent.parent))  # the instructor tooling (autograder/), from any cwd
os.environ.setdefault("MPLBACKEND", "Agg")
