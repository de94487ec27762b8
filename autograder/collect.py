"""Collect a cohort's submissions from a folder or an LMS zip, the way ``nbgrader zip_collect`` does.

* nbgrader's layout: ``<folder>/<student>/<assignment>/<notebook>.ipynb`` (optional ``timestamp.txt``); assignment
  folders match the way instructors type them (``01_Losses``, `` 01 losses ``), and the rename is noted;
* LMS downloads (a zip, possibly of zips, or its extracted folder): file names are matched by a ``named_regexp``
  (``student_id``, ``file_id``, optional ``timestamp``) as nbgrader's ``FileNameCollectorPlugin`` does, archives
  unpacked with its ``ExtractorPlugin``. The LMS's own id in a Canvas or Moodle file name (Canvas user ID, Moodle
  participant id) is kept on the submission; :mod:`autograder.identities` reads it and tells apart students the
  file names give the same name.

Only notebooks are used, renamed ones (``Copy of 01_losses.ipynb``) too. Nothing is dropped silently: what is not
graded is named in a message on the student's submission or, belonging to none, in an :class:`Unmatched` note. Times
are read with nbgrader's parser (a bad one is dropped for that submission alone); ids that sanitise alike stay apart.
"""

import logging
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autograder.identities import lms_identity, lms_students, safe_student, student_ids

# Canvas ("doejane_12345_678_01_losses.ipynb", "doejane_LATE_12345_678_01_losses.ipynb"; with anonymous grading
# "anon_x1Y2z_678_01_losses.ipynb", "LATE_anon_x1Y2z_678_...") and Moodle
# ("Jane Doe_4242_assignsubmission_file_01_losses.ipynb", or in a folder "Jane Doe_4242_assignsubmission_file_/...")
# style names. The folder prefix is matched lazily, so a Moodle submission folder is read as the student's.
DEFAULT_REGEXP = (r"(?i)^(?:[^/]*/)*?(?:late_(?=anon_))?(?P<student_id>anon_[a-z0-9]+|[^_/]+)_(?:late_)?(?:\d+_)*"
                  r"(?:assignsubmission_file_/?)?(?P<file_id>[^/]+)$")

SECRET = "submission_secret.txt"


@dataclass
class Submission:
    student: str
    assignment: str
    files: dict = field(default_factory=dict)  # notebook id -> bytes (None: missing)
    messages: list = field(default_factory=list)
    timestamp: str = None
    secret: str = None  # nbgrader's submission_secret.txt (from its exchange): it names the feedback page to fetch
    lms: str = None  # "canvas" or "moodle" when the file names are that LMS's
    lms_id: str = None  # Canvas user ID; Moodle participant id (one per student and assignment)
    lms_name: str = None  # the student's name as the file names write it


@dataclass(frozen=True)
class Unmatched:
    """Something under the source that was not graded and that no submission's messages mention."""
    student: str | None  # the id it would have been graded under; None when no student could be told
    path: str  # relative to the source (for a zip: to the folder it was extracted to)
    reason: str


def normalise_timestamp(text):
    """A submission time as nbgrader reads it (``nbgrader.utils.parse_utc``), written ``YYYY-MM-DD HH:MM:SS``
    in UTC; ValueError when it is not a full date (a bare ``12`` would be read as a day of the current month)."""
    import dateutil.parser
    from nbgrader.utils import parse_utc
    text = (text or "").strip()
    check = " ".join(text.split(" ")[:2] + ["TZ"]) if text.count(" ") == 2 else text  # as parse_utc reads a zone
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            when = parse_utc(text)
            if len({dateutil.parser.parse(check, default=d, ignoretz=True).date()
                    for d in (datetime(2000, 1, 1), datetime(2001, 2, 2))}) > 1:
                raise ValueError("no full date")  # year, month or day would come from the default
    except Exception as exc:  # noqa: BLE001 (dateutil raises ValueError, OverflowError, TypeError, ...)
        raise ValueError(f"not a full date: {text!r}") from exc
    return when.isoformat(sep=" ")


def _timestamp(text, where):
    """(normalised time or None, message or None) for a time found ``where`` (a path: that timestamp.txt)."""
    if isinstance(where, Path):
        text, where = (where.read_bytes().decode("utf-8", "replace") if where.is_file() else None), "timestamp.txt"
    shown = (text or "").strip()
    try:
        return (normalise_timestamp(shown) if text is not None else None), None
    except ValueError:
        shown = shown if len(shown) <= 40 else shown[:40] + "..."
        return None, (f"{where} could not be read as a date ({shown!r})" if shown else f"{where} is empty") + \
            "; graded without a submission time"


def _match_notebook(stem, notebooks):
    """(assignment, notebook id, renamed?) for a file stem, given {assignment: [notebook ids]}; an LMS prefix
    (``1001_3001_01_losses``: a stem that ends in ``_<notebook id>``) is not a rename."""
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


