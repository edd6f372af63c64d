"""The official territorial layer: the converter, the committed vintages, the counts, the
links to the curated data, the saved queries over it (each accord read in the vintage of its
signing year), validation vintage by vintage, and the download's failure paths."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from accords_kg.graph import territories
from accords_kg.graph.store import Store
from accords_kg.resources import GRAPH_BASE, Layer
from accords_kg.sparql import saved
from accords_kg.validation.shacl import validate_graph
from accords_kg.validation.validate import shapes_for, snapshots, validate, validate_store
from conftest import ROOT

FIXTURE = Path(__file__).parent / "fixtures" / "etalab-mini"
ID = "https://w3id.org/accords-kg/id/"
ACCORD = ID + "accord/declaration-de-bethune-2023"
LAYERS = ROOT / "data" / "territories"
PLAN = territories.committed()  # data/territories/committed.json: vintage → région codes
PREFIXES = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
"""


def mini() -> dict[str, list[dict]]:
    return {
        name: json.loads((FIXTURE / f"{name}.json").read_text(encoding="utf-8"))
        for name in territories.PACKAGE_FILES
    }


def pinned(vintage: str) -> dict[str, list[dict]]:
    """A pinned release's files, from the cache or the npm registry (checked against the
    lock); a skip saying why when neither is at hand."""
    try:
        return territories.read_tarball(territories.fetch(territories.release(vintage)))
    except territories.NetworkError as exc:
        pytest.skip(f"the pinned {vintage} release is neither cached nor downloadable: {exc}")


@pytest.fixture(scope="module")
def releases() -> dict[str, dict[str, list[dict]]]:
    """The pinned release of every committed vintage (official files, never typed in)."""
    return {vintage: pinned(vintage) for vintage in PLAN}


@pytest.fixture(scope="module")
def release_files(releases) -> dict[str, list[dict]]:
    """The pinned 2023 release."""
    return releases["2023"]


def current(files: dict[str, list[dict]], regions: set[str]) -> list[dict]:
    """The current communes of ``regions`` in a release's own file."""
    return [
        c
        for c in files["communes"]
        if c["type"] == "commune-actuelle" and c.get("region") in regions
    ]


def epci_with_members_in(files: dict[str, list[dict]], communes: list[dict]) -> set[str]:
    codes = {c["code"] for c in communes}
    return {e["code"] for e in files["epci"] if any(m["code"] in codes for m in e["membres"])}


# ---------------------------------------------------------------------------
# The converter, on a small fixture (no network)
# ---------------------------------------------------------------------------


def build_mini(out: Path) -> list[Path]:
    """The committed files of 2023 (région 32, as committed.json says) from the fixture."""
    return territories.build(vintage="2023", out=out, files={"2023": mini()})


def test_converter_on_the_fixture(tmp_path: Path) -> None:
    written = build_mini(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "2023/france-regions-departements.ttl",
        "2023/region-32.ttl",
        "2023/named-elsewhere.ttl",
    ]
    text = (tmp_path / "2023" / "region-32.ttl").read_text(encoding="utf-8")
    assert (
        "<commune/62119> a acc:Commune ;\n"
        "    acc:municipalPopulation 24983 ;\n"
        '    acc:populationVintage "2023"^^xsd:gYear ;\n'
        '    acc:siren "216209106" ;\n'
        '    igeo:codeINSEE "62119" ;\n'
        "    igeo:subdivisionDe <departement/62> ;\n"
        "    igeo:subdivisionDe <region/32> ;\n"
        "    org:memberOf <epci/200072460> ;\n"
        "    prov:wasDerivedFrom <source/etalab-decoupage-administratif-3-1-1> ;\n"
        '    skos:prefLabel "Béthune"@fr .\n'
    ) in text
    graph = Graph()
    for path in written:
        graph.parse(path, format="turtle")
    communes = {str(s) for s in graph.subjects(URIRef(territories_ns("igeo", "codeINSEE")))}
    # the overseas collectivity (975, 97502) and the commune déléguée are left out
    assert {c.removeprefix(ID) for c in communes} == {
        "region/32", "departement/59", "departement/62",
        "commune/62119", "commune/62178", "commune/59183",
    }  # fmt: skip
    epci = graph.value(URIRef(ID + "epci/200072460"), URIRef(territories_ns("acc", "epciKind")))
    assert str(epci) == "https://w3id.org/accords-kg/epci-kind/ca"
    # the graph describes itself, in one of its files, and says where it is loaded
    layer = URIRef(GRAPH_BASE + "territories/2023")
    assert str(graph.value(layer, URIRef(territories_ns("acc", "vintage")))) == "2023"
    assert "# Named graph: <https://w3id.org/accords-kg/graph/territories/2023>." in text


