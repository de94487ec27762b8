"""What of ``course`` student code may not see while an assignment is graded.

The checks and the mistake catalogues (``course/grading``: every mistake is written as the reference with one line
changed) are never in view. Neither are the reference modules of the assignment being graded: a student function
cannot hand its work to code that is not there. Each withheld module is replaced by a stub, so a notebook's set-up
cell (``from course import losses``) still runs and only *using* the module fails, with a sentence that says why.
A stub keeps what its module merely imports from modules that stay in view (the capstone's ``course.train``
keeps ``progress``, which the training loop uses).
"""

import ast

ALWAYS = ["course/grading"]
WITHHELD = {
    "01_losses": ["course/losses.py"],
    "02_gradients": ["course/gradients.py", "course/gradcheck.py"],
    "03_backprop": ["course/activations.py", "course/layers.py", "course/nn.py", "course/mlp.py",
                    "course/gradcheck.py", "course/examples/network222.py", "course/examples/xor.py",
                    "course/examples/delta_rule.py"],
    "04_initialization": ["course/init.py", "course/nn.py", "course/mlp.py", "course/examples/init_experiments.py"],
    "05_optimizers": ["course/optim.py", "course/surfaces.py"],
    "06_capstone": ["course/layers.py", "course/nn.py", "course/mlp.py", "course/train.py",
                    "course/examples/digits.py"],
}


def withheld_paths(aid):
    """Paths (relative to the repository) of the modules and packages withheld while ``aid`` is graded."""
    return ALWAYS + WITHHELD.get(aid, [])


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

class _Withheld:
    def __init__(self, name):
        self._name = name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Withheld(self._name + "." + name)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(self._name + " is not available while {aid} is graded: the grader keeps the course's "
                           "own version of this lesson out of reach of the notebook. Use your own functions.")

    def __repr__(self):
        return "<" + self._name + ": not available while {aid} is graded>"


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _Withheld("{module}." + name)
'''


def stub_source(module, original, aid):
    """The text of the stub that replaces ``module`` (whose source is ``original``) while ``aid`` is graded."""
    imports = "\n".join(_kept_imports(original, withheld_paths(aid)))
    return _STUB.format(aid=aid, module=module, imports=imports)
