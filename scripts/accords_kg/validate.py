"""Validate the dataset, or new entries together with it, against the SHACL shapes.

pyshacl is the engine. The ontology is part of the data graph, so that ``sh:class`` sees
the subclass hierarchy (a region is an organisation) without running inference. Results
become :class:`Finding` records that the command prints as text (grouped by focus node) or
as JSON, with messages in the reader's language.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import focus, rules, territories
from .load import parse_file
from .resources import GRAPH_BASE, shape_files
from .results import short
from .store import Store, oxigraph_graph

#: A progress callback: (done, total).
Progress = Callable[[int, int], None]

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


def load_shapes(paths: Sequence[Path] | None = None) -> Graph:
    """The shapes graph of the project's shape files (or of ``paths``).

    Parsed by Oxigraph, then handed to rdflib term by term: five times faster than rdflib's
    Turtle parser, a third of what validating an entry costs."""
    engine = Store()
    for path in paths if paths is not None else shape_files():
        engine.add_file(Path(path), "urn:accords-kg:shapes")
    return engine.union()


def _report(found: Iterable[Finding]) -> Report:
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


def _core_findings(
    data: Graph, core: Graph, shapes: Graph, lang: str, focus: set[Node] | None = None
) -> set[Finding]:
    """pyshacl's findings on ``data`` (of ``focus`` nodes only, if given)."""
    _, results_graph, _ = shacl_validate(
        data, shacl_graph=core, inference="none", allow_warnings=True, advanced=False
    )
    # Only the report's own results: those nested under a sh:node failure (sh:detail) are
    # its explanation, not findings of their own.
    return {
        _finding(results_graph, shapes, r, lang)
        for report in results_graph.subjects(RDF.type, SH.ValidationReport)
        for r in results_graph.objects(report, SH.result)
        if focus is None or results_graph.value(r, SH.focusNode) in focus
    }


def _rule_findings(
    engine: ox.Store,
    sparql_rules: list[rules.SparqlRule],
    lang: str,
    focus: set[Node] | None,
    graphs: Sequence[str] | None = None,
) -> set[Finding]:
    return {_rule_finding(r, lang) for r in rules.run(engine, sparql_rules, focus, graphs)}


def validate_graph(data: Graph, shapes: Graph | None = None, lang: str = "en") -> Report:
    """Validate ``data`` (which must include the ontology) against ``shapes``, all at once.

    pyshacl checks the core constraints on the whole graph; the SHACL-SPARQL rules run as one
    query each (:mod:`accords_kg.rules`). This is the reference the faster paths
    (:func:`validate_store`, :func:`validate_entry`) are compared with.
    """
    shapes = shapes if shapes is not None else load_shapes()
    core, sparql_rules = rules.split(shapes)
    found = _core_findings(data, core, shapes, lang)
    found |= _rule_findings(oxigraph_graph(data), sparql_rules, lang, None)
    return _report(found)


#: A part of the dataset that is one consistent state of the world: the IRIs of its named
#: graphs, or None for the union of every layer (the store's default graph).
Snapshot = tuple[str, ...] | None


def snapshots(store: Store) -> list[Snapshot]:
    """The parts of ``store`` the shapes check one at a time.

    The territorial layer has one graph per vintage, and their union is no state of the
    world: a commune has one population a vintage, an EPCI one kind, a département one
    chef-lieu (Mayotte's moved in 2024). With at most one vintage loaded, the union is
    checked as it is; with several, the curated layers (ontology, data…) are checked with the
    default vintage's graph — the one the curated data is written against, that names every
    unit it cites — and each other vintage's graph with the ontology alone."""
    vintages = store.territorial_layers()
    if len(vintages) < 2:
        return [None]
    default = territories.graph_name(territories.DEFAULT_VINTAGE)
    curated = [n for n in store.layer_names() if n not in vintages]
    curated += [default] if default in vintages else []
    model = ["ontology"] if "ontology" in store.layer_names() else []
    parts = [curated] + [[*model, name] for name in vintages if name != default]
    return [tuple(GRAPH_BASE + name for name in part) for part in parts]


def shapes_for(store: Store, snapshot: Snapshot = None) -> Graph:
    """The shapes that apply to ``store`` (to one of its snapshots): the territorial layer's
    only when it is loaded (in the snapshot)."""
    if snapshot is None:
        layered = bool(store.territorial_layers())
    else:
        layered = any(g.startswith(GRAPH_BASE + territories.GRAPH_PREFIX) for g in snapshot)
    return load_shapes(shape_files(territorial_layer=layered))


def validate(
    entries: Iterable[Path] = (),
    store: Store | None = None,
    lang: str = "en",
    progress: Progress | None = None,
) -> Report:
    """Validate the dataset, or the given new entries merged into it (they may refer to it)."""
    store = store or Store.load()
    paths = list(entries)
    if not paths:
        return validate_store(store, lang, progress)
    entry = Graph()
    for path in paths:
        entry += parse_file(Path(path))
    return validate_entry(store, entry, lang)


