"""Turtle in the project's hand-written style, for the blocks ``accords add`` writes.

One block per subject: ``<key> a classes ;`` then one line per predicate, sorted, objects
sorted and comma-separated; resource IRIs relative to the ``@base``, other IRIs with the
project's prefixes where their local name allows it. The same triples always give the same
text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .namespaces import PREFIXES
from .resources import ID_BASE

_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_RELATIVE = re.compile(r"[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*")
_XSD = PREFIXES["xsd"]


def header(comment: str = "") -> str:
    """``@base`` and every prefix, after an optional comment."""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    if lines:
        lines.append("")
    lines.append(f"@base <{ID_BASE}> .")
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items())]
    return "\n".join(lines) + "\n"


def term(node: Node) -> str:
    """One RDF term in Turtle, as the project writes it."""
    if isinstance(node, URIRef):
        text = str(node)
        if text.startswith(ID_BASE) and _RELATIVE.fullmatch(text[len(ID_BASE) :]):
            return f"<{text[len(ID_BASE) :]}>"
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            local = text[len(namespace) :]
            if text.startswith(namespace) and _LOCAL.fullmatch(local):
                return f"{prefix}:{local}"
        if re.search(r'[\x00-\x20<>"{}|^`\\]', text):
            raise ValueError(f"not a valid IRI (space or forbidden character): {text!r}")
        return f"<{text}>"
    if isinstance(node, Literal):
        body = _string(str(node))
        if node.language:
            return f"{body}@{node.language}"
        if node.datatype is not None and str(node.datatype) != _XSD + "string":
            return f"{body}^^{term(URIRef(node.datatype))}"
        return body
    if isinstance(node, BNode):
        raise ValueError("blank nodes are not written: name every resource with an IRI")
    raise TypeError(f"not an RDF term: {node!r}")


def _uchar(match: re.Match[str]) -> str:  # a control character in a string
    return f"\\u{ord(match.group(0)):04X}"


def _string(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    escaped = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", _uchar, escaped)
    return f'"{escaped}"'


def block(graph: Graph, subject: Node) -> str:
    """The block of one subject."""
    classes = sorted(term(o) for o in graph.objects(subject, RDF.type))
    lines = [f"{term(subject)} a {' , '.join(classes)}"] if classes else [term(subject)]
    by_predicate: dict[str, list[str]] = {}
    for predicate, obj in graph.predicate_objects(subject):
        if predicate != RDF.type:
            by_predicate.setdefault(term(predicate), []).append(term(obj))
    rest = [f"{p} {' , '.join(sorted(objs))}" for p, objs in sorted(by_predicate.items())]
    if classes:
        body = [lines[0]] + [f"    {line}" for line in rest]
    else:
        body = [f"{lines[0]} {rest[0]}"] + [f"    {line}" for line in rest[1:]]
    return " ;\n".join(body) + " .\n"


def blocks(graph: Graph, subjects: Iterable[Node] | None = None) -> str:
    """The blocks of ``subjects`` (every subject by default), sorted, a blank line apart."""
    chosen = sorted(set(graph.subjects() if subjects is None else subjects), key=term)
    return "\n".join(block(graph, s) for s in chosen)


def document(graph: Graph, comment: str = "") -> str:
    """A whole Turtle file: header, then every subject's block."""
    return header(comment) + "\n" + blocks(graph)
