"""The course's hub (autograder/hub/jupyterhub_config.py), for a test on localhost: what a real deployment gets
from Unix accounts and PAM, the test gets from JupyterHub's DummyAuthenticator and SimpleLocalProcessSpawner.

* Log-in: any allowed name with the test's password (a real hub: the user's own password, or the LMS).
* Every user's server runs as the test's own Unix user, with HOME = HUB_HOMES/<name> (a real hub: the user's
  account and home). nbgrader's exchange knows a student by the account name, which is the same for everyone
  here, so each server is told its student's name (nbgrader itself does this for containers that all run as
  `jovyan`); the hub's own login still keeps each student out of everyone else's server.
* Ports and files are the test's own (HUB_PORT, HUB_API_PORT, PROXY_API_PORT, HUB_STATE).
"""

import os

c = get_config()  # noqa: F821 (injected by traitlets)
HERE = os.path.dirname(os.path.abspath(__file__))
load_subconfig(os.path.join(HERE, "..", "..", "autograder", "hub", "jupyterhub_config.py"))  # noqa: F821

STATE = os.environ["HUB_STATE"]
c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ['HUB_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ['HUB_API_PORT']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.pid_file = os.path.join(STATE, "proxy.pid")
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "cookie_secret")
c.JupyterHub.db_url = f"sqlite:///{os.path.join(STATE, 'jupyterhub.sqlite')}"

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["HUB_PASSWORD"]
c.Authenticator.allowed_users = set(os.environ["HUB_USERS"].split(","))

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(os.environ["HUB_HOMES"], "{username}")
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
if os.getuid() == 0:  # CI runs as root; Jupyter refuses that unless told
    c.Spawner.args = ["--allow-root"]
# Keep the test's PATH (the course's virtualenv first) and its thread limits in every server.
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NODE_PATH"]

_course_hook = c.Spawner.pre_spawn_hook


def test_hook(spawner):
    _course_hook(spawner)
    env = dict(spawner.environment)
    # The kernels' Unix sockets are named after their connection files, in the runtime folder; under the user's
    # home that path would pass the 108 bytes a socket's path may have.
    env["JUPYTER_RUNTIME_DIR"] = os.path.join(STATE, "run", spawner.user.name)
    if spawner.user.name not in os.environ["BACKPROP_INSTRUCTORS"].split(","):
        # Its student's name for nbgrader, and kernels on Unix sockets (tests/ipc_kernels/nbgrader_config.py: why).
        env["JUPYTER_CONFIG_PATH"] += os.pathsep.join(["", os.path.join(HERE, "nbgrader"),
                                                       os.path.join(os.path.dirname(HERE), "ipc_kernels")])
    spawner.environment = env


c.Spawner.pre_spawn_hook = test_hook
