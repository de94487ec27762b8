"""backprop-lab's helper package, in layers whose imports flow one way:

- the reference math students build on: ``losses``, ``activations``, ``layers``, ``gradcheck``, ``gradients``,
  ``init``, ``optim``, ``nn``, ``mlp``, ``train``, ``surfaces``, ``data`` (and ``progress``, a progress bar and
  a BLAS-threads switch for long runs);
- ``examples``: the lessons' worked examples, configurations of the math;
- ``grading``: the checks test cells call, and the catalogues of classic mistakes they name;
- ``viz`` draws (parameters in, figure out) and ``widgets`` wires controls to the drawings.

Submodules load on first attribute access, so ``import course`` stays fast and never pulls in matplotlib or
ipywidgets until a plot or a widget is asked for.
"""

import importlib
import importlib.util
import sys

__version__ = "0.1.0"


def lazy_submodules(package):
    """A module ``__getattr__`` that imports ``package.<name>`` the first time the attribute is touched."""

    def __getattr__(name):
        if not name.startswith("_") and importlib.util.find_spec(f"{package}.{name}") is not None:
            module = importlib.import_module(f"{package}.{name}")
            setattr(sys.modules[package], name, module)
            return module
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


__getattr__ = lazy_submodules(__name__)
