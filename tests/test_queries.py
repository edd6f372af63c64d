"""Competency questions: every saved query against the exact rows it gives for the first
accord, the Déclaration de Béthune (S1 to S4). Each test keeps the rows of that accord (by
parameter, or by its IRI, date or event), so that the register can grow; the module runs
on the committed graph and on a copy grown by one more accord (tests/test_register.py has
the accords that followed)."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from accords_kg.errors import UsageError
from accords_kg.graph.store import Store
from accords_kg.sparql import saved
from conftest import rows, run

ID = "https://w3id.org/accords-kg/id/"
ACCORD = ID + "accord/declaration-de-bethune-2023"
EVENT = ID + "event/signature-declaration-de-bethune-2023"
S1_URL = (
    "https://esteval.fr/article.35517.initiative-declaration-de-bethune-"
    "les-intercommunalites-et-la-region-des-hauts-de-france"
)
DATE = "2023-12-18"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
CA_BETHUNE = "CA de Béthune-Bruay, Artois-Lys Romane"
PRES_CA_BETHUNE = "Président de la communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane"
PRES_IDF = "Président d'Intercommunalités de France"
PRES_REGION = "Président du conseil régional des Hauts-de-France"
PRES_CHALON = "Président de la communauté d'agglomération Le Grand Chalon"
VP_IDF = "Vice-président d'Intercommunalités de France"
IDF = "Intercommunalités de France"


@pytest.fixture(scope="module")
def store(register: Store) -> Store:
    """Each test runs on the committed graph and on one grown by an accord (conftest)."""
    return register


def test_catalogue_lists_every_required_query() -> None:
    names = set(saved.catalogue())
    assert {
        "who-signed",
        "accords",
        "signatory-mandates",
        "speakers",
        "quotes",
        "person",
        "organisations",
        "office-holders",
        "provenance",
    } <= names
    for query in saved.catalogue().values():
        assert query.summary, f"{query.name} has no #+ summary"


def test_who_signed(store: Store) -> None:
    result = run(store, "who-signed", accord=ACCORD)
    assert result.variables == [
        "accord", "date", "place", "placeCode", "signatory", "capacity", "party", "inferred"
    ]  # fmt: skip
    dbb = "Déclaration de Béthune"
    assert rows(result) == [
        (dbb, DATE, "Béthune", "62119", "Olivier Gacquerre", PRES_CA_BETHUNE, CA_BETHUNE,
         "false"),
        (dbb, DATE, "Béthune", "62119", "Sébastien Martin", PRES_IDF, IDF, "false"),
        (dbb, DATE, "Béthune", "62119", "Xavier Bertrand", PRES_REGION, "Hauts-de-France",
         "false"),
    ]  # fmt: skip
    assert result.rows[0][1] == Literal(DATE, datatype=XSD_DATE)


def test_who_signed_filtered_by_accord(store: Store) -> None:
    assert len(run(store, "who-signed", accord=ACCORD).rows) == 3
    assert run(store, "who-signed", accord=ID + "accord/unknown").rows == []


def test_accords(store: Store) -> None:
    result = run(store, "accords")
    assert [r for r in rows(result) if r[0] == ACCORD] == [
        (ACCORD, "Déclaration de Béthune", DATE, "Béthune", "Hauts-de-France", "3", "false"),
    ]


def test_signatory_mandates(store: Store) -> None:
    assert rows(run(store, "signatory-mandates", accord=ACCORD)) == [
        (ACCORD, DATE, "Olivier Gacquerre", PRES_CA_BETHUNE, CA_BETHUNE),
        (ACCORD, DATE, "Olivier Gacquerre", VP_IDF, IDF),
        (ACCORD, DATE, "Sébastien Martin", PRES_IDF, IDF),
        (ACCORD, DATE, "Sébastien Martin", PRES_CHALON, "CA Le Grand Chalon"),
        (ACCORD, DATE, "Xavier Bertrand", PRES_REGION, "Hauts-de-France"),
    ]


def test_speakers(store: Store) -> None:
    result = run(store, "speakers", event=EVENT)
    assert {r for r in rows(result)} == {
        (EVENT, DATE, "Antoine Cumin", "Directeur général de Mov’n Tec", "false"),
        (
            EVENT,
            DATE,
            "Jean-François Montagne",
            "Vice-président de la communauté urbaine de Dunkerque",
            "false",
        ),
        (EVENT, DATE, "Sylvie Valente Le Hir", "Sénateur de l'Oise", "false"),
        (EVENT, DATE, "Yann Vincent", "Directeur général d'ACC", "false"),
        (EVENT, DATE, "Sébastien Martin", None, "true"),
    }
    assert len(result.rows) == 5
    assert rows(result)[-1][2] == "Sébastien Martin"  # closing remarks come last


def test_quotes_keep_the_unattributed_quotation_unattributed(store: Store) -> None:
    result = rows(run(store, "quotes"))
    bethune = [r for r in result if r[0].startswith(ID + "quotation/declaration-de-bethune-2023-")]
    # the first quotation cites S1, and S7's note on it (see test_register)
    first, second = [r for r in bethune if r[4] == S1_URL]
    assert first[0] == ID + "quotation/declaration-de-bethune-2023-1"
    assert first[1].startswith("Cet accord traduit la volonté de la région")
    assert first[2:] == (None, None, S1_URL)
    assert second == (
        ID + "quotation/declaration-de-bethune-2023-2",
        "cette initiative pionnière en Hauts-de-France pourrait bien intéresser d’autres régions.",
        "Sébastien Martin",
        EVENT,
        S1_URL,
    )


def test_person_by_name(store: Store) -> None:
    result = run(store, "person", name="Xavier Bertrand")
    person = ID + "person/xavier-bertrand"
    assert [r for r in rows(result) if r[5] == DATE] == [
        (
            person,
            "Xavier Bertrand",
            "http://www.w3.org/ns/org#member",
            ID + "mandate/xavier-bertrand-president-region-hauts-de-france",
            PRES_REGION,
            DATE,
        ),
        (
            person,
            "Xavier Bertrand",
            "https://w3id.org/accords-kg/ontology#signatory",
            ID + "signature/declaration-de-bethune-2023-xavier-bertrand",
            "Déclaration de Béthune",
            DATE,
        ),
    ]


def test_person_by_iri_gives_the_same_as_by_name(store: Store) -> None:
    by_iri = run(store, "person", person=ID + "person/sebastien-martin")
    by_name = run(store, "person", name="Sébastien Martin")
    assert by_iri.rows == by_name.rows
    relations = sorted(str(r[2]) for r in by_iri.rows if str(r[5]) == DATE)
    # two mandates, the closing quotation, one signature, the closing speech
    assert relations == [
        "http://www.w3.org/ns/org#member",
        "http://www.w3.org/ns/org#member",
        "https://schema.org/creator",
        "https://w3id.org/accords-kg/ontology#signatory",
        "https://w3id.org/accords-kg/ontology#speaker",
    ]


def test_person_everyone(store: Store) -> None:
    """Without a parameter, every person of the Béthune ceremony is there."""
    result = rows(run(store, "person"))
    on_the_day = {r[1] for r in result if r[5] == DATE}
    assert on_the_day == {
        "Antoine Cumin", "Jean-François Montagne", "Olivier Gacquerre", "Sébastien Martin",
        "Sylvie Valente Le Hir", "Xavier Bertrand", "Yann Vincent",
    }  # fmt: skip
    assert len([r for r in result if r[5] == DATE]) == 18


def test_organisations(store: Store) -> None:
    result = {r[0].removeprefix(ID): r[1:] for r in rows(run(store, "organisations"))}
    epci = "établissement public de coopération intercommunale"
    assert (
        result.items()
        >= {
            "org/senat": ("Sénat", "assemblée", None, None, None),
            "org/intercommunalites-de-france": (IDF, "association", None, None, None),
            "commune/62119": ("Béthune", "commune", "62119", "216209106", None),
            "departement/60": ("Oise", "département", "60", None, None),
            "org/acc": ("ACC", "entreprise", None, None, None),
            "org/movn-tec": ("Mov’n Tec", "entreprise", None, None, None),
            "org/banque-des-territoires": (
                "Banque des Territoires",
                "organisation",
                None,
                None,
                None,
            ),
            "org/envies-de-ville": ("Envies de ville", "organisation", None, None, None),
            "org/la-gazette-nord-pas-de-calais": (
                "La Gazette Nord-Pas de Calais",
                "organisation",
                None,
                None,
                None,
            ),
            "region/32": ("Hauts-de-France", "région", "32", None, None),
            "epci/247100589": (
                "CA Le Grand Chalon",
                epci,
                None,
                "247100589",
                "communauté d'agglomération",
            ),
            "epci/200072460": (CA_BETHUNE, epci, None, "200072460", "communauté d'agglomération"),
            "epci/245900428": ("CU de Dunkerque", epci, None, "245900428", "communauté urbaine"),
        }.items()
    )


def test_office_holders(store: Store) -> None:
    result = [r for r in rows(run(store, "office-holders")) if r[3] == DATE]
    assert [(r[0], r[2], r[3], r[4], r[5]) for r in result] == [
        ("Directeur général d'ACC", "Yann Vincent", DATE, None, None),
        (PRES_CHALON, "Sébastien Martin", DATE, None, None),
        (PRES_CA_BETHUNE, "Olivier Gacquerre", DATE, None, None),
        (
            "Vice-président de la communauté urbaine de Dunkerque",
            "Jean-François Montagne",
            DATE,
            None,
            None,
        ),
        (PRES_REGION, "Xavier Bertrand", DATE, None, None),
        (PRES_IDF, "Sébastien Martin", DATE, None, None),
        (VP_IDF, "Olivier Gacquerre", DATE, None, None),
        ("Directeur général de Mov’n Tec", "Antoine Cumin", DATE, None, None),
        ("Sénateur de l'Oise", "Sylvie Valente Le Hir", DATE, None, None),
    ]
    one = rows(run(store, "office-holders", office=ID + "office/senateur-oise"))
    assert one == [("Sénateur de l'Oise", "Sénat", "Sylvie Valente Le Hir", DATE, None, None)]


S1 = "communique-declaration-de-bethune"
S2 = "banque-des-territoires-accord-hauts-de-france"
S3 = "gazette-nord-pas-de-calais-renouveau-productif"
S4 = "envies-de-ville-reindustrialisation-territoires"
S5 = "banque-des-territoires-convention-grand-est-pompey"
S7 = "macommune-info-pacte-bourgogne-franche-comte"
S8 = "regions-de-france-bourgogne-franche-comte"
S10 = "journal-du-palais-bfc-desindustrialisation"
SIGNED = "ont signé à Béthune"


def test_provenance_of_the_accord(store: Store) -> None:
    """Every statement about the accord, its source, and S1's evidence; no other source
    carries an excerpt (the project holds only S1's text)."""
    result = run(store, "provenance")  # default: the Déclaration de Béthune
    found = [
        (
            str(r[0]).removeprefix(ID),
            str(r[1]).removeprefix(ID + "source/"),
            None if r[3] is None else str(r[3]),
        )
        for r in result.rows
    ]
    accord, event = "accord/declaration-de-bethune-2023", EVENT.removeprefix(ID)
    signature = "signature/declaration-de-bethune-2023-"
    assert found == [
        (accord, S2, None),
        (accord, S1, "la première déclaration commune région-intercos pour la "
                     "réindustrialisation des territoires"),
        (accord, S1, "la volonté de la région de travailler avec toutes les "
                     "intercommunalités des Hauts-de-France"),
        (accord, S4, None),
        (accord, S3, None),
        (event, S2, None),
        (event, S5, None),
        (event, S1, "Le 18 décembre"),
        (event, S1, SIGNED),
        (event, S1, "signé devant plus de cent élus et chefs d’entreprises, cadres "
                    "territoriaux et industriels"),
        (event, S4, None),
        (event, S3, None),
        ("quotation/declaration-de-bethune-2023-1", S1,
         "Cet accord traduit la volonté de la région"),
        ("quotation/declaration-de-bethune-2023-1", S7, None),
        (signature + "olivier-gacquerre", S2, None),
        (signature + "olivier-gacquerre", S1,
         "Olivier Gacquerre, président de la communauté d'Agglomération Béthune-Bruay Artois "
         "Lys Romane et vice-président d’Intercommunalités de France, ont signé à Béthune"),
        (signature + "sebastien-martin", S2, None),
        (signature + "sebastien-martin", S1,
         "Sébastien Martin, président d’Intercommunalités de France"),
        (signature + "sebastien-martin", S1, SIGNED),
        (signature + "xavier-bertrand", S2, None),
        (signature + "xavier-bertrand", S1, "Xavier Bertrand, président des Hauts-de-France"),
        (signature + "xavier-bertrand", S1, SIGNED),
    ]  # fmt: skip


def test_provenance_of_a_mandate_from_a_secondary_source(store: Store) -> None:
    mandate = ID + "mandate/sebastien-martin-president-ca-le-grand-chalon"
    result = rows(run(store, "provenance", resource=mandate))
    assert sorted((r[1].removeprefix(ID), r[3]) for r in result if r[0] == mandate) == [
        ("source/banque-des-territoires-accord-hauts-de-france", None),
        ("source/envies-de-ville-reindustrialisation-territoires", None),
        ("source/" + S10, None),  # S7, S8 and S10 attest it again on 15 May 2024
        ("source/" + S7, None),
        ("source/" + S8, None),
    ]


def test_parameters_are_typed_terms_not_text(store: Store) -> None:
    hostile = 'x" } ; ?s ?p ?o . FILTER("1"="1'
    assert run(store, "person", name=hostile).rows == []
    query = saved.get("provenance")
    assert query.bindings({})["__resource_iri"] == URIRef(ACCORD)


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [
        ("who-signed", {"accord": "declaration de bethune"}, "absolute IRI"),
        ("who-signed", {"accord": "https://exa mple.org/x"}, "absolute IRI"),
        ("who-signed", {"nope": "1"}, "unknown parameter"),
        ("nope", {}, "unknown query"),
    ],
)
def test_bad_parameters_are_usage_errors(name: str, params: dict[str, str], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        saved.get(name).bindings(params)


def test_missing_required_parameter(tmp_path) -> None:
    path = tmp_path / "needs-name.rq"
    path.write_text("#+ summary: test\nSELECT ?s WHERE { ?s ?p ?_name }\n", encoding="utf-8")
    query = saved.parse_query_file(path)
    assert [p.name for p in query.params] == ["name"]
    with pytest.raises(UsageError, match="missing parameter"):
        query.bindings({})


def test_typed_literal_parameter(tmp_path) -> None:
    path = tmp_path / "by-date.rq"
    path.write_text(
        "#+ summary: test\n"
        "PREFIX schema: <https://schema.org/>\n"
        "SELECT ?e WHERE { ?e schema:startDate ?_day_xsd_date }\n",
        encoding="utf-8",
    )
    query = saved.parse_query_file(path)
    assert query.bindings({"day": DATE}) == {"_day_xsd_date": Literal(DATE, datatype=XSD_DATE)}
    with pytest.raises(UsageError, match="xsd:date"):
        query.bindings({"day": "18 décembre"})
