"""Two helpers for long runs in a notebook: a live progress bar, and a switch for NumPy's BLAS threads.

They live apart from :mod:`course.train` so that a lesson can use them while the training reference is not in
reach (the grader withholds it from student code in the capstone).
"""

import contextlib
import ctypes
import functools
import glob
import os

import numpy as np

__all__ = ["progress", "blas_threads"]


@functools.lru_cache(maxsize=1)
def _openblas():
    """NumPy's bundled OpenBLAS (``numpy.libs/libscipy_openblas*.so``) and its thread setter/getter, or None."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "libscipy_openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for suffix in ("64_", "_64_", ""):
            setter = getattr(lib, f"scipy_openblas_set_num_threads{suffix}", None)
            getter = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
            if setter is not None and getter is not None:
                setter.argtypes, getter.restype = [ctypes.c_int], ctypes.c_int
                return setter, getter
    return None


@contextlib.contextmanager
def blas_threads(n):
    """Run the block with NumPy's matrix products on ``n`` threads (a no-op where that cannot be set).

    A small network's products are too small to share: OpenBLAS's worker threads then spend more time waiting for
    each other than multiplying, and on a busy machine a 64-256-256-10 MLP trains several times faster on one
    thread. The large products of ``benchmarks/train_bench.py`` are the opposite case.
    """
    blas = _openblas()
    if blas is None:
        yield
        return
    setter, getter = blas
    old = getter()
    setter(int(n))
    try:
        yield
    finally:
        setter(old)


def progress(total, desc="training", enabled=True, **kw):
    """A live progress bar (``tqdm.auto``: a widget in a notebook, a text bar in a terminal).

    Update it with ``bar.update(1)`` and show numbers with ``bar.set_postfix(loss=..., acc=...)``; close it with
    ``bar.close()``. ``enabled=False`` gives a silent bar with the same methods.
    """
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, leave=True, **kw)
