"""The official territorial layer: the converter, the committed files, the counts, the links
to the curated data, the saved queries over it, and the download's failure paths."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from accords_kg import saved, territories
from accords_kg.store import Store
from accords_kg.validate import validate
from conftest import ROOT

FIXTURE = Path(__file__).parent / "fixtures" / "etalab-mini"
ID = "https://w3id.org/accords-kg/id/"
ACCORD = ID + "accord/declaration-de-bethune-2023"


def mini() -> dict[str, list[dict]]:
    return {
        name: json.loads((FIXTURE / f"{name}.json").read_text(encoding="utf-8"))
        for name in territories.PACKAGE_FILES
    }


@pytest.fixture(scope="module")
def release_files() -> dict[str, list[dict]]:
    """The pinned 2023 release, from the cache or the npm registry (checked against the lock)."""
    return territories.read_tarball(territories.fetch(territories.release("2023")))


# ---------------------------------------------------------------------------
# The converter, on a small fixture (no network)
# ---------------------------------------------------------------------------


def test_converter_on_the_fixture(tmp_path: Path) -> None:
    written = territories.build("hauts-de-france", out=tmp_path, files=mini())
    assert [p.name for p in written] == [
        "france-regions-departements.ttl",
        "hauts-de-france.ttl",
        "named-elsewhere.ttl",
    ]
    text = (tmp_path / "hauts-de-france.ttl").read_text(encoding="utf-8")
    assert (
        "<commune/62119> a acc:Commune ;\n"
        "    acc:municipalPopulation 24983 ;\n"
        '    acc:populationVintage "2023"^^xsd:gYear ;\n'
        '    acc:siren "216209106" ;\n'
        '    igeo:codeINSEE "62119" ;\n'
        "    igeo:subdivisionDirecteDe <departement/62> ;\n"
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


def territories_ns(prefix: str, local: str) -> str:
    return {
        "igeo": "http://rdf.insee.fr/def/geo#",
        "acc": "https://w3id.org/accords-kg/ontology#",
    }[prefix] + local


def test_converter_is_deterministic(tmp_path: Path) -> None:
    first = territories.build("hauts-de-france", out=tmp_path / "a", files=mini())
    second = territories.build("hauts-de-france", out=tmp_path / "b", files=mini())
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_every_generated_node_cites_the_release(tmp_path: Path) -> None:
    written = territories.build("hauts-de-france", out=tmp_path, files=mini())
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


def test_committed_layer_is_the_pinned_release_rebuilt(
    tmp_path: Path, release_files: dict[str, list[dict]]
) -> None:
    """Rebuilt from the release (network or cache), byte for byte what is committed."""
    written = territories.build("hauts-de-france", out=tmp_path, files=release_files)
    for path in written:
        committed = ROOT / "data" / "territories" / path.name
        assert path.read_bytes() == committed.read_bytes(), path.name


def test_counts_match_the_official_file(store: Store, release_files) -> None:
    count = """
        PREFIX acc: <https://w3id.org/accords-kg/ontology#>
        PREFIX igeo: <http://rdf.insee.fr/def/geo#>
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT (COUNT(DISTINCT ?commune) AS ?communes) (COUNT(DISTINCT ?epci) AS ?epcis)
        WHERE {
          ?commune a acc:Commune ;
            igeo:subdivisionDirecteDe/igeo:subdivisionDirecteDe <%s> ;
            org:memberOf ?epci .
        }""" % (ID + "region/32")
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
    for path in territories.layer_files("hauts-de-france"):
        layer.add_file(path, "https://w3id.org/accords-kg/graph/territories")
    in_layer = layer.query(query).as_set()
    in_curated = curated.query(query).as_set()
    assert len(in_curated) >= 8
    assert in_curated <= in_layer


def test_curated_release_node_is_the_generated_one(curated: Store) -> None:
    generated = Graph().parse(ROOT / "data" / "territories" / "hauts-de-france.ttl")
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


def test_accord_coverage_equals_totals_from_the_official_file(store: Store, release_files) -> None:
    query = saved.get("accord-coverage")
    (row,) = store.query(query.text, query.bindings({})).rows
    communes = [
        c
        for c in release_files["communes"]
        if c["type"] == "commune-actuelle" and c.get("region") == "32"
    ]
    inhabitants = sum(c["population"] for c in communes)
    assert [str(row[0]), int(row[1]), int(row[2]), int(row[3])] == [
        ACCORD,
        92,
        len(communes),
        inhabitants,
    ]
    assert inhabitants == 5997354


def test_territory_by_code(store: Store) -> None:
    query = saved.get("territory")
    rows = {
        (str(r[2]), str(r[3]).removeprefix(ID))
        for r in store.query(query.text, query.bindings({"code": "62119"})).rows
    }
    assert rows == {
        ("rdf:type", "https://w3id.org/accords-kg/ontology#Commune"),
        ("igeo:subdivisionDirecteDe", "departement/62"),
        ("org:memberOf", "epci/200072460"),
        ("acc:siren", "216209106"),
        ("acc:municipalPopulation", "24983"),
        ("acc:populationVintage", "2023"),
        ("^acc:concerns (via igeo:subdivisionDirecteDe)", "accord/declaration-de-bethune-2023"),
        ("^schema:location", "event/signature-declaration-de-bethune-2023"),
    }
    dunkerque = store.query(query.text, query.bindings({"code": "245900428"}))
    assert ("^acc:concerns (via org:memberOf)", ACCORD) in {
        (str(r[2]), str(r[3])) for r in dunkerque.rows
    }
    oise = store.query(query.text, query.bindings({"code": "60"}))
    assert ("^acc:constituency", ID + "mandate/sylvie-valente-le-hir-senateur-oise") in {
        (str(r[2]), str(r[3])) for r in oise.rows
    }


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
    bare.add_file(ROOT / "data" / "territories" / "france-regions-departements.ttl",
                  "https://w3id.org/accords-kg/graph/territories")  # fmt: skip
    report = validate([], store=bare)
    assert {(r.focusNode, r.path) for r in report.violations} == {
        (ID + f"epci/{siren}", "^http://www.w3.org/ns/org#memberOf")
        for siren in ("200072460", "245900428", "247100589")
    } - {(ID + "epci/200072460", "^http://www.w3.org/ns/org#memberOf")}


# ---------------------------------------------------------------------------
# Download: cache, integrity, offline
# ---------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lock_root(tmp_path: Path, tarball: str, integrity: str) -> Path:
    """A project root whose lock pins ``tarball`` with ``integrity`` (and no curated data)."""
    lock = tmp_path / "root" / "data" / "territories" / "registry.lock.json"
    lock.parent.mkdir(parents=True)
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
    committed = (ROOT / "data" / "territories" / "hauts-de-france.ttl").read_text(encoding="utf-8")
    rebuilt = (tmp_path / "out" / "hauts-de-france.ttl").read_text(encoding="utf-8")
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


def test_cli_builds_the_layer_and_france_shows_progress(tmp_path: Path, capsys, release_files):
    from accords_kg.cli import main

    assert main(["territories", "build", "--out", str(tmp_path / "hdf")]) == 0
    assert (tmp_path / "hdf" / "hauts-de-france.ttl").read_bytes() == (
        ROOT / "data" / "territories" / "hauts-de-france.ttl"
    ).read_bytes()
    capsys.readouterr()
    written = territories.build("france", out=tmp_path / "fr", files=mini(), progress=True)
    assert written == [tmp_path / "fr" / "france.ttl"]
    err = capsys.readouterr().err
    assert "communes [" in err and "] 3/3" in err  # the overseas collectivity left out


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
    igeo:subdivisionDirecteDe <{ID}departement/62> ;
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
