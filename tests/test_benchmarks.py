"""The benchmark command's smoke run: on the curated graph alone, one run of each measure.

The real benchmarks (France-wide graph, several runs) take about twenty minutes and are not
part of the suite; this checks that the command runs, measures every saved query on both
engines, and writes the table and the JSON the README quotes.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

from rdflib import DCTERMS, Graph, URIRef

from accords_kg.graph.store import Store
from conftest import ROOT


def test_the_smoke_run_measures_every_query_on_both_engines(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--scope", "none"]
    done = subprocess.run(
        [*command, "--runs", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))
    queries = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    measured = {(m["name"], m["mode"].split(":")[0]) for m in results["measures"]}
    for name in queries:
        for mode in ("oxigraph", "rdflib", "`accords query` end to end"):
            assert (name, mode) in measured
            assert done.stdout.count(f"| {name} |") == 1
    assert all(m["seconds"] for m in results["measures"]), [
        m for m in results["measures"] if not m["seconds"]
    ]
    assert "| validate: new entry (93 triples) | focused |" in done.stdout
    assert results["machine"]["cores"]


def _benchmarks() -> tuple[ModuleType, ModuleType, ModuleType]:
    """The benchmark scripts as modules (they import each other by their file names)."""
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    return (
        importlib.import_module("run"),
        importlib.import_module("growth"),
        importlib.import_module("synthetic"),
    )


def _results(date: str, seconds: dict[str, float]) -> dict:
    """A run's results as its JSON holds them, with one median per (group, name, mode)."""
    bench = _benchmarks()[0]
    measures = [
        bench.Measure(*key.split(" | "), seconds=[value], peak_mb=50.0)
        for key, value in seconds.items()
    ]
    return {
        "scope": "france",
        "runs": 1,
        "date": date,
        "machine": MACHINE,
        "measures": [asdict(m) | {"median": m.median} for m in measures],
    }


MACHINE = {
    "cpu": "CPU",
    "cores": "2",
    "memory": "1 GiB",
    "python": "3.11",
    "system": "Linux",
    "pyoxigraph": "0",
    "rdflib": "0",
    "pyshacl": "0",
}


def test_each_measure_is_shown_beside_its_previous_median_and_a_regression_is_named() -> None:
    bench = _benchmarks()[0]
    whole = "validate | whole graph | `accords validate`"
    entry = "validate | new entry (93 triples) | focused"
    old = _results("2026-11-26", {whole: 48.3, entry: 0.162})
    new = _results("2026-11-30", {whole: 9.5, entry: 0.5, "dump | trig | `accords dump`": 4.0})
    measures = [bench.Measure.from_json(m) for m in new["measures"]]
    bench.with_previous(measures, old)
    new["measures"] = [asdict(m) | {"median": m.median} for m in measures]
    text = bench.markdown(new)
    assert "| validate: whole graph | `accords validate` | 9.5 s | 48.3 s | 1 | 50 MB |" in text
    assert "| validate: new entry (93 triples) | focused | 500 ms | 162 ms | 1 | 50 MB |" in text
    assert "| dump: trig | `accords dump` | 4.0 s | — | 1 | 50 MB |" in text
    assert text.rstrip().endswith(
        "Slower than in the previous run by over 25% and 20 ms:\n\n"
        "- validate: new entry (93 triples) (focused): 162 ms → 500 ms"
    )
    assert "| whole-graph `accords validate`, at most | 10.0 s | 9.5 s | yes |" in text


def test_the_previous_run_is_read_from_the_file_a_run_replaces(tmp_path: Path) -> None:
    bench = _benchmarks()[0]
    out = tmp_path / "results.json"
    bench.write_json(out, _results("2026-11-26", {"load | store | cold": 14.8}))
    previous = bench.read_results(out)
    measures = [bench.Measure("load", "store", "cold"), bench.Measure("load", "store", "warm")]
    bench.with_previous(measures, previous)
    assert [m.previous for m in measures] == [14.8, None]
    assert bench.read_results(tmp_path / "absent.json") is None
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]  # no partial file left


def test_the_docs_show_the_tables_of_the_results_files() -> None:
    """docs/performance.md between its markers is what `run.py --markdown` prints: after a
    benchmark run, `python benchmarks/run.py --markdown docs/performance.md` refreshes it."""
    bench = _benchmarks()[0]
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    shown = text[text.index(bench.BEGIN) + len(bench.BEGIN) : text.index(bench.END)]
    assert shown.strip() == bench.doc_block().strip()


