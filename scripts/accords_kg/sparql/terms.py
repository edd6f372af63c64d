"""RDF terms written in SPARQL (and Turtle, TSV) syntax by the project's own escaping.

A value from the command line becomes a query's term here, so nothing in it may end the
term early: every character a string literal cannot hold as itself is escaped as the SPARQL
grammar says (ECHAR ``\\t \\n \\r \\b \\f \\" \\' \\\\``, UCHAR ``\\uXXXX`` for the other
control characters), and an IRI holding a character IRIREF forbids is refused, not escaped
(a ``\\u`` escape would only smuggle the same character in). The short form ``"…"`` is the
only one written: one line, which the SPARQL 1.1 TSV results format needs too.
"""

from __future__ import annotations

import hashlib
import re

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..errors import UsageError

_ECHAR = {
    "\t": "\\t",
    "\n": "\\n",
    "\r": "\\r",
    "\b": "\\b",
    "\f": "\\f",
    '"': '\\"',
    "'": "\\'",
    "\\": "\\\\",
}
#: IRIREF: ``'<' ([^<>"{}|^`\]-[#x00-#x20])* '>'``.
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGTAG = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*")
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")


def _char(c: str) -> str:
    if c in _ECHAR:
        return _ECHAR[c]
    if c < " " or c == "\x7f":
        return f"\\u{ord(c):04X}"
    if "\ud800" <= c <= "\udfff":  # a lone surrogate is no character: nothing can hold it
        raise UsageError(f"not a Unicode character: U+{ord(c):04X} / caractère invalide")
    return c


def string(text: str) -> str:
    """``text`` as a one-line SPARQL/Turtle string literal, every special character escaped."""
    return '"' + "".join(_char(c) for c in text) + '"'


def iri(value: str) -> str:
    """``<value>``; an IRI with a character IRIREF forbids is refused."""
    if _IRI_FORBIDDEN.search(value):
        raise UsageError(f"not a valid IRI: {value!r} / IRI invalide")
    return f"<{value}>"


def term(node: Node) -> str:
    """An IRI, literal or blank node in SPARQL syntax."""
    if isinstance(node, URIRef):
        return iri(str(node))
    if isinstance(node, Literal):
        lexical = string(str(node))
        if node.language:
            if not _LANGTAG.fullmatch(node.language):
                raise UsageError(f"not a valid language tag: {node.language!r}")
            return f"{lexical}@{node.language}"
        if node.datatype:
            return f"{lexical}^^{iri(str(node.datatype))}"
        return lexical
    if isinstance(node, BNode):  # a label some server wrote (nodeID://…) gets one that parses
        label = str(node)
        if _BNODE_LABEL.fullmatch(label):
            return f"_:{label}"
        return "_:b" + hashlib.sha256(label.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    raise UsageError(f"not an RDF term that can be written in SPARQL: {node!r}")
