"""grlc, serving the same queries/ folder, gives the embedded rows: every saved query with and
without its parameters, against a real Oxigraph server.

grlc pins its own rdflib, Flask and requests, so it lives in a virtual environment of its own
(`.ci/run` makes one and names its Python in ACCORDS_GRLC_PYTHON); elsewhere the test is
skipped, saying why. Without a parameter grlc leaves the variable unbound (it does not apply
`#+ defaults`), so those rows are compared with the embedded engine's rows for the same query
with nothing bound. Hostile values are left out: grlc pastes values into the query text.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from accords_kg.graph.store import Store
from accords_kg.publishing import publish
from accords_kg.sparql import saved
from accords_kg.sparql.results import from_json
from conftest import ROOT
from test_endpoint import CASES, Server

GRLC_CASES = [(n, p) for n, p in CASES if not any("}" in v or "\n" in v for v in p.values())]


@pytest.fixture(scope="module")
def grlc_python() -> str:
    python = os.environ.get("ACCORDS_GRLC_PYTHON", "")
    if not python or not Path(python).is_file():
        pytest.skip(
            "grlc is not installed: it needs a virtual environment of its own "
            "(python -m venv V && V/bin/pip install grlc; ACCORDS_GRLC_PYTHON=V/bin/python)"
        )
    return python


@pytest.fixture(scope="module")
def answers(
    grlc_python: str, tmp_path_factory: pytest.TempPathFactory, curated: Store
) -> Iterator[dict[str, dict]]:
    running = Server(tmp_path_factory.mktemp("grlc-oxigraph"))
    running.start()
    try:
        publish.publish(curated, running.urls)
        calls = [n + ("?" + urllib.parse.urlencode(p) if p else "") for n, p in GRLC_CASES]
        done = subprocess.run(
            [grlc_python, str(ROOT / "tests" / "grlc_driver.py"), running.urls.query,
             str(ROOT / "queries"), *calls],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        out = json.loads(done.stdout.splitlines()[-1])
        yield {call: out[call] for call in calls}
    finally:
        running.kill()


@pytest.mark.parametrize(("name", "params"), GRLC_CASES)
def test_grlc_answers_as_embedded(
    answers: dict[str, dict], curated: Store, name: str, params: dict[str, str]
) -> None:
    answer = answers[name + ("?" + urllib.parse.urlencode(params) if params else "")]
    assert answer["status"] == 200, answer["body"][:500]
    remote = from_json(json.loads(answer["body"]))
    query = saved.get(name)
    local = curated.query(query.text, query.bindings(params) if params else {})
    keep = [remote.variables.index(v) for v in local.variables]
    assert Counter(tuple(row[i] for i in keep) for row in remote.rows) == Counter(local.rows)
