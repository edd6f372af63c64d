"""Shared fixtures: the checkout's files, the loaded dataset, the stored sources.

Tests read the graph from this checkout (``ACCORDS_KG_HOME``), so that an edit to
``data/`` is tested without reinstalling; the packaging test checks the installed wheel.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ["ACCORDS_KG_HOME"] = str(ROOT)

#: ../shared/sources beside the checkout (CI lays shared/ next to the clone).
SOURCES = ROOT.parent / "shared" / "sources"
PRESS_RELEASE = SOURCES / "communique-declaration-de-bethune.txt"

from accords_kg.store import Store  # noqa: E402  (after ACCORDS_KG_HOME is set)


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
