"""Faults: processes killed at any moment, builds abandoned in the cache, a release with no
date to give it. Whatever dies, ``data/`` validates and holds each entry whole or not at
all, and the cache keeps no half-built store."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from accords_kg.cli import main
from accords_kg.files import hold
from accords_kg.graph import territories
from accords_kg.graph.store import Store
from accords_kg.validation.validate import validate
from conftest import copy_project
from test_add import ID, entry, people

FIXTURE = Path(__file__).parent / "fixtures" / "etalab-mini"

#: ``territories build`` of vintage 2023 from the small Etalab fixture (no network).
TERRITORIES_BUILD = """
import json, sys
from pathlib import Path
from accords_kg.graph import territories
fixture, root = Path(sys.argv[1]), Path(sys.argv[2])
files = {n: json.loads((fixture / f"{n}.json").read_text(encoding="utf-8"))
         for n in territories.PACKAGE_FILES}
territories.build(vintage="2023", root=root, files={"2023": files})
"""
#: A store build of the committed territorial layer (the longest build of a small project).
STORE_BUILD = """
import sys
from pathlib import Path
from accords_kg.graph.store import Store
Store.load(Path(sys.argv[1]), territories="committed")
"""


def mini() -> dict[str, list[dict]]:
    return {
        name: json.loads((FIXTURE / f"{name}.json").read_text(encoding="utf-8"))
        for name in territories.PACKAGE_FILES
    }


def leftovers(cache: Path) -> list[str]:
    """What builds left in the cache's store folder: folders being built and their locks."""
    stores = cache / "stores"
    if not stores.is_dir():
        return []
    return sorted(p.name for p in stores.iterdir() if p.name.endswith((".building", ".lock")))


