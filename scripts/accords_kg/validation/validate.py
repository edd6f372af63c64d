"""Validate the dataset, or new entries together with it, against the SHACL shapes.

The whole dataset is checked snapshot by snapshot (one consistent state of the world at a
time), in pieces, by worker processes where it is large; an entry is checked on the nodes it
can affect, plus the checks SHACL cannot express (:mod:`.checks`). The engines are in
:mod:`.shacl`, the records a person reads in :mod:`.report`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal
from rdflib.term import Node

from ..graph import territories
from ..graph.convert import from_oxigraph_term, oxigraph_graph, to_oxigraph_term
from ..graph.load import parse_file
from ..graph.store import Store
from ..resources import GRAPH_BASE, shape_files
from . import checks, derived, focus, rules, screens
from .report import Finding, Report, collect
from .shacl import Pieces, Snapshot, core_findings, load_shapes, rule_findings, validate_graph
from .workers import pool

#: A progress callback: (done, total).
Progress = Callable[[int, int], None]


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
    # not `store or …`: a Store has a length, and counting the France-wide graph takes 0.15 s
    store = store if store is not None else Store.load()
    paths = list(entries)
    if not paths:
        report = validate_store(store, lang, progress)
        extra = checks.held_texts(store, lang) + derived.layer_figures(store, lang)
        return collect([*report.results, *extra]) if extra else report
    entry = Graph()
    for path in paths:
        entry += parse_file(Path(path))
    return validate_entry(store, entry, lang)


def validate_store(
    store: Store,
    lang: str = "en",
    progress: Progress | None = None,
    chunk: int = 2000,
    workers: int | None = None,
) -> Report:
    """The whole dataset, snapshot by snapshot (:func:`snapshots`): the same findings as
    :func:`validate_graph` on each snapshot's union, without pyshacl ever holding it.

    The SHACL-SPARQL rules run as one Oxigraph query each, in a thread (Oxigraph lets go of
    the GIL while it evaluates), while the screens (:mod:`.screens`) pick the focus nodes
    pyshacl must see; those are validated ``chunk`` at a time, each piece with the triples
    around it (:mod:`.focus`) read from the store, by ``workers`` processes where there are
    several pieces of a persisted store (one per core, at most two)."""
    engine = store.oxigraph()
    parts = [(snapshot, shapes_for(store, snapshot)) for snapshot in snapshots(store)]
    found: set[Finding] = set()
    with ThreadPoolExecutor(max_workers=1) as background:
        ruled = []
        plans = []
        for snapshot, shapes in parts:
            core, sparql_rules = rules.split(shapes)
            if not focus.bounded(core):
                found |= set(validate_graph(store.union(snapshot), shapes, lang).results)
                continue
            ruled.append(
                background.submit(rule_findings, engine, sparql_rules, lang, None, snapshot)
            )
            plans.append((snapshot, shapes, _focus_nodes(engine, core, snapshot)))
        found |= _validate_pieces(store, plans, lang, progress, chunk, workers)
        for future in ruled:
            found |= future.result()
    return collect(found)


def _validate_pieces(
    store: Store,
    plans: list[tuple[Snapshot, Graph, list[Node]]],
    lang: str,
    progress: Progress | None,
    chunk: int,
    workers: int | None,
) -> set[Finding]:
    """pyshacl's findings on the focus nodes of each snapshot, a piece at a time."""
    total = sum(len(nodes) for _, _, nodes in plans)
    workers = workers or min(2, len(os.sched_getaffinity(0)))
    found: set[Finding] = set()
    done = 0
    for snapshot, shapes, nodes in plans:
        pieces = [nodes[start : start + chunk] for start in range(0, len(nodes), chunk)]
        if store.location is None or workers < 2 or len(pieces) < 2:
            ontology = store.stored_layer("ontology")
            validate_piece = Pieces(store.oxigraph(), shapes, ontology, lang, snapshot)
            for piece in pieces:
                found |= validate_piece(piece)
                done += len(piece)
                if progress:
                    progress(done, total)
            continue
        with pool(store.location, shapes, lang, workers, snapshot) as running:
            for piece, findings in running.map(pieces):
                found |= findings
                done += len(piece)
                if progress:
                    progress(done, total)
    return found


