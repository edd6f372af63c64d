"""``accords site``: a static site of the graph, one page per resource, for people to read.

Pages:

- ``index.html`` — the accords by date (undated last), with their date, place and parties,
  and their timeline (:mod:`timeline`, inline SVG); the people, the organisations, the saved
  queries, the ontology, then every other page by kind, so that every page can be reached;
- one page per resource of the curated graph and per territorial unit it names, at the
  resource IRI's path (``https://w3id.org/accords-kg/id/person/xavier-bertrand`` →
  ``id/person/xavier-bertrand.html``), and per concept of the project's vocabularies: every
  fact the loaded graph states about it, each value a link to its page; under each
  statement (the resource itself, or a signature, mandate, ceremony… it is linked to) its
  sources and the excerpts quoted from them; the statements that point to it; beside it,
  its description as Turtle, JSON-LD and N-Triples (``.ttl``, ``.jsonld``, ``.nt``, see
  :mod:`describe`);
- an accord's page also has a summary — signatories, capacities, parties, date, place,
  each linked, with sources — and its diagram (:mod:`diagram`), as inline SVG;
- ``ontology.html`` (French) and ``ontology.en.html``: the ontology's documentation by
  pyLODE (:mod:`ontodoc`); the ontology's terms link there;
- ``queries/NAME.html``: each saved query, its text and its current results;
- ``404.html``, for the server to answer unknown resources with.

The site is written into a temporary folder beside the target and renamed into place, so a
failure leaves the previous site. Everything is sorted: the same graph gives the same bytes.
"""

from __future__ import annotations

import shutil
import string
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..errors import OutputError, UsageError
from ..graph.convert import from_oxigraph_term
from ..graph.store import Store
from ..progress import Progress
from ..publishing.describe import ONTOLOGY_IRI, RDF_FORMATS, STATEMENT_CLASSES, describe, serialise
from ..resources import ID_BASE, ONTOLOGY_NS, home
from ..sparql import saved
from ..sparql.results import short
from . import diagram, ontodoc, timeline
from .htmlpage import bilingual, esc, frame, href, outside_link
from .labels import Labels, french_date

SITE_BASE = "https://w3id.org/accords-kg/"
MARKER = ".accords-kg-site"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ACC = ONTOLOGY_NS
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
EVIDENCE = ACC + "evidence"
SHA256 = ACC + "sha256"
SCHEMA_URL = "https://schema.org/url"
NOTES = (
    "http://www.w3.org/2004/02/skos/core#editorialNote",
    "http://www.w3.org/2004/02/skos/core#scopeNote",
)
#: Shown in a statement's sources block rather than among its facts.
PROVENANCE = frozenset({PROV_DERIVED, EVIDENCE, *NOTES})

ORGANISATION_TYPES = frozenset(
    {"http://www.w3.org/ns/org#Organization"}
    | {ACC + k for k in ("Region", "Departement", "EPCI", "Commune", "Association", "Company")}
    | {ACC + "Assembly"}
)
#: The index's sections after the accords': (French title, English title, classes).
SECTIONS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("Personnes", "People", frozenset({"http://www.w3.org/ns/person#Person"})),
    ("Organisations", "Organisations", ORGANISATION_TYPES),
)


@dataclass(frozen=True)
class Built:
    """What :func:`build` wrote."""

    out: Path
    pages: int  # HTML pages
    files: int  # every file


#: What a page's path may hold: RFC 3986's unreserved characters, and "/" between segments.
_PATH_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~")


def page_path(iri: str) -> str | None:
    """The page of ``iri`` (under :data:`SITE_BASE`): its path there, with ``.html``.

    None for a path that could leave the site's folder or name no plain file — an empty,
    ``.`` or ``..`` segment, or any character outside the unreserved set (``%``, ``?``,
    ``#``, ``\\``, controls…): the data comes from entries anyone may write, and such a
    resource simply gets no page (its IRI is still shown where it is cited)."""
    segments = iri[len(SITE_BASE) :].split("/")
    for segment in segments:
        if segment in ("", ".", "..") or not set(segment) <= _PATH_CHARACTERS:
            return None
    return "/".join(segments) + ".html"


