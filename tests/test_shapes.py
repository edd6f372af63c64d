"""The SHACL shapes, rule by rule: a bad entry for every constraint, breaking it and only it.

Every constraint that ``shapes/core.ttl`` and ``shapes/rules.ttl`` apply to the data (each
cardinality, datatype, class of values, pattern, language tag, ``sh:or``, node kind, the
SHACL-SPARQL rules, and the Warnings) has a minimal entry in ``tests/entries/bad/``, written
as a contributor would following ../shared/DESIGN.md: complete and correct except for one
defect. Validating it together with the curated data must give exactly the finding of the
table below (focus node, path, shape, severity, constraint component), nothing else. A few
constraints cannot be broken alone, because another rule necessarily fails with them: their
entries are in ``tests/entries/coupled/``, with every finding they give. A test checks that
every constraint of the shapes has its entry. The good entries of ``tests/entries/good/``
(a complete accord; a source written with DESIGN.md's terms) give no finding at all with the
whole dataset, nor does the dataset alone, and the shapes graph is itself valid SHACL
(pyshacl's meta-SHACL check).

Every entry is a fictional test fixture (people, associations, accord, source); it may refer
to the dataset's territories, roles and themes, never state anything about a real person.

Speed: the bad entries are validated with the ontology and the curated data alone (the
``curated`` fixture): the territories they name are in the curated data, and validating the
thousands of units of the territorial layer again for every entry would only be slower. Each
entry is validated once; its findings carry their messages in both languages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

import pyshacl
import pytest
from pyshacl.errors import ReportableRuntimeError
from rdflib import SH, Graph, URIRef
from rdflib.term import Node

from accords_kg.graph.store import Store
from accords_kg.namespaces import PREFIXES
from accords_kg.validation.report import Report
from accords_kg.validation.shacl import load_shapes
from accords_kg.validation.validate import validate
from conftest import ROOT

ENTRIES = Path(__file__).resolve().parent / "entries"
ID = "https://w3id.org/accords-kg/id/"
SHP = "https://w3id.org/accords-kg/shapes#"
#: A blank focus node: its id changes from one parse to the next, so it is compared as this.
BLANK = "_:"


# ---------------------------------------------------------------------------
# Expected findings
# ---------------------------------------------------------------------------


class Expect(NamedTuple):
    """One expected finding; ``constraints`` are the components one defect makes fail."""

    focus: str
    path: str | None
    shape: str
    severity: str
    constraints: frozenset[str]


def _expand(name: str | None) -> str | None:
    """A full IRI from ``prefix:local``, an id key (``person/…``) or ``^`` and either."""
    if name is None or name == BLANK:
        return name
    if name.startswith("^"):
        return "^" + str(_expand(name[1:]))
    prefix, colon, local = name.partition(":")
    if colon and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return ID + name


def _expect(
    severity: str, focus: str, path: str | None, shape: str, constraints: Iterable[str]
) -> Expect:
    """An :class:`Expect` from short names (see :func:`V`)."""
    components = frozenset(f"{SH}{c}ConstraintComponent" for c in constraints)
    return Expect(str(_expand(focus)), _expand(path), SHP + shape, severity, components)


def V(focus: str, path: str | None, shape: str, *constraints: str) -> Expect:
    """A Violation of ``shape`` (``SPARQL``, ``MinCount``… name the constraint components)."""
    return _expect("Violation", focus, path, shape, constraints)


def W(focus: str, path: str | None, shape: str, *constraints: str) -> Expect:
    """A Warning of ``shape``."""
    return _expect("Warning", focus, path, shape, constraints)


# The focus nodes of the entries (fictional resources).
PERSON = "person/exemple-personne"
ORG = "org/exemple-association"
REGION = "region/99"
DEPARTEMENT = "departement/99"
COMMUNE = "commune/62999"
EPCI = "epci/999999998"
CONCEPT = "role:example-role"
OFFICE = "office/president-exemple-association"
DELEGATE_OFFICE = "office/delegue-exemple-association-hauts-de-france"
MANDATE = "mandate/exemple-personne-president-exemple-association"
ACCORD = "accord/exemple-accord"
SIGNATURE = "signature/exemple-accord-exemple-personne"
CEREMONY = "event/exemple-ceremonie"
INTERVENTION = "intervention/exemple-ceremonie-exemple-personne"
PRESENCE = "presence/exemple-ceremonie-exemple-personne"
INFERRED = "inference/exemple-ceremonie-date"
QUOTATION = "quotation/exemple-ceremonie-1"
SOURCE = "source/exemple-source"

#: tests/entries/bad/: each entry breaks exactly one constraint and gives exactly this finding.
BAD: dict[str, Expect] = {
    # --- shp:PersonShape
    "person-family-name-language-tagged.ttl": V(
        PERSON, "foaf:familyName", "PersonShape", "Datatype"
    ),
    "person-family-name-twice.ttl": V(PERSON, "foaf:familyName", "PersonShape", "MaxCount"),
    "person-given-name-language-tagged.ttl": V(PERSON, "foaf:givenName", "PersonShape", "Datatype"),
    "person-given-name-twice.ttl": V(PERSON, "foaf:givenName", "PersonShape", "MaxCount"),
    "person-name-language-tagged.ttl": V(PERSON, "foaf:name", "PersonShape", "Datatype"),
    "person-name-missing.ttl": V(PERSON, "foaf:name", "PersonShape", "MinCount"),
    "person-name-too-short.ttl": V(PERSON, "foaf:name", "PersonShape", "MinLength"),
    "person-name-twice.ttl": V(PERSON, "foaf:name", "PersonShape", "MaxCount"),
    "person-not-iri.ttl": V(BLANK, None, "PersonShape", "NodeKind"),
    "person-source-not-a-source.ttl": V(PERSON, "prov:wasDerivedFrom", "PersonShape", "Class"),
    "person-without-source.ttl": W(PERSON, "prov:wasDerivedFrom", "PersonShape", "MinCount"),
    # --- shp:OrganizationShape
    "organisation-classification-not-concept.ttl": V(
        ORG, "org:classification", "OrganizationShape", "Class"
    ),
    "organisation-name-missing.ttl": V(
        ORG, "skos:prefLabel", "OrganizationShape", "MinCount", "QualifiedMinCount"
    ),
    "organisation-name-not-in-french.ttl": V(
        ORG, "skos:prefLabel", "OrganizationShape", "QualifiedMinCount"
    ),
    "organisation-name-two-in-french.ttl": V(
        ORG, "skos:prefLabel", "OrganizationShape", "UniqueLang"
    ),
    "organisation-name-without-language.ttl": V(
        ORG, "skos:prefLabel", "OrganizationShape", "Datatype"
    ),
    "organisation-not-iri.ttl": V(BLANK, None, "OrganizationShape", "NodeKind"),
    "organisation-source-not-a-source.ttl": V(
        ORG, "prov:wasDerivedFrom", "OrganizationShape", "Class"
    ),
    "organisation-without-source.ttl": W(
        ORG, "prov:wasDerivedFrom", "OrganizationShape", "MinCount"
    ),
    # --- shp:RegionShape
    "region-code-integer.ttl": V(REGION, "igeo:codeINSEE", "RegionShape", "Datatype"),
    "region-code-missing.ttl": V(REGION, "igeo:codeINSEE", "RegionShape", "MinCount"),
    "region-code-pattern.ttl": V(REGION, "igeo:codeINSEE", "RegionShape", "Pattern"),
    "region-code-twice.ttl": V(REGION, "igeo:codeINSEE", "RegionShape", "MaxCount"),
    "region-chef-lieu-twice.ttl": V(REGION, "igeo:chefLieu", "RegionShape", "MaxCount"),
    "region-chef-lieu-not-iri.ttl": V(REGION, "igeo:chefLieu", "RegionShape", "NodeKind"),
    "region-chef-lieu-not-commune.ttl": V(REGION, "igeo:chefLieu", "RegionShape", "Pattern"),
    # --- shp:DepartementShape
    "departement-code-integer.ttl": V(
        DEPARTEMENT, "igeo:codeINSEE", "DepartementShape", "Datatype"
    ),
    "departement-code-missing.ttl": V(
        DEPARTEMENT, "igeo:codeINSEE", "DepartementShape", "MinCount"
    ),
    "departement-code-pattern.ttl": V(DEPARTEMENT, "igeo:codeINSEE", "DepartementShape", "Pattern"),
    "departement-code-twice.ttl": V(DEPARTEMENT, "igeo:codeINSEE", "DepartementShape", "MaxCount"),
    "departement-region-missing.ttl": V(
        DEPARTEMENT, "igeo:subdivisionDirecteDe", "DepartementShape", "MinCount"
    ),
    "departement-region-not-region.ttl": V(
        DEPARTEMENT, "igeo:subdivisionDirecteDe", "DepartementShape", "Class"
    ),
    "departement-region-twice.ttl": V(
        DEPARTEMENT, "igeo:subdivisionDirecteDe", "DepartementShape", "MaxCount"
    ),
    "departement-subdivision-not-its-region.ttl": V(
        DEPARTEMENT, "igeo:subdivisionDe", "DepartementShape", "Equals"
    ),
    "departement-chef-lieu-twice.ttl": V(
        DEPARTEMENT, "igeo:chefLieu", "DepartementShape", "MaxCount"
    ),
    "departement-chef-lieu-not-iri.ttl": V(
        DEPARTEMENT, "igeo:chefLieu", "DepartementShape", "NodeKind"
    ),
    "departement-chef-lieu-not-commune.ttl": V(
        DEPARTEMENT, "igeo:chefLieu", "DepartementShape", "Pattern"
    ),
    # --- shp:CommuneShape
    "commune-code-integer.ttl": V(COMMUNE, "igeo:codeINSEE", "CommuneShape", "Datatype"),
    "commune-code-missing.ttl": V(COMMUNE, "igeo:codeINSEE", "CommuneShape", "MinCount"),
    "commune-code-pattern.ttl": V(COMMUNE, "igeo:codeINSEE", "CommuneShape", "Pattern"),
    "commune-code-twice.ttl": V(COMMUNE, "igeo:codeINSEE", "CommuneShape", "MaxCount"),
    "commune-departement-missing.ttl": V(
        COMMUNE, "igeo:subdivisionDe", "CommuneShape", "QualifiedMinCount"
    ),
    "commune-departement-not-departement.ttl": V(
        COMMUNE, "igeo:subdivisionDe", "CommuneShape", "Or", "QualifiedMinCount"
    ),
    "commune-region-missing.ttl": V(
        COMMUNE, "igeo:subdivisionDe", "CommuneShape", "QualifiedMinCount"
    ),
    "commune-region-not-its-departements.ttl": V(
        COMMUNE, "igeo:subdivisionDe", "CommuneRegionRule", "SPARQL"
    ),
    "commune-member-of-not-epci.ttl": V(COMMUNE, "org:memberOf", "CommuneShape", "Class"),
    "commune-siren-integer.ttl": V(COMMUNE, "acc:siren", "CommuneShape", "Datatype"),
    "commune-siren-pattern.ttl": V(COMMUNE, "acc:siren", "CommuneShape", "Pattern"),
    "commune-siren-twice.ttl": V(COMMUNE, "acc:siren", "CommuneShape", "MaxCount"),
    "commune-member-of-two-epci.ttl": V(COMMUNE, "org:memberOf", "CommuneShape", "MaxCount"),
    # --- shp:PopulationShape
    "population-municipal-twice.ttl": V(
        COMMUNE, "acc:municipalPopulation", "PopulationShape", "MaxCount"
    ),
    "population-municipal-not-integer.ttl": V(
        COMMUNE, "acc:municipalPopulation", "PopulationShape", "Datatype"
    ),
    "population-municipal-negative.ttl": V(
        COMMUNE, "acc:municipalPopulation", "PopulationShape", "MinInclusive"
    ),
    "population-vintage-missing.ttl": V(
        COMMUNE, "acc:populationVintage", "PopulationShape", "MinCount"
    ),
    "population-vintage-twice.ttl": V(
        COMMUNE, "acc:populationVintage", "PopulationShape", "MaxCount"
    ),
    "population-vintage-not-year.ttl": V(
        COMMUNE, "acc:populationVintage", "PopulationShape", "Datatype"
    ),
    "population-total-twice.ttl": V(EPCI, "acc:totalPopulation", "PopulationShape", "MaxCount"),
    "population-total-not-integer.ttl": V(
        EPCI, "acc:totalPopulation", "PopulationShape", "Datatype"
    ),
    "population-total-negative.ttl": V(
        EPCI, "acc:totalPopulation", "PopulationShape", "MinInclusive"
    ),
    # --- shp:EPCIShape
    "epci-kind-missing.ttl": V(EPCI, "acc:epciKind", "EPCIShape", "MinCount"),
    "epci-kind-not-epci-kind.ttl": V(EPCI, "acc:epciKind", "EPCIShape", "Node"),
    "epci-kind-twice.ttl": V(EPCI, "acc:epciKind", "EPCIShape", "MaxCount"),
    "epci-siren-integer.ttl": V(EPCI, "acc:siren", "EPCIShape", "Datatype"),
    "epci-siren-missing.ttl": V(EPCI, "acc:siren", "EPCIShape", "MinCount"),
    "epci-siren-pattern.ttl": V(EPCI, "acc:siren", "EPCIShape", "Pattern"),
    "epci-siren-twice.ttl": V(EPCI, "acc:siren", "EPCIShape", "MaxCount"),
    # --- shp:ConceptShape
    "concept-english-label-missing.ttl": W(
        CONCEPT, "skos:prefLabel", "ConceptShape", "QualifiedMinCount"
    ),
    "concept-french-label-missing.ttl": V(
        CONCEPT, "skos:prefLabel", "ConceptShape", "QualifiedMinCount"
    ),
    "concept-french-label-twice.ttl": V(
        CONCEPT, "skos:prefLabel", "ConceptShape", "QualifiedMaxCount"
    ),
    "concept-scheme-missing.ttl": V(CONCEPT, "skos:inScheme", "ConceptShape", "MinCount"),
    "concept-scheme-not-scheme.ttl": V(CONCEPT, "skos:inScheme", "ConceptShape", "Class"),
    # --- shp:OfficeShape
    "office-constituency-not-territory.ttl": V(
        DELEGATE_OFFICE, "acc:constituency", "OfficeShape", "Or"
    ),
    "office-constituency-twice.ttl": V(
        DELEGATE_OFFICE, "acc:constituency", "OfficeShape", "MaxCount"
    ),
    "office-not-iri.ttl": V(BLANK, None, "OfficeShape", "NodeKind"),
    "office-organisation-missing.ttl": V(OFFICE, "org:postIn", "OfficeShape", "MinCount"),
    "office-organisation-not-organisation.ttl": V(OFFICE, "org:postIn", "OfficeShape", "Class"),
    "office-organisation-twice.ttl": V(OFFICE, "org:postIn", "OfficeShape", "MaxCount"),
    "office-role-missing.ttl": V(OFFICE, "org:role", "OfficeShape", "MinCount"),
    "office-role-not-role.ttl": V(OFFICE, "org:role", "OfficeShape", "Node"),
    "office-role-twice.ttl": V(OFFICE, "org:role", "OfficeShape", "MaxCount"),
    "office-title-missing.ttl": V(OFFICE, "skos:prefLabel", "OfficeShape", "MinCount"),
    "office-title-two-in-french.ttl": V(OFFICE, "skos:prefLabel", "OfficeShape", "UniqueLang"),
    "office-title-without-language.ttl": V(OFFICE, "skos:prefLabel", "OfficeShape", "Datatype"),
    # --- shp:MandateShape
    "mandate-attested-on-not-date.ttl": V(MANDATE, "acc:attestedOn", "MandateShape", "Datatype"),
    "mandate-end-not-date.ttl": V(MANDATE, "schema:validUntil", "MandateShape", "Datatype"),
    "mandate-end-twice.ttl": V(MANDATE, "schema:validUntil", "MandateShape", "MaxCount"),
    "mandate-holder-missing.ttl": V(MANDATE, "org:member", "MandateShape", "MinCount"),
    "mandate-holder-not-person.ttl": V(MANDATE, "org:member", "MandateShape", "Class"),
    "mandate-holder-twice.ttl": V(MANDATE, "org:member", "MandateShape", "MaxCount"),
    "mandate-not-iri.ttl": V(BLANK, None, "MandateShape", "NodeKind"),
    "mandate-office-missing.ttl": V(MANDATE, "opengov:post", "MandateShape", "MinCount"),
    "mandate-office-not-office.ttl": V(MANDATE, "opengov:post", "MandateShape", "Class"),
    "mandate-office-twice.ttl": V(MANDATE, "opengov:post", "MandateShape", "MaxCount"),
    "mandate-organisation-missing.ttl": V(MANDATE, "org:organization", "MandateShape", "MinCount"),
    "mandate-role-missing.ttl": V(MANDATE, "org:role", "MandateShape", "MinCount"),
    "mandate-start-not-date.ttl": V(MANDATE, "schema:validFrom", "MandateShape", "Datatype"),
    "mandate-start-twice.ttl": V(MANDATE, "schema:validFrom", "MandateShape", "MaxCount"),
    # --- shp:MandateDatedShape
    "mandate-undated.ttl": V(MANDATE, None, "MandateDatedShape", "Or"),
    # --- shp:AccordShape
    "accord-alternate-name-without-language.ttl": V(
        ACCORD, "schema:alternateName", "AccordShape", "Datatype"
    ),
    "accord-ceremony-not-ceremony.ttl": V(ACCORD, "acc:signedDuring", "AccordShape", "Class"),
    "accord-concerns-not-territory.ttl": V(ACCORD, "acc:concerns", "AccordShape", "Or"),
    "accord-not-iri.ttl": V(BLANK, None, "AccordShape", "NodeKind"),
    "accord-one-party.ttl": V(ACCORD, "acc:party", "AccordShape", "MinCount"),
    "accord-signature-not-signature.ttl": V(ACCORD, "acc:signature", "AccordShape", "Class"),
    "accord-theme-not-theme.ttl": V(ACCORD, "dcterms:subject", "AccordShape", "Node"),
    "accord-title-missing.ttl": V(
        ACCORD, "dcterms:title", "AccordShape", "MinCount", "QualifiedMinCount"
    ),
    "accord-title-only-in-english.ttl": V(
        ACCORD, "dcterms:title", "AccordShape", "QualifiedMinCount"
    ),
    "accord-title-two-in-french.ttl": V(ACCORD, "dcterms:title", "AccordShape", "UniqueLang"),
    "accord-title-without-language.ttl": V(
        ACCORD, "dcterms:title", "AccordShape", "Datatype", "QualifiedMinCount"
    ),
    "accord-two-ceremonies.ttl": V(ACCORD, "acc:signedDuring", "AccordShape", "MaxCount"),
    "accord-without-ceremony.ttl": W(ACCORD, "acc:signedDuring", "AccordShape", "MinCount"),
    "accord-without-signature.ttl": V(ACCORD, "acc:signature", "AccordShape", "MinCount"),
    "accord-without-territory.ttl": W(ACCORD, "acc:concerns", "AccordShape", "MinCount"),
    "accord-without-theme.ttl": V(ACCORD, "dcterms:subject", "AccordShape", "MinCount"),
    # --- shp:SignatureShape
    "signature-accord-not-accord.ttl": V(SIGNATURE, "^acc:signature", "SignatureShape", "Class"),
    "signature-capacity-not-mandate.ttl": V(
        SIGNATURE, "acc:inCapacityOf", "SignatureShape", "Class"
    ),
    "signature-capacity-twice.ttl": V(SIGNATURE, "acc:inCapacityOf", "SignatureShape", "MaxCount"),
    "signature-not-iri.ttl": V(BLANK, None, "SignatureShape", "NodeKind"),
    "signature-signatory-missing.ttl": V(SIGNATURE, "acc:signatory", "SignatureShape", "MinCount"),
    "signature-two-accords.ttl": V(SIGNATURE, "^acc:signature", "SignatureShape", "MaxCount"),
    "signature-without-accord.ttl": V(SIGNATURE, "^acc:signature", "SignatureShape", "MinCount"),
    "signature-without-capacity.ttl": V(
        SIGNATURE, "acc:inCapacityOf", "SignatureShape", "MinCount"
    ),
    # --- shp:SigningCeremonyShape
    "ceremony-attendance-negative.ttl": V(
        CEREMONY, "acc:minimumAttendance", "SigningCeremonyShape", "MinInclusive"
    ),
    "ceremony-attendance-not-integer.ttl": V(
        CEREMONY, "acc:minimumAttendance", "SigningCeremonyShape", "Datatype"
    ),
    "ceremony-attendance-twice.ttl": V(
        CEREMONY, "acc:minimumAttendance", "SigningCeremonyShape", "MaxCount"
    ),
    "ceremony-date-missing.ttl": V(
        CEREMONY, "schema:startDate", "SigningCeremonyShape", "MinCount"
    ),
    "ceremony-date-not-date.ttl": V(
        CEREMONY, "schema:startDate", "SigningCeremonyShape", "Datatype"
    ),
    "ceremony-date-twice.ttl": V(CEREMONY, "schema:startDate", "SigningCeremonyShape", "MaxCount"),
    "ceremony-intervention-not-intervention.ttl": V(
        CEREMONY, "acc:intervention", "SigningCeremonyShape", "Class"
    ),
    "ceremony-name-without-language.ttl": V(
        CEREMONY, "schema:name", "SigningCeremonyShape", "Datatype"
    ),
    "ceremony-not-iri.ttl": V(BLANK, None, "SigningCeremonyShape", "NodeKind"),
    "ceremony-place-missing.ttl": V(
        CEREMONY, "schema:location", "SigningCeremonyShape", "MinCount"
    ),
    "ceremony-place-not-commune.ttl": V(
        CEREMONY, "schema:location", "SigningCeremonyShape", "Class"
    ),
    "ceremony-place-twice.ttl": V(CEREMONY, "schema:location", "SigningCeremonyShape", "MaxCount"),
    "ceremony-premises-not-organisation.ttl": V(
        CEREMONY, "acc:atPremisesOf", "SigningCeremonyShape", "Class"
    ),
    "ceremony-premises-twice.ttl": V(
        CEREMONY, "acc:atPremisesOf", "SigningCeremonyShape", "MaxCount"
    ),
    "ceremony-presence-not-presence.ttl": V(
        CEREMONY, "acc:presence", "SigningCeremonyShape", "Class"
    ),
    # --- shp:InterventionShape
    "intervention-capacity-not-mandate.ttl": V(
        INTERVENTION, "acc:inCapacityOf", "InterventionShape", "Class"
    ),
    "intervention-capacity-twice.ttl": V(
        INTERVENTION, "acc:inCapacityOf", "InterventionShape", "MaxCount"
    ),
    "intervention-closing-remarks-not-boolean.ttl": V(
        INTERVENTION, "acc:closingRemarks", "InterventionShape", "Datatype"
    ),
    "intervention-closing-remarks-twice.ttl": V(
        INTERVENTION, "acc:closingRemarks", "InterventionShape", "MaxCount"
    ),
    "intervention-event-not-ceremony.ttl": V(
        INTERVENTION, "^acc:intervention", "InterventionShape", "Class"
    ),
    "intervention-not-iri.ttl": V(BLANK, None, "InterventionShape", "NodeKind"),
    "intervention-speaker-missing.ttl": V(
        INTERVENTION, "acc:speaker", "InterventionShape", "MinCount"
    ),
    "intervention-speaker-not-person.ttl": V(
        INTERVENTION, "acc:speaker", "InterventionShape", "Class"
    ),
    "intervention-speaker-twice.ttl": V(
        INTERVENTION, "acc:speaker", "InterventionShape", "MaxCount"
    ),
    "intervention-two-events.ttl": V(
        INTERVENTION, "^acc:intervention", "InterventionShape", "MaxCount"
    ),
    "intervention-without-event.ttl": V(
        INTERVENTION, "^acc:intervention", "InterventionShape", "MinCount"
    ),
    # --- shp:PresenceShape
    "presence-attendee-missing.ttl": V(PRESENCE, "acc:attendee", "PresenceShape", "MinCount"),
    "presence-capacity-not-mandate.ttl": V(PRESENCE, "acc:inCapacityOf", "PresenceShape", "Class"),
    "presence-capacity-twice.ttl": V(PRESENCE, "acc:inCapacityOf", "PresenceShape", "MaxCount"),
    "presence-event-not-ceremony.ttl": V(PRESENCE, "^acc:presence", "PresenceShape", "Class"),
    "presence-not-iri.ttl": V(BLANK, None, "PresenceShape", "NodeKind"),
    "presence-two-events.ttl": V(PRESENCE, "^acc:presence", "PresenceShape", "MaxCount"),
    "presence-without-event.ttl": V(PRESENCE, "^acc:presence", "PresenceShape", "MinCount"),
    # --- shp:QuotationShape
    "quotation-event-twice.ttl": V(QUOTATION, "schema:recordedAt", "QuotationShape", "MaxCount"),
    "quotation-not-iri.ttl": V(BLANK, None, "QuotationShape", "NodeKind"),
    "quotation-part-of-two-accords.ttl": V(
        "quotation/exemple-accord-1", "schema:isPartOf", "QuotationShape", "MaxCount"
    ),
    "quotation-part-of-not-accord.ttl": V(QUOTATION, "schema:isPartOf", "QuotationShape", "Class"),
    "quotation-recorded-at-not-ceremony.ttl": V(
        QUOTATION, "schema:recordedAt", "QuotationShape", "Class"
    ),
    "quotation-text-missing.ttl": V(QUOTATION, "schema:text", "QuotationShape", "MinCount"),
    "quotation-text-twice.ttl": V(QUOTATION, "schema:text", "QuotationShape", "MaxCount"),
    "quotation-text-without-language.ttl": V(
        QUOTATION, "schema:text", "QuotationShape", "Datatype"
    ),
    # --- shp:QuotationContextShape
    "quotation-without-context.ttl": V(QUOTATION, None, "QuotationContextShape", "Or"),
    # --- shp:StatementProvenanceShape
    "accord-without-source.ttl": V(
        ACCORD, "prov:wasDerivedFrom", "StatementProvenanceShape", "MinCount"
    ),
    "ceremony-without-source.ttl": V(
        CEREMONY, "prov:wasDerivedFrom", "StatementProvenanceShape", "MinCount"
    ),
    "evidence-too-short.ttl": V(CEREMONY, "acc:evidence", "StatementProvenanceShape", "MinLength"),
    "evidence-without-language.ttl": V(
        CEREMONY, "acc:evidence", "StatementProvenanceShape", "Datatype"
    ),
    "inferred-statement-without-source.ttl": V(
        INFERRED, "prov:wasDerivedFrom", "StatementProvenanceShape", "MinCount"
    ),
    "intervention-without-source.ttl": V(
        INTERVENTION, "prov:wasDerivedFrom", "StatementProvenanceShape", "MinCount"
    ),
    "mandate-without-source.ttl": V(
        MANDATE, "prov:wasDerivedFrom", "StatementProvenanceShape", "MinCount"
    ),
    "presence-without-source.ttl": V(
        PRESENCE, "prov:wasDerivedFrom", "StatementProvenanceShape", "MinCount"
    ),
    "quotation-without-source.ttl": V(
        QUOTATION, "prov:wasDerivedFrom", "StatementProvenanceShape", "MinCount"
    ),
    "signature-without-source.ttl": V(
        SIGNATURE, "prov:wasDerivedFrom", "StatementProvenanceShape", "MinCount"
    ),
    "statement-source-not-a-source.ttl": V(
        QUOTATION, "prov:wasDerivedFrom", "StatementProvenanceShape", "Class"
    ),
    # --- shp:InferredStatementShape
    "inferred-statement-not-iri.ttl": V(BLANK, None, "InferredStatementShape", "NodeKind"),
    "inferred-statement-object-missing.ttl": V(
        INFERRED, "rdf:object", "InferredStatementShape", "MinCount"
    ),
    "inferred-statement-object-twice.ttl": V(
        "inference/exemple-personne-president-exemple-association-attestee",
        "rdf:object",
        "InferredStatementShape",
        "MaxCount",
    ),
    "inferred-statement-predicate-missing.ttl": V(
        INFERRED, "rdf:predicate", "InferredStatementShape", "MinCount"
    ),
    "inferred-statement-predicate-twice.ttl": V(
        INFERRED, "rdf:predicate", "InferredStatementShape", "MaxCount"
    ),
    "inferred-statement-reasoning-missing.ttl": V(
        INFERRED, "acc:reasoning", "InferredStatementShape", "MinCount", "QualifiedMinCount"
    ),
    "inferred-statement-reasoning-only-in-english.ttl": V(
        INFERRED, "acc:reasoning", "InferredStatementShape", "QualifiedMinCount"
    ),
    "inferred-statement-reasoning-two-in-french.ttl": V(
        INFERRED, "acc:reasoning", "InferredStatementShape", "UniqueLang"
    ),
    "inferred-statement-reasoning-without-language.ttl": V(
        INFERRED, "acc:reasoning", "InferredStatementShape", "Datatype", "QualifiedMinCount"
    ),
    "inferred-statement-subject-missing.ttl": V(
        INFERRED, "rdf:subject", "InferredStatementShape", "MinCount"
    ),
    "inferred-statement-subject-not-iri.ttl": V(
        INFERRED, "rdf:subject", "InferredStatementShape", "NodeKind"
    ),
    "inferred-statement-subject-twice.ttl": V(
        INFERRED, "rdf:subject", "InferredStatementShape", "MaxCount"
    ),
    # --- shp:SourceShape
    "source-checksum-not-string.ttl": V(SOURCE, "acc:sha256", "SourceShape", "Datatype"),
    "source-checksum-pattern.ttl": V(SOURCE, "acc:sha256", "SourceShape", "Pattern"),
    "source-checksum-twice.ttl": V(SOURCE, "acc:sha256", "SourceShape", "MaxCount"),
    "source-spdx-checksum-twice.ttl": V(SOURCE, "spdx:checksum", "SourceShape", "MaxCount"),
    "source-spdx-checksum-not-sha256.ttl": V(SOURCE, "spdx:checksum", "SourceShape", "Node"),
    "checksum-agreement-rule.ttl": V(SOURCE, "acc:sha256", "ChecksumAgreementRule", "SPARQL"),
    "source-issued-not-date.ttl": V(SOURCE, "dcterms:issued", "SourceShape", "Datatype"),
    "source-issued-twice.ttl": V(SOURCE, "dcterms:issued", "SourceShape", "MaxCount"),
    "source-label-two-in-french.ttl": V(SOURCE, "rdfs:label", "SourceShape", "UniqueLang"),
    "source-label-without-language.ttl": V(SOURCE, "rdfs:label", "SourceShape", "Datatype"),
    "source-title-two-in-french.ttl": V(SOURCE, "dcterms:title", "SourceShape", "UniqueLang"),
    "source-title-without-language.ttl": V(SOURCE, "dcterms:title", "SourceShape", "Datatype"),
    "source-not-iri.ttl": V(BLANK, None, "SourceShape", "NodeKind"),
    "source-publisher-not-organisation.ttl": V(SOURCE, "dcterms:publisher", "SourceShape", "Class"),
    "source-url-missing.ttl": V(SOURCE, "schema:url", "SourceShape", "MinCount"),
    "source-url-not-iri.ttl": V(SOURCE, "schema:url", "SourceShape", "NodeKind"),
    "source-url-twice.ttl": V(SOURCE, "schema:url", "SourceShape", "MaxCount"),
    "source-url-not-web.ttl": V(SOURCE, "schema:url", "SourceShape", "Pattern"),
    # --- shp:SourceTitleShape: a title (dcterms:title, as DESIGN.md) or a description
    # (rdfs:label, as the curated data), at least one (good/source-from-the-design.ttl has
    # only the title)
    "source-untitled.ttl": V(SOURCE, None, "SourceTitleShape", "Or"),
    # --- SHACL-SPARQL rules (shapes/rules.ttl)
    "capacity-holder-rule-intervention.ttl": V(
        INTERVENTION, "acc:inCapacityOf", "CapacityHolderRule", "SPARQL"
    ),
    "capacity-holder-rule-presence.ttl": V(
        PRESENCE, "acc:inCapacityOf", "CapacityHolderRule", "SPARQL"
    ),
    "capacity-holder-rule.ttl": V(SIGNATURE, "acc:inCapacityOf", "CapacityHolderRule", "SPARQL"),
    "capacity-in-force-rule-intervention.ttl": V(
        INTERVENTION, "acc:inCapacityOf", "CapacityInForceRule", "SPARQL"
    ),
    "capacity-in-force-rule-presence.ttl": V(
        PRESENCE, "acc:inCapacityOf", "CapacityInForceRule", "SPARQL"
    ),
    "capacity-in-force-rule.ttl": V(SIGNATURE, "acc:inCapacityOf", "CapacityInForceRule", "SPARQL"),
    "mandate-office-rule-organisation.ttl": V(
        MANDATE, "org:organization", "MandateOfficeRule", "SPARQL"
    ),
    "mandate-office-rule-role.ttl": V(MANDATE, "org:role", "MandateOfficeRule", "SPARQL"),
    "mandate-validity-order-rule.ttl": V(
        MANDATE, "schema:validUntil", "MandateValidityOrderRule", "SPARQL"
    ),
    "siren-luhn-rule.ttl": V("epci/999999999", "acc:siren", "SirenLuhnRule", "SPARQL"),
    "commune-code-departement-rule.ttl": V(
        COMMUNE, "igeo:codeINSEE", "CommuneCodeDepartementRule", "SPARQL"
    ),
    "evidence-rule.ttl": V(CEREMONY, "prov:wasDerivedFrom", "EvidenceRule", "SPARQL"),
    "evidence-rule-presence.ttl": V(PRESENCE, "prov:wasDerivedFrom", "EvidenceRule", "SPARQL"),
    "inferred-statement-holds-rule.ttl": V(
        INFERRED, "rdf:object", "InferredStatementHoldsRule", "SPARQL"
    ),
    "evidence-rule-office.ttl": V(OFFICE, "prov:wasDerivedFrom", "EvidenceRule", "SPARQL"),
    "evidence-rule-inferred-statement.ttl": V(
        INFERRED, "prov:wasDerivedFrom", "EvidenceRule", "SPARQL"
    ),
    # --- the mistakes of issue #13, each once
    "party-signed-rule.ttl": V(ACCORD, "acc:party", "PartySignedRule", "SPARQL"),
    "duplicate-signature-rule.ttl": V(ACCORD, "acc:signature", "DuplicateSignatureRule", "SPARQL"),
    "code-iri-rule.ttl": V(COMMUNE, "igeo:codeINSEE", "CodeIriRule", "SPARQL"),
    "code-iri-rule-epci.ttl": V(EPCI, "acc:siren", "CodeIriRule", "SPARQL"),
    "future-date-rule.ttl": V(CEREMONY, "schema:startDate", "FutureDateRule", "SPARQL"),
    "date-after-sources-rule.ttl": V(
        CEREMONY, "schema:startDate", "DateAfterSourcesRule", "SPARQL"
    ),
    "mandate-attested-within-validity-rule.ttl": V(
        MANDATE, "acc:attestedOn", "MandateAttestedWithinValidityRule", "SPARQL"
    ),
    "evidence-language-rule.ttl": V(CEREMONY, "acc:evidence", "EvidenceLanguageRule", "SPARQL"),
    "quotation-speaker-rule.ttl": V(QUOTATION, "schema:creator", "QuotationSpeakerRule", "SPARQL"),
    "single-closing-rule.ttl": V(CEREMONY, "acc:intervention", "SingleClosingRule", "SPARQL"),
    "senator-constituency-rule.ttl": W(
        "office/senateur-exemple", "acc:constituency", "SenatorConstituencyRule", "SPARQL"
    ),
    "ceremony-in-territory-rule.ttl": W(
        "event/signature-exemple-accord", "schema:location", "CeremonyInTerritoryRule", "SPARQL"
    ),
    "gender-sourced-rule.ttl": V(PERSON, "foaf:gender", "GenderSourcedRule", "SPARQL"),
    "person-also-organisation.ttl": V(PERSON, None, "PersonNotOrganizationShape", "Not"),
    "commune-in-no-epci.ttl": W(COMMUNE, "org:memberOf", "CommuneShape", "MinCount"),
    "presence-without-capacity.ttl": W(PRESENCE, "acc:inCapacityOf", "PresenceShape", "MinCount"),
}

#: tests/entries/coupled/: the constraints that cannot fail alone. The first finding is the
#: constraint the entry targets; the others come with it whatever the entry says (each
#: entry's header comment says why).
COUPLED: dict[str, tuple[Expect, ...]] = {
    # A second node for a département keyed otherwise than by its code carries the same
    # code: its IRI disagrees with it, and the code names two nodes (both are reported).
    "commune-departement-twice.ttl": (
        V(COMMUNE, "igeo:subdivisionDe", "CommuneShape", "QualifiedMaxCount"),
        V("departement/pas-de-calais", "igeo:codeINSEE", "CodeIriRule", "SPARQL"),
        V("departement/pas-de-calais", "igeo:codeINSEE", "UniqueCodeRule", "SPARQL"),
        V("departement/62", "igeo:codeINSEE", "UniqueCodeRule", "SPARQL"),
    ),
    # Two régions: one of them is not the département's.
    "commune-region-twice.ttl": (
        V(COMMUNE, "igeo:subdivisionDe", "CommuneShape", "QualifiedMaxCount"),
        V(COMMUNE, "igeo:subdivisionDe", "CommuneRegionRule", "SPARQL"),
    ),
    # A capacity is a mandate of the attendee: with no person as the only attendee (or two
    # of them) no capacity can be given without breaking shp:CapacityHolderRule, so the
    # presence goes without one (a Warning).
    "presence-attendee-not-person.ttl": (
        V(PRESENCE, "acc:attendee", "PresenceShape", "Class"),
        W(PRESENCE, "acc:inCapacityOf", "PresenceShape", "MinCount"),
    ),
    "presence-attendee-twice.ttl": (
        V(PRESENCE, "acc:attendee", "PresenceShape", "MaxCount"),
        W(PRESENCE, "acc:inCapacityOf", "PresenceShape", "MinCount"),
    ),
    # An office has one org:postIn and one org:role (OfficeShape), so a mandate whose
    # organisation or role is doubled or wrong always differs from its office's.
    "mandate-organisation-twice.ttl": (
        V(MANDATE, "org:organization", "MandateShape", "MaxCount"),
        V(MANDATE, "org:organization", "MandateOfficeRule", "SPARQL"),
    ),
    "mandate-organisation-not-organisation.ttl": (
        V(MANDATE, "org:organization", "MandateShape", "Class"),
        V(MANDATE, "org:organization", "MandateOfficeRule", "SPARQL"),
    ),
    "mandate-role-twice.ttl": (
        V(MANDATE, "org:role", "MandateShape", "MaxCount"),
        V(MANDATE, "org:role", "MandateOfficeRule", "SPARQL"),
    ),
    "mandate-role-not-role.ttl": (
        V(MANDATE, "org:role", "MandateShape", "Node"),
        V(MANDATE, "org:role", "MandateOfficeRule", "SPARQL"),
    ),
    # A mandate has one holder and one organisation, so a second signatory or a second
    # party cannot match the capacity (leaving the capacity out would give a Warning).
    "signature-signatory-twice.ttl": (
        V(SIGNATURE, "acc:signatory", "SignatureShape", "MaxCount"),
        V(SIGNATURE, "acc:inCapacityOf", "CapacityHolderRule", "SPARQL"),
    ),
    "signature-signatory-not-person.ttl": (
        V(SIGNATURE, "acc:signatory", "SignatureShape", "Class"),
        V(SIGNATURE, "acc:inCapacityOf", "CapacityHolderRule", "SPARQL"),
    ),
    "signature-party-twice.ttl": (
        V(SIGNATURE, "opengov:onBehalfOf", "SignatureShape", "MaxCount"),
        V(SIGNATURE, "acc:inCapacityOf", "CapacityPartyRule", "SPARQL"),
    ),
    # What is not an organisation is neither a party nor a mandate's organisation.
    "signature-party-not-organisation.ttl": (
        V(ACCORD, "acc:party", "PartySignedRule", "SPARQL"),
        V(SIGNATURE, "opengov:onBehalfOf", "SignatureShape", "Class"),
        V(SIGNATURE, "opengov:onBehalfOf", "SignaturePartyRule", "SPARQL"),
        V(SIGNATURE, "acc:inCapacityOf", "CapacityPartyRule", "SPARQL"),
    ),
    # Every party signs (shp:PartySignedRule): a signature made for no party, for the wrong
    # party or for no one leaves a party unsigned; a person listed as a party cannot be.
    "accord-party-not-organisation.ttl": (
        V(ACCORD, "acc:party", "AccordShape", "Class"),
        V(ACCORD, "acc:party", "PartySignedRule", "SPARQL"),
    ),
    "signature-party-missing.ttl": (
        V(SIGNATURE, "opengov:onBehalfOf", "SignatureShape", "MinCount"),
        V(ACCORD, "acc:party", "PartySignedRule", "SPARQL"),
    ),
    "signature-party-rule.ttl": (
        V(SIGNATURE, "opengov:onBehalfOf", "SignaturePartyRule", "SPARQL"),
        V(ACCORD, "acc:party", "PartySignedRule", "SPARQL"),
    ),
    "capacity-party-rule.ttl": (
        V(SIGNATURE, "acc:inCapacityOf", "CapacityPartyRule", "SPARQL"),
        V(ACCORD, "acc:party", "PartySignedRule", "SPARQL"),
    ),
    # A quotation's speaker speaks at the event (shp:QuotationSpeakerRule): what is not a
    # person cannot, and of two speakers given, one at most is the intervention's.
    "quotation-speaker-not-person.ttl": (
        V(QUOTATION, "schema:creator", "QuotationShape", "Class"),
        V(QUOTATION, "schema:creator", "QuotationSpeakerRule", "SPARQL"),
    ),
    "quotation-speaker-twice.ttl": (
        V(QUOTATION, "schema:creator", "QuotationShape", "MaxCount"),
        V(QUOTATION, "schema:creator", "QuotationSpeakerRule", "SPARQL"),
    ),
    # A code on two nodes: the new node's IRI, made from another code, disagrees with it.
    "unique-code-rule.ttl": (
        V(COMMUNE, "igeo:codeINSEE", "UniqueCodeRule", "SPARQL"),
        V("commune/62119", "igeo:codeINSEE", "UniqueCodeRule", "SPARQL"),
        V(COMMUNE, "igeo:codeINSEE", "CodeIriRule", "SPARQL"),
    ),
    # An attestation outside the mandate's validity does not make it in force that day.
    "capacity-in-force-rule-contradicting-mandate.ttl": (
        V(MANDATE, "acc:attestedOn", "MandateAttestedWithinValidityRule", "SPARQL"),
        V(SIGNATURE, "acc:inCapacityOf", "CapacityInForceRule", "SPARQL"),
    ),
    # No triple has a literal or a blank node as its predicate, so the statement an inferred
    # statement marks with such a predicate is never in the graph.
    "inferred-statement-predicate-not-iri.ttl": (
        V(INFERRED, "rdf:predicate", "InferredStatementShape", "NodeKind"),
        V(INFERRED, "rdf:object", "InferredStatementHoldsRule", "SPARQL"),
    ),
}

#: tests/entries/good/: no finding at all, not even a Warning.
GOOD = ["complete-accord.ttl", "source-from-the-design.ttl"]

#: Every bad and coupled entry (``bad/….ttl``) and the findings it must give.
EXPECTED: dict[str, tuple[Expect, ...]] = {
    **{f"bad/{name}": (expect,) for name, expect in BAD.items()},
    **{f"coupled/{name}": expects for name, expects in COUPLED.items()},
}

SPARQL = f"{SH}SPARQLConstraintComponent"


# ---------------------------------------------------------------------------
# Validating the entries
# ---------------------------------------------------------------------------

Validate = Callable[[str | None], Report]


@pytest.fixture(scope="module")
def validated(store: Store, curated: Store) -> Validate:
    """Each entry's report, computed once (both languages are kept in every finding).

    Bad and coupled entries are validated with the curated data (the territories they name
    are in it; the thousands of units of the territorial layer would only make each run
    slower); the good entry and the dataset alone with the whole dataset.
    """
    done: dict[str | None, Report] = {}

    def run(entry: str | None) -> Report:
        if entry not in done:
            whole = entry is None or entry.startswith("good/")
            paths = [] if entry is None else [ENTRIES / entry]
            done[entry] = validate(paths, store=store if whole else curated, lang="en")
        return done[entry]

    return run


Key = tuple[str | None, str | None, str, str]


def _node(text: str | None) -> str | None:
    """An IRI or ``^IRI`` as is; anything else (a blank node, a literal) as :data:`BLANK`."""
    if text is None or text.startswith(("http://", "https://", "^")):
        return text
    return BLANK


def _findings(report: Report) -> dict[Key, frozenset[str]]:
    """The report as (focus, path, shape, severity) -> the constraint components that failed."""
    grouped: dict[Key, set[str]] = defaultdict(set)
    for f in report.results:
        grouped[_node(f.focusNode), f.path, f.shape, f.severity].add(f.constraint)
    return {key: frozenset(components) for key, components in grouped.items()}


def _expected(expects: Iterable[Expect]) -> dict[Key, frozenset[str]]:
    """The expected findings, in the form of :func:`_findings`."""
    return {(e.focus, e.path, e.shape, e.severity): e.constraints for e in expects}


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------


def test_dataset_alone_conforms_without_any_finding(validated: Validate) -> None:
    """The whole dataset, as ``Store.load()`` gives it, with no entry: not even a Warning."""
    report = validated(None)
    assert report.conforms is True, report.to_text()
    assert report.results == [], report.to_text()


@pytest.mark.parametrize("entry", [f"good/{name}" for name in GOOD])
def test_good_entry_gives_no_finding(entry: str, validated: Validate) -> None:
    report = validated(entry)
    assert report.conforms is True, report.to_text()
    assert report.results == [], report.to_text()


@pytest.mark.parametrize("entry", list(EXPECTED))
def test_bad_entry_gives_exactly_its_findings(entry: str, validated: Validate) -> None:
    """A Violation entry does not conform, a Warning entry does; the findings are exact."""
    expects = EXPECTED[entry]
    report = validated(entry)
    violation = any(e.severity == "Violation" for e in expects)
    assert report.conforms is not violation, report.to_text()
    assert _findings(report) == _expected(expects), report.to_text()


@pytest.mark.parametrize("entry", list(EXPECTED))
def test_every_finding_has_a_french_and_an_english_message(entry: str, validated: Validate) -> None:
    for finding in validated(entry).results:
        english, french = finding.in_language("en"), finding.in_language("fr")
        assert english.strip() and french.strip(), finding
        assert french != english, f"the same text in French and English: {english}"


def test_every_entry_file_is_in_a_table() -> None:
    on_disk = {path.relative_to(ENTRIES).as_posix() for path in ENTRIES.rglob("*.ttl")}
    assert on_disk == set(EXPECTED) | {f"good/{name}" for name in GOOD}


#: The SHACL Core constraint parameters, and SHACL-SPARQL's, by component name.
COMPONENTS = {
    SH[name[0].lower() + name[1:]]: name
    for name in (
        *("Class", "Datatype", "NodeKind", "MinCount", "MaxCount", "MinExclusive"),
        *("MinInclusive", "MaxExclusive", "MaxInclusive", "MinLength", "MaxLength"),
        *("Pattern", "LanguageIn", "UniqueLang", "Equals", "Disjoint", "LessThan"),
        *("LessThanOrEquals", "Not", "And", "Or", "Xone", "Node", "QualifiedMinCount"),
        *("QualifiedMaxCount", "Closed", "HasValue", "In"),
    )
}
COMPONENTS[SH.sparql] = "SPARQL"
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _path_text(shapes: Graph, path: Node | None) -> str | None:
    """A property path as :class:`Finding` writes it: an IRI, or ``^IRI``."""
    if path is None or isinstance(path, URIRef):
        return None if path is None else str(path)
    return "^" + str(shapes.value(path, SH.inversePath))


def _constraints_in_shapes(shapes: Graph) -> set[tuple[str, str | None, str, str]]:
    """(shape, path, component, severity) of every constraint a targeted shape holds.

    A SHACL-SPARQL rule's path is chosen by its query, so it is left out (None). Shapes with
    no target (the concept shapes sh:node points to) are checked through the ``sh:node``
    constraints that use them. ``load_shapes()`` gives the shapes that apply to every entry;
    those only the territorial layer can satisfy (``shapes/territorial-layer/``) are not here.
    """
    found = set()
    for shape in {s for target in TARGETS for s in shapes.subjects(target, None)}:
        holders = [(shape, None)]
        holders += [(p, shapes.value(p, SH.path)) for p in shapes.objects(shape, SH.property)]
        for holder, path in holders:
            severity = str(shapes.value(holder, SH.severity, default=SH.Violation))
            for parameter in set(shapes.predicates(holder, None)) & COMPONENTS.keys():
                component = f"{SH}{COMPONENTS[parameter]}ConstraintComponent"
                where = None if component == SPARQL else _path_text(shapes, path)
                found.add((str(shape), where, component, severity.removeprefix(str(SH))))
    return found


def test_every_constraint_of_the_shapes_has_a_bad_entry() -> None:
    in_shapes = _constraints_in_shapes(load_shapes())
    covered = {
        (e.shape, None if component == SPARQL else e.path, component, e.severity)
        for expects in EXPECTED.values()
        for e in expects
        for component in e.constraints
    }
    # sorted as text: a shape's own constraints have no path (None), its properties' have one
    assert sorted(in_shapes - covered, key=str) == [], "constraints with no bad entry"
    assert sorted(covered - in_shapes, key=str) == [], "expected findings of no constraint"


def test_the_shapes_are_valid_shacl() -> None:
    """Every shapes file validates against SHACL-for-SHACL (pyshacl's ``meta_shacl``)."""
    shapes = load_shapes(sorted((ROOT / "shapes").rglob("*.ttl")))
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_meta_shacl_rejects_a_broken_shape() -> None:
    """``sh:minCount "one"`` in the real shapes makes the meta-SHACL check fail.

    pyshacl does not return a report when the shapes themselves are invalid: it raises, with
    the meta-validation report (the broken parameter and value) in the message.
    """
    text = (ROOT / "shapes" / "core.ttl").read_text(encoding="utf-8")
    broken_text = text.replace("sh:minCount 1 ;", 'sh:minCount "one" ;', 1)
    assert broken_text != text
    broken = Graph().parse(data=broken_text, format="turtle")
    broken += load_shapes([ROOT / "shapes" / "rules.ttl"])
    with pytest.raises(ReportableRuntimeError, match="MetaSHACL") as raised:
        pyshacl.validate(broken, shacl_graph=broken, meta_shacl=True)
    assert "sh:minCount" in str(raised.value)
    assert 'Literal("one")' in str(raised.value)
