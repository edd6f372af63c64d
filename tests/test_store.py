"""The persisted Oxigraph store: built once, reused while the inputs stay the same, rebuilt
when any of them changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accords_kg.errors import InputError
from accords_kg.graph.store import Store
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


def test_changes_to_a_loaded_store_stay_private(tmp_path: Path) -> None:
    """A loaded store is shared through the cache; adding to it copies it first."""
    loaded = Store.load(territories="none")
    before = len(loaded)
    loaded.add_file(ROOT / "data" / "territories" / "2023" / "named-elsewhere.ttl",
                    "https://w3id.org/accords-kg/graph/territories/2023")  # fmt: skip
    assert len(loaded) > before
    assert len(Store.load(territories="none")) == before
