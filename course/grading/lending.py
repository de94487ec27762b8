"""Grade one function on its own when it calls others of the notebook: lend it the course's versions of those.

``rnn_backward`` calls the notebook's ``rnn_cell_backward``; ``xavier_uniform`` its ``calculate_gain``. To charge a
mistake in the helper to the helper alone, the helper's test-cell neighbours run inside ``reference_helpers``.
"""

import contextlib

__all__ = ["reference_helpers"]


@contextlib.contextmanager
def reference_helpers(namespace, names, module):
    """Within the block, ``namespace[name]`` is ``module``'s function of that name for each of ``names``, then the
    namespace's own values come back.

    A test cell passes ``globals()``: the notebook's functions look their helpers up there at call time. In cohort
    grading the notebook's functions live in another process, whose namespace the judge's ``globals()`` can
    ``lend`` the reference functions to (as calls back into the judge: their code never goes there).
    """
    lend = getattr(namespace, "lend", None)
    if lend is not None:
        with lend({n: getattr(module, n) for n in names}):
            yield
        return
    saved = {n: namespace[n] for n in names if n in namespace}
    for n in names:
        namespace[n] = getattr(module, n)
    try:
        yield
    finally:
        for n in names:
            if n in saved:
                namespace[n] = saved[n]
            else:
                namespace.pop(n, None)
