"""Wall 2: the judge, a trusted process per submitted notebook that runs the tests against the student's process.

``python -m autograder.judge`` reads one job (JSON on stdin: the notebook's code cells, already restored by
nbgrader from the gradebook, the assignment's set-up imports, limits) and writes the outputs of every cell as
JSON on stdout. It starts the student's side in the sandbox (:mod:`autograder.sandbox`) and walks the notebook
in order: the student's cells run over there; each test cell runs here, in a namespace that holds the set-up
imports (the checks, numpy) and in which every other name is looked up in the student's namespace at the moment
of use, so the test sees the functions as they are at that point of the notebook. A student's function is a
:class:`~autograder.remote.Remote`: calling it sends the arguments and returns plain data.

A cell that runs past the time limit, or a student process that dies (an exit, a crash, the memory limit), ends
that student process: the cell reports it, and a fresh process replays the student's cells that had finished so
far, so one infinite loop costs one function's points, not the rest of the notebook.
"""

import ast
import builtins
import contextlib
import io
import json
import sys
import time
import warnings

from autograder import sandbox
from autograder.channel import Endpoint, PeerGone, TimedOut
from autograder.student import KEEP_MIME  # checked again here: the student's process may send anything

_WARNINGS = {name: cls for name, cls in vars(builtins).items() if isinstance(cls, type) and issubclass(cls, Warning)}
_OUTPUT_TYPES = {"stream": ("name", "text"), "display_data": ("data",), "error": ("ename", "evalue", "traceback")}


class JudgeSide(Endpoint):
    """The judge's end: serves only what tests pass in, and replays what a student's call printed or warned."""

    def __init__(self, rfd, wfd):
        super().__init__(rfd, wfd, guarded=True)

    def after_call(self, reply):
        text = reply.get("o")
        if isinstance(text, str) and text:
            sys.stdout.write(text)
        for item in reply.get("w") or []:
            if isinstance(item, list) and len(item) == 2:
                category = _WARNINGS.get(str(item[0]), UserWarning)
                warnings.warn(str(item[1]), category, stacklevel=2)


class Namespace(dict):
    """A test cell's globals: its own names and the set-up imports here; anything else from the student's side."""

    def __init__(self, student):
        super().__init__()
        self.student, self.seen = student, {}

    @contextlib.contextmanager
    def lend(self, functions):
        """Within the block, the student's namespace holds these judge functions (called back across the wall)
        under their names; then its own values come back. ``course.grading.lending.reference_helpers`` uses it."""
        self.student.side.request({"op": "lend", "values": functions})
        try:
            yield
        finally:
            if self.student.side is not None:
                self.student.side.request({"op": "unlend", "names": list(functions)})

    def __missing__(self, name):
        if name in vars(builtins) or self.student.side is None:
            raise KeyError(name)
        if name not in self.seen:
            try:
                self.seen[name] = self.student.side.request({"op": "lookup", "n": name})["v"]
            except NameError:
                raise KeyError(name) from None
        return self.seen[name]


class Student:
    """The student's process, restartable: a fresh sandbox replays the cells that finished before it."""

    def __init__(self, job):
        self.job, self.side, self.proc, self.home, self.done = job, None, None, None, []

    def start(self):
        proc, rfd, wfd, home = sandbox.start(self.job["library"], self.job.get("memory_mb", 2048),
                                             self.job.get("allow_unsandboxed", False))
        self.proc, self.home, self.side = proc, home, JudgeSide(rfd, wfd)
        self.side.deadline = time.monotonic() + 60
        ready = self.side.receive()
        self.side.deadline = None
        if ready.get("op") != "ready":
            raise PeerGone("the student's process did not start")

    def stop(self):
        if self.proc is not None:
            sandbox.stop(self.proc, self.home)
        self.side = self.proc = None

    def restart(self, timeout):
        self.stop()
        self.start()
        for source in self.done:
            self.side.deadline = time.monotonic() + timeout
            try:
                self.side.request({"op": "run", "src": source})
            finally:
                self.side.deadline = None

    def run(self, source):
        reply = self.side.request({"op": "run", "src": source})
        self.done.append(source)  # it finished (perhaps with an error): a replay runs it again, as it ran
        return _clean(reply.get("v"))


def _clean(outputs):
    """The student's cell outputs, as nbformat output dicts of plain strings; nothing else is kept."""
    kept = []
    for out in outputs if isinstance(outputs, list) else []:
        if not isinstance(out, dict) or out.get("output_type") not in _OUTPUT_TYPES:
            continue
        item = {"output_type": out["output_type"]}
        for key in _OUTPUT_TYPES[out["output_type"]]:
            value = out.get(key)
            if key == "data":
                value = {k: v for k, v in (value or {}).items() if k in KEEP_MIME and isinstance(v, str)}
            elif key == "traceback":
                value = [str(v) for v in value] if isinstance(value, list) else []
            else:
                value = str(value if value is not None else "")
            item[key] = value
        if item["output_type"] == "stream" and item["name"] not in ("stdout", "stderr"):
            item["name"] = "stdout"
        if item["output_type"] == "display_data":
            item["metadata"] = {}
        kept.append(item)
    return kept


