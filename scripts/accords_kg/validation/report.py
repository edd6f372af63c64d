"""Validation results as records a person can act on: :class:`Finding` (focus node, path,
value, severity, message in the reader's language, shape) and :class:`Report`, printed as
text grouped by focus node or as JSON.

Findings come from pyshacl's results graph, from the SHACL-SPARQL rules and from the
checks SHACL cannot express; all three are read into the same record here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from rdflib import SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..sparql.results import short
from . import rules

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Finding:
    """One validation result, with IRIs as full strings.

    ``message`` is in the report's language; ``messages`` keeps every language the shape
    gives (``{"fr": …, "en": …}``), so that one validation can be read in either.
    """

    focusNode: str
    path: str | None
    value: str | None
    severity: str
    message: str
    constraint: str
    shape: str
    messages: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    def in_language(self, lang: str) -> str:
        return dict(self.messages).get(lang, self.message)

    def as_json(self) -> dict[str, str | None]:
        """The record of the JSON report (``messages`` left out: ``message`` is enough)."""
        return {k: v for k, v in asdict(self).items() if k != "messages"}


@dataclass
class Report:
    conforms: bool
    results: list[Finding]

    @property
    def violations(self) -> list[Finding]:
        return [r for r in self.results if r.severity == "Violation"]

    def to_json(self) -> str:
        doc = {"conforms": self.conforms, "results": [r.as_json() for r in self.results]}
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


def collect(found: Iterable[Finding]) -> Report:
    findings = sorted(
        set(found),
        key=lambda f: (
            f.focusNode,
            f.severity != "Violation",
            f.path or "",
            f.shape,
            f.value or "",
            f.message,
        ),
    )
    return Report(not any(f.severity == "Violation" for f in findings), findings)


def rule_finding(result: rules.RuleResult, lang: str) -> Finding:
    return Finding(
        focusNode=str(result.focus),
        path=None if result.path is None else str(result.path),
        value=str(result.value),
        severity=SEVERITIES.get(result.rule.severity, "Violation"),
        message=_pick_message(list(result.messages), lang),
        constraint=str(SH.SPARQLConstraintComponent),
        shape=str(result.rule.shape),
        messages=_by_language(result.messages),
    )


def finding(results: Graph, shapes: Graph, node: Node, lang: str) -> Finding:
    focus = results.value(node, SH.focusNode)
    path = results.value(node, SH.resultPath)
    value = results.value(node, SH.value)
    severity = SEVERITIES.get(results.value(node, SH.resultSeverity), "Violation")
    messages = list(results.objects(node, SH.resultMessage))
    shape = results.value(node, SH.sourceShape)
    return Finding(
        focusNode=str(focus),
        path=_path_text(results, path),
        value=None if value is None else str(value),
        severity=severity,
        message=_pick_message(messages, lang),
        constraint=str(results.value(node, SH.sourceConstraintComponent)),
        shape=_shape_name(shapes, shape),
        messages=_by_language(messages),
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


def _by_language(messages: Iterable[Node]) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            (m.language, str(m))
            for m in messages
            if isinstance(m, Literal) and m.language is not None
        )
    )


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
