"""The official territorial layer: régions, départements, EPCI and communes as RDF.

The facts come from the npm package ``@etalab/decoupage-administratif`` (INSEE's Code
officiel géographique and the DGCL's intercommunality base), one release per vintage, pinned
with its integrity hash in ``data/territories/registry.lock.json``. The tarball is fetched
over HTTP from the npm registry (no Node.js), checked against the lock, cached, and converted
to Turtle written directly as text: sorted, grouped, byte-identical on every rebuild.

Scopes: ``hauts-de-france`` writes the committed files (all régions and départements of
France; the EPCI and communes of région 32; the units outside it that the curated data
names); ``france`` writes every EPCI and commune of France into the cache.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import AccordsError, InputError
from .files import write_atomic
from .resources import checkout, home

SCOPES = ("hauts-de-france", "france", "none")
DEFAULT_VINTAGE = "2023"
HAUTS_DE_FRANCE = "32"
PACKAGE_FILES = ("regions", "departements", "epci", "communes")


class NetworkError(AccordsError):
    """The registry could not be reached and nothing usable is cached (exit 4)."""

    exit_code = 4


class IntegrityError(AccordsError):
    """A download does not match the integrity hash pinned in the lock file (exit 4)."""

    exit_code = 4


# ---------------------------------------------------------------------------
# The pinned release and its cache
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    package: str
    version: str
    vintage: str
    tarball: str
    integrity: str

    @property
    def key(self) -> str:
        """The release's node key: ``source/etalab-decoupage-administratif-3-1-1``."""
        return "source/etalab-decoupage-administratif-" + self.version.replace(".", "-")


def lock_path(root: Path | None = None) -> Path:
    return (root or home()) / "data" / "territories" / "registry.lock.json"


def release(vintage: str = DEFAULT_VINTAGE, root: Path | None = None) -> Release:
    lock = json.loads(lock_path(root).read_text(encoding="utf-8"))
    try:
        entry = lock["releases"][vintage]
    except KeyError:
        known = ", ".join(sorted(lock["releases"]))
        raise InputError(f"no pinned release for vintage {vintage} (pinned: {known})") from None
    return Release(lock["package"], entry["version"], vintage, entry["tarball"], entry["integrity"])


