"""The pip pins and environment.yml agree, and the README's commands are the ones CI runs."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def pip_pins():
    pins = {}
    for name in ("requirements.txt", "requirements-hub.txt", "requirements-dev.txt"):
        for line in (REPO / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                pkg, version = line.split("==")
                pins[pkg.lower().replace("_", "-")] = version
    return pins


def conda_pins():
    pins, in_deps = {}, False
    for line in (REPO / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"^  - ([A-Za-z0-9_.-]+)=([^=\s]+)$", line)
        if in_deps and m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_every_pip_pin_is_pinned_in_environment_yml_to_the_same_version():
    pip, conda = pip_pins(), conda_pins()
    conda.pop("python")
    assert pip, "no pins found in requirements*.txt"
    assert pip == conda, (f"only in pip: {sorted(set(pip) - set(conda))}; only in conda: "
                          f"{sorted(set(conda) - set(pip))}; differing: "
                          f"{ {k: (pip[k], conda[k]) for k in set(pip) & set(conda) if pip[k] != conda[k]} }")


def test_environment_yml_targets_python_311_and_installs_the_course_package():
    text = (REPO / "environment.yml").read_text()
    assert "  - python=3.11" in text
    assert "      - -e ." in text


def test_installed_versions_match_the_pins():
    from importlib.metadata import version

    wrong = {pkg: (want, version(pkg)) for pkg, want in pip_pins().items() if version(pkg) != want}
    assert not wrong, f"installed versions differ from the pins: {wrong} (run `make setup-dev`)"


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in readme
    assert re.search(r"^\s*make test\b", ci, re.M), ".ci/run must call the README's test command"


def test_running_a_notebook_never_reaches_git_diff_or_a_commit(tmp_path):
    """nbstripout as git's filter, set up the way `make setup` does it, on a lesson notebook with outputs."""
    import json
    import re
    import shutil
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    make = (repo / "Makefile").read_text()
    clean = re.search(r'filter\.nbstripout\.clean "(.*?)"', make).group(1)
    assert clean == "'$(CURDIR)/$(BIN)/python' -m nbstripout --keep-id", clean

    def git(*args):
        return subprocess.run(["git", *args], cwd=tmp_path, capture_output=True, text=True, check=True).stdout

    git("init", "-q")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "t")
    git("config", "filter.nbstripout.clean", f"'{sys.executable}' -m nbstripout --keep-id")
    git("config", "filter.nbstripout.smudge", "cat")
    shutil.copy(repo / ".gitattributes", tmp_path)
    stored = repo / "solutions" / "01_losses" / "01_losses.ipynb"
    shutil.copy(stored, tmp_path / "lesson.ipynb")
    git("add", ".")
    git("commit", "-qm", "stored")
    assert git("show", "HEAD:lesson.ipynb") == stored.read_text(), "the filter must not change a stored notebook"

    nb = json.loads(stored.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[0]["execution_count"] = 1
    code[0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["a run's output\n"]}]
    (tmp_path / "lesson.ipynb").write_text(json.dumps(nb, indent=1))
    assert git("diff", "--stat") == "", "a run's outputs show in git diff"
    git("add", "lesson.ipynb")
    assert git("status", "--porcelain") == "", "a run's outputs would be committed"
