"""The new-entry template: unusable until filled in, valid once filled in, caught when wrong."""

from __future__ import annotations

import re
from pathlib import Path

from accords_kg.cli import main
from accords_kg.store import Store
from accords_kg.validate import validate
from conftest import ROOT

TEMPLATE = ROOT / "templates" / "new-accord.ttl"

#: Fictional values, as a contributor would type them (never added to data/).
FILLED = {
    "SOURCE_KEY": "exemple-communique",
    "SOURCE_DESCRIPTION": "Communiqué fictif servant d'exemple",
    "SOURCE_URL": "https://example.org/communique-fictif",
    "ACCORD_KEY": "exemple-accord-2099",
    "ACCORD_TITLE": "Accord fictif pour la réindustrialisation",
    "TERRITORY": "region/32",
    "PARTY_1": "region/32",
    "PARTY_2": "org/intercommunalites-de-france",
    "COMMUNE_CODE": "62119",
    "DATE": "2099-01-02",
    "PERSON_1_KEY": "personne-exemple-un",
    "PERSON_1_NAME": "Personne Exemple Un",
    "OFFICE_1_KEY": "fonction-exemple-un",
    "OFFICE_1_TITLE": "Fonction fictive un",
    "PERSON_2_KEY": "personne-exemple-deux",
    "PERSON_2_NAME": "Personne Exemple Deux",
    "OFFICE_2_KEY": "fonction-exemple-deux",
    "OFFICE_2_TITLE": "Fonction fictive deux",
}


def fill(values: dict[str, str]) -> str:
    text = TEMPLATE.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert set(re.findall(r"@@(\w+)@@", body)) == set(values)
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    return text


def test_unfilled_template_is_rejected(capsys) -> None:
    assert main(["validate", str(TEMPLATE), "--lang", "en", "--territories", "none"]) == 1
    out = capsys.readouterr().out
    assert "schema:startDate = @@DATE@@" in out and "DOES NOT CONFORM" in out


def test_filled_template_validates_with_no_finding(tmp_path: Path, curated: Store) -> None:
    entry = tmp_path / "entry.ttl"
    entry.write_text(fill(FILLED), encoding="utf-8")
    report = validate([entry], store=curated)
    assert report.conforms, report.to_text()
    assert report.results == []


def test_filled_template_with_a_party_that_did_not_sign_for_its_office_fails(
    tmp_path: Path, curated: Store
) -> None:
    """Party 2's signatory holding an office of party 1 breaks the capacity rule."""
    text = (
        fill(FILLED)
        .replace("org:postIn <org/intercommunalites-de-france>", "org:postIn <region/32>")
        .replace(
            "org:organization <org/intercommunalites-de-france>", "org:organization <region/32>"
        )
    )
    entry = tmp_path / "entry.ttl"
    entry.write_text(text, encoding="utf-8")
    report = validate([entry], store=curated)
    assert not report.conforms
    focus = "https://w3id.org/accords-kg/id/signature/exemple-accord-2099-personne-exemple-deux"
    assert {(r.focusNode, r.shape.rsplit("#", 1)[1]) for r in report.violations} == {
        (focus, "CapacityPartyRule")
    }
