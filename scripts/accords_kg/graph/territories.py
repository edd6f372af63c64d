"""The official territorial layer: régions, départements, EPCI and communes as RDF.

The facts come from the npm package ``@etalab/decoupage-administratif`` (INSEE's Code
officiel géographique and the DGCL's intercommunality base), one release per vintage, pinned
with its integrity hash in ``data/territories/registry.lock.json``. The tarball is fetched
over HTTP from the npm registry (no Node.js), checked against the lock, cached, and converted
to Turtle written directly as text: sorted, grouped, byte-identical on every rebuild.

Memberships, names and populations change from one vintage to the next, so each vintage is
its own named graph (``…/graph/territories/2024``), a consistent snapshot that describes
itself (an ``acc:TerritorialLayer`` with its ``acc:vintage`` and release). Scopes:

- ``committed`` (alias ``hauts-de-france``, its former name): the files of
  ``data/territories/<vintage>/``, as ``data/territories/committed.json`` declares them —
  for each vintage, every région and département of France and the EPCI and communes of the
  régions listed; for the default vintage, also the units the curated data names elsewhere;
- ``france``: every EPCI and commune of France at the default vintage, built into the cache,
  in place of the committed files of that vintage (the other vintages stay committed);
- ``none``: no territorial layer.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import tarfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from ..errors import AccordsError, InputError
from ..files import write_atomic
from ..progress import Progress
from ..resources import GRAPH_BASE, ID_BASE, checkout, home
from .figures import Figures, epci_reach, unit_figures
from .turtle import string

#: What ``--territories`` accepts; ``hauts-de-france`` is the former name of ``committed``.
SCOPES = ("committed", "hauts-de-france", "france", "none")
ALIASES = {"hauts-de-france": "committed"}
DEFAULT_SCOPE = "committed"
#: The vintage the curated data is written against, and that ``france`` covers.
DEFAULT_VINTAGE = "2023"
PACKAGE_FILES = ("regions", "departements", "epci", "communes")
#: The named graphs of the layer: one per vintage.
GRAPH_PREFIX = "territories/"
#: The layout of the generated files, part of the cached France file's name so that a
#: cache written by an older layout is rebuilt, not read. Layout 2: ``igeo:subdivisionDe``
#: is closed — it links every unit to every unit above it (a commune to its département
#: and its région, a département to its région), so that a query reaches them in one step.
#: Layout 3: each région and département whose communes the file's graph holds states how
#: many there are and their summed population, and each EPCI the régions and départements
#: where it has members (:mod:`.figures`), so that the coverage queries need not walk them.
LAYOUT = 3


def scope_name(scope: str) -> str:
    """The canonical name of a scope (``hauts-de-france`` is ``committed``)."""
    scope = ALIASES.get(scope, scope)
    if scope not in SCOPES:
        raise InputError(f"unknown territories scope {scope!r} (known: {', '.join(SCOPES)})")
    return scope


def graph_name(vintage: str) -> str:
    """The layer name of a vintage's graph (``territories/2024``), under ``GRAPH_BASE``."""
    return GRAPH_PREFIX + vintage


