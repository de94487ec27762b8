"""Reading a submitted notebook, and checking its nbgrader metadata against the released one.

:func:`read_notebook` turns submitted bytes into an nbformat-4 notebook or raises ValueError with a sentence a person
can act on (empty file, not text, broken JSON with line and column, JSON that is no notebook). Older formats
(nbformat 3's worksheets, and 1 and 2) are converted, and repairs that grading never notices (stored outputs
that do not match the schema, invalid cell metadata) are made rather than rejecting the work; both are noted.

:func:`metadata_tampering` compares the nbgrader metadata of each cell with the release (``exercises/<aid>/<nbid>
.ipynb``), matched by grade_id: flags and points changed, grade_ids the release does not have or that appear twice,
and metadata of the wrong type. nbgrader itself restores only some of it (cell type, locked flag, points of grade
cells); with ``repair=True`` the release's metadata is put back for the rest, as the messages say.
"""

import copy
import json
import warnings
from collections import Counter

import nbformat

FLAGS = ("grade", "solution", "locked", "task")
EDITED = "(metadata edited outside the notebook interface)"
RESTORED = "the instructor's version was used"
ORDINARY = "it was graded as an ordinary cell"


def read_notebook(data, name="notebook", notes=None):
    """Parse submitted bytes (or text) into an nbformat-4 notebook, or raise ValueError saying what is wrong.

    ``notes``, when given a list, receives a sentence for each thing done to make the file readable (converted from
    nbformat 3, decoded as UTF-16, outputs that did not match the schema dropped, ...).
    """
    notes = [] if notes is None else notes
    if not data or not data.strip():
        raise ValueError(f"{name} is empty (0 bytes of notebook)")
    raw = _parse_json(data, name, notes)
    if not isinstance(raw, dict) or ("cells" not in raw and "worksheets" not in raw):
        raise ValueError(f"{name} is JSON but not a Jupyter notebook (no 'cells')")
    if "nbformat" not in raw:  # nbformat would read it as version 1 and drop every cell's source
        raw["nbformat"], raw["nbformat_minor"] = (4, 4) if "cells" in raw else (3, 0)
        notes.append(f"{name} did not say which notebook format it uses; it was read as nbformat {raw['nbformat']}")
    major = raw["nbformat"]
    try:
        nb, error = _reads(raw), None
    except Exception as exc:  # noqa: BLE001 (nbformat raises many kinds; outputs it cannot walk are one)
        try:
            nb, error = _reads(_clear_outputs(raw)), f"stored outputs nbformat cannot read: {exc}"
        except Exception:  # noqa: BLE001
            raise ValueError(f"{name} could not be read as a notebook: {exc}") from None
    if major != 4:
        notes.append(f"{name} was converted from nbformat {major} to nbformat 4")
    error = error or _invalid(nb)
    if error is not None:
        nb = _repair(nb)
        if _invalid(nb) is None:
            notes.append(f"{name} did not match the notebook format ({_describe(error)}); its stored outputs and "
                         "invalid cell metadata were dropped (grading runs every cell again)")
        else:
            raise ValueError(f"{name} is not a valid notebook ({_describe(_invalid(nb))}); it may have been edited "
                             "outside Jupyter") from None
    return nb


def _parse_json(data, name, notes):
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Windows tools (PowerShell's >) save UTF-16
                try:
                    raw = json.loads(data.decode("utf-16"))
                    notes.append(f"{name} was saved as UTF-16 and was read as such")
                    return raw
                except (UnicodeDecodeError, ValueError, RecursionError):
                    pass
            raise ValueError(f"{name} is not a text file (not UTF-8: byte {data[exc.start:exc.start + 1]!r} at "
                             f"position {exc.start}); it may be another file saved under a notebook's name") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                         "it may have been truncated or edited outside Jupyter") from None
    except RecursionError:
        raise ValueError(f"{name} could not be read as a notebook: its JSON is nested too deeply") from None


