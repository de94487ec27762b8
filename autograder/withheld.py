"""What of ``course`` student code may not see while an assignment is graded.

The checks and the mistake catalogues (``course/grading``: every mistake is written as the reference with one line
changed) are never in view. Neither are the reference modules of the assignment being graded, which
``nbgrader_config.py`` lists per assignment: a student function cannot hand its work to code that is not there.
Each withheld module is replaced by a stub, so a notebook's set-up
cell (``from course import losses``) still runs and only *using* the module fails, with a sentence that says why.
A stub keeps what its module merely imports from modules that stay in view (the capstone's ``course.train``
keeps ``progress``, which the training loop uses).
"""

import ast

ALWAYS = ["course/grading"]


def withheld_paths(listed):
    """Paths (relative to the course root) withheld: ``course/grading`` and the assignment's ``listed`` ones
    (``JudgeExecute.withheld_modules`` in nbgrader_config.py)."""
    return ALWAYS + [p for p in listed if p not in ALWAYS]


def _module_path(module):
    return module.replace(".", "/")


def _kept_imports(original, withheld):
    """``from course.x import a`` lines of the original module whose source stays in view."""
    lines = []
    for node in ast.parse(original).body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("course."):
            path = _module_path(node.module)
            if not any(path == w.removesuffix(".py") or path.startswith(w.removesuffix(".py") + "/")
                       for w in withheld):
                names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
                lines.append(f"from {node.module} import {names}")
    return lines


_STUB = '''"""Not available while {aid} is graded: your notebook is graded with your own functions, not the course's."""
{imports}

class NotAvailableWhileGraded(RuntimeError):
    pass


class _Withheld:
    def __init__(self, name):
        self._name = name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Withheld(self._name + "." + name)

    def __call__(self, *args, **kwargs):
        raise NotAvailableWhileGraded(self._name + " is not available while {aid} is graded: the grader keeps the "
                                      "course's own version of this lesson out of reach. Use your own functions.")

    # Any other use (a loop over it, its length, an item, a number made of it) fails the same way.
    __iter__ = __len__ = __getitem__ = __contains__ = __float__ = __int__ = __index__ = __array__ = __call__

    def __repr__(self):
        return "<" + self._name + ": not available while {aid} is graded>"


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _Withheld("{module}." + name)
'''


def stub_source(module, original, aid, withheld):
    """The text of the stub that replaces ``module`` (whose source is ``original``) while ``aid`` is graded with
    the paths ``withheld`` out of view."""
    imports = "\n".join(_kept_imports(original, withheld))
    return _STUB.format(aid=aid, module=module, imports=imports)
