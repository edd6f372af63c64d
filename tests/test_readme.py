"""The README's commands are the real ones and its sample output is the real output."""

from __future__ import annotations

import re

from accords_kg.cli import main
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks() -> list[str]:
    return re.findall(r"```(?:sh|text)\n(.*?)```", README, re.DOTALL)


def test_ci_runs_the_readme_test_command() -> None:
    command = "pip install '.[test]' && pytest"
    assert command + "\n" in blocks()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == command
    assert "venv" in ci


def test_readme_first_command_output_is_real(capsys) -> None:
    """The rows the README shows are real, in the real order: the accords it shows keep their
    rows as the register grows (columns widen, other accords' rows come in between)."""
    assert blocks()[0] == "pip install . && accords query who-signed\n"
    assert main(["query", "who-signed"]) == 0
    real = [line.split() for line in capsys.readouterr().out.splitlines()]
    shown = [line.split() for line in blocks()[1].splitlines()]
    assert shown[0] == real[0] and len(shown) >= 9  # the header, the three accords' rows
    body = [row for row in real[2:-1] if row in shown[2:-1]]
    assert body == shown[2:-1]


def test_readme_validate_sample_is_real(capsys, tmp_path) -> None:
    """The bad entry the README shows gives exactly the report it shows."""
    sample = next(b for b in blocks() if b.startswith("$ accords validate entry.ttl"))
    entry = tmp_path / "entry.ttl"
    entry.write_text(
        "@base <https://w3id.org/accords-kg/id/> .\n"
        "@prefix acc: <https://w3id.org/accords-kg/ontology#> .\n"
        "@prefix opengov: <http://www.w3.org/ns/opengov#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "<signature/declaration-de-bethune-2023-yann-vincent> a acc:Signature ;\n"
        "    acc:signatory <person/yann-vincent> ;\n"
        "    acc:inCapacityOf <mandate/yann-vincent-directeur-general-acc> ;\n"
        "    opengov:onBehalfOf <org/acc> ;\n"
        "    prov:wasDerivedFrom <source/communique-declaration-de-bethune> .\n"
        "<accord/declaration-de-bethune-2023>\n"
        "    acc:signature <signature/declaration-de-bethune-2023-yann-vincent> .\n",
        encoding="utf-8",
    )
    assert main(["validate", str(entry), "--lang", "en"]) == 1
    assert sample.split("\n", 1)[1] == capsys.readouterr().out
