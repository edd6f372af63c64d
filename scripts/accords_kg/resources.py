"""Where the graph's files are: ontology, curated data, shapes, saved queries, templates.

An installed wheel carries them under ``accords_kg/share``; a checkout (and an editable
install) reads them from the top of the repository. ``ACCORDS_KG_HOME`` overrides both, for
working on another copy of the files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

GRAPH_BASE = "https://w3id.org/accords-kg/graph/"
ID_BASE = "https://w3id.org/accords-kg/id/"
ONTOLOGY_NS = "https://w3id.org/accords-kg/ontology#"


def home() -> Path:
    """The folder that holds ``ontology/``, ``data/``, ``shapes/`` and ``queries/``."""
    override = os.environ.get("ACCORDS_KG_HOME")
    if override:
        return Path(override)
    packaged = Path(__file__).resolve().parent / "share"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Layer:
    """A part of the dataset published in its own named graph."""

    name: str
    folder: str

    @property
    def graph_iri(self) -> str:
        return GRAPH_BASE + self.name

    def files(self, root: Path | None = None) -> list[Path]:
        """The layer's Turtle files, sorted so that loading order never varies."""
        return sorted((root or home()).joinpath(self.folder).glob("*.ttl"))


#: The data layers, in loading order. Shapes are not data and stay out of the dataset.
LAYERS: tuple[Layer, ...] = (Layer("ontology", "ontology"), Layer("data", "data"))


def checkout() -> Path:
    """The checkout whose files commands that write (``add``, ``territories build``) change.

    An installed wheel's copy is not one: writing there would change nothing a reader of the
    repository sees.
    """
    root = home()
    if root.name == "share" and root.parent.name == "accords_kg":
        from .errors import UsageError

        raise UsageError(
            "this command writes into a checkout: install it with `pip install -e .` from the "
            "checkout, or set ACCORDS_KG_HOME to it / commande à lancer depuis un dépôt"
        )
    return root


def shape_files(root: Path | None = None, territorial_layer: bool = False) -> list[Path]:
    """The shapes; with ``territorial_layer``, also those that only the layer can satisfy."""
    folder = (root or home()) / "shapes"
    files = sorted(folder.glob("*.ttl"))
    if territorial_layer:
        files += sorted((folder / "territorial-layer").glob("*.ttl"))
    return files


def query_dir(root: Path | None = None) -> Path:
    return (root or home()) / "queries"
