"""The records that cross process boundaries in cohort grading (between the instructor's own processes).

A :class:`Job` goes from the grading command to a worker (a local process or a Dask worker on another machine):
it carries everything, so no shared filesystem is needed. A :class:`Result` comes back. Neither ever reaches the
student's sandbox: that boundary speaks only :mod:`autograder.wire`.
"""

from dataclasses import dataclass, field


@dataclass
class Job:
    student: str
    assignment: str
    notebook: str
    data: bytes | None  # the submitted notebook's bytes; None when it is missing
    template: bytes  # the assignment's gradebook template (nbgrader's sqlite file)
    release: bytes  # the released notebook, to tell what a student changed
    nbgrader_config: str  # the text of the course's nbgrader_config.py, which configures grading
    timeout: int | None = None
    memory_mb: int | None = None
    allow_unsandboxed: bool = False
    timestamp: str | None = None
    messages: list = field(default_factory=list)  # notes from collection
    graded: list = field(default_factory=list)  # graded function names (for the scan)
    tests: list = field(default_factory=list)  # test cell ids
    allowed: dict = field(default_factory=dict)  # graded function -> course functions its solution calls


@dataclass
class CellScore:
    score: float
    max_score: float
    error: str | None = None  # the first error of the cell, one line


@dataclass
class Result:
    student: str
    assignment: str
    notebook: str
    status: str = "graded"  # graded / missing / invalid / error
    cells: dict = field(default_factory=dict)  # grade_id -> CellScore
    messages: list = field(default_factory=list)
    flags: list = field(default_factory=list)  # the scan's notes for a reviewer: {kind, detail, cell}
    codes: dict = field(default_factory=dict)  # grade_id -> the student's code (for the similarity report)
    autograded: bytes | None = None
    feedback: bytes | None = None
    seconds: float | None = None
    worker: str = ""

    @property
    def score(self):
        return sum(c.score for c in self.cells.values())

    @property
    def max_score(self):
        return sum(c.max_score for c in self.cells.values())
