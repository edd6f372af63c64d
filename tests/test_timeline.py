"""The accords' timeline, drawn from small synthetic graphs (IRIs under example.org, never in
data/): dates in order, inferred dates marked, each marker a link, no label over another."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from rdflib import Graph

from accords_kg.graph.store import Store
from accords_kg.web import timeline
from accords_kg.web.labels import Labels

SVG = "{http://www.w3.org/2000/svg}"
EX = "https://example.org/"
PREFIXES = """
@prefix acc: <https://w3id.org/accords-kg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
"""

#: Three accords, written out of date order: Pompey's date is only inferred (not stated).
THREE = """
ex:accord-pompey a acc:Accord ; dcterms:title "Accord de Pompey"@fr ;
    acc:signedDuring ex:event-pompey .
ex:event-pompey schema:location ex:pompey .
[] a acc:InferredStatement ; rdf:subject ex:event-pompey ; rdf:predicate schema:startDate ;
    rdf:object "2025-07-17"^^xsd:date ;
    acc:reasoning "L’année est déduite du contexte."@fr, "The year is inferred from context."@en ;
    prov:wasDerivedFrom ex:source-pompey .
ex:accord-dole a acc:Accord ; dcterms:title "Pacte territorial de Dole"@fr ;
    schema:alternateName "Accord de Dole"@fr ; acc:signedDuring ex:event-dole .
ex:event-dole schema:startDate "2024-05-15"^^xsd:date ; schema:location ex:dole .
ex:accord-bethune a acc:Accord ; schema:alternateName "Déclaration de Béthune"@fr ;
    acc:signedDuring ex:event-bethune .
ex:event-bethune schema:startDate "2023-12-18"^^xsd:date ; schema:location ex:bethune .
ex:pompey schema:name "Pompey" . ex:dole schema:name "Dole" . ex:bethune schema:name "Béthune" .
"""


def store_of(turtle: str) -> Store:
    store = Store()
    store.add_graph(Graph().parse(data=PREFIXES + turtle, format="turtle"), EX + "graph")
    return store


def page(iri: str) -> str:
    return iri.removeprefix(EX) + ".html"


def draw(store: Store) -> str:
    return timeline.render(timeline.collect(store), Labels.of(store).fr, page)


def flags(svg: str) -> list[tuple[str, float, str, list[str]]]:
    """Each linked flag: (href, marker's x, marker's class, its lines of text)."""
    found = []
    for link in ET.fromstring(svg).iter(SVG + "a"):
        (marker,) = link.iter(SVG + "circle")
        texts = [t.text or "" for t in link.iter(SVG + "text")]
        found.append(
            (link.get("href", ""), float(marker.get("cx", "")), marker.get("class"), texts)
        )
    return found


def test_three_accords_in_date_order_each_a_link_the_inferred_one_marked() -> None:
    store = store_of(THREE)
    assert [(d.accord, d.date, d.inferred) for d in timeline.collect(store)] == [
        (EX + "accord-bethune", "2023-12-18", False),
        (EX + "accord-dole", "2024-05-15", False),
        (EX + "accord-pompey", "2025-07-17", True),
    ]
    found = flags(draw(store))
    assert [f[0] for f in found] == ["accord-bethune.html", "accord-dole.html",
                                     "accord-pompey.html"]  # fmt: skip
    xs = [f[1] for f in found]
    assert xs == sorted(xs) and len(set(xs)) == 3
    assert [f[2] for f in found] == ["marker", "marker", "marker inferred"]
    assert found[0][3] == ["18 décembre 2023", "Déclaration de Béthune", "Béthune"]
    assert found[1][3] == ["15 mai 2024", "Accord de Dole", "Dole"]  # the usual name
    assert found[2][3] == ["17 juillet 2025 (déduite / inferred)", "Accord de Pompey", "Pompey"]


def test_year_ticks_span_the_dates_and_a_legend_explains_the_hollow_marker() -> None:
    root = ET.fromstring(draw(store_of(THREE)))
    texts = [t.text for t in root.iter(SVG + "text")]
    assert [t for t in texts if t and t.isdigit()] == ["2023", "2024", "2025", "2026"]
    assert "date déduite / inferred date" in texts
    # without an inferred date, no legend
    stated = draw(store_of(THREE.replace("[] a acc:InferredStatement", "[] a acc:Other")))
    assert "inferred" not in stated and len(flags(stated)) == 2


def test_same_graph_same_bytes() -> None:
    first, second = draw(store_of(THREE)), draw(store_of(THREE))
    assert first == second and first.startswith("<svg")


def test_a_stated_date_wins_over_an_inferred_one_and_an_undated_accord_goes_last() -> None:
    store = store_of(
        THREE
        + """
        ex:event-pompey schema:startDate "2025-07-17"^^xsd:date .
        ex:accord-later a acc:Accord ; dcterms:title "Sans date"@fr .
        ex:accord-both a acc:Accord ; dcterms:title "Deux dates"@fr ; acc:signedDuring ex:e2 .
        ex:e2 schema:startDate "2024-06-01"^^xsd:date .
        [] a acc:InferredStatement ; rdf:subject ex:e2 ; rdf:predicate schema:startDate ;
            rdf:object "2024-01-01"^^xsd:date .
        """
    )
    dated = timeline.collect(store)
    assert [(d.accord.removeprefix(EX), d.date, d.inferred) for d in dated] == [
        ("accord-bethune", "2023-12-18", False),
        ("accord-dole", "2024-05-15", False),
        ("accord-both", "2024-06-01", False),
        ("accord-pompey", "2025-07-17", True),  # stated and also recorded as inferred
        ("accord-later", None, False),
    ]
    assert len(flags(draw(store))) == 4  # the undated accord is not drawn


def test_one_accord_alone_and_none_at_all() -> None:
    one = store_of(THREE.split("ex:accord-dole")[0] + "ex:pompey schema:name 'Pompey' .")
    (flag,) = flags(draw(one))
    assert flag[0] == "accord-pompey.html" and flag[2] == "marker inferred"
    assert draw(store_of("ex:x a acc:Accord .")) == ""


def boxes(svg: str) -> list[tuple[float, float, float, float, float]]:
    """Each flag's label box (left, top, right, bottom, drawn from the rectangle behind its
    text) and its marker's x."""
    found = []
    for link in ET.fromstring(svg).iter(SVG + "a"):
        (rect,) = link.iter(SVG + "rect")
        (marker,) = link.iter(SVG + "circle")
        left, top = float(rect.get("x", "")), float(rect.get("y", ""))
        right, bottom = left + float(rect.get("width", "")), top + float(rect.get("height", ""))
        found.append((left, top, right, bottom, float(marker.get("cx", ""))))
    return found


