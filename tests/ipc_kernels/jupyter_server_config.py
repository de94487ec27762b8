"""Tests only: the kernels of a test's JupyterLab talk over Unix sockets (nbgrader_config.py beside this says why).

A server names each kernel's sockets after its connection file in the runtime folder, so that folder must be short.
"""

c = get_config()  # noqa: F821 (injected by traitlets)
c.KernelManager.transport = "ipc"