def _assignment_for(folder, notebooks):
    """The assignment a folder name stands for, the way instructors type it (case, spaces, ``-`` for ``_``)."""
    key = lambda name: re.sub(r"[\s_-]+", "_", name.strip().casefold())
    loose = [aid for aid in notebooks if key(aid) == key(folder)]
    return folder if folder in notebooks else loose[0] if len(loose) == 1 else None


def _add(subs, student, aid, nbid, data, origin, renamed, timestamp=None, note=None, ident=None):
    sub = subs.setdefault((student, aid), Submission(student, aid))
    sub.timestamp = timestamp or sub.timestamp
    if ident and not sub.lms:
        sub.lms, sub.lms_id, sub.lms_name = ident.lms, ident.id, ident.name
    if note and note not in sub.messages:
        sub.messages.append(note)
    if renamed:
        sub.messages.append(f"notebook submitted as {origin!r} was graded as {nbid}.ipynb (renamed)")
    if nbid in sub.files and sub.files[nbid] is not None:
        if renamed:  # the correctly named file wins over a renamed copy
            sub.messages.append(f"{origin!r} ignored: {nbid}.ipynb was also submitted")
            return
        sub.messages.append(f"{nbid}.ipynb was submitted more than once; the last one was graded")
    sub.files[nbid] = data


def _hidden(name):
    return name.startswith(".") or name in ("__MACOSX", "__pycache__")


def collect(source, notebooks, regexp=DEFAULT_REGEXP):
    """Submissions under ``source`` (folder or zip), for ``notebooks = {assignment: [notebook ids]}``: one per
    student and assignment they submitted anything for (notebooks not submitted are ``None``), sorted by (student,
    assignment). What was not graded is in :func:`collect_with_notes`."""
    return collect_with_notes(source, notebooks, regexp)[0]


def collect_with_notes(source, notebooks, regexp=DEFAULT_REGEXP, other_assignments=(), known=None):
    """``(submissions, notes)``: :func:`collect`'s list, and an :class:`Unmatched` for everything under ``source``
    that was not graded and belongs to no submission (a mistyped folder of a student who submitted nothing else, a
    file the LMS pattern does not match). Folders named after ``other_assignments`` (the course's assignments not
    graded in this run) are passed over without a note. ``known``: the LMS ids earlier runs kept (``{graded id:
    {lms, name, ids: {assignment: LMS id}}}``), so an LMS student keeps their id and a new namesake gets another."""
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"no submissions at {source}")
    if source.is_file():
        with tempfile.TemporaryDirectory(prefix="backprop-collect-") as tmp:
            _extract(source, Path(tmp) / "extracted")
            return collect_with_notes(Path(tmp) / "extracted", notebooks, regexp, other_assignments, known)
    subs, notes, strays = {}, [], []
    if any(d.is_dir() and not _hidden(d.name) and any(c.is_dir() and _assignment_for(c.name, notebooks)
                                                      for c in d.iterdir()) for d in source.iterdir()):
        ids = _nbgrader(source, notebooks, subs, notes, strays, dict.fromkeys(other_assignments))
    else:
        ids = _lms(source, notebooks, regexp, subs, notes, strays, known)
    clashes = {}
    for raw in ids:
        clashes.setdefault(safe_student(raw).casefold(), []).append(raw)
    for raw, sid in ids.items():
        others = ", ".join(f"{o!r} (graded as {ids[o]!r})" for o in clashes[safe_student(raw).casefold()] if o != raw)
        for sub in (sub for (s, _), sub in subs.items() if s == sid) if others else ():
            sub.messages.insert(0, f"student id {raw!r} was graded under the id {sid!r}: {others} would otherwise "
                                   "have had the same id")
    for (student, aid), sub in subs.items():
        sub.files.update({nbid: None for nbid in notebooks[aid] if sub.files.get(nbid) is None})
    for student, paths, reason in strays:  # on every submission of that student, else a note
        own = [sub for (s, _), sub in sorted(subs.items()) if s == student]
        for sub in own:
            sub.messages.append(reason)
        notes.extend(Unmatched(student, path, reason) for path in (paths if not own else ()))
    return [subs[k] for k in sorted(subs)], sorted(notes, key=lambda n: (n.path, n.student or ""))