def _reads(raw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return nbformat.reads(json.dumps(raw), as_version=4, capture_validation_error={})


def _clear_outputs(nb):
    for cell in nb.get("cells") if isinstance(nb.get("cells"), list) else ():
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def _invalid(nb):
    """The validation error of ``nb``, or None. Extra keys are tolerated, as nbconvert (and so nbgrader) does."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.validate(nb, relax_add_props=True)
    except nbformat.ValidationError as exc:
        return exc
    return None


def _repair(nb):
    """Drop what grading never uses and the schema rejects: stored outputs and counts, invalid cell metadata."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, repaired = nbformat.validator.normalize(_clear_outputs(nb), strip_invalid_metadata=True)
        return nbformat.from_dict(repaired)
    except Exception:  # noqa: BLE001 (a notebook too broken to normalise is reported by the caller)
        return nb


def _describe(error):
    path = list(getattr(error, "absolute_path", ()) or ())
    where = f"cell {path[1] + 1}: " if len(path) > 1 and path[0] == "cells" and isinstance(path[1], int) else ""
    message = getattr(error, "message", None) or str(error).splitlines()[0]
    return where + (message if len(message) <= 160 else message[:160] + "...")


# --------------------------------------------------------------------------------------------------------------
# nbgrader metadata against the release


def _nbgrader(cell):
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    return meta.get("nbgrader") if isinstance(meta, dict) else None


def _show(value):
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def metadata_tampering(nb, template_nb, repair=False):
    """Sentences on each cell whose nbgrader metadata differs from the release ``template_nb``, matched by grade_id.

    Reported: a grade, solution, locked or task flag or the points changed; a cell type changed; a grade_id the
    release does not have; a grade_id used twice; metadata of the wrong type (points as text, a grade_id that is not
    a name). With ``repair=True`` the notebook is changed to match what the sentences say: the release's metadata is
    put back, and unknown grade_ids and second copies lose their nbgrader metadata (they run as ordinary cells).
    """
    released = {}
    for cell in template_nb.get("cells", ()):
        meta = _nbgrader(cell)
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
            released.setdefault(meta["grade_id"], cell)
    cells = [c for c in nb.get("cells", ()) if isinstance(c, dict)]
    counts = Counter(m.get("grade_id") for m in map(_nbgrader, cells)
                     if isinstance(m, dict) and isinstance(m.get("grade_id"), str))
    messages, seen = [], set()

    def drop(cell, message):
        messages.append(message)
        if repair:
            del cell["metadata"]["nbgrader"]

    for index, cell in enumerate(cells, 1):
        meta = _nbgrader(cell)
        if meta is None:
            continue
        if not isinstance(meta, dict):
            drop(cell, f"cell {index}: its nbgrader metadata is {_show(meta)}, not a set of fields {EDITED}; "
                       f"{ORDINARY}")
            continue
        gid = meta.get("grade_id")
        if not isinstance(gid, str) or not gid:
            if gid is not None or any(meta.get(flag) for flag in FLAGS):
                drop(cell, f"cell {index}: its grade_id is {_show(gid)}, not a name {EDITED}; {ORDINARY}")
            continue
        if gid in seen:
            if counts[gid]:  # one sentence per grade_id, however many copies
                messages.append(f"cell {gid!r}: this grade_id is used by {counts[gid]} cells (a cell was copied "
                                "with its metadata); the first copy was graded and the others ran as ordinary cells")
                counts[gid] = 0
            if repair:
                del cell["metadata"]["nbgrader"]
            continue
        seen.add(gid)
        if gid not in released:
            drop(cell, f"cell {gid!r}: this grade_id is not in the released notebook {EDITED}; {ORDINARY}")
            continue
        found = _differences(gid, meta, _nbgrader(released[gid]))
        if cell.get("cell_type") != released[gid].get("cell_type"):
            found.append(f"cell {gid!r}: was changed from a {released[gid].get('cell_type')} cell to a "
                         f"{cell.get('cell_type')} cell; {RESTORED}")
        messages += found
        if found and repair:
            cell["metadata"]["nbgrader"] = copy.deepcopy(_nbgrader(released[gid]))
    return messages


def _differences(gid, meta, release):
    found = []
    for flag in FLAGS:
        value, expected = meta.get(flag, False), bool(release.get(flag, False))
        if not isinstance(value, bool):
            found.append(f"cell {gid!r}: the {flag} flag is {_show(value)}, not true or false {EDITED}; {RESTORED}")
        elif value != expected:
            found.append(f"cell {gid!r}: the {flag} flag was changed from {_show(expected)} to {_show(value)} "
                         f"{EDITED}; {RESTORED}")
    points, expected = meta.get("points"), release.get("points") if release.get("grade") else None
    if points is not None and not _is_number(points):
        found.append(f"cell {gid!r}: the points are {_show(points)}, not a number {EDITED}; {RESTORED}")
    elif (release.get("grade") or meta.get("grade") is True) and (points is None) != (expected is None) or \
            points is not None and expected is not None and float(points) != float(expected):
        found.append(f"cell {gid!r}: the points were changed from {_show(expected)} to {_show(points)} {EDITED}; "
                     f"{RESTORED}")
    return found