def graph_iri(vintage: str) -> str:
    """``https://w3id.org/accords-kg/graph/territories/2024``."""
    return GRAPH_BASE + graph_name(vintage)


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
    import urllib.request  # here: every command imports this module, few download (20 ms)

    try:
        with urllib.request.urlopen(rel.tarball, timeout=timeout) as response:
            data = response.read()
    except OSError as exc:  # urllib's URLError and timeouts are OSErrors
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
                string(
                    f"{rel.package} {rel.version} (millésime {rel.vintage} du Code officiel "
                    "géographique et de la base des intercommunalités)"
                )
                + "@fr , "
                + string(
                    f"{rel.package} {rel.version} ({rel.vintage} vintage of the official "
                    "geographic code and of the intercommunality base)"
                )
                + "@en",
            ),
            ("acc:integrity", string(rel.integrity)),
            ("acc:vintage", f'"{rel.vintage}"^^xsd:gYear'),
            ("dcterms:identifier", string(f"{rel.package}@{rel.version}")),
            ("dcterms:license", "<https://spdx.org/licenses/MIT>"),
            ("schema:url", f"<{rel.tarball}>"),
            ("schema:version", string(rel.version)),
            (
                "skos:editorialNote",
                string(
                    "Le package.json déclare la licence MIT ; le README du paquet place les "
                    "données sous Licence Ouverte (Etalab)."
                )
                + "@fr , "
                + string(
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


def _area_node(
    unit: dict, rel: Release, key: str, kind: str, parent: str | None, figures: Figures
) -> str:
    """A région or a département: name, code, chef-lieu, the région it lies in, and (where
    the graph holds its communes) how many communes lie in it and their population."""
    props = [
        ("skos:prefLabel", string(unit["nom"]) + "@fr"),
        ("igeo:codeINSEE", string(unit["code"])),
        ("prov:wasDerivedFrom", f"<{rel.key}>"),
    ]
    if parent:
        # the région, directly; igeo:subdivisionDe too, so that it holds every unit above
        props.append(("igeo:subdivisionDirecteDe", f"<{parent}>"))
        props.append(("igeo:subdivisionDe", f"<{parent}>"))
    if unit.get("chefLieu"):
        props.append(("igeo:chefLieu", f"<commune/{unit['chefLieu']}>"))
    if f"{key}/{unit['code']}" in figures:
        count, population = figures[f"{key}/{unit['code']}"]
        props.append(("acc:communeCount", str(count)))
        props.append(("acc:communesPopulation", str(population)))
    return _node(f"{key}/{unit['code']}", kind, props)


def region_node(region: dict, rel: Release, figures: Figures | None = None) -> str:
    return _area_node(region, rel, "region", "acc:Region", None, figures or {})


def departement_node(dep: dict, rel: Release, figures: Figures | None = None) -> str:
    parent = f"region/{dep['region']}"
    return _area_node(dep, rel, "departement", "acc:Departement", parent, figures or {})


def epci_node(epci: dict, rel: Release, reach: Mapping[str, list[str]] | None = None) -> str:
    props = [
        ("skos:prefLabel", string(epci["nom"]) + "@fr"),
        ("acc:siren", string(epci["code"])),
        ("acc:epciKind", f"epcikind:{EPCI_KINDS[epci['type']]}"),
        ("prov:wasDerivedFrom", f"<{rel.key}>"),
    ]
    _population(props, "acc:municipalPopulation", epci.get("populationMunicipale"), rel.vintage)
    _population(props, "acc:totalPopulation", epci.get("populationTotale"), rel.vintage)
    props += [("acc:hasMemberIn", f"<{unit}>") for unit in (reach or {}).get(epci["code"], ())]
    return _node(f"epci/{epci['code']}", "acc:EPCI", props)


def commune_node(commune: dict, epci_of: dict[str, str], rel: Release) -> str:
    props = [
        ("skos:prefLabel", string(commune["nom"]) + "@fr"),
        ("igeo:codeINSEE", string(commune["code"])),
        # Not igeo:subdivisionDirecteDe: a commune's direct parent is its arrondissement.
        # Both units above it, as the registry gives them (see LAYOUT).
        ("igeo:subdivisionDe", f"<departement/{commune['departement']}>"),
        ("igeo:subdivisionDe", f"<region/{commune['region']}>"),
        ("prov:wasDerivedFrom", f"<{rel.key}>"),
    ]
    if commune.get("siren"):
        props.append(("acc:siren", string(commune["siren"])))
    if commune["code"] in epci_of:
        props.append(("org:memberOf", f"<epci/{epci_of[commune['code']]}>"))
    _population(props, "acc:municipalPopulation", commune.get("population"), rel.vintage)
    return _node(f"commune/{commune['code']}", "acc:Commune", props)


def layer_node(rel: Release, content_fr: str, content_en: str) -> str:
    """The graph's description of itself: a territorial layer of one vintage, from one
    release, with what it holds in its labels."""
    return _node(
        graph_iri(rel.vintage),
        "acc:TerritorialLayer",
        [
            (
                "rdfs:label",
                string(f"Couche territoriale, millésime {rel.vintage} : {content_fr}")
                + "@fr , "
                + string(f"Territorial layer, {rel.vintage} vintage: {content_en}")
                + "@en",
            ),
            ("acc:vintage", f'"{rel.vintage}"^^xsd:gYear'),
            ("prov:wasDerivedFrom", f"<{rel.key}>"),
        ],
    )


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

    def region_name(self, code: str) -> str:
        for region in self.regions:
            if region["code"] == code:
                return region["nom"]
        known = ", ".join(r["code"] for r in self.regions)
        raise InputError(f"no région {code!r} in this release (régions: {known})")

    def region_part(self, regions: str | Iterable[str]) -> tuple[list[dict], list[dict]]:
        """The EPCI with a member commune in ``regions`` (one code or several), and the
        communes of ``regions``."""
        wanted = {regions} if isinstance(regions, str) else set(regions)
        communes = [c for c in self.communes if c.get("region") in wanted]
        codes = {c["code"] for c in communes}
        epci = [e for e in self.epci if any(m["code"] in codes for m in e["membres"])]
        return epci, communes

    def named_part(
        self, keys: set[str], regions: str | Iterable[str]
    ) -> tuple[list[dict], list[dict]]:
        """The units named by ``keys`` (``epci/…``, ``commune/…``) that are not already in
        the part of ``regions``: the EPCI named, and those of the communes named (a commune's
        ``org:memberOf`` needs its EPCI), with all their member communes; and the communes
        named."""
        region_epci, region_communes = self.region_part(regions)
        skip_epci = {e["code"] for e in region_epci}
        skip_communes = {c["code"] for c in region_communes}
        epci_of = self.epci_of()
        named = {e["code"] for e in self.epci if f"epci/{e['code']}" in keys}
        for commune in self.communes:
            if f"commune/{commune['code']}" in keys and commune["code"] in epci_of:
                named.add(epci_of[commune["code"]])
        epci = [e for e in self.epci if e["code"] in named and e["code"] not in skip_epci]
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
    layer: str | None = None,
    figures: Figures | None = None,
    reach: Mapping[str, list[str]] | None = None,
) -> str:
    """A whole Turtle file: header, the graph's description (``layer``, in one file of the
    graph), the release node, then each kind of unit by code; with what each région and
    département covers (``figures``) and where each EPCI has members (``reach``), computed
    over the communes of the whole graph (:mod:`.figures`)."""
    parts = [
        f"# {title}\n"
        f"# Generated by `accords territories build` from {rel.package} {rel.version}\n"
        f"# ({rel.integrity}).\n"
        f"# Named graph: <{graph_iri(rel.vintage)}>. Do not edit by hand: rebuild.\n\n",
        HEADER,
    ]
    if layer:
        parts += ["\n# This named graph\n\n", layer]
    parts += ["\n# Registry release\n\n", release_node(rel)]
    sections = [
        ("Régions", [region_node(r, rel, figures) for r in regions]),
        ("Départements", [departement_node(d, rel, figures) for d in departements]),
        ("EPCI", [epci_node(e, rel, reach) for e in epci]),
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
# What is committed, and the files of each scope
# ---------------------------------------------------------------------------


def committed_dir(root: Path | None = None) -> Path:
    return (root or home()) / "data" / "territories"


def committed_path(root: Path | None = None) -> Path:
    return committed_dir(root) / "committed.json"


_VINTAGE = re.compile(r"[0-9]{4}")
_REGION = re.compile(r"[0-9]{2}")


def committed(root: Path | None = None) -> dict[str, list[str]]:
    """``committed.json``: vintage → the codes of the régions whose EPCI and communes are
    committed (keys starting with ``_`` are comments), sorted."""
    path = committed_path(root)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the committed vintages: {exc.strerror}", str(path)) from None
    except ValueError as exc:
        raise InputError(f"not JSON: {exc}", str(path)) from None
    if not isinstance(raw, dict):
        raise InputError("an object is expected: vintage → list of région codes", str(path))
    plan: dict[str, list[str]] = {}
    for vintage, regions in raw.items():
        if vintage.startswith("_"):
            continue
        if not _VINTAGE.fullmatch(vintage) or not (
            isinstance(regions, list)
            and all(isinstance(r, str) and _REGION.fullmatch(r) for r in regions)
        ):
            raise InputError(
                f"{vintage!r}: a vintage (four digits) maps to a list of région codes "
                f'(two digits, as strings), such as "2024": ["27"]',
                str(path),
            )
        plan[vintage] = sorted(set(regions))
    return dict(sorted(plan.items()))


def france_file(vintage: str = DEFAULT_VINTAGE, cache: Path | None = None) -> Path:
    return (cache or cache_dir()) / "territories" / vintage / f"france-layout{LAYOUT}.ttl"


def committed_files(root: Path | None = None) -> list[tuple[str, Path]]:
    """The committed files, each with its graph's IRI: that of its folder's vintage."""
    return [
        (graph_iri(folder.name), path)
        for folder in sorted(committed_dir(root).iterdir())
        if folder.is_dir() and _VINTAGE.fullmatch(folder.name)
        for path in sorted(folder.glob("*.ttl"))
    ]


def layer_files(scope: str, root: Path | None = None) -> list[tuple[str, Path]]:
    """The Turtle files of the territorial layer for ``scope``, each with the IRI of the
    named graph it goes into (``none``: no file). ``france`` takes the place of the
    committed files of the default vintage."""
    scope = scope_name(scope)
    if scope == "none":
        return []
    files = committed_files(root)
    if scope == "committed":
        return files
    default = graph_iri(DEFAULT_VINTAGE)
    return [(default, france_file(DEFAULT_VINTAGE))] + [f for f in files if f[0] != default]


def curated_keys(root: Path | None = None) -> set[str]:
    """The territorial IRIs (``epci/…``, ``commune/…``) that the curated data names, as
    subject or object of a triple of its parsed files."""
    from .load import parse_file  # rdflib's parser: only when building

    kinds = tuple(ID_BASE + kind for kind in ("epci/", "commune/"))
    keys: set[str] = set()
    for path in sorted(((root or home()) / "data").glob("*.ttl")):
        for triple in parse_file(path):
            keys.update(
                str(term)[len(ID_BASE) :]
                for term in triple
                if isinstance(term, URIRef) and str(term).startswith(kinds)
            )
    return keys


def console_progress(label: str) -> Callable[[int, int], None]:
    """A progress bar on standard error, shown even where it is not a terminal (the France
    build says its progress in logs too)."""
    return Progress(label, force=True)


# ---------------------------------------------------------------------------
# Building the layer files
# ---------------------------------------------------------------------------

#: Package files by vintage, to bypass the download (the converter's tests pass a fixture).
PackageFiles = Mapping[str, dict[str, list[dict]]]


def _units(rel: Release, cache: Path | None, files: PackageFiles | None) -> Territories:
    if files is not None:
        return Territories.from_package(files[rel.vintage])
    return Territories.from_package(read_tarball(fetch(rel, cache)))


def build(
    scope: str = DEFAULT_SCOPE,
    vintage: str | None = None,
    out: Path | None = None,
    root: Path | None = None,
    cache: Path | None = None,
    progress: bool = False,
    files: PackageFiles | None = None,
) -> list[Path]:
    """Build the layer for ``scope`` and return the files written.

    ``committed``: every vintage of ``committed.json`` (or only ``vintage``), each into its
    folder ``<vintage>/`` of ``out`` (default: ``data/territories/`` of the checkout, where
    files no longer committed are removed). ``france``: every unit of France at ``vintage``
    (default: the default vintage) into ``out/france.ttl`` (default: the cache, ``france_file``).
    """
    scope = scope_name(scope)
    if scope == "none":
        raise InputError("cannot build scope 'none' (known: committed, france)")
    if scope == "france":
        rel = release(vintage or DEFAULT_VINTAGE, root)
        units = _units(rel, cache, files)
        path = out / "france.ttl" if out else france_file(rel.vintage, cache)
        layer = layer_node(
            rel,
            "les régions, départements, EPCI et communes de France",
            "the régions, départements, EPCI and communes of France",
        )
        text = render(
            f"Every région, département, EPCI and commune of France, vintage {rel.vintage}.",
            rel,
            units.regions,
            units.departements,
            units.epci,
            units.communes,
            units.epci_of(),
            console_progress("communes") if progress else None,
            layer=layer,
            figures=unit_figures(units.communes),
            reach=epci_reach(units.epci, units.communes),
        )
        write_atomic(path, text)
        return [path]
    plan = committed(root)
    if vintage is not None:
        if vintage not in plan:
            raise InputError(
                f"vintage {vintage} is not committed (committed: {', '.join(plan)}); add it "
                f"to {committed_path(root)} / millésime absent de committed.json"
            )
        plan = {vintage: plan[vintage]}
    target = out or committed_dir(root or checkout())
    keys = curated_keys(root) if DEFAULT_VINTAGE in plan else set()
    written: list[Path] = []
    for year, regions in plan.items():
        rel = release(year, root)
        written += _build_vintage(rel, _units(rel, cache, files), regions, target / year, keys)
    if out is None:
        _remove_stale(target, written, every_vintage=vintage is None)
    return written


def _build_vintage(
    rel: Release, units: Territories, regions: list[str], folder: Path, keys: set[str]
) -> list[Path]:
    """The committed files of one vintage: régions and départements (with the graph's own
    description), one file per région listed, and the units named elsewhere."""
    names = {code: units.region_name(code) for code in regions}
    listed = ", ".join(f"{code} ({name})" for code, name in names.items())
    plural = len(names) > 1
    content_fr = "les régions et départements de France"
    content_en = "the régions and départements of France"
    if names:
        content_fr += f" ; les EPCI et communes {'des régions' if plural else 'de la région'} "
        content_en += f"; the EPCI and communes of {'régions' if plural else 'région'} "
        content_fr, content_en = content_fr + listed, content_en + listed
    named = rel.vintage == DEFAULT_VINTAGE
    if named:
        content_fr += " ; les unités que les données éditées nomment ailleurs"
        content_en += "; the units the curated data names elsewhere"
    epci_of = units.epci_of()
    reach = epci_reach(units.epci, units.communes, set(names))
    texts = {
        "france-regions-departements.ttl": render(
            f"Every région and département of France, vintage {rel.vintage}.",
            rel,
            units.regions,
            units.departements,
            layer=layer_node(rel, content_fr, content_en),
            figures=unit_figures(units.communes, set(names)),
        )
    }
    for code, name in names.items():
        epci, communes = units.region_part(code)
        texts[f"region-{code}.ttl"] = render(
            f"The EPCI (with a member commune in the région) and the communes of the région "
            f"{name} ({code}), vintage {rel.vintage}.",
            rel,
            epci=epci,
            communes=communes,
            epci_of=epci_of,
            reach=reach,
        )
    if named:
        named_epci, named_communes = units.named_part(keys, regions)
        texts["named-elsewhere.ttl"] = render(
            "The EPCI (with their member communes) and the communes that the curated data "
            f"names outside {'régions' if plural else 'région'} {listed or '—'}, "
            f"vintage {rel.vintage}.",
            rel,
            epci=named_epci,
            communes=named_communes,
            epci_of=epci_of,
        )
    for name, text in texts.items():
        write_atomic(folder / name, text)
    return [folder / name for name in texts]


def _remove_stale(target: Path, written: list[Path], every_vintage: bool) -> None:
    """Remove the committed files the build did not write: a région or vintage taken out of
    ``committed.json`` must not stay loaded (every file of a folder goes into its graph)."""
    kept = set(written)
    folders = {p.parent for p in written}
    if every_vintage:
        folders |= {f for f in target.iterdir() if f.is_dir() and _VINTAGE.fullmatch(f.name)}
    for folder in sorted(folders):
        for path in sorted(folder.glob("*.ttl")):
            if path not in kept:
                path.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()
