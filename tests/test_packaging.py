"""The wheel carries the graph, so `accords` works from any directory after `pip install .`."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_carries_ontology_data_shapes_queries_and_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("accords_kg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "data", "shapes", "queries", "templates"):
        expected = {
            f"accords_kg/share/{folder}/{p.name}"
            for p in (ROOT / folder).iterdir()
            if p.suffix in (".ttl", ".rq")
        }
        assert expected and expected <= names, folder
    assert any(n.endswith("entry_points.txt") for n in names)


def test_installed_command_answers_from_another_directory(tmp_path: Path) -> None:
    """The console script, run outside the checkout, finds the graph it was installed with."""
    command = Path(sys.executable).parent / "accords"
    assert command.exists(), "install the package first: pip install '.[test]'"
    env = {k: v for k, v in os.environ.items() if k != "ACCORDS_KG_HOME"}
    done = subprocess.run(
        [str(command), "query", "who-signed", "--format", "csv"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "accord,date,place,placeCode,signatory,capacity,party,inferred"
    assert len([line for line in lines if ",2023-12-18,Béthune,62119," in line]) == 3
