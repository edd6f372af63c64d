"""``accords add``: validated first, written in the project's style, all or nothing, and
never losing an entry to a crash or to a concurrent add."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from accords_kg.add import Refused, add, new_text
from accords_kg.cli import main
from accords_kg.errors import InputError
from accords_kg.graph import turtle
from accords_kg.graph.load import parse_file
from accords_kg.graph.store import Store
from accords_kg.validation.validate import validate
from conftest import ROOT
from test_template import FILLED, HALF_FILLED, fill

ID = "https://w3id.org/accords-kg/id/"
FOAF_NAME = URIRef("http://xmlns.com/foaf/0.1/name")


def project(tmp_path: Path) -> Path:
    """A copy of the graph's files to add into."""
    root = tmp_path / "project"
    for folder in ("ontology", "data", "shapes", "queries", "templates"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def entry(tmp_path: Path, n: int) -> Path:
    """A fictional person, office and mandate: three data files change at once."""
    path = tmp_path / f"entry-{n}.ttl"
    path.write_text(
        f"""@base <{ID}> .
@prefix acc: <https://w3id.org/accords-kg/ontology#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix opengov: <http://www.w3.org/ns/opengov#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix person: <http://www.w3.org/ns/person#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix role: <https://w3id.org/accords-kg/role/> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<source/exemple-{n}> a acc:Source ;
    rdfs:label "Source fictive {n}"@fr ;
    schema:url <https://example.org/source-{n}> .

<person/exemple-{n}> a foaf:Person , person:Person ;
    foaf:name "Personne Exemple {n}" ;
    prov:wasDerivedFrom <source/exemple-{n}> .

<office/fonction-exemple-{n}> a acc:Office ;
    skos:prefLabel "Fonction fictive {n}"@fr ;
    org:postIn <org/intercommunalites-de-france> ;
    org:role role:vice-president ;
    prov:wasDerivedFrom <source/exemple-{n}> .

<mandate/exemple-{n}> a acc:Mandate ;
    acc:attestedOn "2023-01-01"^^xsd:date ;
    opengov:post <office/fonction-exemple-{n}> ;
    org:member <person/exemple-{n}> ;
    org:organization <org/intercommunalites-de-france> ;
    org:role role:vice-president ;
    prov:wasDerivedFrom <source/exemple-{n}> .
""",
        encoding="utf-8",
    )
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "data").glob("*.ttl"))}


def people(root: Path) -> set[str]:
    graph = Graph().parse(root / "data" / "people.ttl", format="turtle")
    return {str(o) for o in graph.objects(None, FOAF_NAME)}


def test_add_writes_each_block_where_it_belongs(tmp_path: Path) -> None:
    root = project(tmp_path)
    outcome = add([entry(tmp_path, 1)], territories="none", root=root)
    assert outcome.report.conforms
    assert sorted(p.name for p in outcome.written) == ["offices.ttl", "people.ttl", "sources.ttl"]
    text = (root / "data" / "people.ttl").read_text(encoding="utf-8")
    assert text.startswith((ROOT / "data" / "people.ttl").read_text(encoding="utf-8"))
    assert text.endswith(
        "\n<person/exemple-1> a foaf:Person , person:Person ;\n"
        '    foaf:name "Personne Exemple 1" ;\n'
        "    prov:wasDerivedFrom <source/exemple-1> .\n"
    )
    store = Store.load(root, territories="none")
    assert validate([], store=store).results == []
    before = snapshot(root)
    again = add([entry(tmp_path, 1)], territories="none", root=root)  # nothing changes
    assert snapshot(root) == before and again.report.conforms and again.written == []


GOOD = ROOT / "tests" / "entries" / "good" / "complete-accord.ttl"


def data_triples(root: Path) -> set[tuple[Node, Node, Node]]:
    """The union of the triples of ``data/*.ttl``, each file parsed alone (each must be
    Turtle on its own, declaring what it uses)."""
    found: set[tuple[Node, Node, Node]] = set()
    for path in sorted((root / "data").glob("*.ttl")):
        found |= set(Graph().parse(path, format="turtle", publicID=path.as_uri()))
    return found


