"""Saved queries: ``queries/NAME.rq`` files in the grlc convention, with BASIL parameters.

The header is grlc's decorators (``#+ summary:``, ``#+ tags:``, ``#+ defaults:``,
``#+ enumerate:``), read as YAML. Parameters are the query's variables named as BASIL says:
``?_name`` (required), ``?__name`` (optional), with a suffix for the kind of term —
``_iri`` for an IRI, ``_xsd_TYPE`` for a typed literal (``_xsd_date``, ``_xsd_integer``…),
``_integer`` for ``_xsd_integer``; otherwise (or ``_literal``) a plain string. BASIL's
``_number`` and language suffixes are not read as such (docs/servers.md). Values become
RDF terms bound to those variables, never text pasted into the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from ..errors import InputError, UsageError
from ..files import read_regular
from ..resources import query_dir
from ..suggest import did_you_mean
from .params import expand_iri

_PARAM = re.compile(r"[?$](__?)([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')


@dataclass(frozen=True)
class Param:
    """A parameter of a saved query, as the command line names it."""

    name: str
    variable: str
    kind: str  # "iri" or "literal"
    datatype: str | None = None
    required: bool = True
    default: str | None = None
    values: tuple[str, ...] = ()

    def describe(self) -> str:
        kind = (
            "IRI" if self.kind == "iri" else (f"xsd:{self.datatype}" if self.datatype else "text")
        )
        need = "required" if self.required and self.default is None else "optional"
        extra = f", default {self.default}" if self.default is not None else ""
        return f"{self.name} ({kind}, {need}{extra})"

    def to_term(self, value: str) -> Node:
        """The RDF term for ``value``; an IRI absolute once expanded (a prefixed name, or a
        path relative to the resources' base, as tables print them), a typed literal
        well-formed."""
        if self.kind == "iri":
            value = expand_iri(value)
            parts = urlsplit(value)
            if not parts.scheme or not (parts.netloc or parts.path) or _IRI_FORBIDDEN.search(value):
                raise UsageError(
                    f"parameter {self.name!r} needs an absolute IRI, a prefixed name "
                    f"(role:president) or a path as tables print it (person/xavier-bertrand), "
                    f"got {value!r} / "
                    f"le paramètre {self.name!r} attend une IRI"
                )
            return URIRef(value)
        if self.datatype:
            term = Literal(value, datatype=XSD[self.datatype])
            if getattr(term, "ill_typed", False):
                raise UsageError(
                    f"parameter {self.name!r} needs an xsd:{self.datatype} value, got {value!r} / "
                    f"le paramètre {self.name!r} attend une valeur xsd:{self.datatype}"
                )
            return term
        return Literal(value)


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    text: str
    summary: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = field(default_factory=tuple)

    def bindings(self, given: dict[str, str]) -> dict[str, Node]:
        """Variables → terms for the given ``--param`` values, with defaults filled in."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            listing = ", ".join(sorted(known)) or "none"
            hint = did_you_mean(unknown[0], known) if len(unknown) == 1 else ""
            raise UsageError(
                f"unknown parameter(s) for {self.name}: {', '.join(unknown)}{hint} "
                f"(known: {listing}) / "
                f"paramètre(s) inconnu(s)"
            )
        out: dict[str, Node] = {}
        for param in self.params:
            value = given.get(param.name, param.default)
            if value is None:
                if param.required:
                    raise UsageError(
                        f"missing parameter for {self.name}: --param {param.name}=… / "
                        f"paramètre manquant : {param.name}"
                    )
                continue
            out[param.variable] = param.to_term(value)
        return out


def parse_query_file(path: Path) -> SavedQuery:
    """Read one ``.rq`` file: its grlc header and its BASIL parameters."""
    try:
        text = read_regular(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid UTF-8 at byte {exc.start} / UTF-8 invalide", str(path)) from None
    header_lines = []
    for line in text.split("\n"):  # a line ends at \n, as in every reader of the file
        if line.startswith("#+"):
            header_lines.append(line[2:].removeprefix(" "))
        elif line.strip() and not line.startswith("#"):
            break
    try:
        header = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"bad grlc header: {exc}", str(path)) from None
    if not isinstance(header, dict):
        raise InputError("bad grlc header: expected `#+ key: value` lines", str(path))
    defaults = _merge_list_of_maps(header.get("defaults"))
    enumerate_ = _merge_list_of_maps(header.get("enumerate"))
    body = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith("#"))
    params: dict[str, Param] = {}
    for underscores, rest in _PARAM.findall(body):
        variable = underscores + rest
        name, kind, datatype = _split_suffix(rest)
        if name in params:
            continue
        default = defaults.get(name)
        values = enumerate_.get(name) or ()
        params[name] = Param(
            name=name,
            variable=variable,
            kind=kind,
            datatype=datatype,
            required=underscores == "_",
            default=None if default is None else str(default),
            values=tuple(str(v) for v in values),
        )
    tags = header.get("tags") or ()
    return SavedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(header.get("summary", "")).strip(),
        tags=tuple(str(t) for t in tags),
        params=tuple(params.values()),
    )


def _split_suffix(rest: str) -> tuple[str, str, str | None]:
    if rest.endswith("_iri"):
        return rest[: -len("_iri")], "iri", None
    match = re.fullmatch(r"(.+)_xsd_([A-Za-z]+)", rest)
    if match:
        return match.group(1), "literal", match.group(2)
    if rest.endswith("_integer"):  # BASIL's and grlc's short form of _xsd_integer
        return rest[: -len("_integer")], "literal", "integer"
    return rest.removesuffix("_literal"), "literal", None


def _merge_list_of_maps(value: object) -> dict[str, object]:
    """grlc writes ``defaults`` and ``enumerate`` as a list of one-key maps; accept a map too."""
    if isinstance(value, dict):
        return dict(value)
    merged: dict[str, object] = {}
    for item in value or []:
        if isinstance(item, dict):
            merged.update(item)
    return merged


def catalogue(folder: Path | None = None) -> dict[str, SavedQuery]:
    """Every saved query, by name, sorted."""
    folder = folder or query_dir()
    return {p.stem: parse_query_file(p) for p in sorted(folder.glob("*.rq"))}


def get(name: str, folder: Path | None = None) -> SavedQuery:
    """The saved query ``name``: its file alone is parsed (each header is YAML; parsing the
    whole catalogue cost a command 20 ms)."""
    folder = folder or query_dir()
    paths = {p.stem: p for p in sorted(folder.glob("*.rq"))}
    if name not in paths:
        raise UsageError(
            f"unknown query {name!r}{did_you_mean(name, paths)} (known: {', '.join(paths)}) "
            f"/ requête inconnue {name!r}"
        )
    return parse_query_file(paths[name])
