"""Collect a cohort's submissions from a folder or an LMS zip, the way ``nbgrader zip_collect`` does.

Two layouts are understood:

* nbgrader's own: ``<folder>/<student>/<assignment>/<notebook>.ipynb`` (with an optional ``timestamp.txt``), as
  ``nbgrader collect`` or an exchange leaves it;
* LMS downloads (a zip, possibly of zips, or the folder it was extracted to): each file name is matched by a
  ``named_regexp`` with ``student_id`` and ``file_id`` groups (and optionally ``timestamp``), exactly as nbgrader's
  ``FileNameCollectorPlugin`` does it; archives are unpacked with nbgrader's ``ExtractorPlugin``.

Only notebooks are ever used: student ``.py`` files, packages and data are listed as ignored. A notebook whose name
is not the expected one (``01_losses (1).ipynb``, ``Copy of 01_losses.ipynb``) is matched to its assignment and the
rename is noted.
"""

import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Canvas ("doe_jane_12345_678_01_losses.ipynb", "doe_LATE_12345_01_losses.ipynb") and Moodle
# ("Jane Doe_12345_assignsubmission_file_/01_losses.ipynb") style names.
DEFAULT_REGEXP = (r"(?i)^(?:.*/)?(?P<student_id>[^_/]+)_(?:late_)?(?:\d+_)*(?:assignsubmission_file_/?)?"
                  r"(?P<file_id>[^/]+)$")


@dataclass
class Submission:
    student: str
    assignment: str
    files: dict = field(default_factory=dict)  # notebook id -> bytes (None: missing)
    messages: list = field(default_factory=list)
    timestamp: str = None


def safe_student(name):
    return re.sub(r"[^A-Za-z0-9_.@-]", "_", name.strip())[:80] or "student"


def _match_notebook(stem, notebooks):
    """(assignment, notebook id, renamed?) for a file stem, given {assignment: [notebook ids]}.

    An LMS prefixes names with ids (``1001_3001_01_losses``): a stem that ends in ``_<notebook id>`` is not renamed.
    """
    for aid, ids in notebooks.items():
        if stem in ids:
            return aid, stem, False
    for aid, ids in notebooks.items():
        for nbid in sorted(ids, key=len, reverse=True):
            if stem.endswith("_" + nbid):
                return aid, nbid, False
    low = stem.lower()
    for aid, ids in notebooks.items():
        for nbid in ids:
            if nbid.lower() in low:
                return aid, nbid, True
    return None, None, False


def _add(subs, student, aid, nbid, data, origin, renamed, timestamp=None):
    sub = subs.setdefault((student, aid), Submission(student, aid))
    if timestamp:
        sub.timestamp = timestamp
    if renamed:
        sub.messages.append(f"notebook submitted as {origin!r} was graded as {nbid}.ipynb (renamed)")
    if nbid in sub.files and sub.files[nbid] is not None:
        if renamed:  # the correctly named file wins over a renamed copy
            sub.messages.append(f"{origin!r} ignored: {nbid}.ipynb was also submitted")
            return
        sub.messages.append(f"{nbid}.ipynb was submitted more than once; the last one was graded")
    sub.files[nbid] = data


def _nbgrader_layout(folder, notebooks):
    return any(d.is_dir() and (d / aid).is_dir() for d in folder.iterdir() for aid in notebooks)


def collect(source, notebooks, regexp=DEFAULT_REGEXP):
    """Submissions under ``source`` (folder or zip), for ``notebooks = {assignment: [notebook ids]}``.

    Every student seen gets a Submission for every assignment they submitted anything for; notebooks they did not
    submit are ``None``. Returns a list sorted by (student, assignment).
    """
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"no submissions at {source}")
    if source.is_file():
        with tempfile.TemporaryDirectory(prefix="backprop-collect-") as tmp:
            _extract(source, Path(tmp) / "extracted")
            return collect(Path(tmp) / "extracted", notebooks, regexp)
    subs = {}
    if _nbgrader_layout(source, notebooks):
        for sdir in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")):
            student = safe_student(sdir.name)
            for aid in notebooks:
                adir = sdir / aid
                if not adir.is_dir():
                    continue
                ts = (adir / "timestamp.txt").read_text().strip() if (adir / "timestamp.txt").exists() else None
                subs.setdefault((student, aid), Submission(student, aid, timestamp=ts))
                _files(adir, student, aid, notebooks, subs, ts)
    else:
        _lms(source, notebooks, regexp, subs)
    for (student, aid), sub in subs.items():
        for nbid in notebooks[aid]:
            if sub.files.get(nbid) is None:
                sub.files[nbid] = None
    return [subs[k] for k in sorted(subs)]


def _files(adir, student, aid, notebooks, subs, ts):
    ignored = []
    for path in sorted(adir.rglob("*")):
        rel = path.relative_to(adir).as_posix()
        if path.is_dir() or rel == "timestamp.txt" or ".ipynb_checkpoints" in rel or "__pycache__" in rel:
            continue
        if path.suffix != ".ipynb" or "/" in rel:
            ignored.append(rel)
            continue
        a, nbid, renamed = _match_notebook(path.stem, {aid: notebooks[aid]})
        if a is None and len(notebooks[aid]) == 1:
            a, nbid, renamed = aid, notebooks[aid][0], True
        if a is None:
            ignored.append(rel)
            continue
        _add(subs, student, aid, nbid, path.read_bytes(), rel, renamed, ts)
    if ignored:
        subs[(student, aid)].messages.append(
            f"ignored {len(ignored)} non-notebook file(s) ({', '.join(ignored[:4])}"
            f"{', ...' if len(ignored) > 4 else ''}): student .py files, packages and data are never used")


def _lms(folder, notebooks, regexp, subs):
    from nbgrader.plugins import FileNameCollectorPlugin

    plugin = FileNameCollectorPlugin(named_regexp=regexp)
    plugin.log.setLevel(logging.ERROR)
    ignored = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if "__MACOSX" in rel or ".ipynb_checkpoints" in rel or path.name.startswith("."):
            continue
        info = plugin._match(rel)
        if not info:
            continue
        student = safe_student(info["student_id"])
        file_id = info["file_id"]
        stem = path.name[:-6] if file_id.endswith(".ipynb") else None
        if stem is None:
            ignored.setdefault(student, []).append(file_id)
            continue
        aid, nbid, renamed = _match_notebook(stem, notebooks)
        if aid is None:
            if len(notebooks) == 1 and len(next(iter(notebooks.values()))) == 1:
                aid = next(iter(notebooks))
                nbid, renamed = notebooks[aid][0], True
            else:
                ignored.setdefault(student, []).append(file_id)
                continue
        _add(subs, student, aid, nbid, path.read_bytes(), file_id, renamed, info.get("timestamp"))
    for student, files in ignored.items():
        for (s, aid), sub in subs.items():
            if s == student:
                sub.messages.append(f"ignored {len(files)} file(s) that are not a notebook of this course "
                                    f"({', '.join(files[:4])}{', ...' if len(files) > 4 else ''})")
                break


def _extract(archive, dest):
    """Unpack ``archive`` (and the archives inside it) with nbgrader's ExtractorPlugin."""
    from nbgrader.plugins import ExtractorPlugin

    archive_dir = dest.parent / "archive"
    archive_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(archive, archive_dir / archive.name)
    dest.mkdir(parents=True, exist_ok=True)
    plugin = ExtractorPlugin()
    plugin.log.setLevel(logging.ERROR)
    plugin.extract(str(archive_dir), str(dest))
