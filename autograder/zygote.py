"""Warm kernels: a per-worker process that has imported the kernel's modules once and forks a fresh kernel per job.

A Jupyter kernel spends most of its start-up importing ipykernel, IPython, NumPy and the course package; nbgrader
pays that for every notebook. Each grading worker starts one zygote (``python zygote.py SOCKET``) that imports
them once and then, per request, forks: the child is a brand-new process (copy-on-write memory of the pristine
zygote, never of a kernel that ran student code), applies the sandbox (:mod:`autograder.sandbox`: limits and the
audit hook) and becomes the ipykernel.

jupyter_client launches ``python -S zygote.py --launch SOCKET -f CONNECTION_FILE`` as the kernel command: this tiny
launcher passes its stdio, working folder and environment to the zygote, forwards interrupts to the forked kernel
and lives exactly as long as it, so jupyter_client's liveness checks, interrupts and kills work unchanged. The
kernel exits when its launcher disappears (a SIGKILL from jupyter_client). Only processes started by the worker
that owns the zygote may ask it to fork (checked with SO_PEERCRED); a kernel cannot.
"""

import json
import os
import signal
import socket
import struct
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))


def _ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------------------------
# launcher side (runs with python -S: standard library only, fast)


def launch(sock_path, argv):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    msg = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "launcher": os.getpid()}).encode()
    socket.send_fds(s, [struct.pack("!I", len(msg)) + msg], [0, 1, 2])
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        reply += chunk
    s.close()
    pid = json.loads(reply or b"{}").get("pid")
    if not pid:
        sys.exit("zygote refused to start a kernel")

    def forward(sig, _frame):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
        if sig != signal.SIGINT:
            sys.exit(0)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, forward)
    while _alive(pid):
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------------------------
# zygote side


def _child(req, fds):
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    # ipykernel read JPY_PARENT_PID when the zygote imported it; without a parent it prints a connection banner
    # for every kernel unless its log level is CRITICAL (a parent poller would watch the zygote, not the launcher).
    sys.argv = ["ipykernel_launcher", *req["argv"], "--IPKernelApp.log_level=CRITICAL"]
    launcher = int(req["launcher"])

    import threading

    def watchdog():  # jupyter_client kills the launcher (SIGKILL): the kernel must not outlive it
        while _alive(launcher):
            time.sleep(0.1)
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    from autograder import sandbox

    sandbox.start_kernel(json.loads(os.environ.pop("AUTOGRADER_SANDBOX", "{}") or "{}"))


def serve(sock_path, preload):
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    sys.path.insert(0, os.path.dirname(_HERE))  # autograder itself (the zygote's own code, not student code)
    from autograder import sandbox

    sys.path.remove(os.path.dirname(_HERE))
    sandbox.preload(preload)
    parent = os.getppid()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    os.chmod(sock_path, 0o600)
    srv.listen(64)
    srv.settimeout(0.5)
    print("ready", flush=True)
    while os.getppid() == parent:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        try:
            conn.settimeout(10)
            pid, _uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                                  struct.calcsize("3i")))
            if _ppid(pid) != parent:  # only the worker's own launchers, never a kernel
                conn.close()
                continue
            data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 22, 3)
            size = struct.unpack("!I", data[:4])[0]
            while len(data) - 4 < size:
                data += conn.recv(1 << 22)
            req = json.loads(data[4:4 + size])
        except Exception:  # noqa: BLE001 (a broken request costs that kernel, not the zygote)
            conn.close()
            continue
        child = os.fork()
        if child == 0:
            try:
                srv.close()
                conn.close()
                _child(req, fds)
            finally:
                os._exit(1)
        for fd in fds:
            os.close(fd)
        try:
            conn.sendall(json.dumps({"pid": child}).encode() + b"\n")
        finally:
            conn.close()


if __name__ == "__main__":
    if sys.argv[1] == "--launch":
        launch(sys.argv[2], sys.argv[3:])
    else:
        serve(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else [])
