"""Links the site writes from the data open only web pages (http, https, mailto): a
``javascript:``, ``data:`` or ``vbscript:`` URL in the data, however spelled, is shown as
text, never as a link that would run in the site's origin (the endpoint's, when served)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from accords_kg.cli import main
from accords_kg.graph.store import Store
from accords_kg.resources import GRAPH_BASE
from accords_kg.web import linkcheck
from accords_kg.web.htmlpage import href, web_url
from accords_kg.web.site import Site

HOSTILE_URLS = [
    "javascript:alert(document.domain)",
    "JAVASCRIPT:alert(1)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "http:/no-host",
]
FINE_URLS = ["https://example.org/a?b=c#d", "HTTP://example.org/", "mailto:contact@example.org"]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_no_web_url_from_a_hostile_one(url: str) -> None:
    assert web_url(url) is None


@pytest.mark.parametrize("url", FINE_URLS)
def test_web_urls_pass(url: str) -> None:
    assert web_url(url) == url


def test_a_page_path_with_a_colon_is_not_read_as_a_scheme() -> None:
    assert href("id/a.html", "id/javascript:alert(1)//x.html") == "./javascript:alert(1)/x.html"
    assert href("id/a/b.html", "id/javascript:x.html") == "../javascript:x.html"


# ---------------------------------------------------------------------------
# Pages built from hostile data
# ---------------------------------------------------------------------------

ID = "https://w3id.org/accords-kg/id/"
SOURCE = ID + "source/hostile-source"
PERSON = ID + "person/hostile-person"


def turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace(
        "\t", "\\t").replace("\r", "\\r") + '"'  # fmt: skip


def hostile_data() -> str:
    """A source whose schema:url is each hostile URL (as an IRI where Turtle allows it, as a
    string otherwise), a person derived from it, with hostile IRIs as objects and as a
    predicate."""
    iris = [u for u in HOSTILE_URLS if not any(c in u for c in ' \t\n\x01<>"{}|^`\\')]
    literals = [u for u in HOSTILE_URLS if u not in iris]
    urls = [f"<{u}>" for u in iris] + [turtle_string(u) for u in literals]
    return (
        "@prefix schema: <https://schema.org/> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<{SOURCE}> a <https://w3id.org/accords-kg/ontology#Source> ; rdfs:label "S"@fr ;\n'
        f"    schema:url {' , '.join(urls)} .\n"
        f'<{PERSON}> a <http://xmlns.com/foaf/0.1/Person> ; rdfs:label "P"@fr ;\n'
        f"    prov:wasDerivedFrom <{SOURCE}> ;\n"
        f"    <javascript:alert(3)> <https://example.org/fine> ;\n"
        f"    rdfs:seeAlso {' , '.join(f'<{u}>' for u in iris)} .\n"
    )


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k in ("href", "xlink:href", "src") and v]


def hrefs(page: str) -> list[str]:
    parser = Links()
    parser.feed(page)
    return parser.hrefs


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    data = tmp_path_factory.mktemp("hostile-data") / "hostile.ttl"
    data.write_text(hostile_data())
    store = Store.load(territories="none")  # a store of its own: add_file changes it
    store.add_file(data, GRAPH_BASE + "data")
    return Site(store)


@pytest.mark.parametrize("iri", [SOURCE, PERSON])
def test_a_page_from_hostile_data_links_to_no_hostile_url(site: Site, iri: str) -> None:
    page = site.resource_page(iri)
    links = hrefs(page)
    assert links  # the page has its usual links
    for url in links:
        scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
        assert scheme in ("", "http", "https", "mailto"), url
        assert "script" not in url.lower() and not url.lower().startswith("data:"), url
    assert "alert(document.domain)" in page  # shown, as text
    if iri == PERSON:  # a web link in the same data stays a link
        assert "https://example.org/fine" in links


def test_the_link_check_reports_a_hostile_link(tmp_path: Path) -> None:
    """The site's own check (run by `accords site`) catches what would slip through."""
    (tmp_path / "index.html").write_text(
        '<a href="404.html">x</a><a href="JaVaScRiPt:alert(1)">y</a><a href="data:,x">z</a>'
        '<a href="https://example.org/">fine</a><img src="data:image/png;base64,AA==">'
    )
    (tmp_path / "404.html").write_text("<p>404</p>")
    assert linkcheck.check(tmp_path) == [
        "index.html: <a> links to a URL of no web scheme: 'JaVaScRiPt:alert(1)'",
        "index.html: <a> links to a URL of no web scheme: 'data:,x'",
    ]


# ---------------------------------------------------------------------------
# At entry: the shapes refuse a source address that is not a web page
# ---------------------------------------------------------------------------

ENTRY_URLS = ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x"]


def test_a_source_address_that_is_not_a_web_page_is_refused_at_entry(
    tmp_path: Path, capsys
) -> None:
    entry = tmp_path / "sources.ttl"
    entry.write_text(
        "@prefix acc: <https://w3id.org/accords-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix schema: <https://schema.org/> .\n"
        + "".join(
            f'<{ID}source/exemple-{n}> a acc:Source ; rdfs:label "Exemple {n}"@fr ;\n'
            f"    schema:url <{url}> .\n"
            for n, url in enumerate(ENTRY_URLS)
        )
    )
    assert main(["validate", str(entry), "--territories", "none", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["results"]
    pattern = "http://www.w3.org/ns/shacl#PatternConstraintComponent"
    assert sorted((f["focusNode"], f["path"], f["value"], f["constraint"]) for f in findings) == [
        (f"{ID}source/exemple-{n}", "https://schema.org/url", url, pattern)
        for n, url in enumerate(ENTRY_URLS)
    ]


# ---------------------------------------------------------------------------
# Page paths: an IRI's path never leads a page outside the site's folder
# ---------------------------------------------------------------------------

ESCAPING_IRIS = [
    ID + "../../../../escaped",
    ID + "person/..",
    ID + "person//double",
    ID + "person/./here",
    ID + "person/a%2F..%2Fb",
    ID + "person/a?query",
    ID + "person/back\\slash",
]


@pytest.mark.parametrize("iri", ESCAPING_IRIS)
def test_an_iri_that_could_leave_the_folder_gets_no_page(iri: str) -> None:
    from accords_kg.web.site import page_path

    assert page_path(iri) is None


def test_plain_iris_get_their_page() -> None:
    from accords_kg.web.site import page_path

    assert page_path(ID + "person/xavier-bertrand") == "id/person/xavier-bertrand.html"
    assert page_path(ID + "commune/62119") == "id/commune/62119.html"


def test_a_site_from_data_naming_escaping_iris_writes_only_inside_its_folder(
    tmp_path: Path,
) -> None:
    data = tmp_path / "escaping.ttl"
    data.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        + "".join(
            f"<{iri.replace(chr(92), '%5C')}> a <http://xmlns.com/foaf/0.1/Person> ; "
            f'rdfs:label "P{n}"@fr .\n'
            for n, iri in enumerate(ESCAPING_IRIS)
        )
    )
    store = Store.load(territories="none")
    store.add_file(data, GRAPH_BASE + "data")
    out = tmp_path / "deep" / "er" / "site"
    from accords_kg.web.site import build

    build(store, out)
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and out not in p.parents]
    assert outside == [data]
    assert not (out / "id" / "person" / "..html").exists()
