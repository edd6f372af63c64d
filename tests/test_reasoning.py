"""An OWL 2 RL closure of the ontology and the curated data gives no unintended type.

The model reuses vocabularies whose axioms draw types: ORG's ranges make whatever an office
is posted in an organisation, PROV's domains make whatever cites a source an entity, FOAF
keeps persons and organisations apart. A modelling slip (a property whose range does not
fit, a subclass axiom too wide) shows up as a type no resource of that kind should have: a
person that is an organisation, a commune that is a département or an arrondissement. The
closure (owlrl) runs on the ontology, the curated data (with the territorial units it
names, not the France-wide layer) and the axioms of the reused vocabularies
(tests/fixtures/vocabularies/axioms.ttl); each resource's types, by the kind its IRI names,
must be among those the model means it to have.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import OWL, RDF, BNode, Graph, URIRef
from rdflib.collection import Collection

from accords_kg.graph.load import parse_file
from accords_kg.graph.store import Store
from conftest import ROOT

ID = "https://w3id.org/accords-kg/id/"
ACC = "https://w3id.org/accords-kg/ontology#"
FOAF = "http://xmlns.com/foaf/0.1/"
IGEO = "http://rdf.insee.fr/def/geo#"
ORG = "http://www.w3.org/ns/org#"
PROV_ENTITY = "http://www.w3.org/ns/prov#Entity"
THING = str(OWL.Thing)


def _schema(*names: str) -> set[str]:
    """A schema.org class under both its https:// and its http:// IRI (the ontology says
    they are equivalent)."""
    return {f"{scheme}://schema.org/{n}" for n in names for scheme in ("https", "http")}


#: What every statement and described thing is: PROV's domain of prov:wasDerivedFrom.
COMMON = {PROV_ENTITY, THING}
AGENT = {f"{FOAF}Agent", f"{ORG}Organization"}
UNIT = AGENT | _schema("AdministrativeArea", "Place")
#: The types a resource may have, by the kind its IRI names (``id/<kind>/…``).
ALLOWED: dict[str, set[str]] = {
    "accord": {f"{ACC}Accord"} | _schema("CreativeWork"),
    "commune": {f"{ACC}Commune", f"{IGEO}Commune"} | UNIT,
    "departement": {f"{ACC}Departement", f"{IGEO}Departement"} | UNIT,
    "epci": {f"{ACC}EPCI", f"{IGEO}Intercommunalite"} | UNIT,
    "event": {f"{ACC}SigningCeremony"} | _schema("Event"),
    "inference": {f"{ACC}InferredStatement", str(RDF.Statement)},
    "intervention": {f"{ACC}Intervention"},
    "mandate": {f"{ACC}Mandate", f"{ORG}Membership"},
    "office": {f"{ACC}Office", f"{ORG}Post"},
    "org": {f"{ACC}Assembly", f"{ACC}Association", f"{ACC}Company"} | AGENT,
    "person": {"http://www.w3.org/ns/person#Person", f"{FOAF}Person", f"{FOAF}Agent"},
    "presence": {f"{ACC}Presence"},
    "quotation": _schema("Quotation", "CreativeWork"),
    "region": {f"{ACC}Region", f"{IGEO}Region"} | UNIT,
    "signature": {f"{ACC}Signature"},
    "source": {f"{ACC}Source"} | _schema("CreativeWork"),
    "source/sha256": {"http://spdx.org/rdf/terms#Checksum"},
}


def closure(extra: Iterable[tuple] = (), drop: Iterable[tuple] = ()) -> Graph:
    """The OWL 2 RL closure of the model and the curated data, with ``extra`` triples added
    and ``drop`` removed before the reasoner runs."""
    graph = Graph()
    files = sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "data").glob("*.ttl"))
    for path in [*files, Path(__file__).parent / "fixtures" / "vocabularies" / "axioms.ttl"]:
        graph += parse_file(path)
    for triple in extra:
        graph.add(triple)
    for triple in drop:
        graph.remove(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def unintended(graph: Graph) -> list[tuple[str, str]]:
    """(resource, type) for every type a resource of the register has and should not."""
    found = []
    for node, cls in graph.subject_objects(RDF.type):
        if not (isinstance(node, URIRef) and str(node).startswith(ID)):
            continue
        parts = str(node)[len(ID) :].split("/")
        kind = parts[0] if len(parts) < 3 else f"{parts[0]}/{parts[-1]}"  # source/…/sha256
        if str(cls) not in ALLOWED.get(kind, set()) | COMMON:
            found.append((str(node)[len(ID) :], str(cls)))
    return sorted(found)


@pytest.fixture(scope="module")
def closed() -> Graph:
    return closure()


def inconsistencies(graph: Graph) -> list[str]:
    """What the reasoner found contradictory (owlrl writes no ``owl:Nothing`` type: it adds
    an ``err:ErrorMessage`` node with its ``err:error`` text)."""
    return sorted(str(m) for m in graph.objects(None, ERRNS.error))


def test_the_closure_gives_no_unintended_type(closed: Graph) -> None:
    assert unintended(closed) == []
    assert inconsistencies(closed) == []


def test_the_closure_draws_what_the_model_means(closed: Graph) -> None:
    """The reasoner ran: a commune is a place (schema.org)."""
    bethune = URIRef(ID + "commune/62119")
    assert (bethune, RDF.type, URIRef("https://schema.org/Place")) in closed
    assert (bethune, RDF.type, URIRef("http://schema.org/Place")) in closed


def test_the_stated_hierarchy_is_what_the_reasoner_draws() -> None:
    """The data states igeo:subdivisionDe closed (every unit above: a commune's région, a
    département's région), so that queries reach them in one step. Those links are exactly
    what the reasoner draws without them: igeo:subdivisionDe is transitive, and a
    département's igeo:subdivisionDirecteDe is one."""
    data = Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        data += parse_file(path)
    region = URIRef(ACC + "Region")
    stated = {
        (unit, above_p, above)
        for unit, above_p, above in data.triples((None, URIRef(IGEO + "subdivisionDe"), None))
        if (above, RDF.type, region) in data
    }
    assert (
        URIRef(ID + "commune/62119"),
        URIRef(IGEO + "subdivisionDe"),
        URIRef(ID + "region/32"),
    ) in stated
    drawn = closure(drop=stated)
    assert {t for t in stated if t in drawn} == stated


def test_the_reasoner_draws_the_layers_member_links(store: Store) -> None:
    """``acc:hasMemberIn``, which the layer's generator writes for each EPCI, is what OWL
    draws from the chain ``org:hasMember`` then ``igeo:subdivisionDe`` (the ontology says so
    in a note: the axiom's RDF list would put blank nodes in the graph). Stated here, the
    chain draws from the curated data's communes only links the 2023 graph states, for the
    units with figures there. (The curated data holds a few communes of each EPCI, so the
    layer states more; whole-graph validation checks those against every commune.)"""
    member_in = URIRef(ACC + "hasMemberIn")
    chain = Graph()
    steps = BNode()
    Collection(chain, steps, [URIRef(ORG + "hasMember"), URIRef(IGEO + "subdivisionDe")])
    chain.add((member_in, OWL.propertyChainAxiom, steps))
    rows = store.query(
        f"""PREFIX acc: <{ACC}>
        SELECT ?epci ?unit WHERE {{ GRAPH <https://w3id.org/accords-kg/graph/territories/2023> {{
          ?epci acc:hasMemberIn ?unit }} }}"""
    ).rows
    stated = {(epci, unit) for epci, unit in rows}
    with_figures = {unit for _, unit in rows}
    closed = closure(extra=chain)
    drawn = {link for link in closed.subject_objects(member_in) if link[1] in with_figures}
    assert (URIRef(ID + "epci/200072460"), URIRef(ID + "region/32")) in drawn
    assert drawn <= stated


def test_a_slip_shows_as_an_unintended_type() -> None:
    """An office posted in a person (instead of an organisation) makes that person an
    organisation: the check names it."""
    slip = (
        URIRef(ID + "office/senateur-oise"),
        URIRef(ORG + "postIn"),
        URIRef(ID + "person/xavier-bertrand"),
    )
    closed = closure([slip])
    assert ("person/xavier-bertrand", f"{ORG}Organization") in unintended(closed)
    # and persons and organisations are disjoint: the reasoner reports the contradiction
    assert any("xavier-bertrand" in m for m in inconsistencies(closed))
