"""The benchmark command's smoke run: on the curated graph alone, one run of each measure.

The real benchmarks (France-wide graph, several runs) take about twenty minutes and are not
part of the suite; this checks that the command runs, measures every saved query on both
engines, and writes the table and the JSON the README quotes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
