"""Kernel launcher for grading: an ipykernel with resource limits and an audit hook.

nbgrader starts this script instead of ``ipykernel_launcher`` (see :mod:`autograder.jobs`). Before any student code
runs it

* caps the address space (``RLIMIT_AS``: a memory bomb gets a ``MemoryError``), the size of any file written
  (``RLIMIT_FSIZE``) and core dumps;
* imports the course's helpers (``numpy``, ``course.grading``) from the installed package, so nothing a student put
  next to the notebook can shadow them, and ``course.grading`` binds ``np.allclose`` before student code runs;
* installs a Python audit hook (it cannot be removed once installed) that refuses: reading or writing the grading
  course outside the notebook's own folder (the gradebook that holds the hidden tests) and any instructor folder
  named in the configuration; reading the notebook file itself (the hidden tests are in it while it runs); writing
  anywhere but the notebook's folder and the kernel's own temporary folder; starting processes or shells; loading
  native code with ``ctypes``; opening SQLite databases; signalling other processes; replacing a function's code.

The configuration comes as JSON in the environment variable ``AUTOGRADER_SANDBOX``. The audit hook is defence in
depth, not an operating-system sandbox: the static scan (:mod:`autograder.scan`) flags attempts, and the grader never
trusts anything the kernel writes to disk.
"""

import json
import os
import resource
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _limits(cfg):
    mem = cfg.get("memory_mb")
    if mem:
        lim = int(mem) * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    fsize = cfg.get("file_mb", 64) * 2**20
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _make_hook(cfg):
    real = os.path.realpath
    join = os.path.join
    sep = os.sep
    pid = os.getpid()
    fs_write = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC

    def norm(p):
        return real(p) if p else p

    protected = tuple(norm(p) for p in cfg.get("protected", ()))
    readable = tuple(norm(p) for p in cfg.get("readable", ()))
    writable = tuple(norm(p) for p in cfg.get("writable", ()))
    secret_files = frozenset(norm(p) for p in cfg.get("secret_files", ()))
    blocked = frozenset({
        "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
        "pty.spawn", "os.startfile", "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.call_function",
        "ctypes.cdata", "ctypes.cdata/buffer", "os.killpg",
        "signal.pthread_kill", "sys.remote_exec", "os.setuid", "os.chroot",
    })
    path_events = {"os.remove": 0, "os.rename": 0, "os.rmdir": 0, "os.mkdir": 0, "os.symlink": 1, "os.link": 1,
                   "os.truncate": 0, "os.chmod": 0, "os.chown": 0, "os.utime": 0, "shutil.rmtree": 0,
                   "shutil.copyfile": 1, "shutil.move": 1, "shutil.copytree": 1}

    def under(path, roots):
        for r in roots:
            if path == r or path.startswith(r + sep):
                return True
        return False

    def check_read(path):
        if path in secret_files or (under(path, protected) and not under(path, readable) and not under(path, writable)):
            raise PermissionError(f"grading sandbox: no access to {path}")

    def check_write(path):
        check_read(path)
        if not under(path, writable) and not path.startswith("/dev/"):
            raise PermissionError(f"grading sandbox: no writing outside the notebook's folder ({path})")

    def hook(event, args):
        if event == "open":
            path, _mode, flags = args
            if isinstance(path, int) or path is None:
                return
            path = norm(os.fsdecode(path) if isinstance(path, bytes) else str(path))
            if isinstance(flags, int) and flags & fs_write or isinstance(_mode, str) and set(_mode) & set("wax+"):
                check_write(path)
            else:
                check_read(path)
        elif event in blocked:
            raise PermissionError(f"grading sandbox: {event} is not allowed while grading")
        elif event == "sqlite3.connect":
            if args and args[0] != ":memory:":  # IPython keeps its history in memory; nothing else opens a database
                raise PermissionError("grading sandbox: opening a database is not allowed while grading")
        elif event == "os.kill":
            if args[0] not in (pid, 0):
                raise PermissionError("grading sandbox: signalling other processes is not allowed")
        elif event in path_events:
            target = args[path_events[event]]
            if isinstance(target, (str, bytes, os.PathLike)):
                check_write(norm(os.fsdecode(target)))
            src = args[0]
            if path_events[event] == 1 and isinstance(src, (str, bytes, os.PathLike)):
                check_read(norm(os.fsdecode(src)))
        elif event in ("os.listdir", "os.scandir", "glob.glob", "os.chdir"):
            target = args[0] if args else None
            if isinstance(target, (str, bytes, os.PathLike)):
                check_read(norm(join(os.getcwd(), os.fsdecode(target))))
        elif event == "socket.connect" and len(args) >= 2 and isinstance(args[1], (str, bytes)):
            check_read(norm(os.fsdecode(args[1])))  # a Unix socket: not the worker's zygote
        elif event == "object.__setattr__" and len(args) >= 2 and args[1] == "__code__":
            raise PermissionError("grading sandbox: replacing a function's __code__ is not allowed")

    return hook


def preload(names=()):
    """Import what every kernel imports (and ``names``), before any student code: nothing a student put next to
    the notebook can shadow them, and ``course.grading`` binds ``np.allclose`` now."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import numpy  # noqa: F401
    import course.grading  # noqa: F401
    from ipykernel import kernelapp  # noqa: F401

    for name in names:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 (a missing optional module only costs its import time later)
            pass


def start_kernel(cfg):
    """Apply the limits and the audit hook, then run ipykernel (``sys.argv`` holds its arguments)."""
    cwd = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", ".", cwd, _HERE)]
    _limits(cfg)
    preload(cfg.get("preload", ()))
    from ipykernel import kernelapp

    sys.addaudithook(_make_hook(cfg))
    kernelapp.launch_new_instance()


def main():
    start_kernel(json.loads(os.environ.pop("AUTOGRADER_SANDBOX", "{}") or "{}"))


if __name__ == "__main__":
    main()
