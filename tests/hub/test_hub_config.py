"""The hub's configuration files, read the way JupyterHub and nbgrader read them (fast: no hub is started).

tests/hub/test_hub_term.py runs them for real, with the course root and the exchange given in the environment;
these check what a deployment gets when it leaves them out, and what each role's server is started with.
"""

import json
import os
import types
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parent.parent.parent
HUB = REPO / "autograder" / "hub"


def load(path, env=None, monkeypatch=None):
    for key in ("BACKPROP_COURSE_ROOT", "BACKPROP_EXCHANGE", "BACKPROP_INSTRUCTORS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    loader = PyFileConfigLoader(path.name, path=str(path.parent))
    return loader.load_config()


def test_instructor_settings_default_to_this_checkout_with_the_course_settings_and_absolute_paths(monkeypatch):
    c = load(HUB / "instructor" / "nbgrader_config.py", monkeypatch=monkeypatch)
    assert c.CourseDirectory.root == str(REPO)
    assert c.CourseDirectory.db_url == f"sqlite:///{REPO / 'autograder' / 'gradebook.db'}"
    assert c.Exchange.root == "/srv/nbgrader/exchange"
    # the course's own nbgrader_config.py is part of it: its source/release folders and the two-wall grader
    assert c.CourseDirectory.source_directory == "solutions"
    assert c.CourseDirectory.release_directory == "exercises"
    assert "autograder.execute.JudgeExecute" in c.Autograde.autograde_preprocessors


def test_instructor_settings_follow_the_environment(monkeypatch, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    c = load(HUB / "instructor" / "nbgrader_config.py", monkeypatch=monkeypatch,
             env={"BACKPROP_COURSE_ROOT": str(course), "BACKPROP_EXCHANGE": str(tmp_path / "x")})
    assert c.CourseDirectory.root == str(course)
    assert c.CourseDirectory.db_url == f"sqlite:///{course / 'autograder' / 'gradebook.db'}"
    assert c.Exchange.root == str(tmp_path / "x")


def test_student_settings_name_the_course_and_the_exchange(monkeypatch):
    c = load(HUB / "student" / "nbgrader_config.py", monkeypatch=monkeypatch,
             env={"BACKPROP_EXCHANGE": "/srv/x"})
    assert c.CourseDirectory.course_id == "backprop-lab"
    assert c.Exchange.root == "/srv/x"
    assert "student_id" not in c.CourseDirectory, "on a real hub nbgrader knows a student by their Unix account"


def _spawn(c, name):
    spawner = types.SimpleNamespace(user=types.SimpleNamespace(name=name), environment=dict(c.Spawner.environment),
                                    notebook_dir="")
    c.Spawner.pre_spawn_hook(spawner)
    return spawner


def test_hub_gives_students_the_student_view_and_the_instructor_formgrader_on_the_course(monkeypatch):
    c = load(HUB / "jupyterhub_config.py", monkeypatch=monkeypatch, env={"BACKPROP_INSTRUCTORS": "ada, grace"})
    assert c.Authenticator.admin_users == {"ada", "grace"}
    assert c.LocalAuthenticator.allowed_groups == {"backprop-lab"}
    assert Path(c.Spawner.cmd[0]).name == "jupyterhub-singleuser" and os.access(c.Spawner.cmd[0], os.X_OK), \
        "users' servers should run in the course's own environment"
    assert c.Spawner.default_url == "/lab"

    student = _spawn(c, "alan")
    paths = student.environment["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert paths == [str(HUB / "student"), str(REPO / "autograder" / "jupyter" / "student")]
    assert student.notebook_dir == "", "a student works in their own home"
    page_config = json.loads((Path(paths[1]) / "labconfig" / "page_config.json").read_text())
    assert page_config["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True

    teacher = _spawn(c, "grace")
    assert teacher.environment["JUPYTER_CONFIG_PATH"] == str(HUB / "instructor")
    assert teacher.notebook_dir == str(REPO), "the instructor's JupyterLab opens on the course checkout"
    assert teacher.environment["BACKPROP_EXCHANGE"] == "/srv/nbgrader/exchange"
    assert "JUPYTER_CONFIG_PATH" not in c.Spawner.environment, "one user's settings must not leak into the next"


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_every_config_dir_holds_only_what_jupyter_reads(role):
    names = sorted(p.name for p in (HUB / role).iterdir() if p.name != "__pycache__")
    assert names == ["nbgrader_config.py"], names


def test_the_instructor_commands_work_on_the_course_in_the_current_folder(tmp_path):
    from autograder.config import course_root

    assert course_root(tmp_path) == REPO, "a folder that is no course: this repository"
    (tmp_path / "nbgrader_config.py").write_text("")
    assert course_root(tmp_path) == REPO, "a course needs its solutions/ too"
    (tmp_path / "solutions").mkdir()
    assert course_root(tmp_path) == tmp_path