def test_dozens_of_accords_labels_never_overlap() -> None:
    turtle = []
    for i in range(40):  # some on the same day, most within weeks of each other
        day = f"2024-{1 + i % 12:02d}-{1 + (i * 7) % 28:02d}"
        turtle.append(
            f'ex:a{i} a acc:Accord ; dcterms:title "Accord territorial numéro {i} pour '
            f'l’industrie"@fr ; acc:signedDuring ex:e{i} .\n'
            f'ex:e{i} schema:startDate "{day}"^^xsd:date ; schema:location ex:p{i % 5} .\n'
            f'ex:p{i % 5} schema:name "Commune {i % 5}" .\n'
        )
    svg = draw(store_of("".join(turtle)))
    found = boxes(svg)
    assert len(found) == 40 and len({box[1] for box in found}) > 3  # stacked in rows
    for a, b in itertools.combinations(found, 2):
        apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
        assert apart, (a, b)
    root = ET.fromstring(svg)
    width = float(root.get("width", ""))
    assert all(box[2] <= width for box in found)  # no label runs off the picture
    assert float(root.get("height", "")) >= max(box[3] for box in found)


def test_dates_as_text_and_in_time() -> None:
    assert timeline.shown("2023-12-18") == "18 décembre 2023"
    assert timeline.shown("2025-07") == "juillet 2025" and timeline.shown("2025") == "2025"
    assert timeline.position("2024-01-01") == 2024.0
    # a year or a month alone stands at its middle
    positions = [timeline.position(d) for d in ("2024-01-01", "2024", "2024-07", "2025-01-01")]
    assert positions == sorted(positions) and len(set(positions)) == 4
    assert timeline.position("2024-13-01") is None and timeline.position("unknown") is None


def test_names_are_escaped_and_long_ones_cut_with_the_whole_as_tooltip() -> None:
    name = 'Accord <b>A&B</b> « "quoted" » ' + "très long " * 10
    store = store_of(
        f"ex:a a acc:Accord ; dcterms:title {name.strip()!r}@fr ; acc:signedDuring ex:e .\n"
        'ex:e schema:startDate "2024-02-29"^^xsd:date .\n'
    )
    svg = draw(store)
    (link,) = ET.fromstring(svg).iter(SVG + "a")  # parses: nothing left unescaped
    lines = [t.text or "" for t in link.iter(SVG + "text")]
    assert lines[0] == "29 février 2024" and lines[1].startswith("Accord <b>A&B</b>")
    assert len(lines) == 3 and lines[2].endswith("…")  # the name on two lines, cut
    assert link.findtext(SVG + "title") == f"{name.strip()} — 29 février 2024"
