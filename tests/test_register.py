"""The register: each accord's own rows, as S1 to S10 state them.

Every test here filters the answers down to one accord (by parameter or by the accord's IRI)
and runs twice: on the graph as committed, and on a copy of it to which `accords add` has
added one more valid accord. Adding an accord must leave every accord's answers unchanged.
"""

from __future__ import annotations

import re

import pytest
from rdflib import URIRef

from accords_kg.graph.store import Store
from conftest import SOURCES, rows, run

ID = "https://w3id.org/accords-kg/id/"
BETHUNE = ID + "accord/declaration-de-bethune-2023"
DOLE = ID + "accord/declaration-de-dole-2024"
POMPEY = ID + "accord/declaration-de-pompey"
POMPEY_EVENT = ID + "event/signature-declaration-de-pompey"
IDF = "Intercommunalités de France"
PRES_IDF = "Président d'Intercommunalités de France"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
SOURCES_MD = SOURCES / "SOURCES.md"


@pytest.fixture(scope="module")
def store(register: Store) -> Store:
    """Each test runs on the committed graph and on one grown by an accord (conftest)."""
    return register


# ---------------------------------------------------------------------------
# Who signed what, where and when
# ---------------------------------------------------------------------------

BFC = "Bourgogne-Franche-Comté"


@pytest.mark.parametrize(
    ("accord", "expected"),
    [
        (
            DOLE,
            [
                ("Déclaration commune pour la réindustrialisation", "2024-05-15", "Dole",
                 "39198", "Marie-Guite Dufay",
                 "Président du conseil régional de Bourgogne-Franche-Comté", BFC, "false"),
                ("Déclaration commune pour la réindustrialisation", "2024-05-15", "Dole",
                 "39198", "Sébastien Martin", PRES_IDF, IDF, "false"),
            ],
        ),
        (
            POMPEY,
            [
                ("Déclaration commune région-intercos pour la réindustrialisation des "
                 "territoires", "2025-07-17", "Pompey", "54430", "Franck Leroy",
                 "Président du conseil régional du Grand Est", "Grand Est", "true"),
                ("Déclaration commune région-intercos pour la réindustrialisation des "
                 "territoires", "2025-07-17", "Pompey", "54430", "Sébastien Martin", PRES_IDF,
                 IDF, "true"),
            ],
        ),
    ],
)  # fmt: skip
def test_who_signed_each_accord(store: Store, accord: str, expected: list[tuple]) -> None:
    result = run(store, "who-signed", accord=accord)
    assert rows(result) == expected
    assert result.rows[0][1].datatype == XSD_DATE


def test_who_signed_lists_the_three_accords_in_date_order(store: Store) -> None:
    """The accords of S1 to S10 come in the order they were signed, among any others."""
    dates = [str(r[1]) for r in run(store, "who-signed").rows]
    assert dates == sorted(dates)
    ours = [d for d in dates if d in ("2023-12-18", "2024-05-15", "2025-07-17")]
    assert ours == ["2023-12-18"] * 3 + ["2024-05-15"] * 2 + ["2025-07-17"] * 2


def test_accords_register(store: Store) -> None:
    result = run(store, "accords")
    assert result.variables == [
        "accord", "name", "date", "place", "region", "signatories", "inferred"
    ]  # fmt: skip
    ours = [r for r in rows(result) if r[0] in (BETHUNE, DOLE, POMPEY)]
    assert ours == [
        (BETHUNE, "Déclaration de Béthune", "2023-12-18", "Béthune", "Hauts-de-France", "3",
         "false"),
        (DOLE, "Déclaration commune pour la réindustrialisation", "2024-05-15", "Dole", BFC,
         "2", "false"),
        (POMPEY, "Déclaration commune région-intercos pour la réindustrialisation des "
         "territoires", "2025-07-17", "Pompey", "Grand Est", "2", "true"),
    ]  # fmt: skip
    dates = [r[2] for r in rows(result) if r[2] is not None]
    assert dates == sorted(dates)


def test_sebastien_martin_signed_all_three(store: Store) -> None:
    result = rows(run(store, "person", name="Sébastien Martin"))
    signed = [(r[3], r[5]) for r in result if r[2].endswith("#signatory")]
    assert {
        (ID + "signature/declaration-de-bethune-2023-sebastien-martin", "2023-12-18"),
        (ID + "signature/declaration-de-dole-2024-sebastien-martin", "2024-05-15"),
        (ID + "signature/declaration-de-pompey-sebastien-martin", "2025-07-17"),
    } <= set(signed)
    attested = {
        r[5]
        for r in result
        if r[3] == ID + "mandate/sebastien-martin-president-intercommunalites-de-france"
    }
    assert {"2023-12-18", "2024-05-15", "2025-07-17"} <= attested