def start(kind: str, n: int, root: Path, folder: Path, env: dict[str, str]) -> subprocess.Popen:
    """One of the three commands that write: an add, a territorial build, a store build."""
    if kind == "add":
        args = ["-m", "accords_kg.cli", "add", str(entry(folder, n)), "--territories", "none"]
    elif kind == "territories":
        args = ["-c", TERRITORIES_BUILD, str(FIXTURE), str(root)]
    else:  # a new input, so that the store is built anew
        ontology = sorted((root / "ontology").glob("*.ttl"))[0]
        with ontology.open("a", encoding="utf-8") as handle:
            handle.write(f"# build {n}\n")
        args = ["-c", STORE_BUILD, str(root)]
    return subprocess.Popen(
        [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


#: How long each command runs, about: kills fall anywhere from start-up to the end.
HORIZON = {"add": 2.5, "territories": 0.5, "store": 4.0}


@pytest.mark.parametrize(
    "kills", [pytest.param(12, id="12 kills"), pytest.param(50, id="50", marks=pytest.mark.slow)]
)
def test_random_kills_leave_data_whole_and_no_half_built_store(kills: int, tmp_path: Path) -> None:
    """SIGKILL at random moments, in turn, an ``add``, a ``territories build`` and a store
    build, until each was killed ``kills / 3`` times before it finished: ``data/`` then
    validates, holds each entry whole or not at all, each territorial
    file as it was or as built, and the cache no folder being built nor its lock."""
    root = copy_project(tmp_path)
    cache = tmp_path / "cache"
    env = {**os.environ, "ACCORDS_KG_HOME": str(root), "ACCORDS_KG_CACHE": str(cache)}
    layer = root / "data" / "territories" / "2023"
    built = {p.name: p.read_bytes() for p in territories.build(
        vintage="2023", out=tmp_path / "mini", root=root, files={"2023": mini()}
    )}  # fmt: skip
    original = {p.name: p.read_bytes() for p in layer.glob("*.ttl")}
    rng = random.Random(20231218)
    killed: Counter[str] = Counter()  # processes killed before they finished
    added: dict[int, int] = {}
    for n in range(4 * kills):  # until each command was killed kills/3 times
        short = [k for k in HORIZON if killed[k] < kills // 3]
        if not short:
            break
        kind = short[n % len(short)]
        process = start(kind, n, root, tmp_path, env)
        time.sleep(rng.uniform(0.0, HORIZON[kind]))
        process.send_signal(signal.SIGKILL)
        code = process.wait(timeout=120)
        killed[kind] += code == -signal.SIGKILL
        if kind == "add":
            added[n] = code
    assert all(killed[k] >= kills // 3 for k in HORIZON), killed

    os.environ["ACCORDS_KG_CACHE"], saved = str(cache), os.environ["ACCORDS_KG_CACHE"]
    try:
        store = Store.load(root, territories="none")  # recovers an add, sweeps dead builds
    finally:
        os.environ["ACCORDS_KG_CACHE"] = saved
    assert leftovers(cache) == []
    report = validate([], store=store)
    assert report.conforms, report.to_text()
    names = people(root)
    for n, code in added.items():
        here = f"Personne Exemple {n}" in names
        mandate = store.holds((URIRef(f"{ID}mandate/exemple-{n}"), None, None))
        source = store.holds((URIRef(f"{ID}source/exemple-{n}"), None, None))
        assert here == mandate == source, f"entry {n} half-written"
        assert here or code != 0, f"entry {n}: add reported success but is missing"
    for path in sorted(layer.glob("*.ttl")):
        assert path.read_bytes() in (original.get(path.name), built[path.name]), path.name
        Graph().parse(path, format="turtle")


# ---------------------------------------------------------------------------
# Abandoned builds: swept once their builder is dead, never while it works
# ---------------------------------------------------------------------------


def test_builds_whose_builder_died_are_swept_and_live_ones_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    stores = cache / "stores"
    stores.mkdir(parents=True)
    monkeypatch.setenv("ACCORDS_KG_CACHE", str(cache))

    def build(name: str, lock: bool = True, age: float = 0.0) -> Path:
        folder = stores / f".{name}.building"
        (folder / "db").mkdir(parents=True)
        (folder / "db" / "data").write_bytes(b"\0" * 1024)
        if lock:
            (stores / f".{name}.lock").touch()
        when = time.time() - age
        os.utime(folder, (when, when))
        return folder

    dead = build("a" * 32 + ".111")
    working = build("b" * 32 + ".222")
    held = hold(stores / f".{'b' * 32}.222.lock")  # a builder at work holds its lock
    legacy = build("c" * 32 + ".333", lock=False, age=7200)  # an older version's, long dead
    recent = build("d" * 32 + ".444", lock=False)  # an older version's, maybe at work
    orphan = stores / f".{'e' * 32}.555.lock"  # killed before its folder was made
    orphan.touch()
    try:
        Store.load(territories="none")
        assert not dead.exists() and not legacy.exists() and not orphan.exists()
        assert working.is_dir() and recent.is_dir()
        assert (stores / f".{'b' * 32}.222.lock").exists()
    finally:
        os.close(held)  # the builder dies: its lock file stays, held by no one
    Store.load(territories="none")
    assert leftovers(cache) == [recent.name] and not working.exists()


# ---------------------------------------------------------------------------
# A release's date: given, or known, never 1970-01-01 by default
# ---------------------------------------------------------------------------


def test_a_release_without_a_known_date_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Files that are no git checkout (a ``pip install .``): no date, no release; with
    ``--date`` the release carries that date."""
    root = copy_project(tmp_path)
    monkeypatch.setenv("ACCORDS_KG_HOME", str(root))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    out = tmp_path / "dist"
    assert main(["release", "--out", str(out), "--territories", "none"]) == 2
    err = capsys.readouterr().err
    assert "no release date" in err and "--date" in err
    assert not out.exists()
    assert (
        main(["release", "--out", str(out), "--territories", "none", "--date", "2024-05-15"]) == 0
    )
    void = Graph().parse(out / "void.ttl", format="turtle")
    issued = void.value(URIRef("https://w3id.org/accords-kg/dataset"),
                        URIRef("http://purl.org/dc/terms/issued"))  # fmt: skip
    assert str(issued) == "2024-05-15"


def test_a_copy_inside_another_repository_takes_no_date_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed copy inside some repository (a virtualenv in a checkout): that
    repository's last commit is not the release's date."""
    from accords_kg.errors import UsageError
    from accords_kg.publishing.release import release_date

    root = copy_project(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    git = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=git)
    (tmp_path / "x").write_text("x\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "x"], check=True, env=git)
    subprocess.run(["git", "-C", str(tmp_path), "commit", "-qm", "x"], check=True, env=git)
    with pytest.raises(UsageError, match="no release date"):
        release_date(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1715731200")
    assert release_date(root).isoformat() == "2024-05-15"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError, match="not a Unix time"):
        release_date(root)
