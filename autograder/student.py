"""The student's side of the wall: runs inside the sandbox, one process per submission.

``python -P -m autograder.student RFD WFD`` talks to the judge over two inherited pipe ends (requests in,
answers out). It runs the notebook's own cells in an IPython shell when the judge says so, and serves calls of the
student's functions, whose results go back as plain data. It never sees a test cell, an expected value or a
reference implementation: only the arguments the judge chooses to send.
"""

import contextlib
import io
import os
import sys
import traceback
import warnings

from autograder.channel import Endpoint, PeerGone

OUTPUT_CAP = 100_000  # characters of one cell's output sent back
KEEP_MIME = ("text/plain", "image/png")  # HTML or JavaScript from student code never reaches a grader's page


_MISSING = object()


class StudentSide(Endpoint):
    def __init__(self, shell, rfd, wfd):
        super().__init__(rfd, wfd, guarded=False)
        self.shell = shell
        self.ops.update(run=self.run_cell, lookup=self.lookup, lend=self.lend, unlend=self.unlend)
        self.lent = []  # stack of the values a lend replaced

    def invoke(self, fn, args, kwargs):
        out = io.StringIO()
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(out):
            warnings.simplefilter("always")
            value = fn(*args, **kwargs)
        said = [[w.category.__name__, str(w.message)] for w in caught[:20]]
        return {"op": "return", "v": value, "o": out.getvalue()[:OUTPUT_CAP], "w": said}

    def describe(self, exc):
        return str(exc)[:2000]

    def where(self, exc):
        """The student's own line that raised, as the checks show it: " (at line 3: `return x / n`)"."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if "site-packages" not in f.filename and "/opt/grader/" not in f.filename
                  and "autograder" not in f.filename]
        if not frames:
            return ""
        code = (frames[-1].line or "").strip()
        return f" (at line {frames[-1].lineno}: `{code}`)" if code else f" (at line {frames[-1].lineno})"

    def lookup(self, m):
        name = str(m.get("n"))
        if name not in self.shell.user_ns:
            raise NameError(f"name {name!r} is not defined")
        return self.shell.user_ns[name]

    def lend(self, m):
        """The judge lends functions (as callbacks) under these names for one check; remember what was there."""
        ns, values = self.shell.user_ns, dict(m.get("values") or {})
        self.lent.append({name: ns.get(name, _MISSING) for name in values})
        ns.update(values)

    def unlend(self, m):
        ns = self.shell.user_ns
        for name, old in (self.lent.pop() if self.lent else {}).items():
            if old is _MISSING:
                ns.pop(name, None)
            else:
                ns[name] = old

    def run_cell(self, m):
        from IPython.utils.capture import capture_output

        with capture_output(display=True) as cap:
            result = self.shell.run_cell(str(m.get("src", "")), store_history=True)
        outputs = []
        for name, text in (("stdout", cap.stdout), ("stderr", cap.stderr)):
            if text:
                outputs.append({"output_type": "stream", "name": name, "text": text[:OUTPUT_CAP]})
        for rich in cap.outputs[:20]:
            data = {k: v for k, v in rich.data.items() if k in KEEP_MIME and isinstance(v, str)}
            if data:
                outputs.append({"output_type": "display_data", "data": data})
        exc = result.error_before_exec or result.error_in_exec
        if exc is not None:
            frames = [line for line in traceback.format_exception(exc)[-6:]
                      if "site-packages" not in line and "autograder" not in line]
            outputs.append({"output_type": "error", "ename": type(exc).__name__, "evalue": str(exc)[:2000],
                            "traceback": frames})
        return outputs


def main():
    os.environ.setdefault("MPLBACKEND", "Agg")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="NoColor")
    shell.showtraceback = lambda *a, **k: None  # errors are sent as outputs, not printed
    shell.showsyntaxerror = lambda *a, **k: None
    side = StudentSide(shell, int(sys.argv[1]), int(sys.argv[2]))
    side.send({"op": "ready", "pid": os.getpid()})
    while True:
        try:
            side.serve_one(side.receive())
        except PeerGone:
            return


if __name__ == "__main__":
    sys.exit(main())
