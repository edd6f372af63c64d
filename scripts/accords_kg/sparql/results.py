"""Query results and their standard serialisations.

A :class:`Result` is a list of variables and rows of RDF terms, whatever engine produced
it, so that the embedded engine and a remote endpoint print the same bytes. Formats:
``json`` — W3C SPARQL 1.1 Query Results JSON; ``csv`` and ``tsv`` — W3C SPARQL 1.1 Query
Results CSV and TSV; ``table`` — aligned columns for a terminal, IRIs shortened.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..resources import ID_BASE, ONTOLOGY_NS
from . import terms

FORMATS = ("table", "csv", "tsv", "json")
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

#: Prefixes used to shorten IRIs in the ``table`` format only (the others keep full IRIs).
SHORT_PREFIXES: tuple[tuple[str, str], ...] = (
    (ID_BASE, ""),
    (ONTOLOGY_NS, "acc:"),
    ("https://w3id.org/accords-kg/role/", "role:"),
    ("https://w3id.org/accords-kg/theme/", "theme:"),
    ("https://w3id.org/accords-kg/epci-kind/", "epcikind:"),
    ("https://w3id.org/accords-kg/shapes#", "shp:"),
    ("http://www.w3.org/ns/org#", "org:"),
    ("http://www.w3.org/ns/opengov#", "opengov:"),
    ("http://www.w3.org/ns/prov#", "prov:"),
    ("http://www.w3.org/2004/02/skos/core#", "skos:"),
    ("http://purl.org/dc/terms/", "dcterms:"),
    ("http://xmlns.com/foaf/0.1/", "foaf:"),
    ("http://rdf.insee.fr/def/geo#", "igeo:"),
    ("https://schema.org/", "schema:"),
    ("http://www.w3.org/ns/shacl#", "sh:"),
    ("http://www.w3.org/ns/person#", "person:"),
    ("http://www.w3.org/2002/07/owl#", "owl:"),
    ("http://www.w3.org/2000/01/rdf-schema#", "rdfs:"),
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf:"),
    ("http://www.w3.org/2001/XMLSchema#", "xsd:"),
)


@dataclass
class Result:
    """The answer to a SELECT (rows of terms, ``None`` where unbound) or an ASK (``boolean``)."""

    variables: list[str]
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None

    def as_set(self) -> set[tuple[Node | None, ...]]:
        """The rows as a set, to compare answers of two engines regardless of order."""
        return set(self.rows)

    def column(self, name: str) -> list[Node | None]:
        index = self.variables.index(name)
        return [row[index] for row in self.rows]


# ---------------------------------------------------------------------------
# W3C SPARQL 1.1 Query Results JSON
# ---------------------------------------------------------------------------


def term_to_json(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
        return out
    raise TypeError(f"not an RDF term: {term!r}")


def term_from_json(value: dict[str, str]) -> Node:
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        datatype = value.get("datatype")
        if datatype == _BOOLEAN and value["value"] in ("0", "1"):  # Virtuoso's lexical form
            return Literal(value["value"] == "1")
        return Literal(
            value["value"],
            lang=value.get("xml:lang"),
            datatype=URIRef(datatype) if datatype else None,
        )
    raise ValueError(f"unknown SPARQL JSON term type: {kind}")


def to_json(result: Result) -> str:
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean}, indent=2) + "\n"
    bindings = []
    for row in result.rows:
        pairs = zip(result.variables, row, strict=True)
        bindings.append({var: term_to_json(term) for var, term in pairs if term is not None})
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def from_json(doc: dict) -> Result:
    """A :class:`Result` from a parsed SPARQL JSON document (what an endpoint returns)."""
    if "boolean" in doc:
        return Result([], [], bool(doc["boolean"]))
    variables = list(doc["head"].get("vars", []))
    rows = []
    for binding in doc["results"]["bindings"]:
        rows.append(tuple(term_from_json(binding[v]) if v in binding else None for v in variables))
    return Result(variables, rows)


# ---------------------------------------------------------------------------
# W3C SPARQL 1.1 Query Results CSV and TSV
# ---------------------------------------------------------------------------


def to_csv(result: Result) -> str:
    """CSV as the W3C note says: header of names, plain values, CRLF line ends."""
    if result.boolean is not None:
        return f"boolean\r\n{str(result.boolean).lower()}\r\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else _csv_value(t) for t in row])
    return buffer.getvalue()


def _csv_value(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def to_tsv(result: Result) -> str:
    """TSV as the W3C note says: ``?var`` header, terms in SPARQL/Turtle syntax."""
    if result.boolean is not None:
        return f"?boolean\n{str(result.boolean).lower()}\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else _tsv_term(t) for t in row))
    return "\n".join(lines) + "\n"


def _tsv_term(term: Node) -> str:
    """A term in SPARQL syntax on one line: tabs, newlines, quotes and backslashes escaped
    (rdflib's ``n3()`` writes a multi-line literal as ``\"\"\"…\"\"\"``, which TSV cannot hold)."""
    return terms.term(term)


# ---------------------------------------------------------------------------
# Aligned table for a terminal
# ---------------------------------------------------------------------------


def short(term: Node | None) -> str:
    """A readable form: IRIs shortened by the project's prefixes, literals by their text."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for namespace, prefix in SHORT_PREFIXES:
            if text.startswith(namespace):
                return prefix + text[len(namespace) :]
        return f"<{text}>"
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


#: The narrowest a column is cut to when a table must fit a width.
MIN_COLUMN = 8


def fit(widths: list[int], limit: int | None) -> list[int]:
    """Column widths whose table (two spaces between columns) fits ``limit`` characters:
    the widest column is narrowed first, none below :data:`MIN_COLUMN` (a table of many
    columns may stay wider than the limit)."""
    widths = list(widths)
    if limit is None:
        return widths
    while sum(widths) + 2 * (len(widths) - 1) > limit:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= MIN_COLUMN:
            break
        widths[widest] -= 1
    return widths


def _cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending with … where something was cut."""
    if _width(text) <= width:
        return text
    while _width(text) > width - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def to_table(result: Result, width: int | None = None) -> str:
    """Aligned columns; with ``width``, cells cut with … so that lines fit it."""
    if result.boolean is not None:
        return f"{str(result.boolean).lower()}\n"
    cells = [[short(t).replace("\n", " ") for t in row] for row in result.rows]
    widths = [_width(v) for v in result.variables]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]
    widths = fit(widths, width)

    def line(values: Sequence[str]) -> str:
        cut = [_cut(v, w) for v, w in zip(values, widths, strict=True)]
        padded = (v + " " * (w - _width(v)) for v, w in zip(cut, widths, strict=True))
        return "  ".join(padded).rstrip()

    out = [line(result.variables), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    count = len(result.rows)
    out.append(
        f"({count} row{'s' if count != 1 else ''} / {count} ligne{'s' if count != 1 else ''})"
    )
    return "\n".join(out) + "\n"


WRITERS: dict[str, Callable[[Result], str]] = {
    "table": to_table,
    "csv": to_csv,
    "tsv": to_tsv,
    "json": to_json,
}


def render(result: Result, fmt: str, width: int | None = None) -> str:
    """``result`` in ``fmt``; ``width`` limits the lines of a table (the other formats are
    for programs, and are never cut)."""
    if fmt == "table":
        return to_table(result, width)
    return WRITERS[fmt](result)


def terminal_width() -> int | None:
    """The width a table must fit: the terminal's where standard output is one, or
    ``COLUMNS`` where set; None (no limit) for a pipe or a file."""
    import os
    import shutil
    import sys

    if os.environ.get("COLUMNS", "").isdigit() or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None
