"""What each name in a notebook stands for, as the integrity scan (:mod:`autograder.scan`) resolves it."""

import ast


def collect_aliases(trees):
    """{local name: dotted path} for every import (and ``x = get_ipython()``) in the parsed cells ``trees``, plus
    ``__modules__`` (names that are modules) and ``__imported__`` (names the notebook imports: the tests use them).
    """
    aliases = {"__modules__": set(), "__imported__": set()}
    modules = aliases["__modules__"]
    imported = aliases["__imported__"]
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    local = a.asname or a.name.split(".")[0]
                    target = a.name if a.asname else a.name.split(".")[0]
                    aliases[local] = target
                    modules.update({local, target})
                    imported.add(local)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    local = a.asname or a.name
                    aliases[local] = f"{node.module}.{a.name}"
                    if node.module.split(".")[0] in {"course", "numpy"}:
                        imported.add(local)
                    if a.name[:1].islower() and (node.module in {"course", "numpy", "os", "sys"} or a.name in
                                                 {"testing", "losses", "linalg", "random"}):
                        modules.update({local, f"{node.module}.{a.name}"})  # `from numpy import linalg`
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                    getattr(node.value.func, "id", None) == "get_ipython":
                aliases.update({t.id: "get_ipython()" for t in node.targets if isinstance(t, ast.Name)})
    for name in ("np", "numpy", "course", "builtins", "sys", "os", "math", "IPython", "matplotlib", "plt"):
        if name in aliases:
            modules.add(name)
    modules.update({"numpy", "course", "builtins", "sys", "os"})
    return aliases
