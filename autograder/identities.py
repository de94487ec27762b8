"""Who a submission is: the graded student id from a folder or file name, and the LMS identity in Canvas and Moodle
file names.

* :func:`student_ids`: raw ids as file paths can hold them (:func:`safe_student`), distinct whatever the file-system
  order, case aside;
* :func:`lms_identity`: the Canvas user ID or Moodle participant id a submitted file's name carries;
* :func:`lms_students`: students the file names give one name are graded as ``<name>-<LMS id>``, never as one
  student, and a student keeps the id earlier runs gave them.
"""

import hashlib
import re
from dataclasses import dataclass

# What Canvas and Moodle write before a submitted file's own name. Canvas (canvas-lms lib/content_zipper.rb):
# "<sortable name>_[LATE_]<user id>_<attachment id>_<file>";
# Moodle: "<full name>_<participant id>_assignsubmission_file_".
_MOODLE_NAME = re.compile(r"(?i)(?:^|/)(?P<name>[^_/]+)_(?P<id>\d+)_assignsubmission_file_")
_CANVAS_PREFIX = re.compile(r"(?i)^(?P<name>[^_/]+)_(?:late_)?(?P<id>\d+)(?:_\d+)?$")  # what precedes the notebook id
_CANVAS_NAME = re.compile(r"(?i)^(?P<name>[^_/]+)_(?:late_)?(?P<id>\d+)_\d+_")  # a user id and an attachment id
LMS_LABEL = {"canvas": "Canvas user", "moodle": "Moodle participant"}


@dataclass(frozen=True)
class LmsIdentity:
    lms: str
    id: str
    name: str


def lms_identity(rel, student_id, nbid=None):
    """The Canvas or Moodle identity a submitted file's path carries, or None. ``nbid``: the notebook id its name
    ends with, if known (what precedes it then holds the ids). Only a name part equal to ``student_id`` (what the
    file-name pattern read) counts, so a custom ``--regexp`` that reads something else gets none."""
    match, lms = _MOODLE_NAME.search(rel), "moodle"
    if not match:
        name = rel.rsplit("/", 1)[-1]
        stem = name[:-len(".ipynb")] if name.endswith(".ipynb") else name
        prefix = stem[:-len(nbid) - 1] if nbid and stem.endswith("_" + nbid) else None
        match, lms = (_CANVAS_PREFIX.match(prefix) if prefix is not None else _CANVAS_NAME.match(name)), "canvas"
    if match and match["name"] == student_id:
        return LmsIdentity(lms, match["id"], match["name"])
    return None


def _clash(a, b):
    """Are two (identity, assignment) pairs two different students? A Canvas user ID is one per student; a Moodle
    participant id one per student and assignment, so two of them differ only within one assignment."""
    (ia, aid_a), (ib, aid_b) = a, b
    return ia.lms != ib.lms or (ia.id != ib.id and (ia.lms == "canvas" or aid_a == aid_b))


def _earlier(known):
    """{graded id: [(identity, assignment)]} from the LMS ids of earlier runs ({id: {lms, name, ids: {aid: id}}})."""
    return {sid: [(LmsIdentity(e["lms"], str(i), e.get("name") or ""), aid) for aid, i in e.get("ids", {}).items()]
            for sid, e in (known or {}).items() if e.get("lms")}


def lms_students(files, ids, known=None):
    """``({(raw id, identity): graded id}, {(raw id, identity): message})`` for LMS files ``[(raw id, identity,
    assignment)]``. A known identity keeps the id an earlier run gave it (``known``: :func:`_earlier`'s input);
    a raw id that two students share, in this run or with an earlier one, becomes ``<id>-<LMS id>`` for each new
    student; any other keeps ``ids[raw]`` (:func:`student_ids`)."""
    earlier = _earlier(known)
    owner = {(i.lms, i.id): sid for sid, items in earlier.items() for i, _ in items}
    seen = {}
    for raw, ident, aid in files:
        seen.setdefault(raw, {}).setdefault(ident, set()).add(aid)
    taken = {v.casefold() for v in ids.values()} | {sid.casefold() for sid in earlier}
    graded, rivals = {}, {}
    for raw, by_ident in sorted(seen.items()):
        pairs = [(i, a) for i, aids in by_ident.items() for a in aids] + earlier.get(ids[raw], [])
        for ident in sorted(by_ident, key=lambda i: (i.lms, i.id)):
            rivals[(raw, ident)] = sorted({o for a in by_ident[ident] for o, b in pairs if _clash((ident, a), (o, b))},
                                          key=lambda o: (o.lms, o.id))
            if (ident.lms, ident.id) in owner:
                graded[(raw, ident)] = owner[(ident.lms, ident.id)]
            elif rivals[(raw, ident)]:
                graded[(raw, ident)] = _suffixed(ids[raw], ident.id, taken)
            else:
                graded[(raw, ident)] = ids[raw]
    messages = {}
    for (raw, ident), sid in graded.items():
        label = f"{LMS_LABEL[ident.lms]} {ident.id}"
        if rivals[(raw, ident)]:
            others = ", ".join(f"{LMS_LABEL[o.lms]} {o.id} (graded as "
                               f"{owner.get((o.lms, o.id)) or graded.get((raw, o), '?')!r})"
                               for o in rivals[(raw, ident)])
            messages[(raw, ident)] = (f"{label} was graded under the id {sid!r}: the file names give the name "
                                      f"{raw!r} to other students too: {others}")
        elif sid != ids[raw]:
            messages[(raw, ident)] = (f"{label} was graded under the id {sid!r} that earlier runs gave them, though "
                                      f"the file names now give the name {raw!r}")
    return graded, messages


def _suffixed(base, lms_id, taken):
    sid, n = f"{base[:79 - len(lms_id)]}-{lms_id}", 2
    while sid.casefold() in taken:  # only if a student is literally called that already
        sid, n = f"{base[:76 - len(lms_id)]}-{lms_id}-{n}", n + 1
    taken.add(sid.casefold())
    return sid


def safe_student(name):
    """A name safe for a file path: ``O'Brien`` -> ``O_Brien``; never ``.``, ``..`` or a hidden name."""
    safe = re.sub(r"[^A-Za-z0-9_.@-]", "_", name.strip())[:80]
    return re.sub(r"^\.", "_", safe) or "student"


def student_ids(raw_ids):
    """``{raw id: graded id}``: :func:`safe_student` names, made distinct, whatever the file-system order. Of raw
    ids that share a safe name (case aside, as on macOS: ``alice``, ``Alice``) one keeps it (the one that already is
    that name, else the first in sorted order); the others get a short sha1 of the raw id: ``O_Brien-3f2a``."""
    groups, ids, later = {}, {}, []
    for raw in sorted(set(raw_ids)):
        groups.setdefault(safe_student(raw).casefold(), []).append(raw)
    for members in groups.values():
        owner = next((r for r in members if safe_student(r) == r), members[0])
        ids[owner] = safe_student(owner)
        later += [r for r in members if r != owner]
    taken = {sid.casefold() for sid in ids.values()}
    for raw in sorted(later):
        digest = hashlib.sha1(raw.encode("utf-8", "surrogateescape")).hexdigest()
        n = 4
        while f"{safe_student(raw)[:79 - n]}-{digest[:n]}".casefold() in taken and n < 40:
            n += 2  # a longer suffix only if the short one is someone's id already
        ids[raw] = f"{safe_student(raw)[:79 - n]}-{digest[:n]}"
        taken.add(ids[raw].casefold())
    return ids