def test_people_present_are_not_speakers(store: Store) -> None:
    for name, event in [
        (
            "Claire Bourgeois-République",
            "Signature à Dole de la déclaration commune régions-intercos",
        ),
        ("Laurent Trogrlic", "Signature à Pompey de la déclaration commune région-intercos"),
        ("Boris Ravignon", "Signature à Pompey de la déclaration commune région-intercos"),
    ]:
        relations = {(r[2], r[4]) for r in rows(run(store, "person", name=name))}
        assert ("https://w3id.org/accords-kg/ontology#attendee", event) in relations
        assert not any(r.endswith("#speaker") or r.endswith("#signatory") for r, _ in relations)


def test_capacities_of_the_people_present(store: Store) -> None:
    holders = {(r[0], r[2], r[3]) for r in rows(run(store, "office-holders")) if r[3] is not None}
    assert {
        ("2e vice-président de la communauté d'agglomération du Grand Dole, en charge des "
         "affaires économiques", "Claire Bourgeois-République", "2024-05-15"),
        ("Président de la communauté de communes du Bassin de Pompey", "Laurent Trogrlic",
         "2025-07-17"),
        ("Président de la communauté d'agglomération Ardenne Métropole", "Boris Ravignon",
         "2025-07-17"),
    } <= holders  # fmt: skip


# ---------------------------------------------------------------------------
# What is inferred says so; what no source says is absent
# ---------------------------------------------------------------------------


def test_pompey_year_is_marked_inferred(store: Store) -> None:
    marks = rows(run(store, "inferred"))
    ceremony = [r for r in marks if r[0] == POMPEY_EVENT]
    assert {(r[1], r[2]) for r in ceremony} == {("https://schema.org/startDate", "2025-07-17")}
    assert all("fin 2024" in r[3] and "fin 2024" in r[4] for r in ceremony)
    # every statement in the graph that uses the year 2025 for Pompey carries a mark
    marked = {(r[0], r[1], r[2]) for r in marks}
    dated = store.query(
        """PREFIX acc: <https://w3id.org/accords-kg/ontology#>
        PREFIX schema: <https://schema.org/>
        SELECT ?s ?p ?o WHERE {
          VALUES ?p { schema:startDate acc:attestedOn }
          ?s ?p ?o . FILTER (?o = "2025-07-17"^^<http://www.w3.org/2001/XMLSchema#date>)
        }"""
    )
    assert dated.rows
    for s, p, o in rows(dated):
        assert (s, p, o) in marked, f"{s} {p} {o} uses the inferred year without its mark"


def test_no_accord_of_s1_to_s10_names_an_epci_as_party_but_bethune(store: Store) -> None:
    parties = store.query(
        "PREFIX acc: <https://w3id.org/accords-kg/ontology#>\n"
        "SELECT ?accord ?party WHERE { ?accord acc:party ?party }"
    )
    got = {(str(a), str(p).removeprefix(ID)) for a, p in parties.rows}
    assert {(a, p) for a, p in got if a == DOLE} == {
        (DOLE, "org/intercommunalites-de-france"),
        (DOLE, "region/27"),
    }
    assert {(a, p) for a, p in got if a == POMPEY} == {
        (POMPEY, "org/intercommunalites-de-france"),
        (POMPEY, "region/44"),
    }


def test_bethune_quotation_stays_unattributed_with_s7_note(store: Store) -> None:
    quotation = URIRef(ID + "quotation/declaration-de-bethune-2023-1")
    graph = store.union()
    assert graph.value(quotation, URIRef("https://schema.org/creator")) is None
    notes = {
        str(n)
        for n in graph.objects(
            quotation, URIRef("http://www.w3.org/2004/02/skos/core#editorialNote")
        )
    }
    assert any("S7" in n and "Dole" in n for n in notes)


def test_dole_passage_is_part_of_the_accord_not_a_person(store: Store) -> None:
    result = [r for r in rows(run(store, "quotes")) if "declaration-de-dole-2024-1" in r[0]]
    assert result and all(r[2] is None and r[3] == DOLE for r in result)


