"""Names to show for resources and terms, in French and, where the graph has it, English.

A resource's name is the first of its ``skos:prefLabel``, ``foaf:name``,
``schema:alternateName``, ``schema:name``, ``dcterms:title``, ``rdfs:label`` in that order
(an accord's usual name before its long title). Statement nodes have no name of their own:
a mandate is shown as "person, office", a signature or an intervention by its person, a
quotation by its first words — all read from the graph. A term (class or property) takes
its ``rdfs:label`` from the ontology; the terms the project reuses without labelling them
get a short page-chrome name below, always shown with their prefixed name.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from ..graph.store import Store
from ..sparql.results import short

NAME_PROPERTIES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://xmlns.com/foaf/0.1/name",
    "https://schema.org/alternateName",
    "https://schema.org/name",
    "http://purl.org/dc/terms/title",
    "http://www.w3.org/2000/01/rdf-schema#label",
)

#: Page-chrome names (fr, en) of the reused terms the ontology does not label.
REUSED_TERMS: dict[str, tuple[str, str]] = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": ("type", "type"),
    "http://www.w3.org/2000/01/rdf-schema#label": ("libellé", "label"),
    "http://www.w3.org/2004/02/skos/core#prefLabel": ("libellé", "preferred label"),
    "http://www.w3.org/2004/02/skos/core#altLabel": ("autre libellé", "alternative label"),
    "http://www.w3.org/2004/02/skos/core#editorialNote": ("note éditoriale", "editorial note"),
    "http://www.w3.org/2004/02/skos/core#scopeNote": ("note d’application", "scope note"),
    "http://www.w3.org/2004/02/skos/core#inScheme": ("dans le schéma", "in scheme"),
    "http://www.w3.org/2004/02/skos/core#topConceptOf": ("concept de tête de", "top concept of"),
    "http://www.w3.org/2004/02/skos/core#hasTopConcept": ("concept de tête", "has top concept"),
    "http://xmlns.com/foaf/0.1/name": ("nom", "name"),
    "https://schema.org/name": ("nom", "name"),
    "https://schema.org/alternateName": ("nom usuel", "alternate name"),
    "https://schema.org/startDate": ("date", "date"),
    "https://schema.org/location": ("lieu", "location"),
    "https://schema.org/text": ("texte", "text"),
    "https://schema.org/creator": ("auteur ou autrice", "creator"),
    "https://schema.org/isPartOf": ("extrait de", "is part of"),
    "https://schema.org/recordedAt": ("prononcée lors de", "recorded at"),
    "https://schema.org/about": ("à propos de", "about"),
    "https://schema.org/url": ("adresse", "URL"),
    "https://schema.org/version": ("version", "version"),
    "http://www.w3.org/ns/org#member": ("membre", "member"),
    "http://www.w3.org/ns/org#memberOf": ("membre de", "member of"),
    "http://www.w3.org/ns/org#organization": ("organisation", "organisation"),
    "http://www.w3.org/ns/org#postIn": ("poste au sein de", "post in"),
    "http://www.w3.org/ns/org#role": ("rôle", "role"),
    "http://purl.org/dc/terms/title": ("titre", "title"),
    "http://purl.org/dc/terms/subject": ("thème", "subject"),
    "http://purl.org/dc/terms/publisher": ("éditeur", "publisher"),
    "http://purl.org/dc/terms/identifier": ("identifiant", "identifier"),
    "http://purl.org/dc/terms/language": ("langue", "language"),
    "http://purl.org/dc/terms/issued": ("publié le", "issued"),
    "http://purl.org/dc/terms/license": ("licence", "licence"),
    "http://www.w3.org/ns/prov#wasDerivedFrom": ("source", "derived from"),
}

_NAMES = (
    "SELECT ?x ?p ?name WHERE {\n  VALUES ?p { "
    + " ".join(f"<{p}>" for p in NAME_PROPERTIES)
    + " }\n  ?x ?p ?name .\n  FILTER (isIRI(?x) && isLITERAL(?name))\n}\n"
)

_COMPOSED = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX opengov: <http://www.w3.org/ns/opengov#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
SELECT ?x ?kind ?a ?b WHERE {
  { ?x a acc:Mandate ; org:member ?a . OPTIONAL { ?x opengov:post ?b } BIND ("mandate" AS ?kind) }
  UNION { ?x a acc:Signature ; acc:signatory ?a . BIND ("signature" AS ?kind) }
  UNION { ?x a acc:Intervention ; acc:speaker ?a . BIND ("intervention" AS ?kind) }
  UNION { ?x a schema:Quotation ; schema:text ?a . BIND ("quotation" AS ?kind) }
  UNION { ?x a acc:Source ; dcterms:identifier ?a . BIND ("source" AS ?kind) }
}
"""

