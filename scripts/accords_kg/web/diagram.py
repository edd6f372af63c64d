"""The picture of an accord: who signed, in which capacity, for which party, when and where.

Signatories → capacities (their mandates) → parties → the accord → its signing ceremony →
the place, written here as SVG (no Graphviz, no program outside Python), each node a link
to its page. The picture has a fixed shape: one column per kind of node, left to right, each
column's nodes stacked and centred, edges as curves with their label at the middle. Only
what the graph says is drawn: a signature without a stated capacity goes straight from the
person to the party. Nodes are ordered by label, then by where their neighbours stand, so
the same graph gives the same SVG.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import URIRef

from ..graph.store import Store
from .htmlpage import esc
from .labels import french_date

_SIGNATURES = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX opengov: <http://www.w3.org/ns/opengov#>
SELECT ?person ?mandate ?party WHERE {
  ?accord acc:signature ?signature .
  ?signature acc:signatory ?person ; opengov:onBehalfOf ?party .
  OPTIONAL { ?signature acc:inCapacityOf ?mandate }
}
"""

_PARTIES = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
SELECT ?party WHERE { ?accord acc:party ?party }
"""

#: An accord's ceremony, date and place (the accord page's summary reads it too).
#: The accord's ceremony, its date, its place, and the mark saying the date is inferred
#: (an acc:InferredStatement), if it is.
CEREMONY = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
SELECT ?ceremony ?date ?place ?inferred WHERE {
  ?accord acc:signedDuring ?ceremony .
  OPTIONAL { ?ceremony schema:startDate ?date }
  OPTIONAL { ?ceremony schema:location ?place }
  OPTIONAL {
    ?inferred a acc:InferredStatement ;
      rdf:subject ?ceremony ;
      rdf:predicate schema:startDate ;
      rdf:object ?date .
  }
}
"""

#: Fill colours by kind of node (also what the browser test looks for in a screenshot).
COLOURS = {
    "person": "#cfe3ff",
    "mandate": "#e6dcff",
    "party": "#d4f2d8",
    "accord": "#ffe08a",
    "ceremony": "#ffd3c2",
    "place": "#e8e8e8",
}


@dataclass
class AccordDiagram:
    """The nodes (IRI → kind) and labelled edges of one accord's diagram."""

    accord: str
    nodes: dict[str, str] = field(default_factory=dict)
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    notes: dict[str, str] = field(default_factory=dict)  # a second line under a node's label


def collect(store: Store, accord: str) -> AccordDiagram:
    """What the graph says about ``accord``'s signing, as nodes and edges."""
    bind = {"accord": URIRef(accord)}
    diagram = AccordDiagram(accord, {accord: "accord"})
    for person, mandate, party in store.query(_SIGNATURES, bind).rows:
        diagram.nodes[str(person)] = "person"
        diagram.nodes[str(party)] = "party"
        if mandate is not None:
            diagram.nodes[str(mandate)] = "mandate"
            diagram.edges.add((str(person), str(mandate), "en qualité de"))
            diagram.edges.add((str(mandate), str(party), "au nom de"))
        else:
            diagram.edges.add((str(person), str(party), "au nom de"))
    for (party,) in store.query(_PARTIES, bind).rows:
        diagram.nodes[str(party)] = "party"
    for party, kind in list(diagram.nodes.items()):
        if kind == "party":
            diagram.edges.add((party, accord, "partie"))
    for ceremony, date, place, inferred in store.query(CEREMONY, bind).rows:
        diagram.nodes[str(ceremony)] = "ceremony"
        diagram.edges.add((accord, str(ceremony), "signé lors de"))
        if date is not None:
            mark = " (déduite)" if inferred is not None else ""
            diagram.notes[str(ceremony)] = french_date(str(date)) + mark
        if place is not None:
            diagram.nodes[str(place)] = "place"
            diagram.edges.add((str(ceremony), str(place), "lieu"))
    return diagram


