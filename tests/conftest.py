"""Shared fixtures: the checkout's files, the loaded dataset, the stored sources.

Tests read the graph from this checkout (``ACCORDS_KG_HOME``), so that an edit to
``data/`` is tested without reinstalling; the packaging test checks the installed wheel.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ["ACCORDS_KG_HOME"] = str(ROOT)
# Tables fit COLUMNS where it is set: the tests that read whole rows get them uncut (the
# tests of the fitting set it themselves).
os.environ.pop("COLUMNS", None)

# The tests build many small persisted stores (one per temporary project): they get a cache
# of their own, so as not to push a user's stores (the France-wide one takes 15 s to build)
# out of ~/.cache/accords-kg. Downloads are shared with the user's cache, where there is one.
if "ACCORDS_KG_CACHE" not in os.environ:
    _user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "accords-kg"
    _test_cache = Path(tempfile.mkdtemp(prefix="accords-kg-test-cache-"))
    for _kept in ("npm", "territories"):
        (_user_cache / _kept).mkdir(parents=True, exist_ok=True)
        (_test_cache / _kept).symlink_to(_user_cache / _kept)
    os.environ["ACCORDS_KG_CACHE"] = str(_test_cache)
    atexit.register(shutil.rmtree, _test_cache, True)  # the links, not what they point to

#: The slow end-to-end tests (file, test name without parameters), about 550 s of a 890 s
#: run on a loaded 2-core machine: left out by default (pyproject's addopts), run by
#: `.ci/run` with `pytest -m slow`. Each checks a command the default run also exercises
#: more quickly (publish by the endpoint tests' server, validate, add, query); the focused
#: validation of every bad entry is still checked by default (test_shapes), its equality
#: with the whole graph's only by the slow run.
SLOW = {
    ("test_endpoint.py", "test_publish_is_idempotent_and_leaves_no_staging_graph"),
    ("test_endpoint.py", "test_a_publish_killed_half_way_leaves_the_previous_version"),
    ("test_focus.py", "test_focused_equals_whole_on_mutations"),
    ("test_focus.py", "test_focused_equals_whole_on_every_entry"),
    ("test_shapes.py", "test_dataset_alone_conforms_without_any_finding"),
    ("test_territories.py", "test_each_accord_is_covered_in_the_vintage_of_its_signing_year"),
    ("test_benchmarks.py", "test_the_smoke_run_measures_every_query_on_both_engines"),
    ("test_benchmarks.py", "test_the_growth_smoke_run_measures_ten_valid_synthetic_accords"),
    ("test_add.py", "test_killed_adds_leave_data_unchanged_or_complete"),
    ("test_browser.py", "*"),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = item.path.name
        if (name, "*") in SLOW or (name, item.originalname) in SLOW:
            item.add_marker(pytest.mark.slow)


#: ../shared/sources beside the checkout (CI lays shared/ next to the clone).
SOURCES = ROOT.parent / "shared" / "sources"
PRESS_RELEASE = SOURCES / "communique-declaration-de-bethune.txt"


def copy_project(folder: Path) -> Path:
    """A copy of the graph's files (to add into, or to change), under ``folder``."""
    root = folder / "project"
    for name in ("ontology", "data", "shapes", "queries", "templates"):
        shutil.copytree(ROOT / name, root / name)
    return root


def grown_store(folder: Path) -> Store:
    """A copy of the graph to which `accords add` has added one more valid (fictional)
    accord: the competency tests run on it too, since adding an accord must leave each
    accord's answers unchanged."""
    from accords_kg.add import add

    root = copy_project(folder)
    outcome = add([ROOT / "tests" / "entries" / "good" / "complete-accord.ttl"], root=root)
    assert outcome.report.conforms and outcome.written
    return Store.load(root)


from accords_kg.graph.store import Store  # noqa: E402
from accords_kg.sparql import saved  # noqa: E402  (after ACCORDS_KG_HOME is set)
from accords_kg.sparql.results import Result  # noqa: E402
from accords_kg.web.serve import Running, running  # noqa: E402


def run(store: Store, query_name: str, **params: str) -> Result:
    """A saved query, with its parameters, on ``store``."""
    query = saved.get(query_name)
    return store.query(query.text, query.bindings(params))


def rows(result: Result) -> list[tuple[str | None, ...]]:
    """Rows as plain strings (lexical forms, full IRIs), in the query's order."""
    return [tuple(None if t is None else str(t) for t in row) for row in result.rows]


@pytest.fixture(scope="module", params=["as committed", "with one more accord"])
def register(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The committed graph, then a copy grown by one valid accord through `accords add`: the
    competency tests run on both, since adding an accord must leave each accord's answers
    unchanged."""
    if request.param == "as committed":
        return Store.load()
    return grown_store(tmp_path_factory.mktemp("grown"))


@pytest.fixture(scope="session")
def store() -> Store:
    """The dataset with the committed territorial layer (the default), loaded once."""
    return Store.load()


@pytest.fixture(scope="session")
def curated() -> Store:
    """The ontology and the curated data alone (``--territories none``), loaded once."""
    return Store.load(territories="none")


@pytest.fixture(scope="session")
def press_release() -> str:
    """The text of S1, or a skip saying why it is not there."""
    if not PRESS_RELEASE.is_file():
        pytest.skip(f"the primary source is not here: {PRESS_RELEASE} (../shared/sources absent)")
    return PRESS_RELEASE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory, store: Store) -> Path:
    """The site of the dataset (default territorial layer), built once."""
    from accords_kg.web.site import build

    return build(store, tmp_path_factory.mktemp("site") / "site").out


@pytest.fixture(scope="session")
def served(store: Store, site_dir: Path) -> Iterator[Running]:
    """`accords serve` (Oxigraph behind the pages' front) with the dataset and its site."""
    with running(store, port=0, site=site_dir) as server:
        yield server
