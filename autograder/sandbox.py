"""Wall 1: the OS sandbox a submission's code runs in (Debian's bubblewrap), one fresh one per submission.

Inside: uid 65534, no network, its own process tree and mounts, the Python environment read-only, an empty
writable home that disappears with it, a memory limit (address space), a file-size limit and no core dumps. The
only code in view is the student library (:func:`student_library`): a copy of ``course`` without the checks and
without the reference modules of the assignment being graded, plus the autograder modules that speak to
the judge. The instructor's checkout, ``solutions/``, the gradebook and other students' files are not mounted.

Without bubblewrap, :func:`start` refuses unless the instructor opted out (``allow_unsandboxed``): then the code
runs as a plain child process, still behind the judge, and every report line says so.
"""

import functools
import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.withheld import stub_source, withheld_paths

COURSE = Path(importlib.util.find_spec("course").origin).parent  # the installed course package
HOME = "/home/student"
LIB = "/opt/grader"
VENV = "/opt/venv"
_SIDE_MODULES = ("__init__.py", "wire.py", "effects.py", "remote.py", "channel.py", "student.py")
UNSANDBOXED = ("graded WITHOUT an OS sandbox (--allow-unsandboxed): student code ran as the grader's user, "
               "with its files and network in reach")


class SandboxUnavailable(RuntimeError):
    pass


@functools.lru_cache(maxsize=1)
def bwrap():
    """The bubblewrap executable if it can make a sandbox on this machine, else None. ``AUTOGRADER_BWRAP`` names
    another executable (or a missing one, to grade as a machine without bubblewrap would)."""
    exe = shutil.which(os.environ.get("AUTOGRADER_BWRAP", "bwrap"))
    if exe is None:
        return None
    probe = subprocess.run([exe, "--unshare-all", "--uid", "65534", "--gid", "65534", "--ro-bind", "/", "/",
                            "true"], capture_output=True, timeout=30)
    return exe if probe.returncode == 0 else None


def student_library(aid, dest, listed=()):
    """Write the code the student's process may see for assignment ``aid`` into ``dest`` (mounted read-only).

    ``course`` is copied except ``course/grading`` and the ``listed`` reference modules of ``aid``, which become
    stubs: importing them works, using anything from them raises, so the notebook's set-up cells still run.
    """
    dest = Path(dest)
    withheld = withheld_paths(listed)
    shutil.copytree(COURSE, dest / "course", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for rel in withheld:
        original = COURSE.parent / rel
        files = sorted(original.rglob("*.py")) if original.is_dir() else [original]
        if original.is_dir():
            shutil.rmtree(dest / rel)
        for path in files:
            target = dest / path.relative_to(COURSE.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            module = str(path.relative_to(COURSE.parent).with_suffix("")).replace("/", ".").removesuffix(".__init__")
            target.write_text(stub_source(module, path.read_text(), aid, withheld))
    side = dest / "autograder"
    side.mkdir()
    for name in _SIDE_MODULES:
        text = (Path(__file__).with_name(name)).read_text() if name != "__init__.py" else ""
        (side / name).write_text(text)
    return dest


def _limits(memory_mb):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 20, 256 << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setsid()  # its own process group: a timeout kills everything it started
    return apply


def _mounts():
    """Read-only binds for the interpreter and the virtualenv, wherever they live on this machine."""
    binds = ["/usr"]
    base = Path(sys.base_prefix).resolve()
    if not str(base).startswith("/usr/"):
        binds.append(str(base))
    argv = []
    for path in binds:
        argv += ["--ro-bind", path, path]
    for link in ("lib", "lib64", "bin", "sbin"):
        if Path("/" + link).is_symlink():
            argv += ["--symlink", os.readlink("/" + link), "/" + link]
        elif Path("/" + link).is_dir():
            argv += ["--ro-bind", "/" + link, "/" + link]
    for name in ("ld.so.cache", "localtime"):
        if Path("/etc", name).exists():
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    if sys.prefix != sys.base_prefix:
        argv += ["--ro-bind", sys.prefix, VENV]
    return argv


def _python():
    if sys.prefix != sys.base_prefix:
        return f"{VENV}/bin/{Path(sys.executable).name}"
    return sys.executable


_ENV = {"HOME": HOME, "PATH": "/usr/bin:/bin", "PYTHONPATH": LIB, "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}


def command(lib, home):
    """The bwrap command line that runs the student side with ``lib`` at /opt/grader and ``home`` writable."""
    argv = [bwrap(), "--unshare-all", "--die-with-parent", "--new-session", "--uid", "65534", "--gid", "65534",
            *_mounts(), "--ro-bind", str(lib), LIB, "--bind", str(home), HOME, "--chdir", HOME,
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--clearenv"]
    for key, value in _ENV.items():
        argv += ["--setenv", key, value]
    return argv + [_python(), "-s", "-P", "-m", "autograder.student"]


def start(lib, memory_mb=2048, allow_unsandboxed=False):
    """Start the student side; returns (process, read fd, write fd, scratch home to delete afterwards)."""
    home = tempfile.mkdtemp(prefix="student-")  # 0700: uid 65534 inside is the grader's own uid outside
    if bwrap() is not None:
        argv, env, cwd = command(lib, home), None, None
    elif allow_unsandboxed:
        argv, cwd = [sys.executable, "-s", "-P", "-m", "autograder.student"], home
        env = {**_ENV, "HOME": home, "PYTHONPATH": str(lib), "PATH": os.environ.get("PATH", "/usr/bin")}
    else:
        shutil.rmtree(home, ignore_errors=True)
        raise SandboxUnavailable("bubblewrap (bwrap) cannot make a sandbox here: install it (apt-get install "
                                 "bubblewrap), or pass --allow-unsandboxed to grade without one")
    student_reads, judge_writes = os.pipe()
    judge_reads, student_writes = os.pipe()
    argv = argv + [str(student_reads), str(student_writes)]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=cwd, env=env, preexec_fn=_limits(memory_mb),
                            pass_fds=(student_reads, student_writes), close_fds=True)
    os.close(student_reads)
    os.close(student_writes)
    return proc, judge_reads, judge_writes, home


def stop(proc, home):
    try:
        os.killpg(proc.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
    shutil.rmtree(home, ignore_errors=True)


