"""``accords serve``: an Oxigraph SPARQL server (PyPI package ``oxigraph``) with the dataset.

The dataset is written as N-Quads — each layer in its named graph, the union of the layers in
the default graph (so that a triple stated in two layers matches once) — loaded with
``oxigraph load`` into a fresh folder, then served read-only unless ``writable``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import Dataset, URIRef

from .errors import AccordsError
from .publish import graphs
from .store import Store


class ServerError(AccordsError):
    """The Oxigraph server could not be started (exit 6)."""

    exit_code = 6


def oxigraph_command() -> str:
    """The ``oxigraph`` executable installed beside this Python, or on the PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise ServerError("the `oxigraph` server is not installed: pip install oxigraph")
    return found


def nquads(store: Store) -> bytes:
    """The dataset as N-Quads: layers in named graphs, their union in the default graph."""
    dataset = Dataset()
    for iri, graph in graphs(store).items():
        target = dataset.default_graph if not iri else dataset.graph(URIRef(iri))
        for triple in graph:
            target.add(triple)
    return dataset.serialize(format="nquads", encoding="utf-8")


def load(store: Store, location: Path) -> None:
    """Load the dataset into an Oxigraph database folder."""
    with tempfile.NamedTemporaryFile(suffix=".nq") as dump:
        dump.write(nquads(store))
        dump.flush()
        done = subprocess.run(
            [oxigraph_command(), "load", "--location", str(location), "--file", dump.name],
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise ServerError(f"oxigraph load failed: {done.stderr.strip()[:500]}")


@contextmanager
def running(
    store: Store, bind: str = "127.0.0.1", port: int = 7878, writable: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """A server with the dataset, stopped (and its folder removed) on exit."""
    with tempfile.TemporaryDirectory(prefix="accords-kg-oxigraph-") as folder:
        load(store, Path(folder))
        mode = "serve" if writable else "serve-read-only"
        process = subprocess.Popen(
            [oxigraph_command(), mode, "--location", folder, "--bind", f"{bind}:{port}"]
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
