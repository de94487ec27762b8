"""The course package: fast, lazy import and a well-formed public surface."""

import importlib
import pkgutil
import subprocess
import sys

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