@pytest.mark.parametrize("into", [None, "accords.ttl"])
def test_the_good_entry_is_written_as_turtle_holding_exactly_its_triples(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    into: str | None,
) -> None:
    """``accords add`` of the complete entry, as on a clean checkout (the default territorial
    layer), each block to its file or all ``--into`` one: exit 0, every data file parses,
    their union is what it was plus the entry; adding it again changes nothing."""
    root = project(tmp_path)
    monkeypatch.setenv("ACCORDS_KG_HOME", str(root))
    before = data_triples(root)
    texts = {p.name: p.read_text(encoding="utf-8") for p in (root / "data").glob("*.ttl")}
    entry = set(parse_file(GOOD))
    assert entry - before, "the entry must bring something new"
    args = ["add", str(GOOD), *(["--into", into] if into else [])]
    assert main(args) == 0, capsys.readouterr()
    assert data_triples(root) == before | entry
    for name, old in texts.items():  # the old text is all there: only lines were added
        new = (root / "data" / name).read_text(encoding="utf-8").splitlines()
        lines = iter(new)
        assert all(line in lines for line in old.splitlines()), name
    once = snapshot(root)
    capsys.readouterr()
    assert main(args) == 0
    assert snapshot(root) == once
    err = capsys.readouterr().err  # and it says so, rather than "wrote"
    assert "wrote" not in err and "unchanged: data/ already holds these entries" in err


def test_missing_prefixes_join_the_header_in_order_keeping_its_groups() -> None:
    text = (
        "# A data file.\n"
        "\n"
        f"@base <{ID}> .\n"
        "# W3C vocabularies\n"
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "# The project's\n"
        "@prefix role: <https://w3id.org/accords-kg/role/> .\n"
        "\n"
        "<a> org:role role:mayor .\n"
    )
    assert turtle.declare(text, {"org", "role"}) == text
    assert turtle.declare(text, {"acc", "org", "person", "skos", "xsd"}).splitlines() == [
        "# A data file.",
        "",
        f"@base <{ID}> .",
        "# W3C vocabularies",
        "@prefix acc: <https://w3id.org/accords-kg/ontology#> .",
        "@prefix org: <http://www.w3.org/ns/org#> .",
        "@prefix person: <http://www.w3.org/ns/person#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "# The project's",
        "@prefix role: <https://w3id.org/accords-kg/role/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        "<a> org:role role:mayor .",
    ]


def test_a_file_without_base_or_prefixes_gets_them_after_its_comment(tmp_path: Path) -> None:
    path = tmp_path / "bare.ttl"
    path.write_text(
        "# Written by hand.\n<https://example.org/a> <https://example.org/p> 1 .\n",
        encoding="utf-8",
    )
    subject = URIRef(ID + "person/exemple")
    entry = Graph()
    entry.add((subject, FOAF_NAME, Literal("Personne Exemple")))
    text = new_text(path, entry, [subject], Graph(), replace=False)
    assert text.startswith(
        f"# Written by hand.\n\n@base <{ID}> .\n@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\n"
    )
    written = set(Graph().parse(data=text, format="turtle"))
    assert written == set(Graph().parse(path, format="turtle")) | set(entry)


