"""Focused validation gives the same findings as validating the whole merged graph.

``validate_entry`` validates only the nodes an entry can affect, with the triples around
them (:mod:`.focus`); ``validate_store`` validates the whole dataset piece by piece,
in worker processes. Both are compared here with the reference — pyshacl on the whole graph
(``whole=True``, :func:`validate_graph`) — on every bad, coupled and good entry, on
generated mutations of the good entry (triples dropped, objects changed, triples added to
existing resources, existing triples removed as ``add --replace`` does), and on a dataset
holding every bad entry at once. The graph is the curated one (``--territories none``),
small enough for the whole-graph reference to take a fraction of a second.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from accords_kg.graph.load import parse_file
from accords_kg.graph.store import Store
from accords_kg.validation import focus, rules
from accords_kg.validation.report import Finding, Report
from accords_kg.validation.shacl import validate_graph
from accords_kg.validation.validate import shapes_for, validate_entry, validate_store
from accords_kg.validation.workers import WorkerError
from conftest import ROOT

ENTRIES = Path(__file__).resolve().parent / "entries"
ALL_ENTRIES = sorted(str(p.relative_to(ENTRIES)) for p in ENTRIES.glob("*/*.ttl"))
GOOD = ENTRIES / "good" / "complete-accord.ttl"
ID = "https://w3id.org/accords-kg/id/"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


def findings(report: Report) -> set[Finding]:
    """Blank nodes keep their ids through both paths, so findings compare as they are."""
    return set(report.results)


def test_the_reference_finds_something_to_compare(curated: Store) -> None:
    """The comparison below is not between two empty reports."""
    entry = parse_file(ENTRIES / "bad" / "accord-without-ceremony.ttl")
    assert validate_entry(curated, entry, whole=True).results


@pytest.mark.parametrize("name", ALL_ENTRIES)
def test_focused_equals_whole_on_every_entry(name: str, curated: Store) -> None:
    entry = parse_file(ENTRIES / name)
    focused = validate_entry(curated, entry)
    whole = validate_entry(curated, entry, whole=True)
    assert findings(focused) == findings(whole), focused.to_text() + whole.to_text()
    assert focused.conforms == whole.conforms


# ---------------------------------------------------------------------------
# Generated mutations of the good entry
# ---------------------------------------------------------------------------


def _pools(curated: Store) -> tuple[list[tuple[Node, Node, Node]], list[Node], list[Node]]:
    """The good entry's triples; the resources and values to mutate with (the entry's and the
    curated data's, a few odd literals); the curated triples that may be removed."""
    entry = sorted(parse_file(GOOD))
    data = sorted(curated.stored_layer("data"))
    terms = sorted({t for triple in entry + data for t in triple if not isinstance(t, BNode)})
    terms += [Literal("x"), Literal("x", lang="fr"), Literal("2023-13-45", datatype=XSD_DATE)]
    return entry, terms, data


@pytest.fixture(scope="module")
def pools(curated: Store) -> tuple[list, list, list]:
    return _pools(curated)


@st.composite
def mutations(draw: st.DrawFn, pools: tuple[list, list, list]) -> tuple[Graph, list]:
    entry, terms, data = pools
    triples = list(entry)
    removed: list[tuple[Node, Node, Node]] = []
    predicates = sorted({p for _, p, _ in entry + data})
    resources = [t for t in terms if isinstance(t, URIRef)]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["drop", "object", "add", "remove"]))
        if kind == "drop" and triples:
            triples.pop(draw(st.integers(0, len(triples) - 1)))
        elif kind == "object" and triples:
            i = draw(st.integers(0, len(triples) - 1))
            s, p, _ = triples[i]
            triples[i] = (s, p, draw(st.sampled_from(terms)))
        elif kind == "add":
            s = draw(st.sampled_from(resources))
            triples.append((s, draw(st.sampled_from(predicates)), draw(st.sampled_from(terms))))
        elif kind == "remove":
            removed.append(draw(st.sampled_from(data)))
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph, removed


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same mutations on every run: CI stays reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_focused_equals_whole_on_mutations(data: st.DataObject, curated: Store, pools) -> None:
    entry, removed = data.draw(mutations(pools))
    focused = validate_entry(curated, entry, removed=removed)
    whole = validate_entry(curated, entry, removed=removed, whole=True)
    assert findings(focused) == findings(whole), focused.to_text() + whole.to_text()


