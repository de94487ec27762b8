"""backprop-lab's helper package.

Small modules by topic (``course.losses``, ``course.testing``, ``course.viz``, ``course.widgets`` ...). Submodules
load on first attribute access, so ``import course`` stays fast and never pulls in matplotlib or ipywidgets until a
plot or a widget is asked for.
"""

import importlib
import importlib.util

__version__ = "0.1.0"


def __getattr__(name):
    # Lazy submodules: `course.losses` imports course/losses.py the first time it is touched.
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'course' has no attribute {name!r}")
