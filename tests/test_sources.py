"""The data is true to its sources: excerpts verbatim, checksums right, provenance everywhere."""

from __future__ import annotations

import hashlib

from rdflib import RDF, URIRef

from accords_kg.graph.store import Store
from conftest import PRESS_RELEASE

ACC = "https://w3id.org/accords-kg/ontology#"
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
SCHEMA_TEXT = URIRef("https://schema.org/text")
S1 = URIRef("https://w3id.org/accords-kg/id/source/communique-declaration-de-bethune")
STATEMENT_CLASSES = [
    URIRef(ACC + name)
    for name in (
        "Accord",
        "InferredStatement",
        "Intervention",
        "Mandate",
        "Presence",
        "Signature",
        "SigningCeremony",
    )
] + [URIRef("https://schema.org/Quotation")]


def test_every_evidence_excerpt_is_verbatim_in_the_press_release(
    store: Store, press_release: str
) -> None:
    excerpts = list(store.dataset.subject_objects(URIRef(ACC + "evidence")))
    assert len(excerpts) >= 20
    missing = [(str(s), str(o)) for s, o in excerpts if str(o) not in press_release]
    assert missing == []


def test_every_quotation_is_verbatim_in_the_press_release(store: Store, press_release: str) -> None:
    """S1's two quotations (those of S5 to S10 are checked against SOURCES.md: test_register)."""
    texts = [
        str(o)
        for s, o in store.dataset.subject_objects(SCHEMA_TEXT)
        if (s, PROV_DERIVED, S1) in store.dataset
    ]
    assert len(texts) == 2
    for text in texts:
        assert f"« {text} »" in press_release


def test_stored_checksum_matches_the_stored_text(store: Store, press_release: str) -> None:
    digest = hashlib.sha256(PRESS_RELEASE.read_bytes()).hexdigest()
    assert str(store.dataset.value(S1, URIRef(ACC + "sha256"))) == digest


def test_every_statement_node_cites_a_source(store: Store) -> None:
    statements = {s for cls in STATEMENT_CLASSES for s in store.dataset.subjects(RDF.type, cls)}
    assert {type(s).__name__ for s in statements} == {"URIRef"}
    unsourced = [str(s) for s in statements if store.dataset.value(s, PROV_DERIVED) is None]
    assert unsourced == []


def test_every_person_and_organisation_cites_a_source(store: Store) -> None:
    query = """
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?node WHERE {
          ?node a ?class .
          VALUES ?class {
            <http://www.w3.org/ns/person#Person> <http://www.w3.org/ns/org#Organization>
            <https://w3id.org/accords-kg/ontology#Region>
            <https://w3id.org/accords-kg/ontology#Departement>
            <https://w3id.org/accords-kg/ontology#Commune>
            <https://w3id.org/accords-kg/ontology#EPCI>
            <https://w3id.org/accords-kg/ontology#Association>
            <https://w3id.org/accords-kg/ontology#Company>
            <https://w3id.org/accords-kg/ontology#Assembly>
            <https://w3id.org/accords-kg/ontology#Office>
          }
          FILTER NOT EXISTS { ?node prov:wasDerivedFrom ?source }
        }"""
    assert store.query(query).rows == []


def test_no_gender_or_birth_date_is_stated(store: Store) -> None:
    """No source gives a gender or a birth date: the graph must say none."""
    forbidden = [
        "http://xmlns.com/foaf/0.1/gender",
        "https://schema.org/gender",
        "https://schema.org/birthDate",
        "http://xmlns.com/foaf/0.1/birthday",
    ]
    for predicate in forbidden:
        assert list(store.dataset.triples((None, URIRef(predicate), None))) == []


def test_the_first_quotation_has_no_speaker_and_the_feminine_form_is_recorded(
    store: Store,
) -> None:
    q1 = URIRef("https://w3id.org/accords-kg/id/quotation/declaration-de-bethune-2023-1")
    assert store.dataset.value(q1, URIRef("https://schema.org/creator")) is None
    montagne = URIRef(
        "https://w3id.org/accords-kg/id/mandate/jean-francois-montagne-vice-president-cu-dunkerque"
    )
    notes: dict[str, str] = {}
    for note in store.dataset.objects(
        montagne, URIRef("http://www.w3.org/2004/02/skos/core#editorialNote")
    ):
        notes[note.language] = notes.get(note.language, "") + " " + str(note)
    assert "vice-présidente" in notes["fr"] and "vice-présidente" in notes["en"]


def test_official_codes_match_the_release_each_unit_cites(curated: Store) -> None:
    """Every territorial unit of the curated data has the code and name that the Etalab
    release it cites (its vintage) gives it, read from that release's own files."""
    from accords_kg.graph import territories

    query = """
        PREFIX acc: <https://w3id.org/accords-kg/ontology#>
        PREFIX igeo: <http://rdf.insee.fr/def/geo#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?unit ?code ?name ?vintage WHERE {
          { ?unit igeo:codeINSEE ?code } UNION { ?unit a acc:EPCI ; acc:siren ?code }
          ?unit skos:prefLabel ?name ;
            prov:wasDerivedFrom/acc:vintage ?vintage .
        } ORDER BY ?unit ?vintage"""
    found = curated.query(query).rows
    units = {str(u).rsplit("/id/", 1)[1] for u, *_ in found}
    assert {"region/32", "region/27", "region/44", "commune/39198", "commune/54430"} <= units
    files: dict[str, dict[str, list[dict]]] = {}
    for unit, code, name, vintage in found:
        key, _, iri_code = str(unit).rsplit("/id/", 1)[1].partition("/")
        assert iri_code == str(code), f"{unit}: the IRI's code differs from {code}"
        if str(vintage) not in files:
            release = territories.release(str(vintage))
            files[str(vintage)] = territories.read_tarball(territories.fetch(release))
        kind = {"region": "regions", "departement": "departements", "commune": "communes",
                "epci": "epci"}[key]  # fmt: skip
        official = {u["code"]: u["nom"] for u in files[str(vintage)][kind]}
        assert official.get(str(code)) == str(name), f"{unit} in the {vintage} release"


def test_an_entry_quoting_words_the_source_does_not_have_is_rejected(
    curated: Store, press_release: str, tmp_path
) -> None:
    from accords_kg.validation.validate import validate

    entry = tmp_path / "entry.ttl"
    entry.write_text(
        "<https://w3id.org/accords-kg/id/mandate/xavier-bertrand-president-region-hauts-de-france>"
        ' <https://w3id.org/accords-kg/ontology#evidence> "Le 1er mars, à Lens"@fr .\n',
        encoding="utf-8",
    )
    report = validate([entry], store=curated)
    assert [(r.path, r.value, r.shape.rsplit("#", 1)[1]) for r in report.violations] == [
        (ACC + "evidence", "Le 1er mars, à Lens", "VerbatimEvidenceCheck")
    ]
    entry.write_text(entry.read_text().replace("Le 1er mars, à Lens", "Le 18 décembre"))
    assert validate([entry], store=curated).conforms
