"""Parse RDF files into rdflib graphs, safely, turning every failure into an
:class:`InputError` that names the file and, where it can be found, the line.

Entries come from people outside the project, so no input may make the process read a local
file, open a network connection, hang or blow up memory:

- only the regular file named is read: a symbolic link, a FIFO, a device or a directory is
  refused before a byte is read (:func:`accords_kg.files.read_regular`);
- a size limit is checked before anything is read (``ACCORDS_KG_MAX_INPUT_BYTES``, default
  1 MiB: an entry describes a few resources (an accord, its signatures and sources: about
  10 kB), and validating 1 MiB of them takes about 10 s, while the ``add`` lock is held);
- the text's encoding is found before any check: UTF-8 (a byte order mark is dropped) for
  every format, and for RDF/XML also UTF-16 and UTF-32, detected as the XML specification
  says (byte order mark, or the bytes of ``<?xml``); the first bad byte is reported;
- RDF/XML with a document type declaration is refused, as the XML parser (expat, which
  rdflib uses too) reads it in the decoded text: no DTD, no external entity (XXE), no entity
  expansion ("billion laughs");
- JSON-LD contexts must be inline or bundled with the project; a context named by a URL or
  a path (which rdflib would fetch or read) is refused, and so is ``@import``;
- the format comes from the file extension, so that an entry is read the same way by
  ``validate`` whoever wrote it.
"""

from __future__ import annotations

import codecs
import json
import re
import xml.sax
from pathlib import Path
from typing import Any
from xml.parsers import expat

from rdflib import Dataset, Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from ..errors import InputError
from ..files import read_regular
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


#: JSON-LD contexts the project bundles, by the IRI an entry may name them with: the
#: project's prefixes (those of its dumps), and ``id:`` for its resources.
BUNDLED_CONTEXTS: dict[str, dict[str, str]] = {
    "https://w3id.org/accords-kg/context.jsonld": {**PREFIXES, "id": ID_BASE},
}


def read_text(path: Path, limit: int | None = None, xml: bool = False) -> str:
    """The text of the regular file ``path``, decoded (:func:`decode`); files over ``limit``
    bytes (default :func:`~accords_kg.files.max_input_bytes`) are refused unread."""
    raw = read_regular(path, limit)
    return decode(raw, path, xml)


#: Byte order marks, longest first (UTF-32 LE's begins with UTF-16 LE's).
_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
#: ``<?xml`` (or ``<``) in the encodings an XML document may use without a byte order mark
#: (XML 1.0, appendix F).
_XML_STARTS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)


def encoding_of(raw: bytes, xml: bool = False) -> tuple[str, int]:
    """The encoding of ``raw`` and the length of its byte order mark: UTF-8 unless a byte
    order mark says otherwise, or, for XML, the first bytes are ``<?xml`` in UTF-16 or 32."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name, len(bom)
    if xml:
        for start, name in _XML_STARTS:
            if raw.startswith(start):
                return name, 0
    return "utf-8", 0


def decode(raw: bytes, path: Path, xml: bool = False) -> str:
    """``raw`` as text: UTF-8, or (for XML only) UTF-16 or UTF-32 as :func:`encoding_of`
    finds; a byte order mark is dropped; a bad byte is reported with its offset."""
    encoding, skip = encoding_of(raw, xml)
    name = encoding.upper()
    if encoding != "utf-8" and not xml:
        raise InputError(
            f"the file is in {name}; RDF in this format is UTF-8: convert it / fichier en "
            f"{name}, à convertir en UTF-8",
            str(path),
        )
    try:
        return raw[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        line = raw[skip:offset].decode(encoding, errors="replace").count("\n") + 1
        raise InputError(
            f"invalid {name} at byte {offset} / {name} invalide à l'octet {offset}",
            str(path),
            line,
        ) from None


class _Doctype(Exception):
    """Raised from expat's handler at the first document type declaration."""


def _refuse_doctype(text: str, path: Path) -> None:
    """Refuse a document type declaration, as expat reads it: the parser rdflib uses, given
    the same text in the same way (UTF-8, whatever the XML declaration says), stopped at the
    declaration's start, before any entity is declared or expanded."""

    def stop(*_: object) -> None:
        raise _Doctype

    parser = expat.ParserCreate("utf-8")
    parser.StartDoctypeDeclHandler = stop
    parser.EntityDeclHandler = stop
    try:
        parser.Parse(text.encode("utf-8"), True)
    except _Doctype:
        raise InputError(
            "RDF/XML with a DOCTYPE or ENTITY declaration is refused (no DTD, no external or "
            "expanding entities) / déclaration DOCTYPE ou ENTITY refusée",
            str(path),
            parser.CurrentLineNumber,
        ) from None
    except expat.ExpatError as exc:
        message = f"XML error: {expat.ErrorString(exc.code)}"
        raise InputError(message, str(path), exc.lineno) from None


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
    text = read_text(path, limit, xml=fmt == "xml")
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
    for number, line in enumerate(text.split("\n"), start=1):  # as the parser counts
        try:
            Graph().parse(data=line, format="nt")
        except Exception:
            return number
    return None
