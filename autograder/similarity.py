"""Similarity report: near-identical graded functions, between students and against the course's reference code.

A reviewer's aid, never a verdict: it changes no score. Each student's code for a graded function is normalised
(docstrings, comments and formatting dropped, local names renamed to v0, v1, ...) and compared token by token.
Global names (``np.mean``, ``float``) are kept, so choosing a different NumPy call still counts as a difference.
"""

import ast
import importlib
import inspect
import io
import re
import tokenize
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

# Brackets and separators say little once the tree has been unparsed; counting them would make a one-liner look long.
_PUNCTUATION = set("()[]{},:.;") | {"<NEWLINE>", "<INDENT>", "<DEDENT>"}


@dataclass(frozen=True)
class Pair:
    """One flagged pair: ``first``/``second`` are student ids, or ``"reference"``."""

    function: str
    first: str
    second: str
    score: float


# --- normalising ---------------------------------------------------------------------------------------------------

def normalise(source: str, name: str) -> str | None:
    """The top-level function ``name`` in ``source`` without docstrings, comments or formatting, locals renamed."""
    try:
        # IPython magics (`%timeit`, `!pip`) are not Python; blank them so the rest of the cell still counts.
        tree = ast.parse(re.sub(r"(?m)^[ \t]*[%!].*$", "", source))
        found = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
        if not found:
            return None
        fn = found[-1]  # a later definition in the cell is the one Python keeps
        _drop_strings(fn)
        _Renamer(_local_names(fn)).visit(fn)
        return ast.unparse(fn)
    except (SyntaxError, ValueError, RecursionError):  # ValueError: null bytes; RecursionError: absurd nesting
        return None


def _drop_strings(fn):
    """Remove docstrings, and any other bare string statement: both are comments as far as the code goes."""
    for node in ast.walk(fn):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
                continue
            kept = [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                            and isinstance(s.value.value, str))]
            setattr(node, field, kept or [ast.Pass()])  # an emptied block must stay valid Python


def _local_names(fn):
    """Names bound inside ``fn``: arguments, assignment/loop/with targets, inner functions and classes.

    Names bound by ``import`` are left alone: they are module names, i.e. the kind of global we keep.
    """
    bound, declared_global = set(), set()
    for node in ast.walk(fn):
        if isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not fn:
            bound.add(node.name)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
        elif isinstance(node, ast.Global):
            declared_global.update(node.names)
    return bound - declared_global


class _Renamer(ast.NodeTransformer):
    """Renames the given local names to v0, v1, ... in the order the (source-ordered) traversal meets them."""

    def __init__(self, local):
        self.local, self.names = local, {}

    def _new(self, name):
        if name not in self.local:
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        node.id = self._new(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self._new(node.arg)
        return self.generic_visit(node)

    def _named(self, node):
        if node.name:
            node.name = self._new(node.name)
        return self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _named  # the outer name is not local: kept
    visit_ExceptHandler = visit_MatchAs = visit_MatchStar = _named

    def visit_MatchMapping(self, node):
        if node.rest:
            node.rest = self._new(node.rest)
        return self.generic_visit(node)

    def visit_Nonlocal(self, node):
        node.names = [self._new(n) for n in node.names]
        return node


# --- comparing -----------------------------------------------------------------------------------------------------

@lru_cache(maxsize=8192)  # find_pairs compares each student's code with everyone's: tokenise it once
def _body_tokens(source):
    """Tokens of a normalised function's body. The signature is dropped: the release gives it to everyone."""
    try:
        raw = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):  # not a normalised source; still compare something sensible
        return tuple(re.findall(r"\w+|\S", source))
    layout = {tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE}
    tokens = [f"<{tokenize.tok_name[t.type]}>" if t.type in layout else t.string for t in raw
              if t.type not in (tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER)]
    return tuple(tokens[tokens.index("<INDENT>") + 1:] if "<INDENT>" in tokens else tokens)


def similarity(a: str, b: str) -> float:
    """0..1: how much of two normalised sources' token sequences match (difflib), symmetric and deterministic."""
    return _score(a, b, 0.0)


