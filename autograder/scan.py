"""Static integrity scan of a submitted notebook.

Each code cell is parsed (IPython syntax such as ``!cmd`` is first turned into Python by IPython's own transformer)
and walked once. A flag is a dict ``{kind, detail, cell}``: a note for the instructor's review in the class
report. No score depends on it: the sandbox and the judge make cheating fail, the scan only names who tried. Kinds:

* ``monkeypatching``: assigning or deleting attributes of an imported module (``np.allclose = ...``,
  ``course.grading.check = ...``), ``setattr`` on a module, a function's ``__code__``, ``builtins`` /
  ``__builtins__``, ``sys.modules``, ``sys.excepthook`` / ``settrace``, IPython hooks (``set_custom_exc``,
  ``showtraceback``, ``events.register``, input or AST transformers), ``gc`` / ``ctypes`` tricks.
* ``file access``: a literal path that is absolute, goes up (``..``) or starts at the home folder; ``os.chdir``,
  ``Path.home()``, ``expanduser``; SQLite; shell commands and subprocesses.
* ``introspection``: frame access (``tb_frame``, ``f_back``, ``inspect.stack()``) and a function's internals.
* ``process exit``: ``sys.exit``, ``exit()``, ``quit()``, ``os._exit``, ``os.abort``, ``os.kill``, ``SystemExit``.
* ``delegation``: a graded function that calls ``course``'s reference implementations instead of its own code
  (any ``course`` function outside testing/plotting/data that the instructor's own solution of that function does
  not call: the capstone's training loop may use the course's losses, ``mse_forward`` may not).
"""

import ast
import contextlib

from autograder.scan_aliases import collect_aliases as _collect_aliases
from autograder.scan_rules import (ALLOWED_COURSE, EXITS, FILE_CALLS, FRAME_ATTRIBUTES, FRAME_CALLS, IPYTHON_HOOKS,
                                   PATH_LITERAL, SHELL, SUSPECT_PATH)

__all__ = ["scan_notebook", "scan_source"]


def _flag(kind, detail, cell):
    return {"kind": kind, "detail": detail, "cell": cell}


def _to_python(source):
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001
        return source


