"""Dumps: every format parses back to the same graph, with an independent parser too, and
the same input gives the same bytes whatever the process's hash seed. (On the curated graph,
without the territorial layer, to keep the suite fast: the writers do not depend on size.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Dataset, Graph
from rdflib.compare import isomorphic

from accords_kg.graph.store import Store
from accords_kg.publishing.dump import FORMATS, dump, serialise, serialise_each
from accords_kg.resources import GRAPH_BASE, LAYERS, home

RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "xml": "xml"}
OXIGRAPH_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "xml": pyoxigraph.RdfFormat.RDF_XML,
}


@pytest.fixture(scope="module")
def dumped(curated: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    paths = dump(curated, out)
    return {name: out / f"accords-kg{fmt.extension}" for name, fmt in FORMATS.items()} | {
        "_all": paths  # type: ignore[dict-item]
    }


def test_one_file_per_format_with_the_usual_extension(dumped: dict[str, Path]) -> None:
    names = sorted(p.name for p in dumped["_all"])  # type: ignore[attr-defined]
    expected = ["accords-kg.jsonld", "accords-kg.nt", "accords-kg.rdf", "accords-kg.trig"]
    assert names == [*expected, "accords-kg.ttl"]


@pytest.mark.parametrize("fmt", sorted(RDFLIB_FORMATS))
def test_dump_parses_back_isomorphic(curated: Store, dumped: dict[str, Path], fmt: str) -> None:
    parsed = Graph().parse(dumped[fmt], format=RDFLIB_FORMATS[fmt])
    assert len(parsed) == len(curated)
    assert isomorphic(parsed, curated.union())


def test_trig_keeps_one_named_graph_per_layer(curated: Store, dumped: dict[str, Path]) -> None:
    dataset = Dataset()
    dataset.parse(dumped["trig"], format="trig")
    graphs = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert graphs == {
        "https://w3id.org/accords-kg/graph/ontology": len(curated.layer("ontology")),
        "https://w3id.org/accords-kg/graph/data": len(curated.layer("data")),
    }


@pytest.mark.parametrize("fmt", sorted(OXIGRAPH_FORMATS))
def test_an_independent_parser_agrees_on_the_triple_count(
    curated: Store, dumped: dict[str, Path], fmt: str
) -> None:
    quads = list(pyoxigraph.parse(path=str(dumped[fmt]), format=OXIGRAPH_FORMATS[fmt]))
    assert len({(q.subject, q.predicate, q.object) for q in quads}) == len(curated)


def test_turtle_is_readable(dumped: dict[str, Path]) -> None:
    text = dumped["turtle"].read_text(encoding="utf-8")
    assert text.startswith("@prefix acc: <https://w3id.org/accords-kg/ontology#> .")
    assert "<https://w3id.org/accords-kg/id/person/xavier-bertrand> a person:Person" in text


def test_the_same_input_gives_the_same_bytes_across_processes(tmp_path: Path) -> None:
    """Two runs with different hash seeds must write byte-identical files."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "accords_kg.cli",
                "dump",
                "--out",
                str(out),
                "--territories",
                "none",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert len(outputs[0]) == 5
    assert outputs[0] == outputs[1]


def test_serialise_is_stable_within_a_process(curated: Store) -> None:
    for fmt in FORMATS:
        assert serialise(curated, fmt) == serialise(curated, fmt)


def test_a_failed_write_leaves_no_half_written_file(
    curated: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rename fails after the data is written: the old file stays whole, no temporary."""
    from accords_kg import files
    from accords_kg.errors import OutputError

    target = tmp_path / "accords-kg.ttl"
    target.write_text("the previous dump\n")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(OutputError, match="No space left"):
        dump(curated, tmp_path, ["turtle"])
    assert target.read_text() == "the previous dump\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accords-kg.ttl"]


# ---------------------------------------------------------------------------
# Oxigraph's writers against the previous rdflib path, on the committed graph
# ---------------------------------------------------------------------------


def sorted_ntriples(data: bytes) -> bytes:
    """N-Triples ``data`` with its lines sorted (as the previous writer sorted rdflib's)."""
    return b"".join(sorted(line + b"\n" for line in data.split(b"\n") if line.strip()))


@pytest.fixture(scope="module")
def previous(store: Store) -> bytes:
    """What the previous path wrote as N-Triples: rdflib's serialisation of the store's union,
    its lines sorted. The graph has no blank node, so two graphs are isomorphic exactly when
    their sorted N-Triples are equal."""
    union = store.union()
    assert not any(isinstance(term, BNode) for triple in union for term in triple)
    return sorted_ntriples(union.serialize(format="nt", encoding="utf-8"))


@pytest.fixture(scope="module")
def committed(store: Store) -> dict[str, bytes]:
    """Every format of the committed graph (territorial layers included), in one pass."""
    return dict(serialise_each(store, list(FORMATS)))


def test_ntriples_is_byte_identical_to_the_previous_rdflib_writer(
    previous: bytes, committed: dict[str, bytes]
) -> None:
    assert committed["ntriples"] == previous


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - {"trig"}))
def test_every_format_holds_the_graph_the_rdflib_path_wrote(
    previous: bytes, committed: dict[str, bytes], fmt: str
) -> None:
    """Read back (by Oxigraph: rdflib's readers take a minute here; they read the curated
    graph's dumps above) and written as N-Triples, each dump is what rdflib wrote before."""
    quads = pyoxigraph.parse(committed[fmt], OXIGRAPH_FORMATS[fmt])
    again = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert sorted_ntriples(again) == previous


def test_trig_holds_each_layer_as_stored(store: Store, committed: dict[str, bytes]) -> None:
    quads = pyoxigraph.parse(committed["trig"], pyoxigraph.RdfFormat.TRIG)
    graphs: dict[str, set] = {}
    for quad in quads:
        graphs.setdefault(quad.graph_name.value[len(GRAPH_BASE) :], set()).add(quad.triple)
    assert sorted(graphs) == store.layer_names()
    engine = store.oxigraph()
    for name, triples in graphs.items():
        stored = engine.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(GRAPH_BASE + name))
        assert triples == {q.triple for q in stored}, name


def test_the_order_is_the_sorted_ntriples_lines(committed: dict[str, bytes]) -> None:
    lines = committed["ntriples"].split(b"\n")[:-1]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)


def test_a_store_filled_in_another_order_dumps_the_same_bytes(curated: Store) -> None:
    """The bytes depend on the triples alone: not on the order the files were read in, nor
    on the loader (the persisted store is bulk-loaded, this one loaded file by file)."""
    files = [(layer.graph_iri, path) for layer in LAYERS for path in layer.files(home())]
    other = Store()
    for graph_iri, path in reversed(files):
        other.add_file(path, graph_iri)
    assert dict(serialise_each(other, list(FORMATS))) == dict(
        serialise_each(curated, list(FORMATS))
    )


def test_two_dumps_of_the_same_store_are_byte_identical(curated: Store, tmp_path: Path) -> None:
    first, second = dump(curated, tmp_path / "1"), dump(curated, tmp_path / "2")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