def _score(a, b, threshold):
    """similarity(a, b) if it reaches ``threshold``, else None; difflib's cheap upper bounds skip most pairs."""
    x, y = sorted((_body_tokens(a), _body_tokens(b)))  # difflib's ratio depends on argument order: fix the order
    if x == y:
        return 1.0
    matcher = SequenceMatcher(None, x, y, autojunk=False)  # autojunk would ignore common tokens in long code
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return None
    score = matcher.ratio()
    return score if score >= threshold else None


def _size(normalised):
    """How much the body says: its tokens other than brackets, separators and layout."""
    return sum(t not in _PUNCTUATION for t in _body_tokens(normalised))


def _is_stub(normalised):
    """True for the release's body: only ``raise NotImplementedError()``, ``pass`` or ``...``."""
    for stmt in ast.parse(normalised).body[0].body:
        if isinstance(stmt, ast.Raise):
            exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
            if not (isinstance(exc, ast.Name) and exc.id == "NotImplementedError"):
                return False
        elif not isinstance(stmt, ast.Pass) and not (isinstance(stmt, ast.Expr) and
                                                     isinstance(stmt.value, ast.Constant)):
            return False
    return True


def _worth_comparing(codes, function, trivial_tokens):
    """{student: normalised code} of everyone who wrote a real, non-trivial ``function`` that parses."""
    out = {}
    for student, cells in codes.items():
        source = cells.get(function)
        norm = normalise(source, function) if isinstance(source, str) else None
        if norm is not None and not _is_stub(norm) and _size(norm) >= trivial_tokens:
            out[student] = norm
    return out


def find_pairs(codes: dict[str, dict[str, str]], references: dict[str, str], threshold: float = 0.95,
               trivial_tokens: int = 12) -> list[Pair]:
    """Student-student and student-reference pairs whose code is at least ``threshold`` similar."""
    pairs = []
    for function in sorted({f for cells in codes.values() for f in cells}):
        ref = normalise(references[function], function) if function in references else None
        if ref is not None and _size(ref) < trivial_tokens:
            continue  # a one-line task is written the same way by everyone: a match means nothing
        mine = _worth_comparing(codes, function, trivial_tokens)
        students = sorted(mine)
        for i, first in enumerate(students):
            others = [(second, mine[second]) for second in students[i + 1:]]
            if ref is not None:
                others.append(("reference", ref))
            for second, code in others:
                score = _score(mine[first], code, threshold)
                if score is not None:
                    pairs.append(Pair(function, first, second, score))
    return sorted(pairs, key=lambda p: (p.function, -p.score, p.first, p.second))


# --- sources and report --------------------------------------------------------------------------------------------

def reference_sources(module_names: list[str]) -> dict[str, str]:
    """{name: source} of every function defined at top level in the given modules (a later module wins)."""
    sources = {}
    for module_name in module_names:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            # Imported functions (np.mean) and aliases are not the module's own code.
            if inspect.isfunction(obj) and obj.__module__ == module.__name__ and obj.__name__ == name:
                try:
                    sources[name] = inspect.getsource(obj)
                except (OSError, TypeError):  # defined in exec'd code: there is no file to read
                    continue
    return sources


def notebook_codes(nb) -> dict[str, str]:
    """{grade_id: source} of the notebook's code solution cells: the student's code per graded function."""
    codes = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution") and meta.get("grade_id"):
            source = cell.get("source", "")
            codes[meta["grade_id"]] = "".join(source) if isinstance(source, list) else source
    return codes


def _percent(score):
    # Never print 100% for code that is not token-identical: the reviewer reads 100% as "the same".
    return "100%" if score >= 1.0 else f"{min(score * 100, 99.9):.1f}%"


def report_markdown(assignment: str, pairs: list[Pair], n_students: int) -> str:
    """A markdown section listing the flagged pairs of one assignment."""
    lines = [f"## Similarity · {assignment}", "",
             "Near-identical code after renaming variables and removing comments; review, do not conclude.", ""]
    if not pairs:
        plural = "" if n_students == 1 else "s"
        return "\n".join(lines + [f"No near-identical pairs found among {n_students} student{plural}.", ""])
    lines += ["| function | first | second | similarity |", "| --- | --- | --- | ---: |"]
    for p in pairs:
        cells = [str(c).replace("|", "\\|") for c in (p.function, p.first, p.second)]  # a stray | splits the row
        lines.append(f"| {' | '.join(cells)} | {_percent(p.score)} |")
    return "\n".join(lines + [""])
