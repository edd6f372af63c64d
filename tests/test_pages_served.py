"""`accords serve` in front of the site: content negotiation on the resources' paths, the 404
page, HEAD, and SPARQL through the same port — against the real server, over HTTP."""

from __future__ import annotations

import http.client
import json
import urllib.request
from pathlib import Path
from urllib.error import HTTPError

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from accords_kg.graph.store import Store
from accords_kg.publishing.describe import describe
from accords_kg.web import serve

ID = "https://w3id.org/accords-kg/id/"
ACC = "https://w3id.org/accords-kg/ontology#"
ACCORD = "/id/accord/declaration-de-bethune-2023"


@pytest.fixture
def server(served: serve.Running) -> serve.Running:
    return served


def fetch(
    server: serve.Running, path: str, accept: str | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(server.url + path, method=method)
    if accept is not None:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers.items()), answer.read()
    except HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


RDF_TYPES = [
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
]


@pytest.mark.parametrize(("media", "parser"), RDF_TYPES)
def test_the_accord_in_each_rdf_type(
    server: serve.Running, store: Store, media: str, parser: str
) -> None:
    status, headers, body = fetch(server, ACCORD, accept=media)
    assert status == 200
    assert headers["Content-Type"] == f"{media}; charset=utf-8"
    assert headers["Vary"] == "Accept"
    graph = Graph().parse(data=body.decode("utf-8"), format=parser)
    accord = URIRef(ID + "accord/declaration-de-bethune-2023")
    assert (accord, RDF.type, URIRef(ACC + "Accord")) in graph
    assert len(set(graph.objects(accord, URIRef(ACC + "signature")))) == 3
    # the statement nodes travel with the accord: who signed, with their sources
    assert set(graph.objects(None, URIRef(ACC + "signatory"))) == {
        URIRef(ID + "person/" + k)
        for k in ("olivier-gacquerre", "sebastien-martin", "xavier-bertrand")
    }
    assert isomorphic(graph, describe(store, str(accord)))


def test_a_browser_gets_the_page(server: serve.Running, site_dir: Path) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
    status, headers, body = fetch(server, ACCORD, accept=browser)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Vary"] == "Accept"
    assert body == (site_dir / "id/accord/declaration-de-bethune-2023.html").read_bytes()
    assert fetch(server, ACCORD)[2] == body  # no Accept header: the page
    assert fetch(server, ACCORD, accept="image/png")[2] == body  # nothing acceptable: the page


def test_q_values_choose(server: serve.Running) -> None:
    _, headers, body = fetch(server, "/id/person/xavier-bertrand",
                             accept="text/turtle;q=0.5, application/ld+json;q=0.9")  # fmt: skip
    assert headers["Content-Type"] == "application/ld+json; charset=utf-8"
    doc = json.loads(body)
    names = [n for n in doc["@graph"] if n["@id"].endswith("person/xavier-bertrand")]
    assert names[0]["foaf:name"] == "Xavier Bertrand"


def test_format_parameter_and_file_names(server: serve.Running) -> None:
    for path, media in (
        (ACCORD + "?format=ttl", "text/turtle"),
        (ACCORD + "?format=nt", "application/n-triples"),
        (ACCORD + ".jsonld", "application/ld+json"),
        (ACCORD + "?format=html", "text/html"),
    ):
        status, headers, _ = fetch(server, path, accept="text/turtle")
        assert (status, headers["Content-Type"]) == (200, f"{media}; charset=utf-8"), path


def test_unknown_resources_get_the_404_page(server: serve.Running, site_dir: Path) -> None:
    not_found = (site_dir / "404.html").read_bytes()
    for accept in (None, "text/turtle", "application/ld+json"):
        status, headers, body = fetch(server, "/id/person/nobody", accept=accept)
        assert (status, body) == (404, not_found)
        assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Ressource inconnue" in not_found.decode("utf-8")
    assert fetch(server, "/no/such/thing.html")[0] == 404
    assert fetch(server, ACCORD + "?format=pdf")[0] == 404


def test_a_unit_without_a_page_still_answers_in_rdf(server: serve.Running) -> None:
    status, _, body = fetch(server, "/id/commune/59350", accept="text/turtle")
    assert status == 200
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    lille = URIRef(ID + "commune/59350")
    assert graph.value(lille, URIRef("http://rdf.insee.fr/def/geo#codeINSEE")) == Literal("59350")
    assert fetch(server, "/id/commune/59350", accept="text/html")[0] == 404


def test_the_ontology_iri_answers_with_the_ontology(server: serve.Running) -> None:
    body = fetch(server, "/ontology", accept="text/turtle")[2]
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    owl_class = URIRef("http://www.w3.org/2002/07/owl#Class")
    assert (URIRef(ACC + "Signature"), RDF.type, owl_class) in graph
    headers = fetch(server, "/ontology", accept="text/html")[1]
    assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_head_has_the_headers_of_get_and_no_body(server: serve.Running) -> None:
    for accept in ("text/turtle", "text/html"):
        _, got, body = fetch(server, ACCORD, accept=accept)
        status, headers, empty = fetch(server, ACCORD, accept=accept, method="HEAD")
        assert (status, empty) == (200, b"")
        assert headers["Content-Length"] == str(len(body)) == got["Content-Length"]
        assert headers["Content-Type"] == got["Content-Type"]


def test_no_way_out_of_the_site_folder(server: serve.Running) -> None:
    host = server.url.removeprefix("http://")
    for path in ("/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/.accords-kg-site"):
        connection = http.client.HTTPConnection(host, timeout=10)
        connection.request("GET", path)  # sent as is, not normalised by the client
        answer = connection.getresponse()
        assert answer.status == 404 and b"root:" not in answer.read(), path
        connection.close()


def test_sparql_through_the_same_port(server: serve.Running) -> None:
    status, _, body = fetch(
        server, "/query?query=ASK%7B%3Chttps%3A%2F%2Fw3id.org%2Faccords-kg%2Fid%2Fregion%2F32%3E"
        "%20a%20%3Chttps%3A%2F%2Fw3id.org%2Faccords-kg%2Fontology%23Region%3E%7D",
        accept="application/sparql-results+json",
    )  # fmt: skip
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    update = urllib.request.Request(
        server.url + "/update", data=b"CLEAR ALL", method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )  # fmt: skip
    with pytest.raises(HTTPError) as refused:  # read-only
        urllib.request.urlopen(update, timeout=10)
    assert refused.value.code == 403
    assert fetch(server, "/index.html", method="POST")[0] == 405


def test_publishing_to_a_read_only_serve_says_it_needs_writable(
    server: serve.Running, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's serve block once failed here with a bare HTTP 403."""
    from accords_kg.cli import main

    store_url = server.url + "/store"
    assert main(["publish", "--store", store_url, "--territories", "none"]) == 6
    err = capsys.readouterr().err
    assert "HTTP 403" in err and "--writable" in err
    assert "lecture seule" in err  # the server's own words, kept