def test_regions_that_signed_and_those_that_did_not(store: Store) -> None:
    """Each région's first signing date (later accords cannot change it); the régions no
    accord names have signed nothing."""
    result = {r[1]: r for r in rows(run(store, "regions"))}
    first = {code: (r[2], r[4], r[5]) for code, r in result.items()}
    assert first["32"] == ("Hauts-de-France", "2023-12-18", "true")
    assert first["27"] == (BFC, "2024-05-15", "true")
    assert first["44"] == ("Grand Est", "2025-07-17", "true")
    assert len(result) == 18  # every région of France, from the territorial layer
    unsigned = [r for r in result.values() if r[3] == "0"]
    assert unsigned and all(r[4:] == (None, "false") for r in unsigned)
    signed = [r[4] for r in rows(run(store, "regions")) if r[5] == "true"]
    assert signed == sorted(signed)


# ---------------------------------------------------------------------------
# Each quotation of S5 to S10 is copied as SOURCES.md prints it
# ---------------------------------------------------------------------------


def test_quotations_from_s5_to_s10_match_sources_md(store: Store) -> None:
    if not SOURCES_MD.is_file():
        pytest.skip(f"{SOURCES_MD} is not here (../shared/sources absent)")
    printed = " ".join(SOURCES_MD.read_text(encoding="utf-8").split())
    quoted = {" ".join(q.split()).strip() for q in re.findall(r"«\s*(.*?)\s*»", printed)}
    sources: dict[str, set[str]] = {}
    text_of: dict[str, str] = {}
    for quotation, text, _speaker, _part, source in rows(run(store, "quotes")):
        sources.setdefault(quotation, set()).add(source)
        text_of[quotation] = text
    s1 = "https://esteval.fr/"
    texts = [
        text_of[q]
        for q, urls in sources.items()
        if not any(u.startswith((s1, "https://example.org/")) for u in urls)
    ]
    assert len(texts) >= 3
    for text in texts:
        assert any(text.strip() == q or text.strip() in q for q in quoted), text


def test_new_sources_are_cited_by_address(store: Store) -> None:
    graph = store.union()
    schema_url = URIRef("https://schema.org/url")
    identifier = URIRef("http://purl.org/dc/terms/identifier")
    urls = {
        str(graph.value(s, schema_url)): str(graph.value(s, identifier))
        for s in graph.subjects(identifier, None)
    }
    if SOURCES_MD.is_file():
        text = SOURCES_MD.read_text(encoding="utf-8")
        for n in range(5, 11):
            section = text.split(f"### S{n} ")[1].split("###")[0]
            url = re.search(r"https://\S+", section).group(0)
            assert urls.get(url) == f"S{n}", f"S{n}: {url}"


def test_entries_quote_no_held_text_they_do_not_hold(store: Store) -> None:
    """S5 to S10 are cited by address: the project holds no text of theirs to quote from."""
    evidence = store.query(
        "PREFIX acc: <https://w3id.org/accords-kg/ontology#>\n"
        "PREFIX prov: <http://www.w3.org/ns/prov#>\n"
        "SELECT ?s ?e WHERE {\n"
        "  ?s acc:evidence ?e FILTER NOT EXISTS { ?s prov:wasDerivedFrom/acc:sha256 ?c }\n"
        "}"
    )
    assert evidence.rows == []


def test_an_accord_its_vintage_does_not_cover_is_refused_saying_what_to_do(tmp_path) -> None:
    """The fictional entry moved to 2024, when the committed layer holds région 32 only in
    2023: its coverage would read as nothing, so validation says to commit the région."""
    from accords_kg.validation.validate import validate
    from conftest import ROOT

    good = ROOT / "tests" / "entries" / "good" / "complete-accord.ttl"
    moved = tmp_path / "moved.ttl"
    moved.write_text(good.read_text(encoding="utf-8").replace("2023-11-", "2024-01-"), "utf-8")
    assert validate([good], store=Store.load()).conforms
    report = validate([moved], store=Store.load())
    found = {(r.focusNode, r.value, r.shape.rsplit("#")[-1]) for r in report.violations}
    assert found == {
        (ID + "accord/exemple-accord", ID + unit, "VintageCoverageCheck")
        for unit in ("commune/62119", "region/32")
    }
    assert all("committed.json" in r.message for r in report.violations)
