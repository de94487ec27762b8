"""A throwaway course copy served by JupyterLab (which also serves Notebook 7) on a free localhost port.

The browser test never touches the committed tree: ``scratch_course`` copies solutions/, exercises/ and
nbgrader_config.py into a temporary folder, and ``JupyterServer`` runs there (cwd = that course root, so nbgrader's
Validate finds nbgrader_config.py exactly as it does for a student who starts ``jupyter lab`` in the course folder).
Every per-user Jupyter folder (config, data, lab settings and workspaces, IPython) points into the scratch folder
too, and the runtime folder into a short one of its own, so whatever is in ~/.jupyter on the machine cannot change
what the test sees.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The student's Jupyter configuration, as `make lab` uses it: no instructor-only nbgrader UI, no news pop-up, no
# update check. The test user has no settings of their own: everything else is JupyterLab's default.
STUDENT_CONFIG = REPO / "autograder" / "jupyter" / "student"
IPC_KERNELS = REPO / "tests" / "ipc_kernels"  # every kernel on Unix sockets (its nbgrader_config.py says why)


def scratch_course(dest, src=REPO):
    """Copy what a student's course folder holds (solutions/, exercises/, nbgrader_config.py) into ``dest``."""
    dest = Path(dest)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for name in ("solutions", "exercises"):
        if (Path(src) / name).is_dir():
            shutil.copytree(Path(src) / name, dest / name, ignore=ignore)
    shutil.copy(Path(src) / "nbgrader_config.py", dest / "nbgrader_config.py")
    (dest / "autograder").mkdir(exist_ok=True)  # nbgrader_config.py keeps its gradebook here
    return dest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """``jupyter lab`` from this venv, serving ``root`` with a token. Use as a context manager."""

    def __init__(self, root, home, token, timeout=90):
        self.root, self.home, self.token, self.timeout = Path(root), Path(home), token, timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "jupyter-server.log"
        # The kernels' Unix sockets are named after their connection files in here: a socket's path must stay
        # under 108 bytes, which a folder deep in pytest's temporary tree would overrun.
        self.runtime = Path(tempfile.mkdtemp(prefix="jupyter-run-"))
        self.proc = None

    def env(self):
        env = os.environ.copy()
        # tests/conftest.py sets MPLBACKEND=Agg for the test process; a student's kernel has no such variable, and
        # with it plt.show() would draw nothing inline.
        env.pop("MPLBACKEND", None)
        # nbgrader runs the `alembic` script of this venv; a student's activated environment has it on PATH too.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env["JUPYTER_RUNTIME_DIR"] = str(self.runtime)
        for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                         ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                         ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"), ("IPYTHONDIR", "ipython")]:
            env[var] = str(self.home / sub)
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(STUDENT_CONFIG), str(IPC_KERNELS)])
        return env

    def __enter__(self):
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}", "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # CI containers run as root; Jupyter refuses that without the flag
        self.home.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=self.env(), stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            if not self._read_port():
                time.sleep(0.3)
                continue
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"jupyter lab did not answer on {self.url} within {self.timeout} s:\n{self.log_tail()}")

    def _read_port(self):
        """The port the server listens on, from the file it writes once it does: the free port chosen above may be
        taken by another process before the server binds it, and then the server moves on to the next one."""
        info = self.runtime / f"jpserver-{self.proc.pid}.json"
        try:
            self.port = json.loads(info.read_text())["port"]
        except (OSError, ValueError, KeyError):
            return False
        self.url = f"http://127.0.0.1:{self.port}"
        return True

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # the server shuts its kernels down on SIGTERM
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()
        shutil.rmtree(self.runtime, ignore_errors=True)

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def lab_url(self, relpath):
        # A fresh workspace each time: JupyterLab would otherwise reopen the previous notebook's tab beside this one.
        self._workspaces = getattr(self, "_workspaces", 0) + 1
        return f"{self.url}/lab/workspaces/test{self._workspaces}/tree/{relpath}?token={self.token}"

    def notebook_url(self, relpath):
        return f"{self.url}/notebooks/{relpath}?token={self.token}"
