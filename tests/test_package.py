"""The course package: fast, lazy import, a well-formed public surface, layers whose imports flow one way, and
modules small enough to read in one sitting."""

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import course


def test_import_course_loads_neither_matplotlib_nor_ipywidgets():
    code = "import sys, course; print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"import course pulled in {out.strip()}"


def test_submodules_load_lazily_on_attribute_access():
    assert course.losses.mse_forward is importlib.import_module("course.losses").mse_forward


def test_unknown_attribute_is_an_attribute_error():
    try:
        course.no_such_module  # noqa: B018
    except AttributeError as exc:
        assert "no_such_module" in str(exc)
    else:
        raise AssertionError("course.no_such_module should raise AttributeError")


def test_every_module_declares_all_and_exports_exist():
    for info in pkgutil.walk_packages(course.__path__, "course."):
        mod = importlib.import_module(info.name)
        if info.ispkg and not hasattr(mod, "__all__"):
            continue
        assert hasattr(mod, "__all__"), f"{info.name} has no __all__"
        missing = [n for n in mod.__all__ if not hasattr(mod, n)]
        assert not missing, f"{info.name}.__all__ names missing objects {missing}"


# --- the layers of the package: imports flow one way --------------------------------------------------------------
PACKAGE = Path(course.__file__).parent
# Each layer may import only the layers listed for it (and itself). Reference math is what students build on; the
# worked examples are configurations of it; grading judges students against both; pictures draw, widgets wire.
LAYERS = {"math": set(), "examples": {"math"}, "grading": {"math", "examples"}, "viz": {"math", "examples"},
          "widgets": {"math", "examples", "viz"}}


def _layer(module):
    part = module.split(".")[1] if module.count(".") else ""
    return part if part in ("examples", "grading", "viz", "widgets") else "math"


def _submodule(module, name):
    """``module.name`` when that is a module of the package (``from course import losses``), else ``module``."""
    folder = PACKAGE.joinpath(*module.split(".")[1:])
    return f"{module}.{name}" if (folder / f"{name}.py").exists() or (folder / name).is_dir() else module


def _course_imports(path):
    """The course modules a source file imports (at any depth: lazy imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("course.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "course":
            found |= {_submodule(node.module, a.name) for a in node.names}
    return {m for m in found if m != "course"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        name = "course." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        yield name.removesuffix(".__init__"), path


def test_imports_flow_one_way_between_the_layers():
    wrong = []
    for name, path in _modules():
        for imported in _course_imports(path):
            if _layer(imported) not in LAYERS[_layer(name)] | {_layer(name)}:
                wrong.append(f"{name} ({_layer(name)}) imports {imported} ({_layer(imported)})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles_between_modules():
    graph = {name: {m for m in _course_imports(path)} for name, path in _modules()}

    def visit(node, stack):
        if node in stack:
            return stack[stack.index(node):] + [node]
        for nxt in graph.get(node, ()):
            cycle = visit(nxt, stack + [node])
            if cycle:
                return cycle
        return None

    for start in graph:
        cycle = visit(start, [])
        assert cycle is None, " -> ".join(cycle)


def test_modules_can_be_read_in_one_sitting():
    long = {name: n for name, path in _modules() if (n := len(path.read_text(encoding="utf-8").splitlines())) > 300}
    assert not long, f"modules over 300 lines: {long}"
