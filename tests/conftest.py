import os
import sys
from pathlib import Path

# Tests import their helpers (harness, planted/) by plain name, and never open a window.
sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("MPLBACKEND", "Agg")
