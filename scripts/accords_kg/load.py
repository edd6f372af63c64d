"""Parse RDF files into rdflib graphs, turning every parser failure into an :class:`InputError`
that names the file and, where it can be found, the line.

The format comes from the file extension, so that an entry is read the same way by
``validate`` whoever wrote it.
"""

from __future__ import annotations

import json
import xml.sax
from pathlib import Path

from rdflib import Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import InputError

#: File extension → rdflib parser name.
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


def format_of(path: Path) -> str:
    """The rdflib format for ``path``, from its extension; unknown extensions are an error."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise InputError(f"unknown RDF file extension (known: {known})", str(path)) from None


def read_text(path: Path) -> str:
    """The file's text, decoded as strict UTF-8; a bad byte is reported with its offset."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), str(path)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"invalid UTF-8 at byte {exc.start} / UTF-8 invalide à l'octet {exc.start}",
            str(path),
            line,
        ) from None


def parse_into(graph: Graph, path: Path) -> Graph:
    """Parse ``path`` into ``graph`` (which may be a named graph of a dataset)."""
    fmt = format_of(path)
    text = read_text(path)
    try:
        graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        raise InputError(f"syntax error: {exc._why}", str(path), exc.lines + 1) from None
    except xml.sax.SAXParseException as exc:
        raise InputError(f"XML error: {exc.getMessage()}", str(path), exc.getLineNumber()) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON error: {exc.msg}", str(path), exc.lineno) from None
    except ParserError as exc:
        raise InputError(str(exc), str(path), _bad_ntriples_line(text, fmt)) from None
    except Exception as exc:  # rdflib parsers raise many kinds; none may escape as a traceback
        raise InputError(f"{type(exc).__name__}: {exc}", str(path)) from None
    return graph


def parse_file(path: Path) -> Graph:
    """A new graph holding the triples of ``path``."""
    return parse_into(Graph(), path)


def _bad_ntriples_line(text: str, fmt: str) -> int | None:
    """The first line that fails on its own, for the line-based formats whose parser won't say."""
    if fmt != "nt":
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            Graph().parse(data=line, format="nt")
        except Exception:
            return number
    return None