_CHROME = {
    "signature": ("Signature {de_a}", "Signature by {a}"),
    "intervention": ("Intervention {de_a}", "Speech by {a}"),
}


def de(name: str) -> str:
    """``name`` after French ``de``, elided before a vowel: ``de Xavier Bertrand`` but
    ``d'Olivier Gacquerre``, ``d'Émilie`` (before an h, not elided: whether it is mute
    cannot be told from the name)."""
    first = unicodedata.normalize("NFKD", name[:1]).casefold()[:1]
    return f"d'{name}" if first and first in "aeiouy" else f"de {name}"


@dataclass
class Labels:
    """French and English names of every IRI the graph names (see the module's rules)."""

    names: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    composed: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, store: Store) -> Labels:
        found: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
        for x, p, name in store.query(_NAMES).rows:
            assert isinstance(name, Literal)
            rank = NAME_PROPERTIES.index(str(p))
            found[str(x)][name.language or ""].append((rank, str(name)))
        names = {
            iri: {lang: [n for _, n in sorted(values)] for lang, values in by_lang.items()}
            for iri, by_lang in found.items()
        }
        composed = {}
        for x, kind, a, b in sorted(store.query(_COMPOSED).rows, key=lambda r: str(r)):
            composed[str(x)] = (str(kind), str(a), None if b is None else str(b))
        return cls(names, composed)

    def _name(self, iri: str, lang: str) -> str | None:
        by_lang = self.names.get(iri, {})
        if lang == "fr":
            candidates = by_lang.get("fr", []) + by_lang.get("", [])
        else:
            candidates = by_lang.get("en", [])
        return candidates[0] if candidates else None

    def fr(self, iri: str) -> str:
        """The French (or untagged) name; composed for statement nodes; else the short IRI.
        A source's name starts with its identifier (S1 · …), as the README cites them."""
        if self.composed.get(iri, ("",))[0] == "source":
            return self._compose(iri, 0) or short(URIRef(iri))
        return self._name(iri, "fr") or self._compose(iri, 0) or short(URIRef(iri))

    def en(self, iri: str) -> str | None:
        """The English name where the graph gives one (or composes it from English names)."""
        name = self._name(iri, "en")
        kind = self.composed.get(iri, ("",))[0]
        if kind == "source" and name:
            return self._compose(iri, 1)
        if name or kind not in _CHROME:
            return name
        return self._compose(iri, 1)

    def _compose(self, iri: str, index: int) -> str | None:
        if iri not in self.composed:
            return None
        kind, a, b = self.composed[iri]
        if kind == "mandate":
            return f"{self.fr(a)}, {self.fr(b)}" if b else self.fr(a)
        if kind in _CHROME:
            name = self.fr(a)
            template = _CHROME[kind][index]
            return template.format(a=name, de_a=de(name))
        if kind == "quotation":
            words = a.split()
            return "« " + " ".join(words[:8]) + (" … »" if len(words) > 8 else " »")
        if kind == "source":
            title = self._name(iri, "fr" if index == 0 else "en")
            return f"{a} · {title}" if title else a
        return None

    def term(self, iri: str) -> tuple[str, str | None]:
        """A class's or property's name (fr, en): the ontology's label, else the chrome's."""
        fr = self._name(iri, "fr")
        en = self._name(iri, "en")
        if fr is None and iri in REUSED_TERMS:
            fr, en = REUSED_TERMS[iri]
        return (fr or short(URIRef(iri)), en)


MONTHS = (
    *("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août"),
    *("septembre", "octobre", "novembre", "décembre"),
)


def french_date(value: str) -> str:
    """``2023-12-18`` → ``18 décembre 2023`` (other values unchanged)."""
    parts = value.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and 1 <= int(parts[1]) <= 12:
        day = int(parts[2])
        return f"{'1er' if day == 1 else day} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return value
