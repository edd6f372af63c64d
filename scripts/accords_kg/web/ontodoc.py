"""The ontology's documentation, by pyLODE (PyPI ``pylode``) from ``ontology/accords.ttl``.

pyLODE writes every label of a term side by side ("signaturesignature" for the French and
English ones), so it is run once per language on a copy of the ontology that keeps that
language's literals (and the untagged ones): ``ontology.html`` in French, ``ontology.en.html``
in English. Its pages embed their stylesheet and only ``data:`` icons; this module checks
that no external asset is left, adds the ``lang`` attribute and a way back to the site, and
reads which fragment pyLODE gave each term, so that other pages can link to it.

pyLODE 3.4.1's wheel cannot be imported (it reads a ``pyproject.toml`` it does not ship), so
the project pins 3.3.4. Importing pyLODE configures the root logger at DEBUG level; that is
undone here so that the command prints only its own messages.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal

from ..errors import OutputError, ToolMissing

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class OntologyDoc:
    """One language's page and the fragment of each documented term's IRI."""

    lang: str
    html: str
    anchors: dict[str, str]


def _pylode():  # type: ignore[no-untyped-def]
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import OntPub
    except ImportError as exc:
        raise ToolMissing(
            f"pyLODE is not installed ({exc}): pip install 'accords-kg[site]' / "
            "pyLODE est introuvable : pip install 'accords-kg[site]'"
        ) from None
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return OntPub


def one_language(graph: Graph, lang: str) -> Graph:
    """``graph`` without the literals tagged with another language."""
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace)
    for s, p, o in graph:
        if isinstance(o, Literal) and o.language and o.language != lang:
            continue
        out.add((s, p, o))
    return out


_EXTERNAL = re.compile(
    r"""<(?:link|script|img|iframe|source|video|audio)\b[^>]*\b(?:href|src)\s*=\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)
_IMPORT = re.compile(r"@import|url\(\s*['\"]?(?:https?:)?//", re.IGNORECASE)
_TERM = re.compile(r'<div class="[^"]*\bentity\b[^"]*" id="([^"]+)">.*?<code>([^<]+)</code>', re.S)


def external_assets(html: str) -> list[str]:
    """The elements of ``html`` that would load something from another host."""
    return [m.group(0) for m in _EXTERNAL.finditer(html)] + [
        m.group(0) for m in _IMPORT.finditer(html)
    ]


def document(ontology: Path, lang: str, index_href: str, other_href: str) -> OntologyDoc:
    """pyLODE's page for ``ontology`` in ``lang``, with a header linking to the site's index
    and to the page in the other language."""
    ont_pub = _pylode()
    graph = one_language(Graph().parse(ontology, format="turtle"), lang)
    try:
        html = ont_pub(graph, sort_subjects=True).make_html(include_css=True)
    except OSError as exc:  # pyLODE caches a pickle beside its code, and may not be allowed to
        raise OutputError(f"pyLODE failed / pyLODE a échoué: {exc}") from None
    problems = external_assets(html)
    if problems:  # pyLODE 3.3.4 has none; a new version must not bring any in unnoticed
        raise ToolMissing(f"pyLODE's page loads external assets: {problems[:3]}")
    html = html.replace("<html>", f'<html lang="{lang}">', 1)
    other = "English" if lang == "fr" else "Français"
    other_lang = "en" if lang == "fr" else "fr"
    banner = (
        '<nav class="accords-kg" aria-label="accords-kg" style="padding:.5em 1em;'
        'background:#f3f3f3;border-bottom:1px solid #ccc">'
        f'<a href="{index_href}">accords-kg</a> · '
        f'<a href="{other_href}" hreflang="{other_lang}" lang="{other_lang}">{other}</a></nav>'
    )
    html = re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>\n{banner}", html, count=1)
    anchors = {iri.strip(): anchor for anchor, iri in _TERM.findall(html)}
    return OntologyDoc(lang, _mend_fragments(html), anchors)


_FRAGMENT_LINK = re.compile(r'<a href="#([^"]*)">([^<]*)</a>')


def _mend_fragments(html: str) -> str:
    """pyLODE links IRIs under the ontology's own (its version IRI) to a fragment it never
    writes: such a link goes to the IRI itself, or becomes plain text."""
    ids = set(re.findall(r'\bid="([^"]+)"', html))

    def mend(match: re.Match[str]) -> str:
        fragment, text = match.groups()
        if fragment in ids:
            return match.group(0)
        if re.fullmatch(r"https?://\S+", text.strip()):
            return f'<a href="{text.strip()}">{text}</a>'
        return f"<span>{text}</span>"

    return _FRAGMENT_LINK.sub(mend, html)
