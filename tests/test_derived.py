"""The figures the territorial layer derives: written right by the generator, recomputed by
whole-graph validation, refused in an entry (:mod:`accords_kg.graph.figures`,
:mod:`accords_kg.validation.derived`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from accords_kg.graph import territories
from accords_kg.graph.figures import epci_reach, unit_figures
from accords_kg.graph.store import Store
from accords_kg.resources import GRAPH_BASE
from accords_kg.validation import derived
from accords_kg.validation.validate import validate

ID = "https://w3id.org/accords-kg/id/"
ACC = "https://w3id.org/accords-kg/ontology#"
LAYER = "territories/2023"

#: A small vintage graph (fictional units): région 99 with two communes (populations 40 and
#: 60, one in département 98), EPCI 1 with both, EPCI 2 and 3 with none there.
LAYER_TTL = """
@base <https://w3id.org/accords-kg/id/> .
@prefix acc: <https://w3id.org/accords-kg/ontology#> .
@prefix igeo: <http://rdf.insee.fr/def/geo#> .
@prefix org: <http://www.w3.org/ns/org#> .
<region/99> a acc:Region ; acc:communeCount %(count)s ; acc:communesPopulation 100 .
<departement/98> a acc:Departement ; acc:communeCount 1 ; acc:communesPopulation 40 .
<commune/98001> a acc:Commune ; acc:municipalPopulation 40 ; org:memberOf <epci/1> ;
    igeo:subdivisionDe <departement/98> , <region/99> .
<commune/98002> a acc:Commune ; acc:municipalPopulation 60 ; org:memberOf <epci/%(epci)s> ;
    igeo:subdivisionDe <region/99> .
<epci/1> a acc:EPCI ; acc:hasMemberIn <departement/98> , <region/99> .
<epci/2> a acc:EPCI ; acc:hasMemberIn %(reach2)s .
<epci/3> a acc:EPCI .
"""


def _layer(**changes: str) -> Store:
    values = {"count": "2", "epci": "1", "reach2": "<region/42>"} | changes
    store = Store()
    graph = Graph().parse(data=LAYER_TTL % values, format="turtle")
    store.add_graph(graph, GRAPH_BASE + LAYER)
    return store


def _found(store: Store) -> list[tuple[str, str, str]]:
    return [
        (f.focusNode.removeprefix(ID), f.path.removeprefix(ACC), f.value.removeprefix(ID))
        for f in derived.layer_figures(store)
    ]


def test_a_wrong_count_and_a_link_to_a_unit_without_figures_are_reported() -> None:
    assert _found(_layer(count="3")) == [
        ("epci/2", "hasMemberIn", "region/42"),  # région 42 has no figures in the graph
        ("region/99", "communeCount", "3"),
    ]


def test_a_missing_and_a_stray_link_are_reported() -> None:
    """Commune 98002 moved to EPCI 3: EPCI 3 lacks its link, and région 99 is stated for
    EPCI 1 still, which has a member there (98001): only EPCI 3 is wrong."""
    assert _found(_layer(epci="3", reach2="<departement/98>")) == [
        ("epci/2", "hasMemberIn", "departement/98"),
        ("epci/3", "hasMemberIn", "region/99"),
    ]


def test_a_figure_that_is_not_an_integer_or_a_second_one_is_reported() -> None:
    assert _found(_layer(count='"2"')) == [
        ("epci/2", "hasMemberIn", "region/42"),
        ("region/99", "communeCount", "2"),
    ]
    found = _found(_layer(count="2 , 5", reach2="<region/99>"))
    assert found == [("epci/2", "hasMemberIn", "region/99"), ("region/99", "communeCount", "5")]


def test_each_message_says_what_the_graph_holds_in_both_languages() -> None:
    (finding,) = [f for f in derived.layer_figures(_layer(count="3")) if "region" in f.focusNode]
    assert dict(finding.messages) == {
        "en": "In the graph territories/2023, 2 communes lie in it, not 3. Rebuild the layer "
        "(`accords territories build`).",
        "fr": "Dans le graphe territories/2023, 2 communes s'y trouvent, et non 3. "
        "Reconstruisez la couche (`accords territories build`).",
    }


def test_the_committed_layer_has_right_figures(store: Store) -> None:
    assert derived.layer_figures(store) == []
    bethune = store.query(
        "PREFIX acc: <https://w3id.org/accords-kg/ontology#>\n"
        "SELECT ?unit WHERE { <https://w3id.org/accords-kg/id/epci/200072460> "
        "acc:hasMemberIn ?unit }"
    )
    assert {str(r[0]).removeprefix(ID) for r in bethune.rows} == {"region/32", "departement/62"}


def test_the_generator_counts_each_commune_once_in_its_région_and_département() -> None:
    communes = [
        {"code": "98001", "region": "99", "departement": "98", "population": 40},
        {"code": "98002", "region": "99", "departement": "97", "population": 60},
        {"code": "11001", "region": "11", "departement": "75"},  # no population given
    ]
    assert unit_figures(communes, {"99"}) == {
        "region/99": (2, 100),
        "departement/98": (1, 40),
        "departement/97": (1, 60),
    }
    assert unit_figures(communes)["region/11"] == (1, 0)
    epci = [
        {"code": "1", "membres": [{"code": "98001"}, {"code": "11001"}]},
        {"code": "2", "membres": [{"code": "99999"}]},  # a member the layer does not write
    ]
    assert epci_reach(epci, communes, {"99"}) == {"1": ["departement/98", "region/99"]}
    assert epci_reach(epci, communes)["1"] == [
        "departement/75", "departement/98", "region/11", "region/99"
    ]  # fmt: skip


ENTRY = """
@base <https://w3id.org/accords-kg/id/> .
@prefix acc: <https://w3id.org/accords-kg/ontology#> .
<region/32> acc:communeCount 4000 .
<epci/200072460> acc:hasMemberIn <region/27> .
"""


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_entry_may_not_state_a_computed_figure(
    tmp_path: Path, curated: Store, lang: str
) -> None:
    path = tmp_path / "entry.ttl"
    path.write_text(ENTRY, encoding="utf-8")
    report = validate([path], store=curated, lang=lang)
    found = sorted(
        (f.focusNode.removeprefix(ID), f.path.removeprefix(ACC), f.value.removeprefix(ID))
        for f in report.results
        if f.shape.endswith("#ComputedTermCheck")
    )
    assert found == [
        ("epci/200072460", "hasMemberIn", "region/27"),
        ("region/32", "communeCount", "4000"),
    ]
    assert report.conforms is False
    word = "calculé" if lang == "fr" else "computed"
    assert all(word in f.message for f in report.results if "Computed" in f.shape)


def test_the_layer_file_states_the_figures_it_was_built_with() -> None:
    """The committed région file's EPCI link to the région: the generator wrote them."""
    text = (territories.committed_dir() / "2023" / "region-32.ttl").read_text(encoding="utf-8")
    block = text[text.index("<epci/200072460> a acc:EPCI ;") :].split("\n\n", 1)[0]
    assert "acc:hasMemberIn <departement/62> ;" in block
    assert "acc:hasMemberIn <region/32> ;" in block