def _nbgrader(source, notebooks, subs, notes, strays, skip):
    dirs = sorted(p for p in source.iterdir() if p.is_dir() and not _hidden(p.name))
    ids = student_ids(d.name for d in dirs)
    for path in sorted(p for p in source.iterdir() if not p.is_dir() and not _hidden(p.name)):
        notes.append(Unmatched(None, path.name, f"{path.name!r} is not inside a student folder; it was not graded"))
    for sdir in dirs:
        student, folders = ids[sdir.name], {}
        for child in sorted(c for c in sdir.iterdir() if not _hidden(c.name)):
            rel = f"{sdir.name}/{child.name}"
            aid = _assignment_for(child.name, notebooks) if child.is_dir() else None
            if aid:
                folders.setdefault(aid, []).append(child)
            elif not child.is_dir():
                strays.append((student, [rel], f"{rel!r} is not inside an assignment folder; it was not graded"))
            elif not _assignment_for(child.name, skip):
                strays.append((student, [rel], f"folder {rel!r} matches no assignment ({', '.join(notebooks)}); "
                                             "nothing in it was graded"))
        for aid, adirs in folders.items():
            adirs.sort(key=lambda d: (d.name == aid, d.name))  # the exactly named folder last: its files win
            sub = subs.setdefault((student, aid), Submission(student, aid))
            for adir in adirs:
                if adir.name != aid:
                    sub.messages.append(f"folder {adir.name!r} was graded as assignment {aid}")
                ts, note = _timestamp(None, adir / "timestamp.txt")
                sub.messages += [note if len(adirs) == 1 else f"{adir.name}/{note}"] if note else []
                sub.timestamp = ts or sub.timestamp
                if (adir / SECRET).is_file():
                    sub.secret = (adir / SECRET).read_text(errors="replace").strip() or sub.secret
                _files(adir, student, aid, notebooks, subs, ts)
            if len(adirs) > 1:
                sub.messages.append(f"folders {', '.join(repr(d.name) for d in adirs)} all hold assignment {aid}; "
                                    f"where several hold the same notebook, the one in {adirs[-1].name!r} was graded")
    return ids


def _files(adir, student, aid, notebooks, subs, ts):
    ignored = []
    for path in sorted(adir.rglob("*")):
        rel = path.relative_to(adir).as_posix()
        if path.is_dir() or rel in ("timestamp.txt", SECRET) or ".ipynb_checkpoints" in rel or "__pycache__" in rel:
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


def _extracted(path):
    """Is this an archive that ExtractorPlugin unpacked next to itself?"""
    name = re.sub(r"(\.(zip|gz|tgz|bz2|xz|tar))+$", "", path.name, flags=re.I)
    return name != path.name and (path.parent / name).is_dir()


def _lms(folder, notebooks, regexp, subs, notes, strays, known=None):
    from nbgrader.plugins import FileNameCollectorPlugin
    plugin = FileNameCollectorPlugin(named_regexp=regexp)
    plugin.log.setLevel(logging.ERROR)
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if "__MACOSX" in rel or ".ipynb_checkpoints" in rel or path.name.startswith(".") or _extracted(path):
            continue
        info = plugin._match(rel)
        if not info or not info.get("student_id") or not info.get("file_id"):
            notes.append(Unmatched(None, rel, f"{rel!r} does not match the file name pattern, so no student could "
                                              "be told; it was not graded"))
            continue
        found.append((path, rel, info, *_notebook_of(path, info["file_id"], notebooks)))
    ids = student_ids(info["student_id"] for _, _, info, *_ in found)
    idents = [lms_identity(rel, info["student_id"], nbid if aid and not renamed else None)
              for _, rel, info, aid, nbid, renamed in found]
    graded, clash_notes = lms_students([(info["student_id"], ident, aid) for (_, _, info, aid, _, _), ident
                                        in zip(found, idents) if ident], ids, known)
    owners = {}  # raw id -> the graded ids its LMS identities got: files without an identity go with the only one
    for (raw, _), sid in graded.items():
        owners.setdefault(raw, set()).add(sid)
    ignored = {}
    for (path, rel, info, aid, nbid, renamed), ident in zip(found, idents):
        raw, file_id = info["student_id"], info["file_id"]
        only = owners.get(raw, set())
        student = graded.get((raw, ident)) or (next(iter(only)) if len(only) == 1 else ids[raw])
        if aid is None:
            ignored.setdefault(student, []).append((file_id, rel))
            continue
        ts, note = _timestamp(info.get("timestamp") or None, f"the time in {rel!r}")
        _add(subs, student, aid, nbid, path.read_bytes(), file_id, renamed, ts, note, ident)
        clash = clash_notes.get((raw, ident))
        if clash and clash not in subs[(student, aid)].messages:
            subs[(student, aid)].messages.insert(0, clash)
    for student, files in ignored.items():
        strays.append((student, [rel for _, rel in files], f"ignored {len(files)} file(s) that are not a notebook of "
                       f"this course ({', '.join(f for f, _ in files[:4])}{', ...' if len(files) > 4 else ''})"))
    return ids


def _notebook_of(path, file_id, notebooks):
    """(assignment, notebook id, renamed?) of an LMS file, (None, None, False) when it is no notebook of these."""
    stem = path.name[:-6] if file_id.endswith(".ipynb") else None
    aid, nbid, renamed = _match_notebook(stem, notebooks) if stem is not None else (None, None, False)
    if aid is None and stem is not None and [len(ids) for ids in notebooks.values()] == [1]:
        aid, nbid, renamed = next(iter(notebooks)), next(iter(notebooks.values()))[0], True
    return aid, nbid, renamed


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
