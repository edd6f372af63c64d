"""Parse RDF files into rdflib graphs, safely, turning every failure into an
:class:`InputError` that names the file and, where it can be found, the line.

Entries come from people outside the project, so no input may make the process read a local
file, open a network connection, hang or blow up memory:

- a size limit is checked before anything is read (``ACCORDS_KG_MAX_INPUT_BYTES``, default
  16 MiB), and the text must be valid UTF-8 (the first bad byte is reported);
- RDF/XML with a document type declaration is refused: no DTD, no external entity (XXE), no
  entity expansion ("billion laughs");
- JSON-LD contexts must be inline or bundled with the project; a context named by a URL or
  a path (which rdflib would fetch or read) is refused, and so is ``@import``;
- the format comes from the file extension, so that an entry is read the same way by
  ``validate`` whoever wrote it.
"""

from __future__ import annotations

import json
import os
import re
import xml.sax
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from ..errors import InputError, os_error_message
from ..namespaces import PREFIXES
from ..resources import ID_BASE

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


DEFAULT_MAX_INPUT_BYTES = 16 * 1024 * 1024

#: JSON-LD contexts the project bundles, by the IRI an entry may name them with: the
#: project's prefixes (those of its dumps), and ``id:`` for its resources.
BUNDLED_CONTEXTS: dict[str, dict[str, str]] = {
    "https://w3id.org/accords-kg/context.jsonld": {**PREFIXES, "id": ID_BASE},
}

_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def max_input_bytes() -> int:
    """The size limit for one input file: ``ACCORDS_KG_MAX_INPUT_BYTES`` or 16 MiB."""
    value = os.environ.get("ACCORDS_KG_MAX_INPUT_BYTES")
    return int(value) if value else DEFAULT_MAX_INPUT_BYTES


def read_text(path: Path, limit: int | None = None) -> str:
    """The file's text, decoded as strict UTF-8; a bad byte is reported with its offset.

    Files over ``limit`` bytes (default :func:`max_input_bytes`) are refused unread.
    """
    limit = max_input_bytes() if limit is None else limit
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                f"file too large: {size} bytes, limit {limit} (set ACCORDS_KG_MAX_INPUT_BYTES) / "
                f"fichier trop gros : {size} octets, limite {limit}",
                str(path),
            )
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(os_error_message(exc), str(path)) from None
    if len(raw) > limit:  # grew while being read, or not a regular file
        raise InputError(f"file too large: over {limit} bytes / fichier trop gros", str(path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"invalid UTF-8 at byte {exc.start} / UTF-8 invalide à l'octet {exc.start}",
            str(path),
            line,
        ) from None


def _refuse_doctype(text: str, path: Path) -> None:
    match = _DOCTYPE.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise InputError(
            "RDF/XML with a DOCTYPE or ENTITY declaration is refused (no DTD, no external or "
            "expanding entities) / déclaration DOCTYPE ou ENTITY refusée",
            str(path),
            line,
        )


def _inline_contexts(node: Any, path: Path) -> Any:
    """``node`` with every bundled context inlined; any other non-inline context refused."""
    if isinstance(node, list):
        return [_inline_contexts(item, path) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "@context":
            out[key] = _context(value, path)
        elif key == "@import":
            raise InputError("JSON-LD @import is refused (it would fetch a context)", str(path))
        else:
            out[key] = _inline_contexts(value, path)
    return out


def _context(value: Any, path: Path) -> Any:
    if isinstance(value, list):
        return [_context(item, path) for item in value]
    if isinstance(value, str):
        bundled = BUNDLED_CONTEXTS.get(value)
        if bundled is None:
            raise InputError(
                f"JSON-LD context {value!r} is neither inline nor bundled; it is not fetched: "
                "inline it / contexte JSON-LD distant refusé, à mettre en ligne dans le fichier",
                str(path),
            )
        return dict(bundled)
    if isinstance(value, dict):
        return _inline_contexts(value, path)
    return value


def _safe_jsonld(text: str, path: Path) -> str:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON error: {exc.msg}", str(path), exc.lineno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", str(path)) from None
    return json.dumps(_inline_contexts(doc, path))


def parse_into(graph: Graph, path: Path, limit: int | None = None) -> Graph:
    """Parse ``path`` into ``graph`` (which may be a named graph of a dataset); the named
    graphs of a TriG file are merged into ``graph``."""
    fmt = format_of(path)
    text = read_text(path, limit)
    if fmt == "xml":
        _refuse_doctype(text, path)
    elif fmt == "json-ld":
        text = _safe_jsonld(text, path)
    try:
        if fmt == "trig":
            dataset = Dataset()
            dataset.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        raise InputError(f"syntax error: {exc._why}", str(path), exc.lines + 1) from None
    except xml.sax.SAXParseException as exc:
        raise InputError(f"XML error: {exc.getMessage()}", str(path), exc.getLineNumber()) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON error: {exc.msg}", str(path), exc.lineno) from None
    except ParserError as exc:
        raise InputError(str(exc), str(path), _bad_ntriples_line(text, fmt)) from None
    except RecursionError:
        raise InputError("input nested too deeply to parse", str(path)) from None
    except Exception as exc:  # rdflib parsers raise many kinds; none may escape as a traceback
        raise InputError(f"{type(exc).__name__}: {exc}", str(path)) from None
    return graph


_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def parse_file(path: Path, limit: int | None = None) -> Graph:
    """A new graph holding the triples of ``path`` (an entry: its IRIs are checked too)."""
    graph = parse_into(Graph(), path, limit)
    for triple in graph:
        for node in triple:
            if isinstance(node, URIRef) and _BAD_IRI.search(node):
                raise InputError(
                    f"not a valid IRI (space or forbidden character): <{node}> / IRI invalide",
                    str(path),
                )
    return graph


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