def wrap(text: str, width: int = 26) -> str:
    """``text`` broken into lines of about ``width`` characters, at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


# -- the picture ---------------------------------------------------------------------------

#: The columns, left to right.
ORDER = ("person", "mandate", "party", "accord", "ceremony", "place")
FONT, LINE, PAD = 11, 14.0, 8.0  # text size, line height, padding inside a node
GAP_X, GAP_Y, MARGIN = 120.0, 16.0, 10.0  # between columns, between nodes, around
EDGE, INK = "#555555", "#1d1d1f"


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _width(text: str) -> float:
    """An estimate of the text's width, a little over what browsers draw (no font metrics
    here): DejaVu Sans averages about 0.52 em a character in French text."""
    return len(text) * FONT * 0.6


@dataclass
class _Box:
    iri: str
    kind: str
    lines: list[str]
    x: float = 0.0
    y: float = 0.0

    @property
    def w(self) -> float:
        return max(_width(line) for line in self.lines) + 2 * PAD

    @property
    def h(self) -> float:
        return len(self.lines) * LINE + 2 * PAD - 4


def _columns(diagram: AccordDiagram, boxes: dict[str, _Box]) -> list[list[_Box]]:
    """The non-empty columns, each ordered so that edges cross little: the first by label,
    the next ones by the mean rank of the nodes pointing to them (then by label)."""
    columns = [
        sorted((b for b in boxes.values() if b.kind == kind), key=lambda b: (b.lines, b.iri))
        for kind in ORDER
    ]
    columns = [c for c in columns if c]
    rank: dict[str, float] = {}
    for column in columns:
        for box in column:
            before = [rank[s] for s, t, _ in diagram.edges if t == box.iri and s in rank]
            box.y = sum(before) / len(before) if before else float("inf")
        column.sort(key=lambda b: (b.y, b.lines, b.iri))
        rank.update({b.iri: i for i, b in enumerate(column)})
    return columns


def _place(columns: list[list[_Box]]) -> tuple[float, float]:
    """Each box's position; the picture's width and height."""
    heights = [sum(b.h for b in c) + GAP_Y * (len(c) - 1) for c in columns]
    height = max(heights) + 2 * MARGIN
    x = MARGIN
    for column, used in zip(columns, heights, strict=True):
        y = (height - used) / 2
        width = max(b.w for b in column)
        for box in column:
            box.x, box.y = x + (width - box.w) / 2, y
            y += box.h + GAP_Y
        x += width + GAP_X
    return x - GAP_X + MARGIN, height


def _node(box: _Box, link: str | None, tooltip: str) -> str:
    texts = "".join(
        f'<text x="{_num(box.x + box.w / 2)}" y="{_num(box.y + PAD + (i + 1) * LINE - 4)}" '
        f'text-anchor="middle" fill="{INK}">{esc(line)}</text>'
        for i, line in enumerate(box.lines)
    )
    inside = (
        f"<title>{esc(tooltip)}</title>"
        f'<rect x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.w)}" '
        f'height="{_num(box.h)}" rx="6" fill="{COLOURS[box.kind]}" stroke="{INK}"/>{texts}'
    )
    if link is None:
        return f'<g class="node {box.kind}">{inside}</g>'
    return f'<a xlink:href="{esc(link)}" class="node {box.kind}">{inside}</a>'


def _edge(source: _Box, target: _Box, text: str) -> str:
    """A curve from the right side of ``source`` to the left of ``target`` (an arrow), with
    its label on a white ground at its middle."""
    x1, y1 = source.x + source.w, source.y + source.h / 2
    x2, y2 = target.x - 2, target.y + target.h / 2
    bend = (x2 - x1) / 2
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    half = _width(text) * 9 / FONT / 2 + 3
    return (
        f'<g class="edge"><path d="M{_num(x1)},{_num(y1)} C{_num(x1 + bend)},{_num(y1)} '
        f'{_num(x2 - bend)},{_num(y2)} {_num(x2)},{_num(y2)}" fill="none" stroke="{EDGE}" '
        'marker-end="url(#arrow)"/>'
        f'<rect x="{_num(mx - half)}" y="{_num(my - 8)}" width="{_num(2 * half)}" '
        'height="12" fill="#fff" opacity="0.85"/>'
        f'<text x="{_num(mx)}" y="{_num(my + 2)}" text-anchor="middle" font-size="9" '
        f'fill="{EDGE}">{esc(text)}</text></g>'
    )


def render(
    diagram: AccordDiagram, label: Callable[[str], str], href: Callable[[str], str | None]
) -> str:
    """The diagram as SVG to embed in HTML: ``label`` and ``href`` give each node's text and
    link (relative to the page the SVG is shown in; None: no link)."""
    boxes = {}
    for iri, kind in diagram.nodes.items():
        note = [diagram.notes[iri]] if iri in diagram.notes else []
        lines = wrap(label(iri)).split("\n") + note
        boxes[iri] = _Box(iri, kind, lines)
    width, height = _place(_columns(diagram, boxes))
    title = "Signature : " + label(diagram.accord)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="diagram" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" font-family="DejaVu Sans, sans-serif" '
        f'font-size="{FONT}">',
        f"<title>{esc(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE}"/></marker>'
        "</defs>",
        *(_edge(boxes[s], boxes[t], text) for s, t, text in sorted(diagram.edges)),
        *(_node(boxes[iri], href(iri), label(iri)) for iri in sorted(boxes)),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
