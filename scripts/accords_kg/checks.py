"""Checks on new entries that SHACL cannot express, reported like SHACL findings.

- **Official units exist.** With the territorial layer loaded, an entry may not declare a
  région, département, commune or EPCI that none of the loaded vintages has: a made-up code
  with a valid pattern (and Luhn key) would otherwise pass.
- **Evidence is verbatim.** An ``acc:evidence`` excerpt must occur in the text of a source it
  cites whose SHA-256 the graph records, wherever that text is at hand (the folder
  ``ACCORDS_KG_SOURCES``, else ``shared/sources`` beside the checkout).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from .resources import ONTOLOGY_NS, home
from .store import Store
from .validate import Finding

ACC_EVIDENCE = URIRef(ONTOLOGY_NS + "evidence")
ACC_SHA256 = URIRef(ONTOLOGY_NS + "sha256")
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
OFFICIAL = tuple(URIRef(ONTOLOGY_NS + c) for c in ("Region", "Departement", "Commune", "EPCI"))
CHECKS = "https://w3id.org/accords-kg/shapes#"


def _finding(focus, path, value, rule: str, fr: str, en: str, lang: str) -> Finding:
    return Finding(
        focusNode=str(focus),
        path=str(path),
        value=str(value),
        severity="Violation",
        message=fr if lang == "fr" else en,
        constraint=CHECKS + rule + "Constraint",
        shape=CHECKS + rule,
        messages=(("en", en), ("fr", fr)),
    )


def unknown_units(entry: Graph, store: Store, lang: str = "en") -> list[Finding]:
    """Territorial units the entry declares that the loaded layer does not have."""
    layers = store.territorial_layers()
    if not layers:
        return []
    found = []
    for cls in OFFICIAL:
        for unit in entry.subjects(RDF.type, cls):
            if not store.holds((unit, RDF.type, cls), layers):  # in any vintage loaded
                found.append(
                    _finding(
                        unit,
                        RDF.type,
                        cls,
                        "OfficialUnitCheck",
                        f"{unit} n'existe pas dans les fichiers officiels chargés "
                        "(--territories) : un territoire se désigne par son code officiel.",
                        f"{unit} does not exist in the loaded official files (--territories): "
                        "a territory is named by its official code.",
                        lang,
                    )
                )
    return found


def sources_folder() -> Path | None:
    configured = os.environ.get("ACCORDS_KG_SOURCES")
    folder = Path(configured) if configured else home().parent / "shared" / "sources"
    return folder if folder.is_dir() else None


@cache
def _texts(folder: Path) -> dict[str, str]:
    """SHA-256 → text of every stored source file."""
    out = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix == ".txt":
            data = path.read_bytes()
            out[hashlib.sha256(data).hexdigest()] = data.decode("utf-8", errors="replace")
    return out


def unquoted_evidence(entry: Graph, data: Graph, lang: str = "en") -> list[Finding]:
    """Evidence excerpts found in none of the stored texts of the sources they cite."""
    folder = sources_folder()
    if folder is None:
        return []
    texts = _texts(folder)
    found = []
    for node, excerpt in entry.subject_objects(ACC_EVIDENCE):
        cited = set(entry.objects(node, PROV_DERIVED)) | set(data.objects(node, PROV_DERIVED))
        held = [
            texts[str(digest)]
            for source in cited
            for digest in (*entry.objects(source, ACC_SHA256), *data.objects(source, ACC_SHA256))
            if str(digest) in texts
        ]
        if held and not any(str(excerpt) in text for text in held):
            found.append(
                _finding(
                    node,
                    ACC_EVIDENCE,
                    excerpt,
                    "VerbatimEvidenceCheck",
                    "L'extrait ne figure pas mot pour mot dans le texte de la source citée.",
                    "The excerpt is not found word for word in the cited source's text.",
                    lang,
                )
            )
    return found
