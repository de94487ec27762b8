"""Tests only: the kernels that nbgrader's Validate starts talk over Unix sockets, not TCP.

jupyter_client gives a TCP kernel ports that were free when it chose them, and the kernel binds them a second or two
later. The suite's other processes open connections all the while, and once in CI one took a kernel's port in
between, so the kernel died. jupyter_server_config.py beside this does the same for the notebooks' kernels of every
test server with this folder on its JUPYTER_CONFIG_PATH; a student's own lab keeps Jupyter's default.
"""

import os
import tempfile

c = get_config()  # noqa: F821 (injected by traitlets)
c.KernelManager.transport = "ipc"
# Absolute and unique to this server process: a relative path would be found in the kernel's folder by the kernel and
# in the server's folder by the server.
c.KernelManager.ip = os.path.join(tempfile.gettempdir(), f"validate-{os.getpid()}")