def test_a_ceremony_moved_reaches_the_signatures_two_steps_back(curated: Store) -> None:
    """The ceremony's date changed: the signatures (ceremony ← accord → signature) and the
    interventions are checked again: their capacities are not attested on the new date."""
    ceremony = URIRef(ID + "event/signature-declaration-de-bethune-2023")
    date = URIRef("https://schema.org/startDate")
    stated = list(curated.stored_layer("data").triples((ceremony, date, None)))
    assert stated, "the curated data dates the ceremony"
    moved = Graph()
    moved.add((ceremony, date, Literal("2022-01-10", datatype=XSD_DATE)))
    focused = validate_entry(curated, moved, removed=stated)
    whole = validate_entry(curated, moved, removed=stated, whole=True)
    assert findings(focused) == findings(whole)
    signatures = {
        ID + f"signature/declaration-de-bethune-2023-{who}"
        for who in ("olivier-gacquerre", "sebastien-martin", "xavier-bertrand")
    }
    found = {(f.focusNode, f.shape.rsplit("#")[-1]) for f in focused.results}
    assert {(s, "CapacityInForceRule") for s in signatures} <= found, focused.to_text()
    # and the speakers' capacities (event → intervention), nothing else
    assert {kind for f, kind in found} == {"CapacityInForceRule"}
    assert len(found) == 7


def test_a_change_to_the_model_is_validated_on_the_whole_graph(curated: Store) -> None:
    """A class axiom reaches every instance of the class, however far: here every person
    becomes an accord, and each of them fails the accord's shape."""
    model = Graph()
    model.add(
        (
            URIRef("http://www.w3.org/ns/person#Person"),
            URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
            URIRef("https://w3id.org/accords-kg/ontology#Accord"),
        )
    )
    focused = validate_entry(curated, model)
    assert findings(focused) == findings(validate_entry(curated, model, whole=True))
    people = {f.focusNode for f in focused.violations if "/id/person/" in f.focusNode}
    every = curated.query("SELECT ?p WHERE { ?p a <http://www.w3.org/ns/person#Person> }").rows
    assert people == {str(p) for (p,) in every} and len(people) >= 7, focused.to_text()


# ---------------------------------------------------------------------------
# The whole dataset, piece by piece
# ---------------------------------------------------------------------------


def test_the_shapes_read_a_bounded_neighbourhood() -> None:
    """No unbounded path in the shapes: otherwise focused validation would not apply."""
    from accords_kg.validation.shacl import load_shapes

    core, sparql = rules.split(load_shapes())
    assert focus.bounded(core)
    assert focus.inverse_predicates(core, [r.query for r in sparql]) == {
        URIRef("https://w3id.org/accords-kg/ontology#signature"),
        URIRef("https://w3id.org/accords-kg/ontology#intervention"),
        URIRef("https://w3id.org/accords-kg/ontology#presence"),
        URIRef("https://w3id.org/accords-kg/ontology#signedDuring"),
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"),  # in a NOT EXISTS
    }
    # two units share a code: each is the other's neighbour
    assert focus.shared_predicates([r.query for r in sparql]) == {
        URIRef("http://rdf.insee.fr/def/geo#codeINSEE"),
        URIRef("https://w3id.org/accords-kg/ontology#siren"),
    }


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A persisted dataset holding every bad and coupled entry at once (many findings)."""
    root = tmp_path_factory.mktemp("broken")
    for folder in ("ontology", "data"):
        shutil.copytree(ROOT / folder, root / folder)
    for i, name in enumerate(n for n in ALL_ENTRIES if not n.startswith("good/")):
        shutil.copy(ENTRIES / name, root / "data" / f"zz-{i:03d}.ttl")
    return Store.load(root, territories="none")


@pytest.mark.parametrize("workers", [1, 2])
def test_piece_by_piece_equals_whole_on_a_broken_dataset(broken: Store, workers: int) -> None:
    whole = validate_graph(broken.union(), shapes_for(broken))
    progress: list[tuple[int, int]] = []
    # small pieces: the screens leave pyshacl a few dozen nodes, in several pieces still
    pieces = validate_store(
        broken, chunk=5, workers=workers, progress=lambda *a: progress.append(a)
    )
    assert len(whole.results) > 150
    assert findings(pieces) == findings(whole)
    assert progress[-1][0] == progress[-1][1] and len(progress) > 4


def test_a_worker_that_cannot_start_is_a_clear_error(broken: Store, tmp_path: Path) -> None:
    """A worker that fails (here: no database where it is told to look) stops the validation
    with a message naming the failure (exit 8), not a hang or a traceback."""
    lost = Store(broken.oxigraph(), read_only=True, location=tmp_path / "nowhere")
    with pytest.raises(WorkerError, match="validation worker failed") as caught:
        validate_store(lost, chunk=25, workers=2)
    assert caught.value.exit_code == 8