def territories_ns(prefix: str, local: str) -> str:
    return {
        "igeo": "http://rdf.insee.fr/def/geo#",
        "acc": "https://w3id.org/accords-kg/ontology#",
    }[prefix] + local


def test_converter_is_deterministic(tmp_path: Path) -> None:
    first = build_mini(tmp_path / "a")
    second = build_mini(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_a_named_commune_brings_its_epci_and_their_members() -> None:
    """A commune the curated data names outside the committed régions comes with its EPCI
    (its ``org:memberOf`` must name a unit of the layer) and that EPCI's members."""
    units = territories.Territories.from_package(mini())
    epci, communes = units.named_part({"commune/62119"}, regions=[])
    assert [e["code"] for e in epci] == ["200072460"]
    assert [c["code"] for c in communes] == ["62119", "62178"]
    assert units.named_part({"commune/62119"}, regions=["32"]) == ([], [])


def test_curated_keys_are_read_from_the_parsed_data(tmp_path: Path) -> None:
    """An IRI in a comment or a string is no name of a unit; a relative IRI is resolved."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "entry.ttl").write_text(
        "@base <https://w3id.org/accords-kg/id/> .\n"
        "# <epci/200000172> is only mentioned in a comment\n"
        "<event/x> <https://schema.org/location> <commune/39198> ;\n"
        '    <http://www.w3.org/2000/01/rdf-schema#comment> "<epci/243900479>" .\n'
        "<https://w3id.org/accords-kg/id/epci/200070332> a <https://example.org/Thing> .\n",
        encoding="utf-8",
    )
    assert territories.curated_keys(tmp_path) == {"commune/39198", "epci/200070332"}


def test_every_generated_node_cites_the_release(tmp_path: Path) -> None:
    written = build_mini(tmp_path)
    graph = Graph()
    for path in written:
        graph.parse(path, format="turtle")
    release = URIRef(ID + "source/etalab-decoupage-administratif-3-1-1")
    derived = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    subjects = {s for s in graph.subjects() if s != release}
    assert subjects and all((s, derived, release) in graph for s in subjects)
    integrity = graph.value(release, URIRef(territories_ns("acc", "integrity")))
    assert str(integrity) == territories.release("2023").integrity


# ---------------------------------------------------------------------------
# The committed layer, against the pinned release
# ---------------------------------------------------------------------------


def test_committed_layer_is_the_pinned_releases_rebuilt(tmp_path: Path, releases) -> None:
    """Every committed vintage rebuilt from its release (network or cache): byte for byte
    the committed files, and no other file."""
    written = territories.build(out=tmp_path, files=releases)
    rebuilt = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in written}
    committed = {
        p.relative_to(LAYERS).as_posix(): p.read_bytes() for p in sorted(LAYERS.glob("*/*"))
    }
    assert sorted(rebuilt) == sorted(committed)
    for name, data in rebuilt.items():
        assert data == committed[name], name


def test_committed_json_names_the_committed_folders() -> None:
    """One folder per committed vintage, each pinned in the lock; 2023 commits région 32,
    which the curated accord concerns."""
    assert sorted(p.name for p in LAYERS.iterdir() if p.is_dir()) == sorted(PLAN)
    for vintage in PLAN:
        assert territories.release(vintage).version
    assert "32" in PLAN[territories.DEFAULT_VINTAGE]


NAMED = (
    PREFIXES
    + f"""
SELECT DISTINCT ?unit WHERE {{
  GRAPH <{GRAPH_BASE}data> {{ {{ ?unit ?p ?o }} UNION {{ ?s ?p ?unit }} }}
  FILTER (STRSTARTS(STR(?unit), "{ID}epci/") || STRSTARTS(STR(?unit), "{ID}commune/"))
}}"""
)


def test_each_vintage_graph_holds_what_committed_json_says(
    store: Store, curated: Store, releases
) -> None:
    """Each committed vintage is one named graph describing itself, with every région and
    département of France and the EPCI and communes of its régions, as that vintage's
    official file has them; the default vintage also has the units the curated data names
    elsewhere (an EPCI with its members, a commune with its EPCI's: CA Le Grand Chalon and
    its 51 communes today), and no other vintage has any."""
    assert store.territorial_layers() == [f"territories/{v}" for v in PLAN]
    named = {str(r[0]).removeprefix(ID) for r in curated.query(NAMED).rows}
    for vintage, regions in PLAN.items():
        files, graph = releases[vintage], f"<{GRAPH_BASE}territories/{vintage}>"
        (row,) = store.query(
            PREFIXES + f"SELECT ?vintage ?release WHERE {{ GRAPH {graph} {{ {graph} a "
            "acc:TerritorialLayer ; acc:vintage ?vintage ; prov:wasDerivedFrom ?release } }"
        ).rows
        assert [str(v) for v in row] == [vintage, ID + territories.release(vintage).key]

        def codes(cls: str, key: str, graph: str = graph) -> set[str]:
            answer = store.query(
                PREFIXES + f"SELECT ?code WHERE {{ GRAPH {graph} {{ ?unit a acc:{cls} ; "
                f"{key} ?code }} }}"
            )
            return {str(r[0]) for r in answer.rows}

        for cls, name in (("Region", "regions"), ("Departement", "departements")):
            assert codes(cls, "igeo:codeINSEE") == {
                u["code"] for u in files[name] if u["zone"] != "com"
            }, (vintage, cls)
        communes = {c["code"] for c in current(files, set(regions))}
        epci = epci_with_members_in(files, current(files, set(regions)))
        extra_epci: set[str] = set()
        if vintage == territories.DEFAULT_VINTAGE:
            extra_epci = {e["code"] for e in files["epci"] if f"epci/{e['code']}" in named}
            for e in files["epci"]:  # the EPCI of the communes named
                if any(f"commune/{m['code']}" in named for m in e["membres"]):
                    extra_epci.add(e["code"])
            extra_epci -= epci
            assert "247100589" in extra_epci  # CA Le Grand Chalon
        members = {m["code"] for e in files["epci"] if e["code"] in extra_epci
                   for m in e["membres"]}  # fmt: skip
        named_communes = {k.removeprefix("commune/") for k in named if k.startswith("commune/")}
        if vintage != territories.DEFAULT_VINTAGE:
            named_communes = set()
        assert codes("EPCI", "acc:siren") == epci | extra_epci, vintage
        assert codes("Commune", "igeo:codeINSEE") == communes | members | named_communes, vintage


def test_counts_match_the_official_file(store: Store, release_files) -> None:
    count = (
        PREFIXES
        + f"""
        SELECT (COUNT(DISTINCT ?commune) AS ?communes) (COUNT(DISTINCT ?epci) AS ?epcis)
        WHERE {{
          GRAPH <{GRAPH_BASE}territories/2023> {{
            ?commune a acc:Commune ;
              igeo:subdivisionDe/igeo:subdivisionDirecteDe <{ID}region/32> ;
              org:memberOf ?epci .
          }}
        }}"""
    )
    (row,) = store.query(count).rows
    official = [
        c
        for c in release_files["communes"]
        if c["type"] == "commune-actuelle" and c.get("region") == "32"
    ]
    assert (int(row[0]), int(row[1])) == (len(official), 92) == (3787, 92)
    members = store.query(
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c <http://www.w3.org/ns/org#memberOf> <%s> }"
        % (ID + "epci/200072460")
    )
    assert int(members.rows[0][0]) == 100
    regions = store.query(
        "SELECT (COUNT(?r) AS ?n) WHERE { ?r a <https://w3id.org/accords-kg/ontology#Region> }"
    )
    departements = store.query(
        "SELECT (COUNT(?d) AS ?n) WHERE { ?d a <https://w3id.org/accords-kg/ontology#Departement> }"
    )
    assert (int(regions.rows[0][0]), int(departements.rows[0][0])) == (18, 101)


def test_curated_codes_are_the_layer_codes(curated: Store, store: Store) -> None:
    """Every territorial unit of the curated data is the layer's node, with the same codes."""
    query = """
        PREFIX acc: <https://w3id.org/accords-kg/ontology#>
        PREFIX igeo: <http://rdf.insee.fr/def/geo#>
        SELECT ?unit ?code WHERE {
          { ?unit igeo:codeINSEE ?code } UNION { ?unit acc:siren ?code }
        }"""
    layer = Store()
    for graph, path in territories.layer_files("committed"):
        layer.add_file(path, graph)
    in_layer = layer.query(query).as_set()
    in_curated = curated.query(query).as_set()
    assert len(in_curated) >= 8
    assert in_curated <= in_layer


def test_curated_release_node_is_the_generated_one(curated: Store) -> None:
    generated = Graph().parse(LAYERS / "2023" / "region-32.ttl")
    release = URIRef(ID + "source/etalab-decoupage-administratif-3-1-1")
    assert set(generated.predicate_objects(release)) == set(
        curated.union().predicate_objects(release)
    )


# ---------------------------------------------------------------------------
# Saved queries over the layer
# ---------------------------------------------------------------------------


def test_intercommunalities_concerned_are_the_92_of_hauts_de_france(
    store: Store, release_files
) -> None:
    query = saved.get("intercommunalities-concerned")
    result = store.query(query.text, query.bindings({"accord": ACCORD}))
    epci = {str(row[1]).removeprefix(ID + "epci/") for row in result.rows}
    codes32 = {
        c["code"]
        for c in release_files["communes"]
        if c["type"] == "commune-actuelle" and c.get("region") == "32"
    }
    official = {
        e["code"] for e in release_files["epci"] if any(m["code"] in codes32 for m in e["membres"])
    }
    assert epci == official and len(epci) == 92
    bethune = next(r for r in result.rows if str(r[1]) == ID + "epci/200072460")
    assert [str(v) for v in bethune[2:]] == [
        "CA de Béthune-Bruay, Artois-Lys Romane", "CA", "276094", "2023"
    ]  # fmt: skip


ACCORD_TERRITORIES = (
    PREFIXES
    + """
SELECT ?accord ?date ?territory WHERE {
  ?accord a acc:Accord ;
    acc:signedDuring/schema:startDate ?date ;
    acc:concerns ?territory .
}"""
)


def covered(files: dict[str, list[dict]], units: set[str]) -> list[dict]:
    """The current communes that are, or lie in, one of ``units`` (``region/32``,
    ``departement/62``, ``commune/62119``), in a release's own file."""
    return [
        c
        for c in files["communes"]
        if c["type"] == "commune-actuelle"
        and {f"region/{c.get('region')}", f"departement/{c.get('departement')}",
             f"commune/{c['code']}"} & units
    ]  # fmt: skip


def expected_coverage(store: Store, releases) -> dict[str, tuple]:
    """Each accord's row of accord-coverage, computed from the pinned official files: the
    accord's territories and signing year are read in the graph, the year gives the vintage
    (its release in the lock), and that release's own file gives the EPCI with a member
    commune covered (or concerned themselves), the communes covered, and the sum of their
    populations. A vintage whose graph is not loaded gives no vintage and 0s."""
    accords: dict[str, tuple[str, set[str]]] = {}
    for accord, date, territory in store.query(ACCORD_TERRITORIES).rows:
        year, units = accords.setdefault(str(accord), (str(date)[:4], set()))
        units.add(str(territory).removeprefix(ID))
    loaded = store.territorial_layers()
    out = {}
    for accord, (year, units) in accords.items():
        if f"territories/{year}" not in loaded:
            out[accord] = (None, 0, 0, 0)
            continue
        files = releases[year] if year in releases else pinned(year)
        communes = covered(files, units)
        epci = epci_with_members_in(files, communes)
        epci |= {u.removeprefix("epci/") for u in units if u.startswith("epci/")}
        inhabitants = sum(c.get("population", 0) for c in communes)
        out[accord] = (year, len(epci), len(communes), inhabitants)
    return out


def coverage(store: Store, engine: str = "oxigraph") -> dict[str, tuple]:
    query = saved.get("accord-coverage")
    result = store.query(query.text, query.bindings({}), engine=engine)
    assert result.variables == ["accord", "vintage", "epci", "communes", "inhabitants"]
    return {
        str(row[0]): (None if row[1] is None else str(row[1]), *(int(v) for v in row[2:]))
        for row in result.rows
    }


def test_accord_coverage_equals_totals_from_the_official_files(store: Store, releases) -> None:
    expected = expected_coverage(store, releases)
    assert coverage(store) == expected
    assert expected[ACCORD] == ("2023", 92, 3787, 5997354)


#: Synthetic accords (not in data/): one per committed vintage other than Béthune's, one of a
#: year whose vintage is not loaded, and two of 2023 whose territories lie in one another (a
#: région with its département and a commune in it, a commune outside; two départements with
#: a commune of one) and include an EPCI, to check that each commune counts once. The régions
#: and dates of the first two are those of the Dole and Pompey accords (#11).
SYNTHETIC = """
@prefix acc: <https://w3id.org/accords-kg/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/accords-kg-test/> .
@base <https://w3id.org/accords-kg/id/> .
ex:accord-2024 a acc:Accord ; acc:concerns <region/27> ; acc:signedDuring ex:ceremony-2024 .
ex:ceremony-2024 a acc:SigningCeremony ; schema:startDate "2024-05-15"^^xsd:date ;
    schema:location <commune/39198> .
ex:accord-2025 a acc:Accord ; acc:concerns <region/44> ; acc:signedDuring ex:ceremony-2025 .
ex:ceremony-2025 a acc:SigningCeremony ; schema:startDate "2025-07-17"^^xsd:date ;
    schema:location <commune/54430> .
ex:accord-2026 a acc:Accord ; acc:concerns <region/44> ; acc:signedDuring ex:ceremony-2026 .
ex:ceremony-2026 a acc:SigningCeremony ; schema:startDate "2026-01-02"^^xsd:date .
ex:accord-nested a acc:Accord ; acc:signedDuring ex:ceremony-2023 ;
    acc:concerns <region/32> , <departement/62> , <commune/62119> , <commune/39198> ,
        <epci/247100589> .
ex:accord-departements a acc:Accord ; acc:signedDuring ex:ceremony-2023 ;
    acc:concerns <departement/59> , <departement/62> , <commune/59350> .
ex:ceremony-2023 a acc:SigningCeremony ; schema:startDate "2023-06-01"^^xsd:date .
"""
EX = "https://example.org/accords-kg-test/"


@pytest.fixture(scope="module")
def synthetic() -> Store:
    """The dataset with the synthetic accords added in memory (a private copy)."""
    copy = Store.load()
    copy.add_graph(Graph().parse(data=SYNTHETIC, format="turtle"), GRAPH_BASE + "test-synthetic")
    return copy


def test_each_accord_is_covered_in_the_vintage_of_its_signing_year(
    synthetic: Store, releases
) -> None:
    expected = expected_coverage(synthetic, releases)
    # every accord of the data (Béthune, Dole, Pompey…) and the synthetic ones
    assert {ACCORD} | {EX + f"accord-{y}" for y in (2024, 2025, 2026)} <= set(expected)
    assert expected[EX + "accord-2024"][0] == "2024"
    assert expected[EX + "accord-2025"][0] == "2025"
    assert expected[EX + "accord-2026"] == (None, 0, 0, 0)  # 2026 is pinned, not loaded
    # territories inside others count once: the région covers its département and Béthune;
    # Dole (outside it) adds itself; an EPCI concerned adds itself, not its communes
    (dole,) = [c for c in releases["2023"]["communes"] if c["code"] == "39198"]
    assert expected[EX + "accord-nested"][1:] == (
        expected[ACCORD][1] + 2, expected[ACCORD][2] + 1, expected[ACCORD][3] + dole["population"]
    )  # fmt: skip
    assert coverage(synthetic) == expected
    assert coverage(synthetic, engine="rdflib") == expected


def test_intercommunalities_concerned_in_the_accords_vintage(synthetic: Store, releases) -> None:
    query = saved.get("intercommunalities-concerned")
    for year, region in (("2024", "27"), ("2025", "44")):
        accord = EX + f"accord-{year}"
        rows = synthetic.query(query.text, query.bindings({"accord": accord})).rows
        files = releases[year]
        official = {e["code"]: e for e in files["epci"]}
        expected = epci_with_members_in(files, current(files, {region}))
        assert {str(r[1]).removeprefix(ID + "epci/") for r in rows} == expected
        for row in rows:
            epci = official[str(row[1]).removeprefix(ID + "epci/")]
            assert (str(row[2]), int(row[4]), str(row[5])) == (
                epci["nom"], epci["populationMunicipale"], year
            )  # fmt: skip
    assert synthetic.query(query.text, query.bindings({"accord": EX + "accord-2026"})).rows == []


def test_territory_by_code(store: Store) -> None:
    query = saved.get("territory")
    result = store.query(query.text, query.bindings({"code": "62119"}))
    assert result.variables == ["unit", "name", "vintage", "relation", "value", "label"]
    bethune = ("accord/declaration-de-bethune-2023", "event/signature-declaration-de-bethune-2023")
    rows = {
        (None if r[2] is None else str(r[2]), str(r[3]), str(r[4]).removeprefix(ID))
        for r in result.rows
        if not str(r[3]).startswith("^") or str(r[4]).removeprefix(ID) in bethune
    }  # the unit's own facts, and what the first accord says of it (other accords may too)
    assert rows == {
        ("2023", "rdf:type", "https://w3id.org/accords-kg/ontology#Commune"),
        ("2023", "igeo:subdivisionDe", "departement/62"),
        ("2023", "igeo:subdivisionDe", "region/32"),
        ("2023", "org:memberOf", "epci/200072460"),
        ("2023", "acc:siren", "216209106"),
        ("2023", "acc:municipalPopulation", "24983"),
        ("2023", "acc:populationVintage", "2023"),
        ("2023", "^acc:concerns (via igeo:subdivisionDirecteDe)",
         "accord/declaration-de-bethune-2023"),
        (None, "^schema:location", "event/signature-declaration-de-bethune-2023"),
    }  # fmt: skip
    assert {str(r[1]) for r in result.rows} == {"Béthune"}
    dunkerque = store.query(query.text, query.bindings({"code": "245900428"}))
    assert ("2023", "^acc:concerns (via org:memberOf)", ACCORD) in {
        (str(r[2]), str(r[3]), str(r[4])) for r in dunkerque.rows
    }
    oise = store.query(query.text, query.bindings({"code": "60"}))
    assert ("^acc:constituency", ID + "mandate/sylvie-valente-le-hir-senateur-oise") in {
        (str(r[3]), str(r[4])) for r in oise.rows
    }


def test_territory_gives_each_vintage_its_own_figures(store: Store, releases) -> None:
    """CA Le Grand Chalon is in the 2023 graph (named by the curated data) and in the 2024
    one (région 27): each population comes with its own vintage, as each file gives it."""
    query = saved.get("territory")
    result = store.query(query.text, query.bindings({"code": "247100589"}))
    found = {(str(r[2]), int(r[4])) for r in result.rows if str(r[3]) == "acc:municipalPopulation"}
    expected = {
        (year, e["populationMunicipale"])
        for year in ("2023", "2024")
        for e in releases[year]["epci"]
        if e["code"] == "247100589"
    }
    assert found == expected and len(found) == 2
    years = {(str(r[2]), str(r[4])) for r in result.rows if str(r[3]) == "acc:populationVintage"}
    assert years == {("2023", "2023"), ("2024", "2024")}


@pytest.mark.parametrize("name", sorted(saved.catalogue()))
def test_both_engines_give_the_same_answers(store: Store, name: str) -> None:
    query = saved.get(name)
    bindings = query.bindings({})
    oxigraph = store.query(query.text, bindings)
    rdflib = store.query(query.text, bindings, engine="rdflib")
    assert oxigraph.variables == rdflib.variables
    assert oxigraph.as_set() == rdflib.as_set()
    assert oxigraph.rows


# ---------------------------------------------------------------------------
# Validation against the layer
# ---------------------------------------------------------------------------

ENTRY = """\
@base <https://w3id.org/accords-kg/id/> .
@prefix acc: <https://w3id.org/accords-kg/ontology#> .
<accord/declaration-de-bethune-2023> acc:concerns <%s> .
"""


def test_an_entry_naming_a_unit_of_the_layer_validates(store: Store, tmp_path: Path) -> None:
    entry = tmp_path / "entry.ttl"
    entry.write_text(ENTRY % "commune/59350", encoding="utf-8")  # Lille, in the layer
    report = validate([entry], store=store)
    assert report.conforms and report.results == []


def test_an_entry_naming_a_code_that_does_not_exist_is_rejected(
    store: Store, tmp_path: Path
) -> None:
    entry = tmp_path / "entry.ttl"
    entry.write_text(ENTRY % "commune/62999", encoding="utf-8")
    report = validate([entry], store=store)
    assert [(r.focusNode, r.path, r.value) for r in report.violations] == [
        (ACCORD, "https://w3id.org/accords-kg/ontology#concerns", ID + "commune/62999")
    ]


def test_an_epci_without_members_fails_only_with_the_layer(curated: Store, store: Store) -> None:
    """The completeness shapes apply when the territorial layer is loaded."""
    assert validate([], store=curated).conforms
    bare = Store.load(territories="none")
    bare.add_file(LAYERS / "2023" / "france-regions-departements.ttl",
                  GRAPH_BASE + "territories/2023")  # fmt: skip
    report = validate([], store=bare)
    # every EPCI the curated data names, but those it gives a member commune itself
    memberless = curated.query(
        "PREFIX acc: <https://w3id.org/accords-kg/ontology#>\n"
        "PREFIX org: <http://www.w3.org/ns/org#>\n"
        "SELECT ?e WHERE { ?e a acc:EPCI FILTER NOT EXISTS { ?c org:memberOf ?e } }"
    ).rows
    assert ID + "epci/245900428" in {str(e) for (e,) in memberless}
    shapes = "https://w3id.org/accords-kg/shapes#"
    members = [r for r in report.violations if r.shape == shapes + "EPCIMembersShape"]
    assert {(r.focusNode, r.path) for r in members} == {
        (str(e), "^http://www.w3.org/ns/org#memberOf") for (e,) in memberless
    }
    # without region-32.ttl the graph lacks the communes its figures count: reported too
    figures = {r.focusNode for r in report.violations if r.shape == shapes + "LayerFiguresCheck"}
    assert ID + "region/32" in figures
    assert {r.shape for r in report.violations} == {
        shapes + "EPCIMembersShape",
        shapes + "LayerFiguresCheck",
    }


# ---------------------------------------------------------------------------
# Download: cache, integrity, offline
# ---------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lock_root(tmp_path: Path, tarball: str, integrity: str) -> Path:
    """A project root whose lock pins ``tarball`` with ``integrity``, committing région 32
    of 2023 (and no curated data)."""
    lock = tmp_path / "root" / "data" / "territories" / "registry.lock.json"
    lock.parent.mkdir(parents=True)
    (lock.parent / "committed.json").write_text('{"2023": ["32"]}', encoding="utf-8")
    lock.write_text(
        json.dumps(
            {
                "package": "@etalab/decoupage-administratif",
                "releases": {"2023": {"version": "3.1.1", "tarball": tarball,
                                      "integrity": integrity}},
            }
        ),
        encoding="utf-8",
    )  # fmt: skip
    return tmp_path / "root"


def test_offline_without_cache_says_what_to_do(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/decoupage-administratif-3.1.1.tgz"
    root = lock_root(tmp_path, url, territories.release("2023").integrity)
    with pytest.raises(territories.NetworkError, match="not in the cache") as info:
        territories.build(root=root, cache=tmp_path / "cache", out=tmp_path / "out")
    assert info.value.exit_code == 4
    assert not (tmp_path / "out").exists()


def test_offline_with_cache_works(tmp_path: Path, release_files) -> None:
    """With the tarball cached, an unreachable registry does not matter."""
    real = territories.release("2023")
    cache = tmp_path / "cache"
    (cache / "npm").mkdir(parents=True)
    (cache / "npm" / "decoupage-administratif-3.1.1.tgz").write_bytes(
        territories.fetch(real)  # from the default cache, filled by release_files
    )
    url = f"http://127.0.0.1:{closed_port()}/decoupage-administratif-3.1.1.tgz"
    root = lock_root(tmp_path, url, real.integrity)
    written = territories.build(root=root, cache=cache, out=tmp_path / "out")
    committed = (LAYERS / "2023" / "region-32.ttl").read_text(encoding="utf-8")
    rebuilt = (tmp_path / "out" / "2023" / "region-32.ttl").read_text(encoding="utf-8")
    assert rebuilt == committed.replace(real.tarball, url)  # the lock's address is cited
    assert len(written) == 3


def test_a_tarball_that_does_not_match_the_lock_is_refused(tmp_path: Path, release_files) -> None:
    real = territories.release("2023")
    cache = tmp_path / "cache"
    (cache / "npm").mkdir(parents=True)
    # a cached file that does not match is not trusted: it is fetched again, and the
    # registry's file does not match the wrong pin either
    (cache / "npm" / "decoupage-administratif-3.1.1.tgz").write_bytes(b"not the release")
    root = lock_root(tmp_path, real.tarball, "sha512-" + "A" * 86 + "==")
    with pytest.raises(territories.IntegrityError, match="does not match the pinned integrity"):
        territories.build(root=root, cache=cache, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert (cache / "npm" / "decoupage-administratif-3.1.1.tgz").read_bytes() == b"not the release"


def test_cli_builds_the_layer_and_france_shows_progress(tmp_path: Path, capsys, releases):
    from accords_kg.cli import main

    assert main(["territories", "build", "--out", str(tmp_path / "all")]) == 0
    assert main(["territories", "build", "--scope", "hauts-de-france", "--vintage", "2024",
                 "--out", str(tmp_path / "2024")]) == 0  # fmt: skip
    for vintage in PLAN:
        for path in sorted((LAYERS / vintage).glob("*.ttl")):
            assert (tmp_path / "all" / vintage / path.name).read_bytes() == path.read_bytes()
    assert [p.name for p in (tmp_path / "2024").iterdir()] == ["2024"]
    capsys.readouterr()
    written = territories.build(
        "france", out=tmp_path / "fr", files={"2023": mini()}, progress=True
    )
    assert written == [tmp_path / "fr" / "france.ttl"]
    err = capsys.readouterr().err
    assert "communes [" in err and "] 3/3" in err  # the overseas collectivity left out
    text = written[0].read_text(encoding="utf-8")
    assert "<https://w3id.org/accords-kg/graph/territories/2023> a acc:TerritorialLayer" in text


def test_a_build_removes_what_is_no_longer_committed(tmp_path: Path, releases) -> None:
    """Every file of a vintage's folder is loaded into its graph: the build of the committed
    layer removes the files (and folders) committed.json no longer asks for."""
    root = tmp_path / "root"
    shutil.copytree(ROOT / "data", root / "data")
    stale = [root / "data/territories/2023/hauts-de-france.ttl",
             root / "data/territories/2019/region-32.ttl"]  # fmt: skip
    for path in stale:
        path.parent.mkdir(exist_ok=True)
        path.write_text("# stale\n", encoding="utf-8")
    written = territories.build(root=root, files=releases)
    assert not any(path.exists() for path in stale)
    assert not (root / "data/territories/2019").exists()
    layers = root / "data" / "territories"
    assert sorted(written) == sorted(layers.glob("*/*.ttl"))


def test_scope_names() -> None:
    assert territories.scope_name("hauts-de-france") == "committed"
    assert territories.layer_files("hauts-de-france") == territories.layer_files("committed")
    default = (GRAPH_BASE + "territories/2023", territories.france_file("2023"))
    france = territories.layer_files("france")
    assert france[0] == default
    committed = territories.layer_files("committed")
    assert france[1:] == [(g, p) for g, p in committed if g != default[0]]
    assert {g for g, _ in france[1:]} == {GRAPH_BASE + f"territories/{v}" for v in ("2024", "2025")}
    assert territories.layer_files("none") == []


def test_vintages_are_validated_one_snapshot_at_a_time(tmp_path: Path, releases) -> None:
    """The union of two vintages is no state of the world: CA Le Grand Chalon's communes
    have a population in each, Mayotte's chef-lieu moved. Each vintage is validated on its
    own (with the ontology), by pieces and by workers as by pyshacl on the whole snapshot."""
    root = tmp_path / "root"
    shutil.copytree(ROOT / "ontology", root / "ontology")
    for vintage, names in (("2023", ["france-regions-departements.ttl", "named-elsewhere.ttl"]),
                           ("2024", ["france-regions-departements.ttl"])):  # fmt: skip
        (root / "data/territories" / vintage).mkdir(parents=True)
        for name in names:
            shutil.copy(LAYERS / vintage / name, root / "data/territories" / vintage / name)
    units = territories.Territories.from_package(releases["2024"])
    chalon = [e for e in units.epci if e["code"] == "247100589"]
    members = {m["code"] for m in chalon[0]["membres"]}
    (root / "data/territories/2024/grand-chalon.ttl").write_text(
        territories.render(
            "CA Le Grand Chalon and its communes, vintage 2024 (a test's extract).",
            territories.release("2024"),
            epci=chalon,
            communes=[c for c in units.communes if c["code"] in members],
            epci_of=units.epci_of(),
        ),
        encoding="utf-8",
    )
    store = Store.load(root, layers=(Layer("ontology", "ontology"),))
    ontology, first, second = (GRAPH_BASE + n for n in ("ontology", *store.territorial_layers()))
    assert snapshots(store) == [(ontology, first), (ontology, second)]
    assert (first, second) == (GRAPH_BASE + "territories/2023", GRAPH_BASE + "territories/2024")
    union = validate_graph(store.union(), shapes_for(store))
    clashes = {(f.shape.rsplit("#")[-1], f.focusNode.removeprefix(ID)) for f in union.violations}
    assert ("PopulationShape", "epci/247100589") in clashes
    assert ("RegionShape", "region/06") in clashes  # Mayotte's chef-lieu, 2023 and 2024
    whole = [validate_graph(store.union(s), shapes_for(store, s)) for s in snapshots(store)]
    assert all(report.conforms and report.results == [] for report in whole)
    for workers in (1, 2):
        report = validate_store(store, chunk=50, workers=workers)
        assert report.conforms and report.results == [], report.to_text()


def test_a_layer_without_a_vintage_is_refused(curated: Store) -> None:
    layer = Graph().parse(
        data=f"""@prefix acc: <https://w3id.org/accords-kg/ontology#> .
<{GRAPH_BASE}territories/2023> a acc:TerritorialLayer ;
    <http://www.w3.org/2000/01/rdf-schema#label> "couche sans millésime"@fr ;
    <http://www.w3.org/ns/prov#wasDerivedFrom>
        <https://w3id.org/accords-kg/id/source/etalab-decoupage-administratif-3-1-1> .
""",
        format="turtle",
    )
    data = curated.union() + layer
    report = validate_graph(data, shapes_for(curated, (GRAPH_BASE + "territories/2023",)))
    about = [f for f in report.results if f.focusNode == GRAPH_BASE + "territories/2023"]
    assert [(f.severity, f.shape.rsplit("#")[-1], f.path) for f in about] == [
        ("Violation", "TerritorialLayerShape", "https://w3id.org/accords-kg/ontology#vintage")
    ]


def test_query_engine_option(capsys) -> None:
    from accords_kg.cli import main

    outputs = []
    for engine in ("oxigraph", "rdflib"):
        code = main(["query", "who-signed", "--engine", engine, "--territories", "none",
                     "--format", "csv"])  # fmt: skip
        assert code == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


def test_an_entry_declaring_a_unit_the_official_files_lack_is_rejected(
    store: Store, curated: Store, tmp_path: Path
) -> None:
    """A made-up commune with a well-formed code, in a real département and EPCI."""
    entry = tmp_path / "entry.ttl"
    entry.write_text(
        f"""@prefix acc: <https://w3id.org/accords-kg/ontology#> .
@prefix igeo: <http://rdf.insee.fr/def/geo#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{ID}commune/62999> a acc:Commune ;
    skos:prefLabel "Commune inventée"@fr ;
    igeo:codeINSEE "62999" ;
    igeo:subdivisionDe <{ID}departement/62> , <{ID}region/32> ;
    org:memberOf <{ID}epci/200072460> ;
    prov:wasDerivedFrom <{ID}source/etalab-decoupage-administratif-3-1-1> .
""",
        encoding="utf-8",
    )
    report = validate([entry], store=store)
    assert [(r.focusNode, r.shape.rsplit("#", 1)[1]) for r in report.violations] == [
        (ID + "commune/62999", "OfficialUnitCheck")
    ]
    assert "official files" in report.violations[0].message
    assert validate([entry], store=curated).conforms  # without the layer, nothing to compare