def test_a_prefix_the_file_binds_elsewhere_is_written_in_full(tmp_path: Path) -> None:
    """``schema:`` bound to http://schema.org/ in the file: the entry's https://schema.org/
    terms are not written with it (they would silently change namespace)."""
    path = tmp_path / "other.ttl"
    path.write_text(
        f'@base <{ID}> .\n@prefix schema: <http://schema.org/> .\n\n<org/a> schema:name "A" .\n',
        encoding="utf-8",
    )
    subject = URIRef(ID + "source/exemple")
    entry = Graph()
    entry.add((subject, URIRef("https://schema.org/url"), URIRef("https://example.org/s")))
    text = new_text(path, entry, [subject], Graph(), replace=False)
    assert "<https://schema.org/url>" in text
    assert set(Graph().parse(data=text, format="turtle")) == set(
        Graph().parse(path, format="turtle")
    ) | set(entry)
    path.write_text(f"@base <{ID}other/> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="@base"):
        new_text(path, entry, [subject], Graph(), replace=False)


def test_a_violating_entry_changes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = snapshot(root)
    bad = entry(tmp_path, 2)
    bad.write_text(bad.read_text().replace('"2023-01-01"^^xsd:date', '"le 1er janvier"'))
    outcome = add([bad], territories="none", root=root)
    assert not outcome.report.conforms and outcome.written == []
    assert snapshot(root) == before


def test_a_half_filled_template_is_refused_naming_its_placeholders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``accords add`` of a template left half-filled: exit 1, each placeholder named, and
    not a byte written."""
    root = project(tmp_path)
    half = tmp_path / "half.ttl"
    half.write_text(fill(FILLED, keep=HALF_FILLED), encoding="utf-8")
    before = snapshot(root)
    monkeypatch.setenv("ACCORDS_KG_HOME", str(root))
    assert main(["add", str(half), "--territories", "none", "--lang", "en"]) == 1
    out, err = capsys.readouterr()
    for name in HALF_FILLED:
        assert f"Template placeholder left unfilled: @@{name}@@." in out
    assert "DOES NOT CONFORM" in out and "wrote" not in err
    assert snapshot(root) == before
    assert sorted(p.name for p in (root / "data").iterdir() if p.name.startswith(".")) == [
        ".accords-add.lock"
    ]


def test_redefining_a_label_needs_replace(tmp_path: Path) -> None:
    root = project(tmp_path)
    renamed = tmp_path / "renamed.ttl"
    renamed.write_text(
        f'<{ID}person/yann-vincent> <{FOAF_NAME}> "Y. Vincent" .\n', encoding="utf-8"
    )
    before = snapshot(root)
    with pytest.raises(Refused, match="--replace"):
        add([renamed], territories="none", root=root)
    assert snapshot(root) == before
    # with --replace the block is rewritten in place: the name is replaced, not added
    # (a person has exactly one name, so adding a second would violate)
    names_before = people(root)
    add([renamed], territories="none", root=root, replace=True)
    assert people(root) == (names_before - {"Yann Vincent"}) | {"Y. Vincent"}
    graph = Graph().parse(root / "data" / "people.ttl", format="turtle")
    vincent = URIRef(ID + "person/yann-vincent")
    assert set(graph.objects(vincent, FOAF_NAME)) == {Literal("Y. Vincent")}


def test_into_names_one_data_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    outcome = add([entry(tmp_path, 3)], territories="none", root=root, into="exemples.ttl")
    assert [p.name for p in outcome.written] == ["exemples.ttl"]
    assert (
        Store.load(root, territories="none")
        .query(
            f"ASK {{ <{ID}mandate/exemple-3> a <https://w3id.org/accords-kg/ontology#Mandate> }}"
        )
        .boolean
    )
    from accords_kg.errors import UsageError

    with pytest.raises(UsageError, match="--into"):
        add([entry(tmp_path, 4)], territories="none", root=root, into="../escape.ttl")


def run_add(root: Path, path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ACCORDS_KG_HOME": str(root)}
    return subprocess.Popen(
        [sys.executable, "-m", "accords_kg.cli", "add", str(path), "--territories", "none"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_adds_leave_data_unchanged_or_complete(tmp_path: Path) -> None:
    """SIGKILL at random moments: after recovery, each entry is wholly there or not at all."""
    root = project(tmp_path)
    rng = random.Random(20231218)
    landed = set()
    for n in range(10, 22):
        process = run_add(root, entry(tmp_path, n))
        time.sleep(rng.uniform(0.0, 1.5))
        process.send_signal(signal.SIGKILL)
        code = process.wait()
        store = Store.load(root, territories="none")  # recovers an interrupted commit
        report = validate([], store=store)
        assert report.conforms, report.to_text()
        names = people(root)
        here = f"Personne Exemple {n}" in names
        mandate = store.query(f"ASK {{ <{ID}mandate/exemple-{n}> ?p ?o }}").boolean
        source = store.query(f"ASK {{ <{ID}source/exemple-{n}> ?p ?o }}").boolean
        assert here == mandate == source, f"entry {n} half-written"
        if code == 0:
            assert here, f"entry {n}: add reported success but is missing"
        if here:
            landed.add(n)
    assert not (root / "data" / ".accords-add.journal").exists()
    assert people(root) >= {f"Personne Exemple {n}" for n in landed}


def test_concurrent_adds_both_land(tmp_path: Path) -> None:
    root = project(tmp_path)
    processes = [run_add(root, entry(tmp_path, n)) for n in (30, 31, 32)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0, 0]
    assert {"Personne Exemple 30", "Personne Exemple 31", "Personne Exemple 32"} <= people(root)
    assert validate([], store=Store.load(root, territories="none")).conforms


def test_a_commit_interrupted_between_renames_is_finished_by_recovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash after the journal and the first rename: the next load completes the add."""
    from accords_kg import files

    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("a.ttl", "b.ttl"):
        (folder / name).write_text("old\n")
    real_replace = os.replace
    calls = []

    def crash_after_journal_and_one_rename(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == 3:  # journal.tmp -> journal, a.ttl, then b.ttl: crash
            raise KeyboardInterrupt("killed")
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", crash_after_journal_and_one_rename)
    with pytest.raises(KeyboardInterrupt):
        files.commit(folder, {"a.ttl": "new a\n", "b.ttl": "new b\n"})
    monkeypatch.undo()
    assert (folder / "a.ttl").read_text() == "new a\n"
    assert (folder / "b.ttl").read_text() == "old\n"  # half done until recovery
    assert files.pending(folder)
    files.recover_if_needed(folder)
    assert [(folder / n).read_text() for n in ("a.ttl", "b.ttl")] == ["new a\n", "new b\n"]
    assert not files.pending(folder)


def test_temporary_files_without_a_journal_are_dropped(tmp_path: Path) -> None:
    """A crash before the journal: the old files stay, the temporary ones go."""
    from accords_kg import files

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.ttl").write_text("old\n")
    (folder / ".a.ttl.123.accords-add-tmp").write_text("new, never committed\n")
    files.recover_if_needed(folder)
    assert (folder / "a.ttl").read_text() == "old\n"
    assert sorted(p.name for p in folder.iterdir()) == [".accords-add.lock", "a.ttl"]


@pytest.mark.parametrize(
    "pairs",
    [
        [["evil.ttl", "../../outside.txt"]],  # a move out of the folder
        [[".a.ttl.1.accords-add-tmp", "../a.ttl"]],
        [["/etc/hostname", "a.ttl"]],
        [[".a.ttl.1.accords-add-tmp", "a.ttl", "extra"]],
        {"not": "a list"},
    ],
)
def test_a_journal_add_did_not_write_is_refused_and_moves_nothing(
    tmp_path: Path, pairs: object
) -> None:
    """``data/`` comes from anyone's contribution: a committed journal naming other files is
    refused before any move (it once made every load an arbitrary file move)."""
    from accords_kg import files

    folder = tmp_path / "project" / "data"
    folder.mkdir(parents=True)
    (folder / "a.ttl").write_text("old\n")
    (folder / "evil.ttl").write_text("evil\n")
    (folder / ".a.ttl.1.accords-add-tmp").write_text("tmp\n")
    (folder / files.JOURNAL).write_text(json.dumps(pairs))
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    with pytest.raises(InputError, match="not a journal"):
        files.recover_if_needed(folder)
    after = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert [p for p in after if p not in before] == ["project/data/.accords-add.lock"]
    assert (folder / "a.ttl").read_text() == "old\n"


def test_a_journal_target_that_is_a_link_is_refused(tmp_path: Path) -> None:
    from accords_kg import files

    folder = tmp_path / "data"
    folder.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n")
    (folder / "a.ttl").symlink_to(outside)
    (folder / ".a.ttl.1.accords-add-tmp").write_text("new\n")
    (folder / files.JOURNAL).write_text(json.dumps([[".a.ttl.1.accords-add-tmp", "a.ttl"]]))
    with pytest.raises(InputError, match="not a journal"):
        files.recover_if_needed(folder)
    assert outside.read_text() == "keep\n" and (folder / "a.ttl").is_symlink()


def test_a_folder_named_like_a_temporary_file_does_not_stop_a_load(tmp_path: Path) -> None:
    from accords_kg import files

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / ".x.accords-add-tmp").mkdir()
    files.recover_if_needed(folder)
    assert (folder / ".x.accords-add-tmp").is_dir()


def test_the_add_lock_is_not_taken_through_a_link(tmp_path: Path) -> None:
    from accords_kg import files

    folder = tmp_path / "data"
    folder.mkdir()
    target = tmp_path / "elsewhere"
    target.write_text("keep\n")
    (folder / files.LOCK).symlink_to(target)
    with pytest.raises(InputError), files.locked(folder):
        pass
    assert target.read_text() == "keep\n"