def test_synthetic_accords_are_marked_and_validate_with_the_register(store: Store) -> None:
    """Two synthetic accords, validated as an entry with the committed graph: no finding at
    all, every resource of their own keyed synthetic-, every accord titled synthétique."""
    from rdflib import SDO  # not at module level: pytest's collection probes its names

    from accords_kg.validation.validate import validate_entry

    synthetic = _benchmarks()[2]
    places = synthetic.places(store)
    graph = Graph().parse(data=synthetic.turtle(2, places), format="turtle")
    report = validate_entry(store, graph)
    assert report.conforms and not report.results, report.results
    base = "https://w3id.org/accords-kg/id/"
    keys = {str(s).removeprefix(base).split("/", 1)[1] for s in graph.subjects(unique=True)}
    assert all(k.startswith("synthetic-") or k.startswith("signature-synthetic-") for k in keys)
    titles = {str(t) for t in graph.objects(None, DCTERMS.title)}
    assert titles == {
        "Accord synthétique 1, généré par le benchmark de croissance (synthétique)",
        "Synthetic accord 1, generated by the growth benchmark (synthetic)",
        "Accord synthétique 2, généré par le benchmark de croissance (synthétique)",
        "Synthetic accord 2, generated by the growth benchmark (synthetic)",
    }
    assert (URIRef(base + "accord/synthetic-1"), SDO.name, None) not in graph
    event = URIRef(base + "event/signature-synthetic-1")
    assert graph.value(event, SDO.location) == URIRef(base + places[0].commune)


def test_the_growth_smoke_run_measures_ten_valid_synthetic_accords(tmp_path: Path) -> None:
    out = tmp_path / "growth.json"
    before = sorted((ROOT / "data").rglob("*"))
    growth = [sys.executable, str(ROOT / "benchmarks" / "growth.py")]
    done = subprocess.run(
        [*growth, "--sizes", "10", "--runs", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr  # it stops if the whole graph does not conform
    assert sorted((ROOT / "data").rglob("*")) == before  # nothing written into the checkout
    [size] = json.loads(out.read_text(encoding="utf-8"))["sizes"]
    assert size["accords"] == 10
    measured = {(m["group"], m["name"], m["mode"].split(":")[0]) for m in size["measures"]}
    for name in sorted(p.stem for p in (ROOT / "queries").glob("*.rq")):
        assert ("query", name, "oxigraph") in measured
        assert ("query", name, "`accords query` end to end") in measured
    for fmt in ("turtle", "ntriples", "jsonld", "trig", "xml"):
        assert ("dump", fmt, "`accords dump` end to end") in measured
    assert ("validate", "whole graph", "`accords validate`") in measured
    assert ("validate", "new entry (93 triples)", "focused") in measured
    assert all(m["seconds"] for m in size["measures"]), size["measures"]
    assert "| 10 accords | prev. |" in done.stdout


def test_the_growth_table_shows_each_size_beside_its_previous_run() -> None:
    bench, growth, _ = _benchmarks()
    focused = "validate | new entry (93 triples) | focused"
    whole = "validate | whole graph | `accords validate`"
    old = {10: {focused: 0.2, whole: 50.0}, 1000: {focused: 0.2, whole: 100.0}}
    new = {10: {focused: 0.25, whole: 55.0}, 1000: {focused: 0.21, whole: 330.0}}
    sizes = []
    for count, medians in new.items():
        measures = [bench.Measure.from_json(m) for m in _results("", medians)["measures"]]
        bench.with_previous(measures, _results("", old[count]))
        sizes.append(
            {
                "accords": count,
                "triples": 1000 * count,
                "measures": [asdict(m) | {"median": m.median} for m in measures],
            }
        )
    text = growth.markdown(
        {"scope": "committed", "runs": 1, "date": "2026-11-30", "previous_date": "2026-11-29"}
        | {"machine": MACHINE, "sizes": sizes}
    )
    assert (
        "| measure | how | 10 accords | prev. | 1,000 accords | prev. | largest ÷ smallest |"
        in text
    )
    assert "| graph | triples | 10,000 | | 1,000,000 | | |" in text
    assert (
        "| validate: new entry (93 triples) | focused | 250 ms | 200 ms | 210 ms | 200 ms | 0.8× |"
        in text
    )
    assert (
        "| validate: whole graph | `accords validate` "
        "| 55.0 s | 50.0 s | 330.0 s | 100.0 s | 6.0× |" in text
    )
    assert text.rstrip().endswith(
        "At 1,000 accords: Slower than in the previous run by over 25% and 20 ms:\n\n"
        "- validate: whole graph (`accords validate`): 100.0 s → 330.0 s"
    )
    assert "At 10 accords: No measure is slower than in the previous run by over 25%." in text
