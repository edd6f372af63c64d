"""The mistakes a curator can make on the real data, one at a time, are each caught.

Each case mutates the curated data (the Déclaration de Béthune and its neighbours) the way a
slip in an entry would — a signature deleted or doubled, a code that disagrees with its IRI,
a date in the future, a title only in English… — and validates the change as
``accords validate`` / ``accords add --replace`` do (:func:`validate_entry` with the removed
triples). The report must hold the finding that names the mistake: its focus node, path,
shape and severity. Other findings may come with it (a date moved in the future also leaves
the mandates unattested that day): the case asserts its own. The review that found these
mistakes (issue #13) saw each of them conform; the last test checks that the unmutated
data still gives no finding at all through the same path.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from rdflib import Graph, URIRef

from accords_kg.graph.store import Store
from accords_kg.namespaces import PREFIXES
from accords_kg.validation.checks import sources_folder
from accords_kg.validation.report import Report
from accords_kg.validation.validate import validate_entry

ID = "https://w3id.org/accords-kg/id/"
SHP = "https://w3id.org/accords-kg/shapes#"
HEADER = f"@base <{ID}> .\n" + "".join(f"@prefix {p}: <{n}> .\n" for p, n in PREFIXES.items())

ACCORD = "accord/declaration-de-bethune-2023"
BERTRAND = "signature/declaration-de-bethune-2023-xavier-bertrand"
EVENT = "event/signature-declaration-de-bethune-2023"
S1 = "source/communique-declaration-de-bethune"


class Mutation(NamedTuple):
    """Triples taken out (patterns: ``None`` matches anything), triples put in (Turtle), and
    the finding expected: (focus, path, shape, severity), in short names."""

    remove: tuple[tuple[str | None, str | None, str | None], ...]
    add: str
    expect: tuple[str, str | None, str, str]


def _term(name: str | None) -> URIRef | None:
    if name is None:
        return None
    prefix, colon, local = name.partition(":")
    if colon and prefix in PREFIXES:
        return URIRef(PREFIXES[prefix] + local)
    return URIRef(ID + name)


MUTATIONS: dict[str, Mutation] = {
    "a party with no signature on its behalf (Bertrand's signature deleted)": Mutation(
        ((BERTRAND, None, None), (ACCORD, "acc:signature", BERTRAND)),
        "",
        (ACCORD, "acc:party", "PartySignedRule", "Violation"),
    ),
    "the same signature twice": Mutation(
        (),
        f"""<{ACCORD}> acc:signature <{BERTRAND}-bis> .
        <{BERTRAND}-bis> a acc:Signature ;
            acc:evidence "Xavier Bertrand, président des Hauts-de-France"@fr ;
            acc:inCapacityOf <mandate/xavier-bertrand-president-region-hauts-de-france> ;
            acc:signatory <person/xavier-bertrand> ;
            opengov:onBehalfOf <region/32> ;
            prov:wasDerivedFrom <{S1}> .""",
        (ACCORD, "acc:signature", "DuplicateSignatureRule", "Violation"),
    ),
    "commune/X with igeo:codeINSEE Y": Mutation(
        (("commune/62119", "igeo:codeINSEE", None),),
        '<commune/62119> igeo:codeINSEE "62120" .',
        ("commune/62119", "igeo:codeINSEE", "CodeIriRule", "Violation"),
    ),
    "epci/X with SIREN Y": Mutation(
        (("epci/200072460", "acc:siren", None),),
        '<epci/200072460> acc:siren "200072452" .',  # a valid Luhn key, another number
        ("epci/200072460", "acc:siren", "CodeIriRule", "Violation"),
    ),
    "one code on two nodes": Mutation(
        (("departement/60", "igeo:codeINSEE", None),),
        '<departement/60> igeo:codeINSEE "62" .',
        ("departement/62", "igeo:codeINSEE", "UniqueCodeRule", "Violation"),
    ),
    "a date in the future": Mutation(
        ((EVENT, "schema:startDate", None),),
        f'<{EVENT}> schema:startDate "2999-12-18"^^xsd:date .',
        (EVENT, "schema:startDate", "FutureDateRule", "Violation"),
    ),
    "a date after the citing source's dcterms:issued": Mutation(
        (),
        # S5, the only source of Boris Ravignon's mandate, said published before the day
        "<source/banque-des-territoires-convention-grand-est-pompey> "
        'dcterms:issued "2025-07-01"^^xsd:date .',
        (
            "mandate/boris-ravignon-president-ca-ardenne-metropole",
            "acc:attestedOn",
            "DateAfterSourcesRule",
            "Violation",
        ),
    ),
    "a mandate attested outside its own validity, still counted in force": Mutation(
        (),
        "<mandate/xavier-bertrand-president-region-hauts-de-france> "
        'schema:validUntil "2023-06-30"^^xsd:date .',
        (BERTRAND, "acc:inCapacityOf", "CapacityInForceRule", "Violation"),
    ),
    "the mandate's own dates contradict each other": Mutation(
        (),
        "<mandate/xavier-bertrand-president-region-hauts-de-france> "
        'schema:validUntil "2023-06-30"^^xsd:date .',
        (
            "mandate/xavier-bertrand-president-region-hauts-de-france",
            "acc:attestedOn",
            "MandateAttestedWithinValidityRule",
            "Violation",
        ),
    ),
    "an accord title only in English": Mutation(
        ((ACCORD, "dcterms:title", None),),
        f'<{ACCORD}> dcterms:title "Joint region-intercommunalities declaration"@en .',
        (ACCORD, "dcterms:title", "AccordShape", "Violation"),
    ),
    "evidence in a language the source is not written in": Mutation(
        (),
        f'<{EVENT}> acc:evidence "ont signé à Béthune"@en .',
        (EVENT, "acc:evidence", "EvidenceLanguageRule", "Violation"),
    ),
    "a quotation whose creator is not a speaker of its event": Mutation(
        (("quotation/declaration-de-bethune-2023-2", "schema:creator", None),),
        "<quotation/declaration-de-bethune-2023-2> schema:creator <person/xavier-bertrand> .",
        (
            "quotation/declaration-de-bethune-2023-2",
            "schema:creator",
            "QuotationSpeakerRule",
            "Violation",
        ),
    ),
    "two closing speeches at one event": Mutation(
        (),
        "<intervention/declaration-de-bethune-2023-antoine-cumin> acc:closingRemarks true .",
        (EVENT, "acc:intervention", "SingleClosingRule", "Violation"),
    ),
    "a senator's office without a constituency": Mutation(
        (("office/senateur-oise", "acc:constituency", None),),
        "",
        ("office/senateur-oise", "acc:constituency", "SenatorConstituencyRule", "Warning"),
    ),
    "a ceremony outside every territory the accord concerns": Mutation(
        ((EVENT, "schema:location", None),),
        f"<{EVENT}> schema:location <commune/39198> .",
        (EVENT, "schema:location", "CeremonyInTerritoryRule", "Warning"),
    ),
    "a node both a person and an organisation": Mutation(
        (),
        "<person/xavier-bertrand> a org:Organization .",
        ("person/xavier-bertrand", None, "PersonNotOrganizationShape", "Violation"),
    ),
    "a commune in no EPCI": Mutation(
        (("commune/62119", "org:memberOf", None),),
        "",
        ("commune/62119", "org:memberOf", "CommuneShape", "Warning"),
    ),
    "a signature without acc:inCapacityOf": Mutation(
        ((BERTRAND, "acc:inCapacityOf", None),),
        "",
        (BERTRAND, "acc:inCapacityOf", "SignatureShape", "Violation"),
    ),
    "an office citing S1 without an excerpt": Mutation(
        (("office/senateur-oise", "acc:evidence", None),),
        "",
        ("office/senateur-oise", "prov:wasDerivedFrom", "EvidenceRule", "Violation"),
    ),
    "a person citing S1 without an excerpt": Mutation(
        (("person/xavier-bertrand", "acc:evidence", None),),
        "",
        ("person/xavier-bertrand", "prov:wasDerivedFrom", "EvidenceRule", "Violation"),
    ),
    "an organisation citing S1 without an excerpt": Mutation(
        (("org/senat", "acc:evidence", None),),
        "",
        ("org/senat", "prov:wasDerivedFrom", "EvidenceRule", "Violation"),
    ),
    "an inferred statement citing S1 without an excerpt": Mutation(
        (),
        f"<inference/signature-declaration-de-pompey-date> prov:wasDerivedFrom <{S1}> .",
        (
            "inference/signature-declaration-de-pompey-date",
            "prov:wasDerivedFrom",
            "EvidenceRule",
            "Violation",
        ),
    ),
    "a gender no source gives": Mutation(
        (),
        '<person/xavier-bertrand> foaf:gender "male" .',
        ("person/xavier-bertrand", "foaf:gender", "GenderSourcedRule", "Violation"),
    ),
}

#: The checks that read the held source texts (skipped where the texts are not at hand).
HELD_TEXTS: dict[str, Mutation] = {
    "an excerpt not in the source's text": Mutation(
        (),
        f'<{EVENT}> acc:evidence "ont signé à Arras"@fr .',
        (EVENT, "acc:evidence", "VerbatimEvidenceCheck", "Violation"),
    ),
    "a checksum that is not the held text's": Mutation(
        ((S1, "acc:sha256", None),),
        f'<{S1}> acc:sha256 "{"0" * 64}" .',
        (S1, "acc:sha256", "ChecksumCheck", "Violation"),
    ),
}


def _mutate(store: Store, data: Graph, mutation: Mutation) -> Report:
    removed = [
        triple
        for s, p, o in mutation.remove
        for triple in data.triples((_term(s), _term(p), _term(o)))
    ]
    assert removed or not mutation.remove, "the mutation removes nothing: the data moved"
    added = Graph().parse(data=HEADER + mutation.add, format="turtle")
    return validate_entry(store, added, removed=removed)


def _keys(report: Report) -> set[tuple[str, str | None, str, str]]:
    return {(f.focusNode, f.path, f.shape, f.severity) for f in report.results}


def _expected(expect: tuple[str, str | None, str, str]) -> tuple[str, str | None, str, str]:
    focus, path, shape, severity = expect
    return (str(_term(focus)), None if path is None else str(_term(path)), SHP + shape, severity)


@pytest.fixture(scope="module")
def curated_data(curated: Store) -> Graph:
    return curated.union()


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_each_mistake_is_caught(name: str, curated: Store, curated_data: Graph) -> None:
    mutation = MUTATIONS[name]
    report = _mutate(curated, curated_data, mutation)
    assert _expected(mutation.expect) in _keys(report), report.to_text()
    if mutation.expect[3] == "Violation":
        assert not report.conforms


@pytest.mark.parametrize("name", list(HELD_TEXTS))
def test_each_mistake_on_a_held_text_is_caught(
    name: str, curated: Store, curated_data: Graph
) -> None:
    if sources_folder() is None:
        pytest.skip("the stored source texts (shared/sources) are not at hand")
    mutation = HELD_TEXTS[name]
    report = _mutate(curated, curated_data, mutation)
    assert _expected(mutation.expect) in _keys(report), report.to_text()


def test_a_ceremony_outside_the_territorial_vintages_is_caught(store: Store) -> None:
    """A ceremony moved to 2019, a year no loaded vintage of the territorial layer has: the
    accord's territories are not those of its year (the vintage check, with the layer)."""
    data = Graph()
    data += store.union().triples((_term(EVENT), _term("schema:startDate"), None))
    mutation = Mutation(
        ((EVENT, "schema:startDate", None),),
        f'<{EVENT}> schema:startDate "2019-12-18"^^xsd:date .',
        (ACCORD, "acc:concerns", "VintageCoverageCheck", "Violation"),
    )
    report = _mutate(store, data, mutation)
    assert _expected(mutation.expect) in _keys(report), report.to_text()


def test_the_unmutated_data_gives_no_finding(curated: Store) -> None:
    """Through the same path, restating the data changes nothing: the cases above fail for
    their mutation, not for the data."""
    report = validate_entry(curated, Graph())
    assert report.results == []