def _focus_nodes(engine: ox.Store, core: Graph, snapshot: Snapshot) -> list[Node]:
    """The targets pyshacl validates: those of the shapes without a screen, and those the
    screens keep (:mod:`.screens`); pyshacl would find nothing on the others. Sorted."""
    screened, rest = screens.split(core)
    found = set(focus.stored_targets(engine, rest, snapshot))
    found |= screens.kept(engine, screened, snapshot)
    return sorted(found, key=lambda n: (type(n).__name__, str(n)))


def validate_entry(
    store: Store,
    entry: Graph,
    lang: str = "en",
    removed: Iterable[focus.Triple] = (),
    whole: bool = False,
) -> Report:
    """The shapes on the store (on its curated snapshot, :func:`snapshots`) with ``entry``
    merged in (and the ``removed`` triples taken out, as ``accords add --replace`` does),
    and the checks SHACL cannot express (:mod:`accords_kg.validation.checks`) on the entry.

    Only the nodes the changes can affect are validated, with the triples around them
    (:mod:`.focus`): on a dataset that conforms, the same findings as validating
    the whole merged graph (``whole=True``, kept as the reference), in milliseconds rather
    than a minute on the France-wide graph.
    """
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
        queries = [r.query for r in sparql_rules]
        shared = focus.shared_predicates(queries)
        nodes = focus.affected(neighbours, changed, shared)
        inverse = focus.inverse_predicates(core, queries)
        data = focus.neighbourhood(neighbours, nodes, inverse, shared=shared)
        data += store.stored_layer("ontology")
        engine = oxigraph_graph(data)
        found = rule_findings(engine, sparql_rules, lang, nodes)
        if _screens_may_keep(engine, data, core, nodes, entry):
            found |= core_findings(data, focus.retarget(core, data, nodes), shapes, lang, nodes)
        report = collect(found)
    extra = (
        checks.placeholders(entry, lang)
        + checks.unknown_units(entry, store, lang)
        + checks.uncovered_territories(entry, store, lang)
        + derived.computed_terms(entry, lang)
        + checks.unquoted_evidence(entry, data, lang)
        + checks.wrong_checksums(entry, lang)
    )
    if not extra:
        return report
    return collect([*report.results, *extra])


def _screens_may_keep(
    engine: ox.Store, data: Graph, core: Graph, nodes: set[Node], entry: Graph
) -> bool:
    """Whether pyshacl may have anything to find on ``nodes``: False only if every shape has
    a screen (:mod:`.screens`) and no screen keeps one of them, on the same triples pyshacl
    would read (then pyshacl, and its import, are skipped).

    The screens read the triples from Oxigraph, which stores some literals in canonical form
    (1.00 as 1, two values then one): an entry holding such a literal is left to pyshacl,
    which reads it as written."""
    for s, p, o in entry:
        found = engine.quads_for_pattern(to_oxigraph_term(s), to_oxigraph_term(p), None)
        if isinstance(o, Literal) and o not in {from_oxigraph_term(q.object) for q in found}:
            return True
    screened, rest = screens.split(core)
    if any((None, target, None) in rest for target in focus.TARGETS):
        return True  # a shape without a screen: pyshacl checks the entry (none has, today)
    return bool(screens.kept(engine, screened) & nodes)


def _changes_ontology(store: Store, changed: Graph) -> bool:
    """Whether the change states or removes a class axiom, or anything about a term of the
    ontology or its vocabularies: it may reach every instance of a class, however far, so
    the whole merged graph is validated (rare: entries describe accords, not the model)."""
    return any(
        p == RDFS.subClassOf or store.holds((s, RDF.type, None), "ontology") for s, p, _ in changed
    )