class _Scanner(ast.NodeVisitor):
    def __init__(self, aliases, graded, cell, allowed=None):
        self.allowed = allowed or {}
        self.calls = {}  # graded function -> course functions it calls
        self.aliases = aliases  # local name -> dotted module or object path
        self.graded = set(graded)
        self.cell = cell
        self.flags = []
        self.function = None  # the graded function being visited
        self.depth = 0  # > 0 inside a function or class body

    # -- names ------------------------------------------------------------------------------------------------
    def dotted(self, node):
        """'np.linalg.norm' -> 'numpy.linalg.norm' when np is an imported alias; None if not a plain chain."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__" \
                and node.args and isinstance(node.args[0], ast.Constant):
            base = str(node.args[0].value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get_ipython":
            base = "get_ipython()"
        elif isinstance(node, ast.Name):
            base = self.aliases.get(node.id, node.id)
        else:
            return None
        return ".".join([base, *reversed(parts)])

    def is_module(self, name):
        root = self.aliases.get(name)
        return root is not None and self.aliases.get(f"__module__:{name}", False)

    def add(self, kind, detail):
        flag = _flag(kind, detail, self.cell)
        if flag not in self.flags:
            self.flags.append(flag)

    # -- imports ----------------------------------------------------------------------------------------------
    def visit_Import(self, node):
        for a in node.names:
            if a.name.split(".")[0] in {"ctypes", "gc"}:
                what = "the garbage collector reaches every object" if a.name == "gc" else "raw memory access"
                self.add("monkeypatching", f"imports {a.name} ({what})")
            if a.name.startswith("course.grading"):
                self.add("monkeypatching", f"imports {a.name} (the checker's own module)")
            if a.name.split(".")[0] in {"sqlite3"}:
                self.add("file access", "imports sqlite3 (the gradebook is a SQLite database)")
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        if (node.module or "").split(".")[0] in {"ctypes", "gc", "sqlite3"}:
            self.add("monkeypatching" if node.module != "sqlite3" else "file access", f"imports from {node.module}")
        if (node.module or "").startswith("course.grading.") or node.module == "course.grading" and any(
                a.name not in {"check", "check_gradient", "assert_close"} for a in node.names):
            self.add("monkeypatching", f"imports from {node.module} (the checker's own module)")
        self.generic_visit(node)

    # -- assignments ------------------------------------------------------------------------------------------
    def _target(self, target, verb):
        if isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self._target(t, verb)
            return
        if isinstance(target, ast.Subscript):
            name = self.dotted(target.value)
            if name in {"sys.modules", "builtins.__dict__", "__builtins__"} or name and name.endswith(".__dict__"):
                self.add("monkeypatching", f"{verb} {name}[...]")
            return
        if isinstance(target, ast.Attribute):
            name = self.dotted(target)
            base = self.dotted(target.value)
            if target.attr in {"__code__", "__globals__", "__defaults__", "__kwdefaults__", "__class__"}:
                self.add("monkeypatching", f"{verb} {name or target.attr} (replaces a function's code)")
            elif base and (self._is_module_path(base) or base.split(".")[0] in {"builtins", "__builtins__"}):
                self.add("monkeypatching", f"{verb} {name}, an attribute of an imported module")
            elif base and base.startswith("get_ipython()"):
                self.add("monkeypatching", f"{verb} {name} (an IPython hook)")
        elif isinstance(target, ast.Name) and target.id in {"__builtins__"}:
            self.add("monkeypatching", f"{verb} __builtins__")

    def _is_module_path(self, dotted):
        root = dotted.split(".")[0]
        return root in self.aliases.get("__modules__", set()) or dotted in self.aliases.get("__modules__", set())

    def visit_Assign(self, node):
        for t in node.targets:
            self._target(t, "assigns")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._target(node.target, "changes")
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._target(node.target, "assigns")
        self.generic_visit(node)

    def visit_Delete(self, node):
        for t in node.targets:
            self._target(t, "deletes")
        self.generic_visit(node)

    # -- calls ------------------------------------------------------------------------------------------------
    def visit_Call(self, node):
        name = self.dotted(node.func) or ""
        short = name.split(".")[-1]
        if name in {"setattr", "delattr"} and node.args:
            target = self.dotted(node.args[0]) or ""
            if self._is_module_path(target) or target.split(".")[0] in {"builtins", "__builtins__", "sys"} \
                    or target.startswith("get_ipython()"):
                self.add("monkeypatching", f"{name}() on {target}")
        elif name.startswith("get_ipython()") and (set(name.split(".")) & IPYTHON_HOOKS or ".events." in name):
            self.add("monkeypatching", f"calls {name} (an IPython hook)")
        elif name in FRAME_CALLS:
            self.add("introspection", f"calls {name}() (frame access: reads its callers' variables)")
        elif name.startswith("sys.") and short in {"settrace", "setprofile", "addaudithook"}:
            self.add("monkeypatching", f"calls {name}")
        elif name in {"importlib.import_module", "__import__"}:
            self.add("monkeypatching", f"calls {name}() (imports a module by a computed name)")
        elif name.startswith("sys.modules.") or name.startswith("builtins.") and short in {"__setattr__"}:
            self.add("monkeypatching", f"calls {name}")
        elif name.startswith("importlib.reload") or name == "reload":
            self.add("monkeypatching", f"calls {name} (reloads a module)")
        elif name in {"exec", "eval", "compile", "globals", "vars", "locals"}:
            self.add("monkeypatching", f"calls {name}() (code or names the scan cannot follow)")
        if name in EXITS or name.startswith("os.exec"):
            self.add("process exit", f"calls {name}()")
        if name in SHELL or name.startswith("subprocess.") or name.startswith("get_ipython().system") \
                or name.startswith("get_ipython().getoutput"):
            self.add("file access", f"runs a shell command or process ({name})")
        if name in {"os.chdir", "pathlib.Path.home", "Path.home", "os.path.expanduser"} or short == "expanduser":
            self.add("file access", f"calls {name}() (leaves the notebook's folder)")
        if name in FILE_CALLS or short in {"open", "read_text", "read_bytes", "write_text", "write_bytes"}:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and SUSPECT_PATH.search(arg.value):
                    self.add("file access", f"{name or short}({arg.value!r}) reaches outside the notebook's folder")
        if name.startswith("sqlite3."):
            self.add("file access", f"calls {name} (the gradebook is a SQLite database)")
        if self.function and name.startswith("course."):
            module = ".".join(name.split(".")[:2])
            if name.count(".") > 3 and module in {"course.widgets", "course.viz"}:
                self.add("delegation", f"{self.function}() reaches {name}() through {module}")
            elif module not in ALLOWED_COURSE and not any(name.startswith(m + ".") for m in ALLOWED_COURSE):
                self.calls.setdefault(self.function, set()).add(name)
                if name not in self.allowed.get(self.function, ()):
                    self.add("delegation", f"{self.function}() calls the course's reference {name}()")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr in FRAME_ATTRIBUTES:
            self.add("introspection", f"reads .{node.attr} ({FRAME_ATTRIBUTES[node.attr]})")
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and len(node.value) < 400 and "\n" not in node.value \
                and PATH_LITERAL.search(node.value):
            self.add("file access", f"names the path {node.value!r}, outside the notebook's folder")

    def visit_Raise(self, node):
        exc = node.exc
        name = self.dotted(exc.func if isinstance(exc, ast.Call) else exc) if exc is not None else None
        if name in {"SystemExit", "KeyboardInterrupt"}:
            self.add("process exit", f"raises {name}")
        self.generic_visit(node)

    def _rebinds(self, name, how):
        if self.depth == 0 and name in self.aliases.get("__imported__", set()):
            self.add("monkeypatching", f"{how} {name}, a name the notebook imports (the tests use it)")

    def visit_Name(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._rebinds(node.id, "rebinds" if isinstance(node.ctx, ast.Store) else "deletes")

    def visit_ClassDef(self, node):
        self._rebinds(node.name, "redefines")
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Lambda(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_FunctionDef(self, node):
        self._rebinds(node.name, "redefines")
        self.depth += 1
        try:
            self._function(node)
        finally:
            self.depth -= 1

    def _function(self, node):
        outer = self.function
        if node.name in self.graded and outer is None:
            self.function = node.name
        self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef


def course_calls(sources, graded):
    """{graded function: set of course functions it calls} for trusted source (the instructor's solution)."""
    calls = {}
    trees = []
    for _label, src in sources:
        try:
            trees.append(ast.parse(_to_python(src)))
        except SyntaxError:
            continue
    aliases = _collect_aliases(trees)
    for tree in trees:
        s = _Scanner(aliases, graded, None)
        s.visit(tree)
        for fn, names in s.calls.items():
            calls.setdefault(fn, set()).update(names)
    return {fn: sorted(names) for fn, names in calls.items()}


def _parse(sources):
    trees = []
    for label, src in sources:
        with contextlib.suppress(SyntaxError):
            trees.append((label, ast.parse(_to_python(src))))
    return trees


def scan_source(sources, graded=(), context=(), allowed=None):
    """Scan ``[(cell_label, source), ...]``; returns the list of flags. ``context`` cells (the locked set-up) are
    not scanned, but what they import counts: rebinding ``check`` is noticed because the set-up imports it."""
    trees = _parse(sources)
    aliases = _collect_aliases([t for _, t in _parse(context) + trees])
    flags = []
    for label, tree in trees:
        s = _Scanner(aliases, graded, label, allowed)
        s.visit(tree)
        flags += [f for f in s.flags if f not in flags]
    return flags


def scan_notebook(nb, graded=(), tests=(), allowed=None):
    """Flags for a notebook node; ``graded`` are the graded function names, ``tests`` the locked test cell ids,
    ``allowed`` the course calls of the instructor's solution (:func:`course_calls`). Locked cells (the tests and
    the set-up) are not scanned: nbgrader puts the instructor's version back before anything runs."""
    sources, context, seen, tests = [], [], set(), set(tests)
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if (gid in tests or meta.get("locked") and not meta.get("solution")) and gid not in seen:
            seen.add(gid)
            context += [] if gid in tests else [(gid, cell.get("source", ""))]
        else:
            sources.append((gid or f"cell {i + 1}", cell.get("source", "")))
    return scan_source(sources, graded, context, allowed)