class Pieces:
    """Validates pieces of a stored dataset (of one of its snapshots): focus nodes, with the
    triples around them."""

    def __init__(
        self,
        engine: ox.Store,
        shapes: Graph,
        ontology: Graph,
        lang: str,
        snapshot: Snapshot = None,
    ) -> None:
        self.engine, self.shapes, self.ontology, self.lang = engine, shapes, ontology, lang
        self.snapshot = snapshot
        self.core, sparql_rules = rules.split(shapes)
        self.inverse = focus.inverse_predicates(self.core, [r.query for r in sparql_rules])

    def __call__(self, nodes: Iterable[Node]) -> set[Finding]:
        piece = set(nodes)
        around = focus.Neighbours(self.engine, graphs=self.snapshot)
        data = focus.neighbourhood(around, piece, self.inverse)
        data += self.ontology
        retargeted = focus.retarget(self.core, data, piece)
        return _core_findings(data, retargeted, self.shapes, self.lang, piece)


def validate_store(
    store: Store,
    lang: str = "en",
    progress: Progress | None = None,
    chunk: int = 2000,
    workers: int | None = None,
) -> Report:
    """The whole dataset, snapshot by snapshot (:func:`snapshots`), ``chunk`` focus nodes at
    a time, each piece with the triples around it (:mod:`accords_kg.focus`) read from the
    store: the same findings as :func:`validate_graph` on each snapshot's union, but pyshacl
    never holds the whole graph, and the pieces of a persisted store are validated by
    ``workers`` processes (one per core, at most two: each takes about 300 MB on the
    France-wide graph)."""
    engine = store.oxigraph()
    plans = []
    for snapshot in snapshots(store):
        shapes = shapes_for(store, snapshot)
        core, sparql_rules = rules.split(shapes)
        nodes = focus.stored_targets(engine, core, snapshot) if focus.bounded(core) else []
        plans.append((snapshot, shapes, core, sparql_rules, nodes))
    total = sum(len(plan[4]) for plan in plans)
    workers = workers or min(2, len(os.sched_getaffinity(0)))
    found: set[Finding] = set()
    done = 0
    for snapshot, shapes, core, sparql_rules, nodes in plans:
        if not focus.bounded(core):
            found |= set(validate_graph(store.union(snapshot), shapes, lang).results)
            continue
        pieces = [nodes[start : start + chunk] for start in range(0, len(nodes), chunk)]
        found |= _rule_findings(engine, sparql_rules, lang, None, snapshot)
        if store.location is None or workers < 2 or len(pieces) < 2:
            ontology = store.stored_layer("ontology")
            validate_piece = Pieces(engine, shapes, ontology, lang, snapshot)
            for piece in pieces:
                found |= validate_piece(piece)
                done += len(piece)
                if progress:
                    progress(done, total)
            continue
        from .workers import pool  # workers import this module

        with pool(store.location, shapes, lang, workers, snapshot) as running:
            for piece, findings in running.map(pieces):
                found |= findings
                done += len(piece)
                if progress:
                    progress(done, total)
    return _report(found)


def validate_entry(
    store: Store,
    entry: Graph,
    lang: str = "en",
    removed: Iterable[focus.Triple] = (),
    whole: bool = False,
) -> Report:
    """The shapes on the store (on its curated snapshot, :func:`snapshots`) with ``entry``
    merged in (and the ``removed`` triples taken out, as ``accords add --replace`` does),
    and the checks SHACL cannot express (:mod:`accords_kg.checks`) on the entry.

    Only the nodes the changes can affect are validated, with the triples around them
    (:mod:`accords_kg.focus`): on a dataset that conforms, the same findings as validating
    the whole merged graph (``whole=True``, kept as the reference), in milliseconds rather
    than a minute on the France-wide graph.
    """
    from . import checks  # checks builds findings of this module

    removed = list(removed)
    snapshot = snapshots(store)[0]  # the curated layers, with the default vintage
    shapes = shapes_for(store, snapshot)
    core, sparql_rules = rules.split(shapes)
    neighbours = focus.Neighbours(store.oxigraph(), entry, removed, snapshot)
    changed = Graph()  # what the entry adds (restating a stored triple changes nothing)
    for triple in entry:
        if not neighbours.stored(triple):
            changed.add(triple)
    for triple in removed:
        changed.add(triple)
    if whole or not focus.bounded(core) or _changes_ontology(store, changed):
        data = store.union(snapshot)
        for triple in removed:
            data.remove(triple)
        data += entry
        report = validate_graph(data, shapes, lang)
    else:
        nodes = focus.affected(neighbours, changed)
        inverse = focus.inverse_predicates(core, [r.query for r in sparql_rules])
        data = focus.neighbourhood(neighbours, nodes, inverse)
        data += store.stored_layer("ontology")
        found = _core_findings(data, focus.retarget(core, data, nodes), shapes, lang, nodes)
        found |= _rule_findings(oxigraph_graph(data), sparql_rules, lang, nodes)
        report = _report(found)
    extra = (
        checks.placeholders(entry, lang)
        + checks.unknown_units(entry, store, lang)
        + checks.uncovered_territories(entry, store, lang)
        + checks.unquoted_evidence(entry, data, lang)
    )
    if not extra:
        return report
    return _report([*report.results, *extra])


def _changes_ontology(store: Store, changed: Graph) -> bool:
    """Whether the change states or removes a class axiom, or anything about a term of the
    ontology or its vocabularies: it may reach every instance of a class, however far, so
    the whole merged graph is validated (rare: entries describe accords, not the model)."""
    return any(
        p == RDFS.subClassOf or store.holds((s, RDF.type, None), "ontology") for s, p, _ in changed
    )


def _rule_finding(result: rules.RuleResult, lang: str) -> Finding:
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


def _finding(results: Graph, shapes: Graph, node: Node, lang: str) -> Finding:
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