class Site:
    """The pages of one loaded graph (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.oxigraph()
        self.labels = Labels.of(store)
        self.out: dict[str, list[tuple[str, Node]]] = {}
        self.pages = {iri: path for iri in self._resources() if (path := page_path(iri))}
        for iri in self.pages:
            self.out[iri] = self._outgoing(iri)
        self.incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for subject in sorted(self.pages):
            for predicate, obj in self.out[subject]:
                if isinstance(obj, URIRef) and str(obj) in self.pages and str(obj) != subject:
                    self.incoming[str(obj)].append((subject, predicate))
        self.anchors: dict[str, str] = {}

    # -- which resources get a page ----------------------------------------------------

    def _resources(self) -> list[str]:
        """The curated graph's resources, the territorial units it names, the vocabularies'
        concepts: IRIs under the project's base, but not the ontology's terms."""
        layer = {
            name: ox.NamedNode(f"https://w3id.org/accords-kg/graph/{name}")
            for name in ("data", "ontology")
        }
        found: set[str] = set()
        for quad in self.engine.quads_for_pattern(None, None, None, layer["data"]):
            for node in (quad.subject, quad.object):
                if isinstance(node, ox.NamedNode) and node.value.startswith(ID_BASE):
                    found.add(node.value)
            if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(SITE_BASE):
                found.add(quad.subject.value)
        for quad in self.engine.quads_for_pattern(None, None, None, layer["ontology"]):
            subject = quad.subject
            if isinstance(subject, ox.NamedNode) and subject.value.startswith(SITE_BASE):
                found.add(subject.value)
        return sorted(iri for iri in found if not iri.startswith(ONTOLOGY_IRI))

    def _outgoing(self, iri: str) -> list[tuple[str, Node]]:
        pairs = [
            (quad.predicate.value, from_oxigraph_term(quad.object))
            for quad in self.engine.quads_for_pattern(
                ox.NamedNode(iri), None, None, ox.DefaultGraph()
            )
        ]
        return sorted(pairs, key=lambda pair: (pair[0], pair[1].n3()))

    def values(self, iri: str, predicate: str) -> list[Node]:
        return [o for p, o in self.out.get(iri, []) if p == predicate]

    def types(self, iri: str) -> list[str]:
        return [str(o) for o in self.values(iri, RDF_TYPE)]

    def is_statement(self, node: Node) -> bool:
        return str(node) in self.pages and bool(STATEMENT_CLASSES & set(self.types(str(node))))

    # -- pieces of pages ---------------------------------------------------------------

    def name(self, iri: str) -> str:
        return bilingual(self.labels.fr(iri), self.labels.en(iri))

    def target(self, iri: str) -> str | None:
        """The site path documenting ``iri``: its page, or its term in the ontology's page."""
        if iri in self.pages:
            return self.pages[iri]
        if iri in self.anchors:
            return self.anchors[iri]
        if iri == ONTOLOGY_IRI:
            return "ontology.html"
        return None

    def term(self, iri: str, path: str) -> str:
        fr, en = self.labels.term(iri)
        text = bilingual(fr, en)
        curie = short(URIRef(iri))
        where = self.target(iri)
        extra = f' <span class="curie">{esc(curie)}</span>' if curie != fr else ""
        if where is None:  # a term of another vocabulary: its IRI, if one to link to
            return outside_link(iri, text) + extra
        return f'<a href="{esc(href(path, where))}">{text}</a>{extra}'

    def value(self, node: Node, path: str) -> str:
        if isinstance(node, Literal):
            lang = f' lang="{esc(node.language)}"' if node.language else ""
            title = f' title="{esc(short(node.datatype))}"' if node.datatype else ""
            return f"<span{lang}{title}>{esc(node)}</span>"
        if isinstance(node, BNode):
            return "<span>(nœud anonyme / blank node)</span>"
        iri = str(node)
        where = self.target(iri)
        if iri in self.pages and where:
            return f'<a href="{esc(href(path, where))}">{self.name(iri)}</a>'
        if iri.startswith(SITE_BASE) and not where:  # a unit of the territorial layer:
            # no page to link to (the server answers its IRI in RDF only)
            return f'{esc(self.labels.fr(iri))} <span class="curie">{esc(short(node))}</span>'
        if where or iri in self.labels.names or iri.startswith(ONTOLOGY_NS):
            return self.term(iri, path)
        return outside_link(iri)

    def facts(self, iri: str, path: str, back: str | None = None, nest: bool = True) -> str:
        """A resource's facts as a definition list, statement nodes nested with their
        sources; ``back`` (the page's resource, for a nested statement) is left out."""
        grouped: dict[str, list[Node]] = defaultdict(list)
        for predicate, obj in self.out.get(iri, []):
            if predicate in PROVENANCE or predicate == RDF_TYPE:
                continue
            if back is not None and str(obj) == back:
                continue
            grouped[predicate].append(obj)
        if not grouped:
            return ""
        rows = []
        order = sorted(grouped, key=lambda p: (self.labels.term(p)[0].lower(), p))
        for predicate in order:
            objs = sorted(grouped[predicate], key=lambda o: (self._sort_name(o), o.n3()))
            items = []
            for obj in objs:
                item = self.value(obj, path)
                if nest and self.is_statement(obj):
                    item += self.statement(str(obj), path, back=iri)
                items.append(f"<li>{item}</li>")
            rows.append(f"<dt>{self.term(predicate, path)}</dt><dd><ul>{''.join(items)}</ul></dd>")
        return '<dl class="facts">\n' + "\n".join(rows) + "\n</dl>"

    def _sort_name(self, node: Node) -> str:
        return self.labels.fr(str(node)).lower() if isinstance(node, URIRef) else str(node)

    def statement(self, iri: str, path: str, back: str) -> str:
        """A statement node nested in another resource's page: its facts, its sources."""
        return (
            f'<div class="statement">{self.facts(iri, path, back=back, nest=False)}'
            f"{self.sources(iri, path)}</div>"
        )

    def sources(self, iri: str, path: str) -> str:
        """The sources a statement cites, each with the excerpts quoted from it (excerpts
        belong to the sources whose text the project holds, as in the provenance query;
        where it cites none of those, they are listed apart), then its editorial notes."""
        cited = sorted((str(s) for s in self.values(iri, PROV_DERIVED)), key=self.labels.fr)
        evidence = sorted(str(e) for e in self.values(iri, EVIDENCE))
        notes = [n for p in NOTES for n in self.values(iri, p)]
        if not cited and not evidence and not notes:
            return ""
        items = []
        held = [s for s in cited if self.values(s, SHA256)]
        for source in cited:
            link = self.value(URIRef(source), path)
            urls = self.values(source, SCHEMA_URL)
            if urls:
                address = 'adresse <span lang="en">/ URL</span>'
                link += " — " + outside_link(str(urls[0]), address)
            quotes = ""
            if source in held:
                quotes = "".join(f'<blockquote lang="fr">{esc(e)}</blockquote>' for e in evidence)
            items.append(f"<li>{link}{quotes}</li>")
        if not held and evidence:
            items.append(
                '<li>Extraits <span lang="en">/ Excerpts</span> :'
                + "".join(f'<blockquote lang="fr">{esc(e)}</blockquote>' for e in evidence)
                + "</li>"
            )
        notes_html = "".join(
            f'<p class="note" lang="{esc(n.language or "fr")}">{esc(n)}</p>'
            for n in sorted(notes, key=lambda n: (n.language != "fr", str(n)))
            if isinstance(n, Literal)
        )
        return (
            '<div class="sources"><p><strong>Sources</strong></p>'
            f"<ul>{''.join(items)}</ul>{notes_html}</div>"
        )

    # -- pages -------------------------------------------------------------------------

    def crumbs(self, iri: str) -> list[tuple[str, str]]:
        return [(self.pages[iri], self.labels.fr(iri))]

    def resource_page(self, iri: str) -> str:
        path = self.pages[iri]
        stem = path.removesuffix(".html")
        types = self.types(iri)
        type_links = ", ".join(self.term(t, path) for t in sorted(types))
        formats = " · ".join(
            f'<a href="{esc(href(path, stem + f.extension))}" type="{f.media_type}">'
            f"{esc(f.label)}</a>"
            for f in RDF_FORMATS
        )
        body = [
            f"<h1>{self.name(iri)}</h1>",
            f'<p class="iri"><code>{esc(iri)}</code></p>',
            f"<p>Type : {type_links}</p>" if types else "",
            f'<p>Description RDF <span lang="en">/ RDF description</span> : {formats}</p>',
        ]
        if ACC + "Accord" in types:
            body.append(self.accord_summary(iri, path))
        facts = self.facts(iri, path)
        if facts:
            body.append(f'<h2>Faits <span class="en" lang="en">/ Facts</span></h2>\n{facts}')
        sources = self.sources(iri, path)
        if sources:
            body.append(
                f'<h2>Sources de cette ressource <span class="en" lang="en">/ Sources of this '
                f"resource</span></h2>\n{sources}"
            )
        body.append(self.referenced_by(iri, path))
        return frame(
            path,
            self.labels.fr(iri),
            "\n".join(b for b in body if b),
            crumbs=self.crumbs(iri),
            alternates=[(stem + f.extension, f.media_type) for f in RDF_FORMATS],
        )

    def referenced_by(self, iri: str, path: str) -> str:
        refs = self.incoming.get(iri, [])
        if not refs:
            return ""
        items = []
        for subject, predicate in sorted(
            refs, key=lambda r: (self.labels.term(r[1])[0].lower(), self.labels.fr(r[0]), r)
        ):
            item = f"{self.value(URIRef(subject), path)} — {self.term(predicate, path)}"
            if self.is_statement(URIRef(subject)):
                item += self.statement(subject, path, back=iri)
            items.append(f"<li>{item}</li>")
        return (
            '<h2>Cité par <span class="en" lang="en">/ Referenced by</span></h2>\n'
            f"<ul>{''.join(items)}</ul>"
        )

    _SIGNATORIES = """
    PREFIX acc: <https://w3id.org/accords-kg/ontology#>
    PREFIX opengov: <http://www.w3.org/ns/opengov#>
    SELECT ?signature ?person ?mandate ?office ?party WHERE {
      ?accord acc:signature ?signature .
      ?signature acc:signatory ?person ; opengov:onBehalfOf ?party .
      OPTIONAL { ?signature acc:inCapacityOf ?mandate .
                 OPTIONAL { ?mandate opengov:post ?office } }
    }
    """

    def accord_summary(self, iri: str, path: str) -> str:
        """Who signed, in which capacity, for whom, when and where — each linked, with the
        sources of each signature — and the diagram."""
        bind = {"accord": URIRef(iri)}
        rows = sorted(
            self.store.query(self._SIGNATORIES, bind).rows,
            key=lambda r: (self.labels.fr(str(r[1])), str(r[0])),
        )
        capacities = {str(r[2]): self.labels.fr(str(r[3])) for r in rows if r[2] and r[3]}
        ceremonies = sorted(self.store.query(diagram.CEREMONY, bind).rows, key=str)
        parties = sorted(self.values(iri, ACC + "party"), key=self._sort_name)
        party_list = "".join(f"<li>{self.value(p, path)}</li>" for p in parties)
        return "\n".join(
            [
                '<h2>En bref <span class="en" lang="en">/ Summary</span></h2>',
                *(self._ceremony_list(row, path) for row in ceremonies),
                f"<p>Parties :</p><ul>{party_list}</ul>",
                self._signatories_table([self._signatory_row(row, path) for row in rows]),
                self.diagram(iri, path, capacities),
            ]
        )

    def _signatory_row(self, row: tuple, path: str) -> str:
        """One signature: signatory, capacity (linked to the mandate), party, sources."""
        signature, person, mandate, office, party = row
        capacity = "—"
        if mandate is not None:
            text = self.labels.fr(str(office)) if office is not None else None
            where = self.target(str(mandate))
            shown = esc(text) if text else self.name(str(mandate))
            capacity = f'<a href="{esc(href(path, where))}">{shown}</a>' if where else shown
        cited = sorted(self.values(str(signature), PROV_DERIVED), key=self._sort_name)
        sources = ", ".join(
            f'<a href="{esc(href(path, self.pages[str(s)]))}">'
            f"{esc(self.labels.fr(str(s)).split(' · ')[0])}</a>"
            for s in cited
            if str(s) in self.pages
        )
        return (
            f"<tr><td>{self.value(person, path)}</td><td>{capacity}</td>"
            f"<td>{self.value(party, path)}</td><td>{sources} "
            f'(<a href="{esc(href(path, self.pages[str(signature)]))}">'
            'détail <span lang="en">/ details</span></a>)</td></tr>'
        )

    @staticmethod
    def _signatories_table(lines: list[str]) -> str:
        return (
            '<div class="table-wrap"><table><caption>Signataires '
            '<span lang="en">/ Signatories</span></caption>\n<thead><tr>'
            '<th scope="col">Signataire <span lang="en">/ Signatory</span></th>'
            '<th scope="col">En qualité de <span lang="en">/ Capacity</span></th>'
            '<th scope="col">Au nom de <span lang="en">/ Party</span></th>'
            '<th scope="col">Sources</th></tr></thead>\n<tbody>\n'
            + "\n".join(lines)
            + "\n</tbody></table></div>"
        )

    def _ceremony_list(self, row: tuple, path: str) -> str:
        """The ceremony, its date (marked where inferred) and its place."""
        ceremony, date, place, inferred = row
        parts = [f"Signé lors de <span lang=\"en\">/ Signed at</span> : "
                 f"{self.value(ceremony, path)}"]  # fmt: skip
        if date is not None:
            parts.append(
                f'Date : <time datetime="{esc(date)}">{esc(french_date(str(date)))}</time>'
                + (self.inferred_mark(inferred, path) if inferred is not None else "")
            )
        if place is not None:
            parts.append(f'Lieu <span lang="en">/ Place</span> : {self.value(place, path)}')
        return "<ul>" + "".join(f"<li>{p}</li>" for p in parts) + "</ul>"

    def inferred_mark(self, mark: Node, path: str) -> str:
        """`` (déduite / inferred)``, linked to the page of the mark and its reasoning."""
        text = 'déduite <span lang="en">/ inferred</span>'
        where = self.target(str(mark))
        return f' (<a href="{esc(href(path, where))}">{text}</a>)' if where else f" ({text})"

    def diagram(self, iri: str, path: str, capacities: dict[str, str]) -> str:
        """The accord's diagram, a mandate shown by its office (its person is beside it)."""
        drawing = diagram.collect(self.store, iri)

        def link(node: str) -> str | None:
            where = self.target(node)
            return href(path, where) if where else None

        def label(node: str) -> str:
            return capacities.get(node) or self.labels.fr(node)

        svg = diagram.render(drawing, label, link)
        return (
            '<figure class="diagram" id="diagram">\n'
            f"{svg}"
            "<figcaption>Signataires → qualités → parties → accord → cérémonie → lieu "
            '<span lang="en">/ Signatories → capacities → parties → accord → ceremony → '
            "place</span></figcaption>\n</figure>"
        )

    def query_page(self, query: saved.SavedQuery) -> str:
        path = f"queries/{query.name}.html"
        result = self.store.query(query.text, query.bindings({}), source=str(query.path))
        params = "".join(f"<li><code>{esc(p.describe())}</code></li>" for p in query.params)
        header = "".join(f'<th scope="col">{esc(v)}</th>' for v in result.variables)
        rows = []
        for row in result.rows:
            cells = "".join(
                f"<td>{'' if term is None else self.value(term, path)}</td>" for term in row
            )
            rows.append(f"<tr>{cells}</tr>")
        count = len(result.rows)
        body = [
            f"<h1>Requête <code>{esc(query.name)}</code> "
            '<span class="en" lang="en">/ Saved query</span></h1>',
            f'<p lang="en">{esc(query.summary)}</p>',
            f'<p>Étiquettes <span lang="en">/ Tags</span> : {esc(", ".join(query.tags))}</p>'
            if query.tags
            else "",
            f'<h2>Paramètres <span class="en" lang="en">/ Parameters</span></h2><ul>{params}</ul>'
            if params
            else "",
            '<h2>Résultats <span class="en" lang="en">/ Results</span></h2>',
            f"<p>{count} ligne{'s' if count != 1 else ''} "
            f'<span lang="en">/ {count} row{"s" if count != 1 else ""}</span>'
            + (" (paramètres par défaut / default parameters)" if query.params else "")
            + "</p>",
            f'<div class="table-wrap"><table><thead><tr>{header}</tr></thead><tbody>\n'
            + "\n".join(rows)
            + "\n</tbody></table></div>",
            '<h2>Texte <span class="en" lang="en">/ Text</span></h2>',
            f'<pre><code lang="en">{esc(query.text)}</code></pre>',
        ]
        return frame(
            path,
            f"Requête {query.name}",
            "\n".join(b for b in body if b),
            crumbs=[(path, query.name)],
        )

    def index_page(self, queries: Iterable[saved.SavedQuery]) -> str:
        path = "index.html"
        placed: set[str] = set()
        body = [
            "<h1>accords-kg</h1>",
            "<p>Les accords de réindustrialisation signés par les régions et les "
            "intercommunalités : qui a signé quoi, où et quand, chaque fait relié à sa source. "
            '<span lang="en">The reindustrialisation accords signed by French regions and '
            "intercommunalities: who signed what, where and when, every fact tied to its "
            "source.</span></p>",
        ]
        accords = [a for a in timeline.collect(self.store) if a.accord in self.pages]
        placed.update(a.accord for a in accords)
        body.append(self.accords_section(accords, path))
        for fr, en, classes in SECTIONS:
            members = [i for i in self.pages if classes & set(self.types(i))]
            placed.update(members)
            body.append(self._list_section(fr, en, members, path))
        items = "".join(
            f'<li><a href="queries/{esc(q.name)}.html"><code>{esc(q.name)}</code></a> — '
            f'<span lang="en">{esc(q.summary)}</span></li>'
            for q in queries
        )
        body.append(
            '<h2>Requêtes enregistrées <span class="en" lang="en">/ Saved queries</span></h2>'
            f"<ul>{items}</ul>"
        )
        body.append(
            '<h2>Ontologie <span class="en" lang="en">/ Ontology</span></h2><ul>'
            '<li><a href="ontology.html">Documentation de l’ontologie (français)</a></li>'
            '<li><a href="ontology.en.html" hreflang="en" lang="en">Ontology documentation '
            "(English)</a></li></ul>"
        )
        by_kind: dict[str, list[str]] = defaultdict(list)
        for iri in self.pages:
            if iri not in placed:
                kinds = sorted(self.types(iri)) or [""]
                by_kind[kinds[0]].append(iri)
        body.append(
            '<h2>Autres ressources <span class="en" lang="en">/ Other resources</span></h2>'
        )
        for kind in sorted(by_kind, key=lambda k: (self.labels.term(k)[0].lower(), k)):
            fr, en = self.labels.term(kind) if kind else ("sans type", "untyped")
            body.append(self._list_section(fr, en, by_kind[kind], path, level=3))
        return frame(path, "Accueil", "\n".join(body))

    def accords_section(self, accords: list[timeline.Dated], path: str) -> str:
        """The accords in date order (undated last): their timeline, then a table of their
        dates, places and parties, each linked."""
        rows = []
        for entry in accords:
            places = ", ".join(self.value(URIRef(p), path) for p in entry.places) or "—"
            parties = sorted(self.values(entry.accord, ACC + "party"), key=self._sort_name)
            rows.append(
                f"<tr><td>{self._date(entry)}</td>"
                f"<td>{self.value(URIRef(entry.accord), path)}</td><td>{places}</td>"
                f"<td>{', '.join(self.value(p, path) for p in parties) or '—'}</td></tr>"
            )
        table = (
            '<div class="table-wrap"><table class="accords"><caption>Les accords par date '
            '<span lang="en">/ The accords by date</span></caption>\n<thead><tr>'
            '<th scope="col">Date</th><th scope="col">Accord</th>'
            '<th scope="col">Lieu <span lang="en">/ Place</span></th>'
            '<th scope="col">Parties</th></tr></thead>\n<tbody>\n'
            + "\n".join(rows)
            + "\n</tbody></table></div>"
        )
        return "\n".join(["<h2>Accords</h2>", self._timeline(accords, path), table])

    @staticmethod
    def _date(entry: timeline.Dated) -> str:
        if entry.date is None:
            return 'date inconnue <span lang="en">/ unknown date</span>'
        shown = esc(timeline.shown(entry.date))
        text = (
            f'<time datetime="{esc(entry.date)}">{shown}</time>'
            if entry.when is not None
            else shown
        )
        if entry.inferred:
            text += f' ({timeline.INFERRED_FR} <span lang="en">/ {timeline.INFERRED_EN}</span>)'
        return text

    def _timeline(self, accords: list[timeline.Dated], path: str) -> str:
        """The accords' timeline (:mod:`timeline`), inline; "" if none has a date."""
        svg = timeline.render(accords, self.labels.fr, lambda iri: href(path, self.pages[iri]))
        if not svg:
            return ""
        undated = sum(1 for a in accords if a.when is None)
        one = undated == 1
        missing = (
            f" {undated} accord{'' if one else 's'} sans date n’y figure{'' if one else 'nt'} pas "
            f'<span lang="en">/ {undated} without a date {"is" if one else "are"} not shown</span>.'
            if undated
            else ""
        )
        return (
            f'<figure class="timeline" id="timeline">\n<div class="scroll">{svg}</div>'
            "<figcaption>Les accords à leur date de signature, chacun lié à sa page "
            '<span lang="en">/ The accords at their signing dates, each linked to its page'
            f"</span>.{missing}</figcaption>\n</figure>"
        )

    def _list_section(
        self, fr: str, en: str | None, members: list[str], path: str, level: int = 2
    ) -> str:
        ordered = sorted(members, key=lambda i: (self.labels.fr(i).lower(), i))
        items = "".join(
            f'<li><a href="{esc(href(path, self.pages[i]))}">{self.name(i)}</a></li>'
            for i in ordered
        )
        return f"<h{level}>{bilingual(fr, en)}</h{level}>\n<ul>{items}</ul>"

    def not_found_page(self) -> str:
        body = (
            '<h1>Ressource inconnue <span class="en" lang="en">/ Unknown resource</span></h1>'
            "<p>Le graphe ne décrit pas cette ressource, ou le site n’a pas de page pour elle. "
            '<span lang="en">The graph does not describe this resource, or the site has no page '
            "for it.</span></p>"
            '<p><a href="/">Accueil <span lang="en">/ Home</span></a></p>'
        )
        return frame("404.html", "Ressource inconnue", body, root="/")

    def files(self) -> dict[str, bytes]:
        """Every file of the site, by path."""
        out: dict[str, bytes] = {}
        ontology = home() / "ontology" / "accords.ttl"
        docs = {}
        for lang in ontodoc.LANGUAGES:
            page = "ontology.html" if lang == "fr" else f"ontology.{lang}.html"
            other = "ontology.en.html" if lang == "fr" else "ontology.html"
            docs[page] = ontodoc.document(ontology, lang, "index.html", other)
            out[page] = docs[page].html.encode("utf-8")
        self.anchors = {
            iri: f"ontology.html#{anchor}" for iri, anchor in docs["ontology.html"].anchors.items()
        }
        described = {**self.pages, ONTOLOGY_IRI: "ontology.html"}
        progress, total = Progress("site"), len(described) + len(self.pages)
        for index, (iri, path) in enumerate(sorted(described.items())):
            progress(index, total, "RDF")
            graph = describe(self.store, iri)
            stem = path.removesuffix(".html")
            for fmt in RDF_FORMATS:
                out[stem + fmt.extension] = serialise(graph, fmt)
        for index, iri in enumerate(self.pages, start=len(described)):
            progress(index, total, "HTML")
            out[self.pages[iri]] = self.resource_page(iri).encode("utf-8")
        progress(total, total)
        queries = list(saved.catalogue().values())
        for query in queries:
            out[f"queries/{query.name}.html"] = self.query_page(query).encode("utf-8")
        out["index.html"] = self.index_page(queries).encode("utf-8")
        out["404.html"] = self.not_found_page().encode("utf-8")
        out[MARKER] = b"accords-kg site: this folder is rewritten by `accords site`\n"
        return dict(sorted(out.items()))


def _check_target(out: Path) -> None:
    """Refuse to replace a folder that is not a site this command built."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise UsageError(
            f"{out} exists and is not a site built by `accords site`: choose another --out / "
            f"{out} existe et n’est pas un site construit par `accords site`"
        )


def _replace(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a new folder beside ``out``, then swap it in."""
    _check_target(out)
    for name in files:  # every name a relative path of plain segments: nothing lands outside
        if not name or any(part in ("", ".", "..") for part in name.split("/")):
            raise OutputError(f"refused to write {name!r} outside {out} / chemin refusé")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        for name, data in files.items():
            target = building / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        building.chmod(0o755)
        old = None
        if out.exists():
            old = out.parent / f"{building.name}.old"
            out.rename(old)
        building.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(building, ignore_errors=True)
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None


def build(store: Store, out: Path) -> Built:
    """Build the site of ``store`` into ``out`` (replaced as a whole, see :func:`_replace`)."""
    _check_target(out)  # before the work, not after
    files = Site(store).files()
    _replace(out, files)
    return Built(out, sum(1 for n in files if n.endswith(".html")), len(files))
