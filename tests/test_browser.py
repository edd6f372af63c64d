"""The accord's page and the index as a browser shows them: headless Chromium (Debian's
``chromium``, which ``.ci/run`` installs where missing) loads them from `accords serve`; the
accord's screenshot shows the diagram's colours, the index has its timeline."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from accords_kg.web import serve
from accords_kg.web.diagram import COLOURS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)",
)

ACCORD = "/id/accord/declaration-de-bethune-2023"


def chromium(*args: str) -> str:
    """Run headless Chromium with the flags it needs on a closed network, in a new profile."""
    with tempfile.TemporaryDirectory(prefix="accords-kg-chromium-") as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
    return done.stdout


@pytest.fixture
def server(served: serve.Running) -> serve.Running:
    return served


def test_chromium_shows_the_three_signatories_and_the_diagram(server: serve.Running) -> None:
    dom = chromium("--dump-dom", server.url + ACCORD)
    table = dom.split("<caption>Signataires", 1)[1].split("</table>", 1)[0]
    for name in ("Olivier Gacquerre", "Sébastien Martin", "Xavier Bertrand"):
        assert f">{name}</a>" in table
    figure = dom.split('<figure class="diagram" id="diagram">', 1)[1].split("</figure>", 1)[0]
    assert figure.lstrip().startswith("<svg")
    assert figure.count('fill="' + COLOURS["person"] + '"') == 3


def colour_share(image: Image.Image, colour: str) -> float:
    """The share of the image's pixels within 6 of ``colour`` on each channel."""
    want = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    counts = image.convert("RGB").getcolors(image.width * image.height) or []
    near = sum(
        n for n, rgb in counts if all(abs(a - b) <= 6 for a, b in zip(rgb, want, strict=True))
    )
    return near / (image.width * image.height)


def test_screenshot_shows_the_diagram(server: serve.Running, tmp_path: Path) -> None:
    shot = tmp_path / "accord.png"
    chromium(f"--screenshot={shot}", "--window-size=1280,1400", server.url + ACCORD)
    assert shot.is_file()
    image = Image.open(shot)
    assert image.size == (1280, 1400)
    # the accord's node, the signatories' and the parties' are painted: the SVG was rendered
    for kind in ("accord", "person", "party", "mandate"):
        assert colour_share(image, COLOURS[kind]) > 0.0005, kind
    assert colour_share(image, "#ff00ff") == 0  # a colour the page does not use: none seen
    # and a page without a diagram shows none of its colours
    other = tmp_path / "person.png"
    chromium(f"--screenshot={other}", "--window-size=1280,1400",
             server.url + "/id/person/xavier-bertrand")  # fmt: skip
    assert colour_share(Image.open(other), COLOURS["accord"]) == 0


def test_chromium_shows_the_index_timeline_one_marker_per_dated_accord(
    server: serve.Running, tmp_path: Path
) -> None:
    dom = chromium("--dump-dom", server.url + "/")
    figure = dom.split('<figure class="timeline" id="timeline">', 1)[1].split("</figure>", 1)[0]
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="timeline"' in figure
    table = dom.split('<table class="accords">', 1)[1].split("</table>", 1)[0]
    dated = [row for row in table.split("<tr>")[2:] if "<time " in row]
    assert figure.count('<a class="accord" href=') == len(dated) > 0
    shot = tmp_path / "index.png"  # to look at: the timeline at the top of the index
    chromium(f"--screenshot={shot}", "--window-size=1280,900", server.url + "/")
    assert Image.open(shot).size == (1280, 900)
