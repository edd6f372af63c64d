"""The picture of an accord: who signed, in which capacity, for which party, when and where.

Signatories → capacities (their mandates) → parties → the accord → its signing ceremony →
the place, drawn by Graphviz (``dot``, Debian package ``graphviz``) as SVG, each node a
link to its page. Only what the graph says is drawn: a signature without a stated capacity
goes straight from the person to the party. Nodes are numbered in sorted order and dot is
deterministic, so the same graph gives the same SVG.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import URIRef

from ..errors import ToolMissing
from ..graph.store import Store
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


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(
    diagram: AccordDiagram, label: Callable[[str], str], href: Callable[[str], str | None]
) -> str:
    """The diagram in Graphviz's language; ``label`` and ``href`` give each node's text and
    link (relative to the page the SVG is embedded in)."""
    ids = {iri: f"n{i}" for i, iri in enumerate(sorted(diagram.nodes))}
    lines = [
        f"digraph {_quote('Signature : ' + label(diagram.accord))} {{",
        '  graph [rankdir=LR, fontname="DejaVu Sans", bgcolor="transparent", nodesep=0.3];',
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=11];',
        '  edge [fontname="DejaVu Sans", fontsize=9, color="#555555"];',
    ]
    for iri in sorted(diagram.nodes):
        kind = diagram.nodes[iri]
        text = wrap(label(iri)) + (f"\n{diagram.notes[iri]}" if iri in diagram.notes else "")
        attrs = [f"label={_quote(text)}", f'fillcolor="{COLOURS[kind]}"']
        link = href(iri)
        if link:
            attrs += [f"URL={_quote(link)}", f"tooltip={_quote(label(iri))}"]
        lines.append(f"  {ids[iri]} [{', '.join(attrs)}];")
    for source, target, text in sorted(diagram.edges):
        lines.append(f"  {ids[source]} -> {ids[target]} [label={_quote(text)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_command() -> str:
    found = shutil.which("dot")
    if not found:
        raise ToolMissing(
            "Graphviz's `dot` is not installed (Debian: apt-get install graphviz) / "
            "le programme `dot` de Graphviz est introuvable (apt-get install graphviz)"
        )
    return found


def render_svg(dot: str) -> str:
    """SVG from Graphviz, without its XML prolog and comments, ready to embed in HTML."""
    done = subprocess.run(
        [dot_command(), "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, check=False
    )
    if done.returncode != 0:
        raise ToolMissing(f"dot failed / dot a échoué: {done.stderr.decode()[:300]}")
    svg = done.stdout.decode("utf-8")
    svg = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", "", svg, flags=re.DOTALL)
    return svg.strip() + "\n"