def cache_dir() -> Path:
    """``$ACCORDS_KG_CACHE``, else ``$XDG_CACHE_HOME/accords-kg``, else ``~/.cache/accords-kg``."""
    if os.environ.get("ACCORDS_KG_CACHE"):
        return Path(os.environ["ACCORDS_KG_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "accords-kg"


def integrity_of(data: bytes) -> str:
    """The Subresource Integrity string npm records (``sha512-`` and base64)."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch(rel: Release, cache: Path | None = None, timeout: float = 60.0) -> bytes:
    """The release tarball: from the cache if it is there and intact, else from the registry."""
    cached = (cache or cache_dir()) / "npm" / Path(rel.tarball).name
    if cached.is_file():
        data = cached.read_bytes()
        if integrity_of(data) == rel.integrity:
            return data
    try:
        with urllib.request.urlopen(rel.tarball, timeout=timeout) as response:
            data = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        state = "is corrupt in" if cached.is_file() else "is not in"
        raise NetworkError(
            f"cannot download {rel.tarball} ({exc}) and it {state} the cache {cached.parent}. "
            "Connect to the network once, or copy that file there. / Téléchargement impossible "
            "et fichier absent du cache : connectez-vous une fois ou copiez-le dans ce dossier."
        ) from None
    if integrity_of(data) != rel.integrity:
        raise IntegrityError(
            f"{rel.tarball} does not match the pinned integrity {rel.integrity} "
            f"(got {integrity_of(data)}); nothing was written. / Empreinte différente du verrou."
        )
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, cached)
    return data


def read_tarball(data: bytes) -> dict[str, list[dict]]:
    """The four JSON files of the package, by name (``regions``, ``departements``…)."""
    out: dict[str, list[dict]] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for name in PACKAGE_FILES:
            member = archive.extractfile(f"package/data/{name}.json")
            if member is None:
                raise InputError(f"package/data/{name}.json missing from the release")
            out[name] = json.load(member)
    return out


# ---------------------------------------------------------------------------
# Conversion to Turtle text
# ---------------------------------------------------------------------------

HEADER = """\
@base <https://w3id.org/accords-kg/id/> .
@prefix acc: <https://w3id.org/accords-kg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix epcikind: <https://w3id.org/accords-kg/epci-kind/> .
@prefix igeo: <http://rdf.insee.fr/def/geo#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

EPCI_KINDS = {"CA": "ca", "CC": "cc", "CU": "cu", "METRO": "metro", "MET69": "met69"}


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _node(subject: str, kind: str, props: list[tuple[str, str]]) -> str:
    """One subject block: ``<subject> a kind ;`` then its predicates, sorted."""
    lines = [f"<{subject}> a {kind} ;"]
    body = sorted(props)
    for index, (predicate, obj) in enumerate(body):
        end = " ." if index == len(body) - 1 else " ;"
        lines.append(f"    {predicate} {obj}{end}")
    return "\n".join(lines) + "\n"


def release_node(rel: Release) -> str:
    return _node(
        rel.key,
        "acc:Source",
        [
            (
                "rdfs:label",
                _string(
                    f"{rel.package} {rel.version} (millésime {rel.vintage} du Code officiel "
                    "géographique et de la base des intercommunalités)"
                )
                + "@fr , "
                + _string(
                    f"{rel.package} {rel.version} ({rel.vintage} vintage of the official "
                    "geographic code and of the intercommunality base)"
                )
                + "@en",
            ),
            ("acc:integrity", _string(rel.integrity)),
            ("acc:vintage", f'"{rel.vintage}"^^xsd:gYear'),
            ("dcterms:identifier", _string(f"{rel.package}@{rel.version}")),
            ("dcterms:license", "<https://spdx.org/licenses/MIT>"),
            ("schema:url", f"<{rel.tarball}>"),
            ("schema:version", _string(rel.version)),
            (
                "skos:editorialNote",
                _string(
                    "Le package.json déclare la licence MIT ; le README du paquet place les "
                    "données sous Licence Ouverte (Etalab)."
                )
                + "@fr , "
                + _string(
                    "The package.json declares the MIT licence; the package README puts the "
                    "data under the Licence Ouverte (Etalab)."
                )
                + "@en",
            ),
        ],
    )


def _population(props: list[tuple[str, str]], key: str, value: object, vintage: str) -> None:
    if isinstance(value, int):
        props.append((key, str(value)))
        if ("acc:populationVintage", f'"{vintage}"^^xsd:gYear') not in props:
            props.append(("acc:populationVintage", f'"{vintage}"^^xsd:gYear'))


def _area_node(unit: dict, rel: Release, key: str, kind: str, parent: str | None) -> str:
    """A région or a département: name, code, chef-lieu, and the région it lies in."""
    props = [
        ("skos:prefLabel", _string(unit["nom"]) + "@fr"),
        ("igeo:codeINSEE", _string(unit["code"])),
        ("prov:wasDerivedFrom", f"<{rel.key}>"),
    ]
    if parent:
        props.append(("igeo:subdivisionDirecteDe", f"<{parent}>"))
    if unit.get("chefLieu"):
        props.append(("igeo:chefLieu", f"<commune/{unit['chefLieu']}>"))
    return _node(f"{key}/{unit['code']}", kind, props)


def region_node(region: dict, rel: Release) -> str:
    return _area_node(region, rel, "region", "acc:Region", None)


def departement_node(dep: dict, rel: Release) -> str:
    return _area_node(dep, rel, "departement", "acc:Departement", f"region/{dep['region']}")


def epci_node(epci: dict, rel: Release) -> str:
    props = [
        ("skos:prefLabel", _string(epci["nom"]) + "@fr"),
        ("acc:siren", _string(epci["code"])),
        ("acc:epciKind", f"epcikind:{EPCI_KINDS[epci['type']]}"),
        ("prov:wasDerivedFrom", f"<{rel.key}>"),
    ]
    _population(props, "acc:municipalPopulation", epci.get("populationMunicipale"), rel.vintage)
    _population(props, "acc:totalPopulation", epci.get("populationTotale"), rel.vintage)
    return _node(f"epci/{epci['code']}", "acc:EPCI", props)


def commune_node(commune: dict, epci_of: dict[str, str], rel: Release) -> str:
    props = [
        ("skos:prefLabel", _string(commune["nom"]) + "@fr"),
        ("igeo:codeINSEE", _string(commune["code"])),
        ("igeo:subdivisionDirecteDe", f"<departement/{commune['departement']}>"),
        ("prov:wasDerivedFrom", f"<{rel.key}>"),
    ]
    if commune.get("siren"):
        props.append(("acc:siren", _string(commune["siren"])))
    if commune["code"] in epci_of:
        props.append(("org:memberOf", f"<epci/{epci_of[commune['code']]}>"))
    _population(props, "acc:municipalPopulation", commune.get("population"), rel.vintage)
    return _node(f"commune/{commune['code']}", "acc:Commune", props)


@dataclass
class Territories:
    """The release's units of France (overseas collectivities, zone ``com``, left out)."""

    regions: list[dict]
    departements: list[dict]
    epci: list[dict]
    communes: list[dict]

    @classmethod
    def from_package(cls, files: dict[str, list[dict]]) -> Territories:
        def keep(unit: dict) -> bool:
            return unit.get("zone") != "com"

        return cls(
            regions=sorted(filter(keep, files["regions"]), key=lambda u: u["code"]),
            departements=sorted(filter(keep, files["departements"]), key=lambda u: u["code"]),
            epci=sorted(files["epci"], key=lambda u: u["code"]),
            communes=sorted(
                (c for c in files["communes"] if c.get("type") == "commune-actuelle" and keep(c)),
                key=lambda u: u["code"],
            ),
        )

    def epci_of(self) -> dict[str, str]:
        return {m["code"]: e["code"] for e in self.epci for m in e["membres"]}

    def region_part(self, region: str) -> tuple[list[dict], list[dict]]:
        """The EPCI with a member commune in ``region``, and the communes of ``region``."""
        communes = [c for c in self.communes if c.get("region") == region]
        codes = {c["code"] for c in communes}
        epci = [e for e in self.epci if any(m["code"] in codes for m in e["membres"])]
        return epci, communes

    def named_part(self, keys: set[str], region: str) -> tuple[list[dict], list[dict]]:
        """The EPCI and communes named by ``keys`` (``epci/…``, ``commune/…``) that are not
        already in ``region``'s part, with the member communes of those EPCI."""
        region_epci, region_communes = self.region_part(region)
        skip_epci = {e["code"] for e in region_epci}
        skip_communes = {c["code"] for c in region_communes}
        epci = [e for e in self.epci if f"epci/{e['code']}" in keys and e["code"] not in skip_epci]
        members = {m["code"] for e in epci for m in e["membres"]}
        communes = [
            c
            for c in self.communes
            if (c["code"] in members or f"commune/{c['code']}" in keys)
            and c["code"] not in skip_communes
        ]
        return epci, communes


def render(
    title: str,
    rel: Release,
    regions: Iterable[dict] = (),
    departements: Iterable[dict] = (),
    epci: Iterable[dict] = (),
    communes: Iterable[dict] = (),
    epci_of: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """A whole Turtle file: header, the release node, then each kind of unit by code."""
    parts = [
        f"# {title}\n"
        f"# Generated by `accords territories build` from {rel.package} {rel.version}\n"
        f"# ({rel.integrity}). Do not edit by hand: rebuild.\n\n",
        HEADER,
        "\n# Registry release\n\n",
        release_node(rel),
    ]
    sections = [
        ("Régions", [region_node(r, rel) for r in regions]),
        ("Départements", [departement_node(d, rel) for d in departements]),
        ("EPCI", [epci_node(e, rel) for e in epci]),
    ]
    for heading, blocks in sections:
        if blocks:
            parts.append(f"\n# {heading}\n\n")
            parts.append("\n".join(blocks))
    communes = list(communes)
    if communes:
        parts.append("\n# Communes\n\n")
        blocks = []
        for index, commune in enumerate(communes, start=1):
            blocks.append(commune_node(commune, epci_of or {}, rel))
            if progress and (index % 1000 == 0 or index == len(communes)):
                progress(index, len(communes))
        parts.append("\n".join(blocks))
    return "".join(parts)


# ---------------------------------------------------------------------------
# Building the layer files
# ---------------------------------------------------------------------------


def committed_dir(root: Path | None = None) -> Path:
    return (root or home()) / "data" / "territories"


def france_file(vintage: str = DEFAULT_VINTAGE, cache: Path | None = None) -> Path:
    return (cache or cache_dir()) / "territories" / vintage / "france.ttl"


def layer_files(scope: str, root: Path | None = None, vintage: str = DEFAULT_VINTAGE) -> list[Path]:
    """The Turtle files of the territorial layer for ``scope`` (``none``: no file)."""
    if scope == "none":
        return []
    if scope == "france":
        return [france_file(vintage)]
    if scope == "hauts-de-france":
        return sorted(committed_dir(root).glob("*.ttl"))
    raise InputError(f"unknown territories scope {scope!r} (known: {', '.join(SCOPES)})")


def curated_keys(root: Path | None = None) -> set[str]:
    """The territorial IRIs (``epci/…``, ``commune/…``) that the curated data names."""
    keys: set[str] = set()
    for path in sorted(((root or home()) / "data").glob("*.ttl")):
        keys.update(re.findall(r"<((?:epci|commune)/[0-9AB]+)>", path.read_text(encoding="utf-8")))
    return keys


def console_progress(label: str) -> Callable[[int, int], None]:
    """A progress bar on standard error."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r{label} [{bar}] {done}/{total}{end}")
        sys.stderr.flush()

    return show


def build(
    scope: str = "hauts-de-france",
    vintage: str = DEFAULT_VINTAGE,
    out: Path | None = None,
    root: Path | None = None,
    cache: Path | None = None,
    progress: bool = False,
    files: dict[str, list[dict]] | None = None,
) -> list[Path]:
    """Build the layer for ``scope`` and return the files written.

    ``files`` bypasses the download (the converter's tests pass a small fixture).
    """
    rel = release(vintage, root)
    units = Territories.from_package(
        files if files is not None else read_tarball(fetch(rel, cache))
    )
    epci_of = units.epci_of()
    written: list[Path] = []
    if scope == "france":
        path = out / "france.ttl" if out else france_file(vintage, cache)
        text = render(
            f"Every région, département, EPCI and commune of France, vintage {vintage}.",
            rel,
            units.regions,
            units.departements,
            units.epci,
            units.communes,
            epci_of,
            console_progress("communes") if progress else None,
        )
        write_atomic(path, text)
        return [path]
    if scope != "hauts-de-france":
        raise InputError(f"cannot build scope {scope!r} (known: hauts-de-france, france)")
    target = out or committed_dir(root or checkout())
    write_atomic(
        target / "france-regions-departements.ttl",
        render(
            f"Every région and département of France, vintage {vintage}.",
            rel,
            units.regions,
            units.departements,
        ),
    )
    written.append(target / "france-regions-departements.ttl")
    epci, communes = units.region_part(HAUTS_DE_FRANCE)
    write_atomic(
        target / "hauts-de-france.ttl",
        render(
            f"The EPCI and communes of the Hauts-de-France region (32), vintage {vintage}.",
            rel,
            epci=epci,
            communes=communes,
            epci_of=epci_of,
        ),
    )
    written.append(target / "hauts-de-france.ttl")
    named_epci, named_communes = units.named_part(curated_keys(root), HAUTS_DE_FRANCE)
    write_atomic(
        target / "named-elsewhere.ttl",
        render(
            "The EPCI (with their member communes) that the curated data names outside "
            f"Hauts-de-France, vintage {vintage}.",
            rel,
            epci=named_epci,
            communes=named_communes,
            epci_of=epci_of,
        ),
    )
    written.append(target / "named-elsewhere.ttl")
    return written
