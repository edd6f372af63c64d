"""The static site: deterministic, no broken link, and each page says what the graph says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from accords_kg.cli import main
from accords_kg.graph.store import Store
from accords_kg.publishing.describe import describe
from accords_kg.web import linkcheck, ontodoc
from accords_kg.web.negotiate import choose
from accords_kg.web.site import build
from conftest import ROOT

ID = "https://w3id.org/accords-kg/id/"
ACCORD_PAGE = "id/accord/declaration-de-bethune-2023.html"


class Text(HTMLParser):
    """The text of an HTML fragment, and its links in order (href, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._link: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._link = dict(attrs).get("href"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._link).split())))
            self._href = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._href is not None:
            self._link.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def read(html: str) -> Text:
    parser = Text()
    parser.feed(html)
    return parser


def page(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def test_same_graph_same_bytes(site_dir: Path, store: Store, tmp_path: Path) -> None:
    again = build(store, tmp_path / "again").out
    first = sorted(p.relative_to(site_dir) for p in site_dir.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    assert all((site_dir / p).read_bytes() == (again / p).read_bytes() for p in first)


def test_pages_one_per_resource_query_and_ontology(site_dir: Path, curated: Store) -> None:
    """A page per person and per territorial unit the curated graph names (no other unit of
    the layer), per saved query, and the site's own pages."""
    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html"))
    people = curated.query("SELECT ?p WHERE { ?p a <http://www.w3.org/ns/person#Person> }")
    assert [p for p in pages if p.startswith("id/person/")] == sorted(
        "id/" + str(p).removeprefix(ID) + ".html" for (p,) in people.rows
    )
    assert {"id/person/xavier-bertrand.html", "id/person/marie-guite-dufay.html"} <= set(pages)
    assert [p for p in pages if not p.startswith(("id/", "queries/", "role", "epci-kind"))] == [
        "404.html", "index.html", "ontology.en.html", "ontology.html", "theme.html",
        "theme/reindustrialisation.html",
    ]  # fmt: skip
    queries = sorted(q.stem for q in (ROOT / "queries").glob("*.rq"))
    assert [p for p in pages if p.startswith("queries/")] == [f"queries/{q}.html" for q in queries]
    # the territorial units the curated graph names, and no other unit of the layer
    units = curated.query(
        "PREFIX acc: <https://w3id.org/accords-kg/ontology#>\n"
        "SELECT DISTINCT ?u WHERE { VALUES ?c { acc:Region acc:Departement acc:Commune acc:EPCI }"
        " ?u a ?c }"
    )
    assert [p for p in pages if re.match(r"id/(region|departement|commune|epci)/", p)] == sorted(
        "id/" + str(u).removeprefix(ID) + ".html" for (u,) in units.rows
    )
    assert "id/commune/62119.html" in pages and "id/region/44.html" in pages


def test_no_broken_link_no_external_asset_every_page_reachable(site_dir: Path) -> None:
    assert linkcheck.check(site_dir) == []


def test_the_link_checker_finds_what_is_wrong(site_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "site"
    shutil.copytree(site_dir, broken)
    accord = broken / ACCORD_PAGE
    html = accord.read_text(encoding="utf-8")
    html = html.replace('href="../person/xavier-bertrand.html"', 'href="../person/nobody.html"', 1)
    html = html.replace(
        "</main>",
        '<a href="../../ontology.html#no-such-term">x</a>'
        '<img src="https://example.org/logo.png" alt=""></main>',
    )
    accord.write_text(html, encoding="utf-8")
    (broken / "orphan.html").write_text("<p>alone</p>", encoding="utf-8")
    assert linkcheck.check(broken) == [
        f"{ACCORD_PAGE}: <img> loads an external asset: https://example.org/logo.png",
        f"{ACCORD_PAGE}: broken link '../person/nobody.html' (no file id/person/nobody.html)",
        f"{ACCORD_PAGE}: broken link '../../ontology.html#no-such-term' "
        "(no id 'no-such-term' in ontology.html)",
        "orphan.html: not reachable from index.html",
    ]


def signatory_rows(html: str) -> list[list[tuple[str, str]]]:
    table = html.split("<caption>Signataires", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    return [read(row).links for row in rows]


def test_accord_page_signatories_capacities_parties_with_sources(site_dir: Path) -> None:
    rows = signatory_rows(page(site_dir, ACCORD_PAGE))
    details = "détail / details"
    assert rows == [
        [
            ("../person/olivier-gacquerre.html", "Olivier Gacquerre"),
            (
                "../mandate/olivier-gacquerre-president-ca-bethune-bruay-artois-lys-romane.html",
                "Président de la communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane",
            ),
            ("../epci/200072460.html", "CA de Béthune-Bruay, Artois-Lys Romane"),
            ("../source/communique-declaration-de-bethune.html", "S1"),
            ("../source/banque-des-territoires-accord-hauts-de-france.html", "S2"),
            ("../signature/declaration-de-bethune-2023-olivier-gacquerre.html", details),
        ],
        [
            ("../person/sebastien-martin.html", "Sébastien Martin"),
            (
                "../mandate/sebastien-martin-president-intercommunalites-de-france.html",
                "Président d'Intercommunalités de France",
            ),
            ("../org/intercommunalites-de-france.html", "Intercommunalités de France"),
            ("../source/communique-declaration-de-bethune.html", "S1"),
            ("../source/banque-des-territoires-accord-hauts-de-france.html", "S2"),
            ("../signature/declaration-de-bethune-2023-sebastien-martin.html", details),
        ],
        [
            ("../person/xavier-bertrand.html", "Xavier Bertrand"),
            (
                "../mandate/xavier-bertrand-president-region-hauts-de-france.html",
                "Président du conseil régional des Hauts-de-France",
            ),
            ("../region/32.html", "Hauts-de-France"),
            ("../source/communique-declaration-de-bethune.html", "S1"),
            ("../source/banque-des-territoires-accord-hauts-de-france.html", "S2"),
            ("../signature/declaration-de-bethune-2023-xavier-bertrand.html", details),
        ],
    ]


def test_accord_page_date_place_parties(site_dir: Path) -> None:
    html = page(site_dir, ACCORD_PAGE)
    summary = html.split("<h2>En bref", 1)[1].split("<caption>", 1)[0]
    assert '<time datetime="2023-12-18">18 décembre 2023</time>' in summary
    assert read(summary).links == [
        (
            "../event/signature-declaration-de-bethune-2023.html",
            "Signature à Béthune de la déclaration commune région-intercos",
        ),
        ("../commune/62119.html", "Béthune"),
        ("../epci/200072460.html", "CA de Béthune-Bruay, Artois-Lys Romane"),
        ("../region/32.html", "Hauts-de-France"),
        ("../org/intercommunalites-de-france.html", "Intercommunalités de France"),
    ]


def test_accord_diagram_is_inline_svg_linking_each_node(site_dir: Path) -> None:
    html = page(site_dir, ACCORD_PAGE)
    svg = html.split('<figure class="diagram" id="diagram">', 1)[1].split("</figure>", 1)[0]
    assert svg.lstrip().startswith("<svg")
    links = re.findall(r'<a xlink:href="([^"]+)"', svg)
    assert sorted(links) == sorted(
        [
            "../person/olivier-gacquerre.html",
            "../person/sebastien-martin.html",
            "../person/xavier-bertrand.html",
            "../mandate/olivier-gacquerre-president-ca-bethune-bruay-artois-lys-romane.html",
            "../mandate/sebastien-martin-president-intercommunalites-de-france.html",
            "../mandate/xavier-bertrand-president-region-hauts-de-france.html",
            "../epci/200072460.html",
            "../org/intercommunalites-de-france.html",
            "../region/32.html",
            "declaration-de-bethune-2023.html",
            "../event/signature-declaration-de-bethune-2023.html",
            "../commune/62119.html",
        ]
    )
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    for expected in ("Xavier Bertrand", "Déclaration de Béthune", "Béthune", "18 décembre 2023"):
        assert expected in texts
    assert texts.count("en qualité de") == 3 and texts.count("partie") == 3


def test_each_statement_shows_its_sources_and_evidence(site_dir: Path) -> None:
    html = page(site_dir, "id/person/xavier-bertrand.html")
    link = 'href="../signature/declaration-de-bethune-2023-xavier-bertrand.html"'
    signature = html.split(link)[1]
    block = signature.split('<div class="statement">', 1)[1].split("</div></div>", 1)[0]
    assert re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", block) == [
        "Xavier Bertrand, président des Hauts-de-France",
        "ont signé à Béthune",
    ]
    assert [link for link in read(block).links if "/source/" in link[0]] == [
        (
            "../source/communique-declaration-de-bethune.html",
            "S1 · Communiqué d'Intercommunalités de France sur la déclaration commune "
            "région-intercos signée à Béthune / S1 · Intercommunalités de France press release "
            "on the joint region-intercommunalities declaration signed in Béthune",
        ),
        (
            "../source/banque-des-territoires-accord-hauts-de-france.html",
            "S2 · Banque des Territoires : article sur l'accord entre la région Hauts-de-France "
            "et les intercommunalités / S2 · Banque des Territoires: article on the accord "
            "between the Hauts-de-France region and the intercommunalities",
        ),
    ]


def test_a_unit_page_shows_the_territorial_layer_and_its_editorial_notes(site_dir: Path) -> None:
    text = read(page(site_dir, "id/region/32.html")).text
    assert "chef-lieu / chief town igeo:chefLieu Lille commune/59350" in text  # no page: no link
    assert "code Insee / INSEE code igeo:codeINSEE 32" in text
    office = read(page(site_dir, "id/office/senateur-oise.html")).text
    assert "Intitulé au masculin générique ; la source écrit « sénatrice de l’Oise »." in office


def test_every_rdf_file_is_the_description_of_its_resource(site_dir: Path, store: Store) -> None:
    for path in sorted(site_dir.rglob("*.ttl")):
        iri = "https://w3id.org/accords-kg/" + path.relative_to(site_dir).as_posix()[:-4]
        graph = Graph().parse(path, format="turtle")
        assert len(graph) > 0 and isomorphic(graph, describe(store, iri)), path
        for other, fmt in ((".jsonld", "json-ld"), (".nt", "nt")):
            assert isomorphic(Graph().parse(path.with_suffix(other), format=fmt), graph)
    accord = Graph().parse(site_dir / "id/accord/declaration-de-bethune-2023.ttl")
    signatory = URIRef("https://w3id.org/accords-kg/ontology#signatory")
    signatories = {str(o) for o in accord.objects(None, signatory)}
    assert signatories == {ID + "person/" + k for k in ("olivier-gacquerre", "sebastien-martin",
                                                         "xavier-bertrand")}  # fmt: skip


def test_ontology_documentation_by_pylode_in_two_languages(site_dir: Path) -> None:
    french = page(site_dir, "ontology.html")
    english = page(site_dir, "ontology.en.html")
    assert french.startswith("<!DOCTYPE html>") and '<html lang="fr">' in french
    assert '<html lang="en">' in english
    assert "Signature d'un accord par une personne" in french
    assert "Signature d'un accord par une personne" not in english
    assert "The signing of an accord by a person" in english
    assert ontodoc.external_assets(french) == [] and ontodoc.external_assets(english) == []
    # the accord page's type links to the term's section of the documentation
    assert '<a href="../../ontology.html#accord">accord</a>' in page(site_dir, ACCORD_PAGE)


def test_saved_query_page_has_its_text_and_results(site_dir: Path) -> None:
    html = page(site_dir, "queries/who-signed.html")
    assert "SELECT DISTINCT ?accord ?date ?place ?placeCode ?signatory ?capacity ?party" in html
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [read(r).text for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    assert f"{len(rows)} lignes" in html
    rows = [r for r in rows if " 2023-12-18 Béthune 62119 " in r]
    assert [r.split(" 2023-12-18 Béthune 62119 ")[1] for r in rows] == [
        "Olivier Gacquerre Président de la communauté d'agglomération de Béthune-Bruay, "
        "Artois-Lys Romane CA de Béthune-Bruay, Artois-Lys Romane false",
        "Sébastien Martin Président d'Intercommunalités de France Intercommunalités de France "
        "false",
        "Xavier Bertrand Président du conseil régional des Hauts-de-France Hauts-de-France false",
    ]


def test_index_lists_accords_people_organisations_and_queries(site_dir: Path) -> None:
    html = page(site_dir, "index.html")
    sections = re.findall(r"<h2>(.*?)</h2>", html)
    assert [read(s).text for s in sections] == [
        "Accords",
        "Personnes / People",
        "Organisations",
        "Requêtes enregistrées / Saved queries",
        "Ontologie / Ontology",
        "Autres ressources / Other resources",
    ]
    table = html.split('<table class="accords">', 1)[1].split("</table>", 1)[0]
    (row,) = [r for r in re.findall(r"<tr><td>(.*?)</tr>", table) if ACCORD_PAGE in r]
    assert row.startswith('<time datetime="2023-12-18">18 décembre 2023</time></td>')
    assert read(row).links == [
        (ACCORD_PAGE, "Déclaration de Béthune"),
        ("id/commune/62119.html", "Béthune"),
        ("id/epci/200072460.html", "CA de Béthune-Bruay, Artois-Lys Romane"),
        ("id/region/32.html", "Hauts-de-France"),
        ("id/org/intercommunalites-de-france.html", "Intercommunalités de France"),
    ]


#: Each accord, the date of its signing ceremony (stated, or recorded as an inferred
#: statement) and whether that date is inferred: read here independently of the site's code.
ACCORD_DATES = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
SELECT ?accord ?date ?inferred WHERE {
  ?accord a acc:Accord .
  OPTIONAL {
    ?accord acc:signedDuring ?ceremony .
    { ?ceremony schema:startDate ?date }
    UNION { [] a acc:InferredStatement ; rdf:subject ?ceremony ;
               rdf:predicate schema:startDate ; rdf:object ?date }
    BIND (EXISTS { [] a acc:InferredStatement ; rdf:subject ?ceremony ;
                      rdf:predicate schema:startDate ; rdf:object ?date } AS ?inferred)
  }
}
"""


def accords_by_date(store: Store) -> list[tuple[str, str | None, bool]]:
    """(accord's page, date, inferred) of every accord of the graph, earliest first, undated
    last; an accord's date is its stated one where it has one, else its inferred one."""
    best: dict[str, tuple[bool, str]] = {}
    for accord, date, inferred in store.query(ACCORD_DATES).rows:
        iri = str(accord)
        if date is None:
            best.setdefault(iri, (True, ""))
            continue
        candidate = (bool(inferred and inferred.toPython()), str(date))
        if iri not in best or best[iri][1] == "" or candidate < best[iri]:
            best[iri] = candidate
    ordered = sorted(best.items(), key=lambda item: (item[1][1] == "", item[1][1], item[0]))
    return [
        (site_page(iri), date or None, bool(date) and inferred) for iri, (inferred, date) in ordered
    ]


def site_page(iri: object) -> str:
    return str(iri).removeprefix("https://w3id.org/accords-kg/") + ".html"


def test_index_lists_every_accord_by_date_with_place_and_parties(
    site_dir: Path, store: Store
) -> None:
    expected = accords_by_date(store)
    assert expected, "the graph holds at least one accord"
    html = page(site_dir, "index.html")
    table = html.split('<table class="accords">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    assert len(rows) == len(expected)
    parties = store.query(
        "PREFIX acc: <https://w3id.org/accords-kg/ontology#>\n"
        "SELECT ?accord ?x WHERE { { ?accord acc:party ?x } UNION "
        "{ ?accord acc:signedDuring/<https://schema.org/location> ?x } }"
    ).rows
    for row, (accord_page, date, inferred) in zip(rows, expected, strict=True):
        links = [link for link, _ in read(row).links]
        assert links[0] == accord_page, row  # the accord first, after its date
        linked = {site_page(x) for a, x in parties if site_page(a) == accord_page}
        assert set(links[1:]) == linked, row  # its place and its parties
        if date is None:
            assert "date inconnue" in row
        else:
            assert f'<time datetime="{date}">' in row
            assert ("déduite" in row) == inferred, row


def test_index_shows_the_timeline_of_the_dated_accords(site_dir: Path, store: Store) -> None:
    dated = [(p, inferred) for p, date, inferred in accords_by_date(store) if date]
    html = page(site_dir, "index.html")
    figure = html.split('<figure class="timeline" id="timeline">', 1)[1].split("</figure>", 1)[0]
    svg = ET.fromstring(figure.split('<div class="scroll">', 1)[1].split("</div>", 1)[0])
    links = list(svg.iter("{http://www.w3.org/2000/svg}a"))
    assert [a.get("href") for a in links] == [p for p, _ in dated]
    markers = [next(a.iter("{http://www.w3.org/2000/svg}circle")) for a in links]
    assert ["inferred" in (m.get("class") or "") for m in markers] == [i for _, i in dated]
    xs = [float(m.get("cx") or 0) for m in markers]
    assert xs == sorted(xs)


def test_each_accord_has_its_page_and_its_diagram(site_dir: Path, store: Store) -> None:
    for accord_page, _, _ in accords_by_date(store):
        html = page(site_dir, accord_page)
        svg = html.split('<figure class="diagram" id="diagram">', 1)[1].split("</figure>", 1)[0]
        assert svg.lstrip().startswith("<svg")
        assert f'<a xlink:href="{accord_page.rsplit("/", 1)[1]}"' in svg  # the accord's node


def test_pages_need_no_script_and_declare_their_language(site_dir: Path) -> None:
    for path in sorted(site_dir.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        assert re.search(r'<html lang="(fr|en)">', html), path
        if not path.name.startswith("ontology"):  # pyLODE's JSON-LD block is data, not code
            assert "<script" not in html, path


def test_cli_site_prints_what_the_docs_show_and_refuse_a_foreign_folder(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    docs = (ROOT / "docs" / "publishing.md").read_text(encoding="utf-8")
    sample = re.search(r"```text illustrative\n\$ accords site\n(.*?)```", docs, re.S)
    assert sample, "docs/publishing.md: a ```text block starting with `$ accords site`"
    monkeypatch.chdir(tmp_path)
    assert main(["site"]) == 0
    # the same line (the counts grow with the register)
    line = r"wrote / écrit : dist/site/ \(\d+ pages HTML, \d+ files / fichiers\)\n"
    assert re.fullmatch(line, sample.group(1))
    assert re.fullmatch(line, capsys.readouterr().err)
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["site", "--out", str(foreign)]) == 2
    assert "is not a site built by `accords site`" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_site_needs_no_program_outside_python(tmp_path: Path, capsys, monkeypatch) -> None:
    """The diagrams are written as SVG by the project: a PATH with no program at all (no
    Graphviz) still builds every page, each accord's with its diagram."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["site", "--out", str(tmp_path / "site"), "--territories", "none"]) == 0
    assert "wrote / écrit" in capsys.readouterr().err
    html = page(tmp_path / "site", ACCORD_PAGE)
    assert '<figure class="diagram" id="diagram">\n<svg xmlns="http://www.w3.org/2000/svg"' in html


def test_without_pylode_a_clear_message_and_exit_7(tmp_path: Path) -> None:
    """A Python where pyLODE cannot be imported (``sys.modules`` entry ``None``)."""
    code = (
        "import sys; sys.modules['pylode'] = None\n"
        "from accords_kg.cli import main\n"
        f"sys.exit(main(['site', '--out', {str(tmp_path / 'site')!r}, '--territories', 'none']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 7
    assert "pyLODE is not installed" in done.stderr and "Traceback" not in done.stderr
    assert "pip install 'accords-kg[site]'" in done.stderr


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("text/html;q=0.1, text/turtle", "text/turtle"),
        ("text/*;q=0.3, text/turtle;q=0", "text/html"),
        ("text/turtle;q=0, */*;q=0.1", "text/html"),
        ("application/*", "application/xhtml+xml"),
        ("image/png", "text/html"),  # nothing acceptable: the page rather than a 406
        ("garbage", "text/html"),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8",
            "text/html",
        ),
        ("application/n-triples;q=1.0, text/turtle;q=1.0", "text/turtle"),  # ties: our order
    ],
)
def test_negotiation_picks_what_the_client_prefers(accept: str | None, expected: str) -> None:
    offers = ["text/html", "application/xhtml+xml", "text/turtle", "application/ld+json",
              "application/n-triples"]  # fmt: skip
    assert choose(accept, offers) == expected


def test_generated_french_names_elide_de_before_a_vowel(site_dir: Path) -> None:
    html = page(site_dir, "id/signature/declaration-de-bethune-2023-olivier-gacquerre.html")
    assert "<title>Signature d&#x27;Olivier Gacquerre — accords-kg</title>" in html
    html = page(site_dir, "id/signature/declaration-de-bethune-2023-xavier-bertrand.html")
    assert "<title>Signature de Xavier Bertrand — accords-kg</title>" in html
