"""The new-entry template: unusable until filled in, valid once filled in, caught when wrong."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from accords_kg.cli import main
from accords_kg.graph.store import Store
from accords_kg.validation import checks
from accords_kg.validation.validate import validate
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
    "DATE": "2023-01-02",  # a past day: a date in the future is a mistake (FutureDateRule)
    "PERSON_1_KEY": "personne-exemple-un",
    "PERSON_1_NAME": "Personne Exemple Un",
    "OFFICE_1_KEY": "fonction-exemple-un",
    "OFFICE_1_TITLE": "Fonction fictive un",
    "PERSON_2_KEY": "personne-exemple-deux",
    "PERSON_2_NAME": "Personne Exemple Deux",
    "OFFICE_2_KEY": "fonction-exemple-deux",
    "OFFICE_2_TITLE": "Fonction fictive deux",
}


def placeholders_of_template() -> set[str]:
    """The placeholders of the template's Turtle (not of its comments)."""
    text = TEMPLATE.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return set(re.findall(r"@@(\w+)@@", body))


def fill(values: dict[str, str], keep: Iterable[str] = ()) -> str:
    """The template with ``values`` in place of its placeholders; those in ``keep`` stay."""
    assert placeholders_of_template() == set(values) | set(keep)
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in values.items():
        if key not in keep:
            text = text.replace(f"@@{key}@@", value)
    return text


#: A contributor who stopped half-way: every value typed in but a name and an address.
HALF_FILLED = ("PERSON_1_NAME", "SOURCE_URL")


def test_unfilled_template_is_rejected(capsys) -> None:
    assert main(["validate", str(TEMPLATE), "--lang", "en", "--territories", "none"]) == 1
    out = capsys.readouterr().out
    assert "schema:startDate = @@DATE@@" in out and "DOES NOT CONFORM" in out


PLACEHOLDER_CHECK = "https://w3id.org/accords-kg/shapes#PlaceholderCheck"
ID = "https://w3id.org/accords-kg/id/"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
SCHEMA_URL = "https://schema.org/url"


def named(message: str) -> set[str]:
    """The placeholder names a message gives."""
    return set(re.findall(r"@@(\w+)@@", message))


def test_unfilled_template_names_every_placeholder(capsys) -> None:
    """``accords validate`` of the template: a Violation for every placeholder, named."""
    args = ["validate", str(TEMPLATE), "--territories", "none", "--format", "json"]
    assert main(args) == 1
    results = json.loads(capsys.readouterr().out)["results"]
    left = [r for r in results if r["shape"] == PLACEHOLDER_CHECK]
    assert all(r["severity"] == "Violation" for r in left)
    assert set().union(*(named(r["message"]) for r in left)) == placeholders_of_template()
    found = {(r["focusNode"], r["path"], r["value"]) for r in left}
    source, person = ID + "source/@@SOURCE_KEY@@", ID + "person/@@PERSON_1_KEY@@"
    assert {
        (source, None, source),  # the subject itself
        (source, SCHEMA_URL, ID + "@@SOURCE_URL@@"),  # <@@SOURCE_URL@@>, relative to @base
        (person, FOAF_NAME, "@@PERSON_1_NAME@@"),  # a literal
    } <= found
    assert main(["validate", str(TEMPLATE), "--territories", "none", "--lang", "fr"]) == 1
    out = capsys.readouterr().out
    assert "Espace réservé du modèle non rempli : @@SOURCE_URL@@." in out
    assert "Espace réservé du modèle non rempli : @@ACCORD_KEY@@, @@PERSON_1_KEY@@." in out


def test_half_filled_template_fails_on_its_placeholders_alone(
    tmp_path: Path, curated: Store
) -> None:
    """What is left is all that is wrong: each placeholder, where it is, in both languages."""
    entry = tmp_path / "entry.ttl"
    entry.write_text(fill(FILLED, keep=HALF_FILLED), encoding="utf-8")
    report = validate([entry], store=curated)
    assert not report.conforms
    assert {(r.focusNode, r.path, r.value, r.shape) for r in report.results} == {
        (ID + "person/personne-exemple-un", FOAF_NAME, "@@PERSON_1_NAME@@", PLACEHOLDER_CHECK),
        (ID + "source/exemple-communique", SCHEMA_URL, ID + "@@SOURCE_URL@@", PLACEHOLDER_CHECK),
    }
    for finding in report.results:
        left = {finding.value.rsplit("/", 1)[-1].strip("@")}  # PERSON_1_NAME, SOURCE_URL
        assert named(finding.in_language("en")) == named(finding.in_language("fr")) == left
        assert finding.in_language("fr") != finding.in_language("en")


def test_an_email_address_is_not_a_placeholder(tmp_path: Path, curated: Store) -> None:
    values = {**FILLED, "SOURCE_DESCRIPTION": "Communiqué fictif (contact : presse@example.org)"}
    entry = tmp_path / "entry.ttl"
    entry.write_text(fill(values), encoding="utf-8")
    report = validate([entry], store=curated)
    assert report.conforms and report.results == [], report.to_text()


def test_placeholders_are_found_in_every_term_once_parsed() -> None:
    """Subject, predicate, object, datatype; relative, escaped and percent-encoded IRIs."""
    entry = Graph().parse(
        format="turtle",
        publicID="file:///tmp/entry.ttl",
        data=f"""@base <{ID}> .
@prefix role: <https://w3id.org/accords-kg/role/> .
<person/@@KEY@@> <@@PREDICATE@@> "Écrire à presse@example.org, @ bientôt" .
<org/a> <https://example.org/p> role:\\@\\@ROLE\\@\\@ ,
    <https://example.org/%40%40ENCODED%40%40> ,
    "2099-01-01"^^<@@DATATYPE@@> ,
    "un @@ seul, puis un autre @@" ,
    "aucun@@@" .
""",
    )
    found = {
        (f.focusNode, f.path, f.value, frozenset(named(f.message)))
        for f in checks.placeholders(entry)
    }
    person, org, p = ID + "person/@@KEY@@", ID + "org/a", "https://example.org/p"
    assert found == {
        (person, None, person, frozenset({"KEY"})),
        (person, ID + "@@PREDICATE@@", ID + "@@PREDICATE@@", frozenset({"PREDICATE"})),
        (org, p, "https://w3id.org/accords-kg/role/@@ROLE@@", frozenset({"ROLE"})),
        (org, p, "https://example.org/%40%40ENCODED%40%40", frozenset({"ENCODED"})),
        (org, p, "2099-01-01", frozenset({"DATATYPE"})),
    }


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