WITHHELD_NOTE = ("[not run while grading] This cell uses the course's own version of this lesson, which is kept out "
                 "of reach while notebooks are graded ({detail}). It runs as usual in JupyterLab.\n")


CASCADE_NOTE = "[not run while grading] This cell uses results of a cell above that did not run while grading.\n"


def explain_withheld(outputs, after_withheld):
    """In a cell that is not a graded solution (an explorer, a demo), the error of a withheld module becomes a
    note that says why the cell did nothing here, instead of a red error in the student's feedback; so does a
    NameError in such a cell once a cell above was not run that way (it would have defined the name)."""
    out = []
    for o in outputs:
        if o["output_type"] == "error" and o["ename"] == "NotAvailableWhileGraded":
            o = {"output_type": "stream", "name": "stdout",
                 "text": WITHHELD_NOTE.format(detail=o["evalue"].split(" is not available")[0])}
        elif o["output_type"] == "error" and o["ename"] == "NameError" and after_withheld:
            o = {"output_type": "stream", "name": "stdout", "text": CASCADE_NOTE}
        out.append(o)
    return out


def setup_code(sources):
    """The top-level import statements of the instructor's set-up cells: all a test cell needs from them."""
    lines = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(lines)


def _error(ename, evalue):
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [f"{ename}: {evalue}"]}


def run_test(source, name, ns):
    """Run one test cell here; returns its outputs (stdout, and the error that failed it)."""
    buf = io.StringIO()
    outputs = []
    try:
        code = compile(source, f"<test {name}>", "exec")
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(code, ns)  # noqa: S102 (the instructor's test cell, from the gradebook)
    except (TimedOut, PeerGone):
        raise
    except Exception as exc:  # noqa: BLE001 (a failing check is this cell's result)
        outputs.append(_error(type(exc).__name__, str(exc)))
        render = getattr(exc, "_render_traceback_", None)  # the course's failures show as a short block
        if render is not None:
            outputs[-1]["traceback"] = [str(line) for line in render()]
    finally:
        if buf.getvalue():
            outputs.insert(0, {"output_type": "stream", "name": "stdout", "text": buf.getvalue()})
    return outputs


def judge(job):
    """Run the notebook of ``job``; returns {"cells": {index: outputs}, "events": [sentences]}."""
    timeout = float(job.get("timeout", 60))
    student = Student(job)
    events, results, withheld_seen = [], {}, False
    student.start()
    ns = Namespace(student)
    ns["__name__"] = "__main__"
    exec(compile(setup_code(job.get("setup", [])), "<set-up>", "exec"), ns)  # noqa: S102
    try:
        for cell in job["cells"]:
            index, source, test = cell["index"], cell["source"], cell.get("test", False)
            ns.seen.clear()
            student.side.deadline = time.monotonic() + timeout
            try:
                if test:
                    results[index] = run_test(source, cell.get("name", index), ns)
                else:
                    out = student.run(source)
                    if not cell.get("solution"):
                        out = explain_withheld(out, withheld_seen)
                        withheld_seen |= any(o.get("text", "").startswith("[not run while") for o in out)
                    results[index] = out
            except (TimedOut, PeerGone) as exc:
                what = (f"ran past the {timeout:g} s time limit and was stopped" if isinstance(exc, TimedOut) else
                        "ended the student's process (an exit, a crash or the memory limit)")
                results[index] = [_error("TimeoutError" if isinstance(exc, TimedOut) else "DeadKernelError",
                                         f"this cell {what}")]
                events.append(f"cell {cell.get('name', index)} {what}; the notebook's earlier cells were re-run "
                              "in a fresh process and grading went on")
                student.side.deadline = None
                student.restart(timeout)
            finally:
                if student.side is not None:
                    student.side.deadline = None
    finally:
        student.stop()
    return {"cells": results, "events": events}


def main():
    import os

    answer = os.fdopen(os.dup(1), "w")  # the result goes here; anything else printed goes to stderr
    os.dup2(2, 1)
    job = json.load(sys.stdin)
    try:
        result = judge(job)
    except sandbox.SandboxUnavailable as exc:
        result = {"refused": str(exc)}
    except (TimedOut, PeerGone) as exc:
        result = {"failed": f"the student's process could not be restarted: {exc}"}
    json.dump(result, answer)
    answer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

