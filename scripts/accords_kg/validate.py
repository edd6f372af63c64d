"""Validate the dataset, or new entries together with it, against the SHACL shapes.

pyshacl is the engine. The ontology is part of the data graph, so that ``sh:class`` sees
the subclass hierarchy (a region is an organisation) without running inference. Results
become :class:`Finding` records that the command prints as text (grouped by focus node) or
as JSON, with messages in the reader's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .load import parse_file
from .resources import shape_files
from .results import short
from .store import Store

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Finding:
    """One validation result, with IRIs as full strings."""

    focusNode: str
    path: str | None
    value: str | None
    severity: str
    message: str
    constraint: str
    shape: str


@dataclass
class Report:
    conforms: bool
    results: list[Finding]

    @property
    def violations(self) -> list[Finding]:
        return [r for r in self.results if r.severity == "Violation"]

    def to_json(self) -> str:
        doc = {"conforms": self.conforms, "results": [asdict(r) for r in self.results]}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def to_text(self, lang: str = "en") -> str:
        fr = lang == "fr"
        lines: list[str] = []
        focus = None
        for finding in self.results:
            if finding.focusNode != focus:
                focus = finding.focusNode
                lines.append(f"{short(_as_term(focus))}")
            where = short(_as_term(finding.path)) if finding.path else "(node)"
            value = f" = {short(_as_term(finding.value))}" if finding.value is not None else ""
            shape = short(_as_term(finding.shape))
            lines.append(f"  {finding.severity}: {where}{value}")
            lines.append(f"    {finding.message}  [{shape}]")
        counts = {s: sum(1 for r in self.results if r.severity == s) for s in SEVERITIES.values()}
        if fr:
            verdict = "conforme" if self.conforms else "NON CONFORME"
            summary = (
                f"{verdict} : {counts['Violation']} violation(s), "
                f"{counts['Warning']} avertissement(s), {counts['Info']} information(s)"
            )
        else:
            verdict = "conforms" if self.conforms else "DOES NOT CONFORM"
            summary = (
                f"{verdict}: {counts['Violation']} violation(s), "
                f"{counts['Warning']} warning(s), {counts['Info']} info(s)"
            )
        lines.append(summary)
        return "\n".join(lines) + "\n"


def _as_term(text: str | None) -> Node | None:
    if text is None:
        return None
    if text.startswith(("http://", "https://", "urn:", "file:")):
        return URIRef(text)
    return Literal(text)


def load_shapes(paths: Sequence[Path] | None = None) -> Graph:
    shapes = Graph()
    for path in paths if paths is not None else shape_files():
        shapes += parse_file(path)
    return shapes


def validate_graph(data: Graph, shapes: Graph | None = None, lang: str = "en") -> Report:
    """Validate ``data`` (which must include the ontology) against ``shapes``."""
    shapes = shapes if shapes is not None else load_shapes()
    conforms, results_graph, _ = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        advanced=False,
    )
    findings = sorted(
        {
            _finding(results_graph, shapes, r, lang)
            for r in results_graph.subjects(RDF.type, SH.ValidationResult)
        },
        key=lambda f: (
            f.focusNode,
            f.severity != "Violation",
            f.path or "",
            f.shape,
            f.value or "",
            f.message,
        ),
    )
    return Report(bool(conforms), findings)


def validate(entries: Iterable[Path] = (), store: Store | None = None, lang: str = "en") -> Report:
    """Validate the dataset with the given new entries merged in (they may refer to it)."""
    data = (store or Store.load()).union()
    for path in entries:
        data += parse_file(Path(path))
    return validate_graph(data, lang=lang)


def _finding(results: Graph, shapes: Graph, node: Node, lang: str) -> Finding:
    focus = results.value(node, SH.focusNode)
    path = results.value(node, SH.resultPath)
    value = results.value(node, SH.value)
    severity = SEVERITIES.get(results.value(node, SH.resultSeverity), "Violation")
    messages = _tag_languages(
        list(results.objects(node, SH.resultMessage)),
        _templates(
            shapes, results.value(node, SH.sourceConstraint), results.value(node, SH.sourceShape)
        ),
    )
    shape = results.value(node, SH.sourceShape)
    return Finding(
        focusNode=str(focus),
        path=_path_text(results, path),
        value=None if value is None else str(value),
        severity=severity,
        message=_pick_message(messages, lang),
        constraint=str(results.value(node, SH.sourceConstraintComponent)),
        shape=_shape_name(shapes, shape),
    )


def _path_text(graph: Graph, path: Node | None) -> str | None:
    """A property path as text: an IRI, or ``^IRI`` for an inverse path."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + str(inverse)
    return str(path)


def _templates(shapes: Graph, constraint: Node | None, shape: Node | None) -> list[Literal]:
    """The ``sh:message`` templates a result's message was made from."""
    for holder in (constraint, shape):
        if holder is not None:
            found = [m for m in shapes.objects(holder, SH.message) if isinstance(m, Literal)]
            if found:
                return found
    return []


def _tag_languages(messages: list[Node], templates: list[Literal]) -> list[Node]:
    """Give back the language tags pyshacl drops when it fills in ``{?var}`` templates."""
    tagged: list[Node] = []
    for message in messages:
        if isinstance(message, Literal) and message.language is None:
            for template in templates:
                pattern = re.sub(r"\\\{\\[?$]\w+\\\}", ".*", re.escape(str(template)))
                if template.language and re.fullmatch(pattern, str(message), re.DOTALL):
                    message = Literal(str(message), lang=template.language)
                    break
        tagged.append(message)
    return tagged


def _pick_message(messages: list[Node], lang: str) -> str:
    for wanted in (lang, "en", None):
        for message in messages:
            if isinstance(message, Literal) and (wanted is None or message.language == wanted):
                return str(message)
    return ""


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """The shape's IRI; a blank property shape is named by the node shape that holds it."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = next(shapes.subjects(SH.property, shape), None)
        if parent is None:
            parent = next(shapes.subjects(None, shape), None)
        shape = parent
    return str(shape) if shape is not None else ""
