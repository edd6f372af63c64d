"""Turtle in the project's hand-written style, for the blocks ``accords add`` writes.

One block per subject: ``<key> a classes ;`` then one line per predicate, sorted, objects
sorted and comma-separated; resource IRIs relative to the ``@base``, other IRIs with the
project's prefixes where their local name allows it. The same triples always give the same
text.

A :class:`Writer` remembers the prefixes it wrote, so that the file it writes into can
declare them (:func:`declare`): a block is only Turtle under the ``@prefix`` lines of the
names it uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import PREFIXES
from ..resources import ID_BASE

_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_RELATIVE = re.compile(r"[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*")
_XSD = PREFIXES["xsd"]


def header(comment: str = "", prefixes: Iterable[str] | None = None) -> str:
    """``@base`` and the ``prefixes`` (every prefix by default), after an optional comment."""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    if lines:
        lines.append("")
    lines.append(f"@base <{ID_BASE}> .")
    names = sorted(PREFIXES if prefixes is None else prefixes)
    lines += [_prefix_line(p).rstrip("\n") for p in names]
    return "\n".join(lines) + "\n"


class Writer:
    """Writes terms and blocks with ``prefixes`` (the project's by default) and records in
    :attr:`used` the names it wrote."""

    def __init__(self, prefixes: Mapping[str, str] = PREFIXES) -> None:
        #: longest namespace first, so that the most specific prefix wins
        self._prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: set[str] = set()

    def term(self, node: Node) -> str:
        """One RDF term in Turtle, as the project writes it."""
        if isinstance(node, URIRef):
            text = str(node)
            if text.startswith(ID_BASE) and _RELATIVE.fullmatch(text[len(ID_BASE) :]):
                return f"<{text[len(ID_BASE) :]}>"
            for prefix, namespace in self._prefixes:
                local = text[len(namespace) :]
                if text.startswith(namespace) and _LOCAL.fullmatch(local):
                    self.used.add(prefix)
                    return f"{prefix}:{local}"
            if re.search(r'[\x00-\x20<>"{}|^`\\]', text):
                raise ValueError(f"not a valid IRI (space or forbidden character): {text!r}")
            return f"<{_CONTROL.sub(_uchar, text)}>"
        if isinstance(node, Literal):
            body = string(str(node))
            if node.language:
                return f"{body}@{node.language}"
            datatype = None if node.datatype is None else str(node.datatype)
            if datatype in _SHORTHAND and _SHORTHAND[datatype].fullmatch(str(node)):
                return str(node)  # 100, true: Turtle's own forms, as a person writes them
            if datatype is not None and datatype != _XSD + "string":
                return f"{body}^^{self.term(URIRef(datatype))}"
            return body
        if isinstance(node, BNode):
            raise ValueError("blank nodes are not written: name every resource with an IRI")
        raise TypeError(f"not an RDF term: {node!r}")

    def block(self, graph: Graph, subject: Node) -> str:
        """The block of one subject."""
        classes = sorted(self.term(o) for o in graph.objects(subject, RDF.type))
        first = self.term(subject)
        lines = [f"{first} a {' , '.join(classes)}"] if classes else [first]
        by_predicate: dict[str, list[str]] = {}
        for predicate, obj in graph.predicate_objects(subject):
            if predicate != RDF.type:
                by_predicate.setdefault(self.term(predicate), []).append(self.term(obj))
        rest = [_objects(p, sorted(objs)) for p, objs in sorted(by_predicate.items())]
        if classes:
            body = [lines[0]] + [f"    {line}" for line in rest]
        else:
            body = [f"{lines[0]} {rest[0]}"] + [f"    {line}" for line in rest[1:]]
        return " ;\n".join(body) + " .\n"

    def blocks(self, graph: Graph, subjects: Iterable[Node] | None = None) -> str:
        """The blocks of ``subjects`` (every subject by default), sorted, a blank line apart."""
        chosen = sorted(set(graph.subjects() if subjects is None else subjects), key=term)
        return "\n".join(self.block(graph, s) for s in chosen)


#: Datatypes whose canonical literals Turtle writes bare (``100``, ``true``).
_SHORTHAND = {
    _XSD + "integer": re.compile(r"-?(0|[1-9][0-9]*)"),
    _XSD + "boolean": re.compile(r"true|false"),
}
#: A predicate line longer than this puts each of its objects on a line of its own.
WIDTH = 100


def _objects(predicate: str, objects: list[str]) -> str:
    """``predicate o1 , o2``, or one object a line when that would be too long to read."""
    line = f"{predicate} {' , '.join(objects)}"
    if len(objects) == 1 or len(line) + 4 <= WIDTH:
        return line
    return f"{predicate} " + " ,\n        ".join(objects)


def term(node: Node) -> str:
    """One RDF term in Turtle, as the project writes it."""
    return Writer().term(node)


#: Characters written as ``\uXXXX``: the controls (C0, DEL, C1 — U+0085 among them) and
#: Unicode's line and paragraph separators. Python's ``str.splitlines`` and other tools cut
#: lines at several of them; escaped, a written line ends at ``\n`` for every reader.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Those a string writes in Turtle's short form.
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_STRING_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f-\x9f\u2028\u2029]')


def _uchar(match: re.Match[str]) -> str:  # a control character
    return f"\\u{ord(match.group(0)):04X}"


def string(text: str) -> str:
    """A string literal on one line: quote, backslash and controls escaped (the one writer
    of Turtle strings: the data files and the generated territorial layer)."""
    escaped = _STRING_ESCAPE.sub(lambda m: _ECHAR.get(m.group(0)) or _uchar(m), text)
    return f'"{escaped}"'


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, each with its ``\\n``: a line ends at ``\\n`` only, as in Turtle
    (``str.splitlines`` would also cut at U+2028, U+0085… inside a hand-written literal)."""
    found = text.split("\n")
    return [line + "\n" for line in found[:-1]] + ([found[-1]] if found[-1] else [])


def block(graph: Graph, subject: Node) -> str:
    """The block of one subject."""
    return Writer().block(graph, subject)


def blocks(graph: Graph, subjects: Iterable[Node] | None = None) -> str:
    """The blocks of ``subjects`` (every subject by default), sorted, a blank line apart."""
    return Writer().blocks(graph, subjects)


def document(graph: Graph, comment: str = "") -> str:
    """A whole Turtle file: header, then every subject's block."""
    return header(comment) + "\n" + blocks(graph)


# ---------------------------------------------------------------------------
# A file's prefix block
# ---------------------------------------------------------------------------

#: ``@prefix p: <ns> .`` or SPARQL-style ``PREFIX p: <ns>``, at the start of a line.
_PREFIX = re.compile(
    r"\s*(?:@prefix|(?i:prefix))\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.?\s*(?:#.*)?$"
)
#: ``@base <iri> .`` or ``BASE <iri>``.
_BASE = re.compile(r"\s*(?:@base|(?i:base))\s*<([^>]*)>\s*\.?\s*(?:#.*)?$")


def _prefix_line(prefix: str) -> str:
    return f"@prefix {prefix}: <{PREFIXES[prefix]}> .\n"


def directives(text: str) -> tuple[dict[str, set[str]], set[str]]:
    """Every namespace each prefix name is declared with in ``text``, and every base."""
    prefixes: dict[str, set[str]] = {}
    bases: set[str] = set()
    for line in split_lines(text):
        if match := _PREFIX.match(line):
            prefixes.setdefault(match.group(1) or "", set()).add(match.group(2))
        elif match := _BASE.match(line):
            bases.add(match.group(1))
    return prefixes, bases


def usable_prefixes(text: str) -> dict[str, str]:
    """The project's prefixes that ``text`` does not declare with another namespace."""
    declared, _ = directives(text)
    return {p: ns for p, ns in PREFIXES.items() if declared.get(p, {ns}) == {ns}}


def declare(text: str, prefixes: Iterable[str]) -> str:
    """``text`` with ``@base`` and an ``@prefix`` line for each of the project's ``prefixes``
    that its header does not declare yet.

    The header is the run of comments, blank lines and directives before the first
    statement. A new ``@prefix`` line goes before the first of the header's whose name sorts
    after it (so that a sorted block stays sorted, and a grouped, commented one keeps its
    groups and comments), else after the last; with no ``@prefix`` line, after ``@base``;
    with neither, after the file's opening comment, a blank line apart.
    """
    lines = split_lines(text)
    top = 0
    while top < len(lines) and (
        not lines[top].strip()
        or lines[top].lstrip().startswith("#")
        or _PREFIX.match(lines[top])
        or _BASE.match(lines[top])
    ):
        top += 1
    head = [(i, _PREFIX.match(lines[i])) for i in range(top)]
    names = {m.group(1) or "": i for i, m in head if m}
    missing = sorted(set(prefixes) - set(names))
    has_base = any(_BASE.match(lines[i]) for i in range(top))
    if not missing and has_base:
        return text
    new = [_prefix_line(p) for p in missing]
    if names:
        for name, line in zip(missing, new, strict=True):
            later = [i for n, i in names.items() if n > name]
            at = min(later) if later else max(names.values()) + 1
            lines.insert(at, line)
            names = {n: i + (i >= at) for n, i in names.items()}
            names[name] = at
        if not has_base:
            lines.insert(min(names.values()), f"@base <{ID_BASE}> .\n")
        return "".join(lines)
    base = [i for i in range(top) if _BASE.match(lines[i])]
    if base:
        lines[base[0] + 1 : base[0] + 1] = new
        return "".join(lines)
    at = 0
    while at < len(lines) and lines[at].lstrip().startswith("#"):
        at += 1
    block = [f"@base <{ID_BASE}> .\n", *new]
    if at:
        block.insert(0, "\n")
    if at < len(lines) and lines[at].strip():
        block.append("\n")
    lines[at:at] = block
    return "".join(lines)
