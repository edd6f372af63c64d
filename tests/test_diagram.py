"""The accord's diagram, drawn by the project as SVG: every node in its column, none over
another, edges left to right, the same graph giving the same bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from accords_kg.graph.store import Store
from accords_kg.web import diagram

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
BETHUNE = "https://w3id.org/accords-kg/id/accord/declaration-de-bethune-2023"


def draw(store: Store) -> str:
    drawing = diagram.collect(store, BETHUNE)
    return diagram.render(drawing, lambda iri: iri.rsplit("/", 1)[1], lambda iri: iri + ".html")


def test_nodes_stand_in_their_columns_without_overlapping(curated: Store) -> None:
    svg = draw(curated)
    assert svg == draw(curated)  # the same bytes
    root = ET.fromstring(svg)
    boxes = {}
    for link in root.iter(SVG + "a"):
        rect = link.find(SVG + "rect")
        assert rect is not None
        kind = link.get("class", "").split()[1]
        x, y = float(rect.get("x")), float(rect.get("y"))
        boxes[link.get(XLINK)] = (
            kind,
            x,
            y,
            x + float(rect.get("width")),
            y + float(rect.get("height")),
        )
    assert len(boxes) == 12  # 3 people, 3 mandates, 3 parties, the accord, ceremony, place
    width, height = float(root.get("width")), float(root.get("height"))
    for name, (_, x1, y1, x2, y2) in boxes.items():
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height, name
        for other, (_, a1, b1, a2, b2) in boxes.items():
            if other != name:
                assert x2 <= a1 or a2 <= x1 or y2 <= b1 or b2 <= y1, (name, other)
    # the columns, left to right: people, mandates, parties, accord, ceremony, place
    order = [k for k in diagram.ORDER]
    for _, (kind, x1, _, _, _) in boxes.items():
        for _, (later, a1, _, _, _) in boxes.items():
            if order.index(kind) < order.index(later):
                assert x1 < a1, (kind, later)


def test_each_edge_runs_from_a_node_to_a_node_on_its_right(curated: Store) -> None:
    root = ET.fromstring(draw(curated))
    paths = [g.find(SVG + "path") for g in root.iter(SVG + "g") if g.get("class") == "edge"]
    assert len(paths) == 3 + 3 + 3 + 1 + 1  # en qualité de, au nom de, partie, signé lors de, lieu
    for path in paths:
        start, *_, end = path.get("d").replace("M", "").replace("C", "").split()
        assert float(start.split(",")[0]) < float(end.split(",")[0])
