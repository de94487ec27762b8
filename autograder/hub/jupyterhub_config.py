"""JupyterHub for one backprop-lab class: students work the lessons, the instructor grades, nbgrader's exchange
carries assignments and feedback between them.

    sudo jupyterhub -f /srv/backprop-lab/autograder/hub/jupyterhub_config.py

Everything site-specific comes from the environment (defaults in brackets):

    BACKPROP_COURSE_ROOT   the instructor's checkout of this repository   [this file's repository]
    BACKPROP_EXCHANGE      nbgrader's exchange, writable by every user     [/srv/nbgrader/exchange]
    BACKPROP_INSTRUCTORS   comma-separated hub user names with formgrader  [instructor]
    BACKPROP_HUB_URL       where the hub listens                           [http://:8000]

As written it is the classic single-machine deployment: the hub runs as root, users log in with their Unix
accounts (PAM) and each user's JupyterLab runs as that account (LocalProcessSpawner), so nbgrader's exchange
knows students by their account and its file permissions keep one student's submission from another.
autograder/HUB.md is the guide; tests/hub/ runs this file for real with test accounts.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
COURSE_ROOT = os.environ.get("BACKPROP_COURSE_ROOT", REPO)
EXCHANGE = os.environ.get("BACKPROP_EXCHANGE", "/srv/nbgrader/exchange")
INSTRUCTORS = {u.strip() for u in os.environ.get("BACKPROP_INSTRUCTORS", "instructor").split(",") if u.strip()}
# The student's JupyterLab: nbgrader's Assignment List and Validate, no formgrader, Create Assignment or course list
# (the same settings `make lab` uses), plus the exchange.
STUDENT_CONFIG = [os.path.join(HERE, "student"), os.path.join(REPO, "autograder", "jupyter", "student")]
INSTRUCTOR_CONFIG = [os.path.join(HERE, "instructor")]

# Debian's configurable-http-proxy (apt-get install node-configurable-http-proxy) keeps its Node modules in
# /usr/share/nodejs, where Debian's own node looks; a node from elsewhere (NodeSource) needs to be told.
if os.path.isdir("/usr/share/nodejs"):
    os.environ["NODE_PATH"] = os.pathsep.join(p for p in (os.environ.get("NODE_PATH"), "/usr/share/nodejs") if p)

c = get_config()  # noqa: F821 (injected by traitlets)

c.JupyterHub.bind_url = os.environ.get("BACKPROP_HUB_URL", "http://:8000")
c.JupyterHub.cookie_secret_file = os.environ.get("BACKPROP_HUB_COOKIE_SECRET", "jupyterhub_cookie_secret")
c.JupyterHub.db_url = os.environ.get("BACKPROP_HUB_DB", "sqlite:///jupyterhub.sqlite")

c.Authenticator.admin_users = set(INSTRUCTORS)
# Unix accounts in this group may log in (PAM checks their password); add each student with
# `usermod -aG backprop-lab NAME`. An LMS login (LTI 1.3, ltiauthenticator) or OAuth replaces PAM on a campus.
c.LocalAuthenticator.allowed_groups = {os.environ.get("BACKPROP_GROUP", "backprop-lab")}
c.Authenticator.allowed_users = set(INSTRUCTORS)

# Every user's server runs in the course's Python environment (numpy, nbgrader, the course package) and opens
# JupyterLab.
c.Spawner.cmd = [os.path.join(os.path.dirname(sys.executable), "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"BACKPROP_COURSE_ROOT": COURSE_ROOT, "BACKPROP_EXCHANGE": EXCHANGE,
                         "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def per_role(spawner):
    """Students get the student settings and their home; an instructor gets formgrader, on the course checkout."""
    instructor = spawner.user.name in INSTRUCTORS
    paths = INSTRUCTOR_CONFIG if instructor else STUDENT_CONFIG
    spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": os.pathsep.join(paths)}
    if instructor:
        spawner.notebook_dir = COURSE_ROOT


c.Spawner.pre_spawn_hook = per_role
