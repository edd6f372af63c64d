"""The persisted Oxigraph store: built once, reused while the inputs stay the same, rebuilt
when any of them changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from accords_kg.errors import InputError
from accords_kg.graph import territories as territorial
from accords_kg.graph.store import Store
from accords_kg.resources import GRAPH_BASE, LAYERS, home
from conftest import ROOT

ASK_NEW = "ASK { <https://w3id.org/accords-kg/id/person/exemple> ?p ?o }"


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for folder in ("ontology", "data"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def test_built_once_reused_then_rebuilt_when_an_input_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORDS_KG_CACHE", str(tmp_path / "cache"))
    root = project(tmp_path)
    stores = tmp_path / "cache" / "stores"
    first = Store.load(root, territories="none")
    built = sorted(p.name for p in stores.iterdir())
    assert len(built) == 1 and len(first) == len(Store.load(root, territories="none"))
    assert sorted(p.name for p in stores.iterdir()) == built  # reused, not rebuilt
    people = root / "data" / "people.ttl"
    people.write_text(
        people.read_text(encoding="utf-8")
        + "\n<person/exemple> a <http://www.w3.org/ns/person#Person> ; "
        '<http://xmlns.com/foaf/0.1/name> "Personne Exemple" .\n',
        encoding="utf-8",
    )
    second = Store.load(root, territories="none")
    assert second.query(ASK_NEW).boolean and not first.query(ASK_NEW).boolean
    assert len(list(stores.iterdir())) == 2


def test_a_syntax_error_in_a_project_file_names_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORDS_KG_CACHE", str(tmp_path / "cache"))
    root = project(tmp_path)
    (root / "data" / "people.ttl").write_text('@prefix ex: <http://ex/> .\n\nex:a ex:b "x .\n')
    with pytest.raises(InputError) as info:
        Store.load(root, territories="none")
    assert info.value.path.endswith("people.ttl") and info.value.line == 3
    # the bulk loader had written the files before it: the half-built store is gone
    assert list((tmp_path / "cache" / "stores").iterdir()) == []


def test_the_bulk_loaded_store_holds_exactly_the_parsed_triples(store: Store) -> None:
    """Each layer's named graph holds what Oxigraph's parser reads in its files, and the
    default graph their union: the bulk loader drops, adds or changes nothing."""
    files = [(layer.graph_iri, path) for layer in LAYERS for path in layer.files(home())]
    files += territorial.layer_files(territorial.DEFAULT_SCOPE, None)
    parsed: dict[str, set[ox.Triple]] = {}
    for graph_iri, path in files:
        quads = ox.parse(
            path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()
        )
        parsed.setdefault(graph_iri, set()).update(q.triple for q in quads)
    engine = store.oxigraph()
    assert sorted(GRAPH_BASE + name for name in store.layer_names()) == sorted(parsed)
    for graph_iri, triples in parsed.items():
        stored = engine.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))
        assert {q.triple for q in stored} == triples, graph_iri
    union = engine.quads_for_pattern(None, None, None, ox.DefaultGraph())
    assert {q.triple for q in union} == set().union(*parsed.values())


def test_changes_to_a_loaded_store_stay_private(tmp_path: Path) -> None:
    """A loaded store is shared through the cache; adding to it copies it first."""
    loaded = Store.load(territories="none")
    before = len(loaded)
    loaded.add_file(ROOT / "data" / "territories" / "2023" / "named-elsewhere.ttl",
                    "https://w3id.org/accords-kg/graph/territories/2023")  # fmt: skip
    assert len(loaded) > before
    assert len(Store.load(territories="none")) == before
