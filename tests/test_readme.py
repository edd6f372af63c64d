"""The README's and docs' commands are the real ones, and their sample output the real output.

In README.md and docs/*.md:
- a ```text block whose first line is ``$ accords …`` is run (in a folder holding the files
  the same page defines, see below) and its output compared with the block: stdout then
  stderr, line by line with spaces collapsed, the block's lines in the real output in order
  (the register grows: rows may come in between), the header first; a ``(N rows / …)`` line
  matches any count, a line starting with ``…`` stands for lines left out, and ``| head -N``
  shows at most N lines;
- a fenced block whose first line is ``# NAME.ttl`` or ``# NAME.rq`` is that file, written
  before the page's commands run;
- every ``accords …`` line of a ```sh block is parsed by the real command line (an unknown
  command or option fails);
- a block marked ```text illustrative is shown, not run (a server that runs until Ctrl-C,
  a count that grows with the register); any other ``$ `` block is an error.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from accords_kg.cli import build_parser, main
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
#: Commands whose shown output does not depend on the territorial layer: run without it.
LAYER_FREE = {"dump"}
#: Pages other branches write, linked from here before they land.
PENDING: set[str] = set()


def blocks(text: str = README) -> list[str]:
    return [body for info, body in FENCE.findall(text) if info in ("sh", "text")]


def fenced(page: Path) -> list[tuple[str, str]]:
    return FENCE.findall(page.read_text(encoding="utf-8"))


def test_ci_runs_the_readme_test_command() -> None:
    command = "pip install '.[test]' && pytest"
    assert command + "\n" in blocks()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()
    assert "venv" in ci


def test_readme_first_command_output_is_real(capsys) -> None:
    """The rows the README shows are real, in the real order: the accords it shows keep their
    rows as the register grows (columns widen, other accords' rows come in between)."""
    assert blocks()[0] == "pip install . && accords query who-signed\n"
    assert main(["query", "who-signed"]) == 0
    real = [line.split() for line in capsys.readouterr().out.splitlines()]
    shown = [line.split() for line in blocks()[1].splitlines()]
    assert shown[0] == real[0] and len(shown) >= 9  # the header, the three accords' rows
    body = [row for row in real[2:-1] if row in shown[2:-1]]
    assert body == shown[2:-1]


def test_the_readme_is_a_newcomers_page() -> None:
    """Short, and the way to everything else: each docs/ page is linked from it."""
    assert len(README.splitlines()) <= 160
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"](docs/{page.name})" in README, page.name


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_point_at_files(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        path = (page.parent / target).resolve()
        if str(path.relative_to(ROOT)) in PENDING:
            continue
        assert path.exists(), f"{page.name}: {target}"


def _same(shown: list[str], real: list[str]) -> bool:
    """Whether ``shown`` lines appear in ``real`` in order (see the module docstring)."""
    rest = iter(real)
    for line in shown:
        if line.startswith("…"):
            continue
        if re.fullmatch(r"\(\d+ rows? / \d+ lignes?\)", line):
            if not any(re.fullmatch(r"\(\d+ rows? / \d+ lignes?\)", r) for r in rest):
                return False
            continue
        if not any(r == line for r in rest):
            return False
    return True


def _run(command: str, capsys) -> tuple[int, list[str]]:
    words = shlex.split(command)
    head = None
    if "|" in words:
        pipe = words.index("|")
        assert words[pipe + 1 : pipe + 2] == ["head"], command
        head = int(words[pipe + 2].lstrip("-n"))
        words = words[:pipe]
    assert words[0] == "accords", command
    args = words[1:]
    if args[0] in LAYER_FREE and "--territories" not in args:
        args += ["--territories", "none"]
    code = main(args)
    out, err = capsys.readouterr()
    lines = [" ".join(line.split()) for line in (out + err).splitlines()]
    return code, lines if head is None else lines[: head + len(err.splitlines())]


SAMPLES = [
    (page, body)
    for page in PAGES
    for info, body in fenced(page)
    if info == "text" and body.startswith("$ ")
]


@pytest.mark.parametrize(
    ("page", "body"), SAMPLES, ids=[f"{p.name}:{b.splitlines()[0][2:40]}" for p, b in SAMPLES]
)
def test_each_sample_is_the_real_output(page: Path, body: str, tmp_path, monkeypatch, capsys):
    command, *shown = body.splitlines()
    assert command.startswith("$ accords "), f"{page.name}: run it, or mark it illustrative"
    for _, text in fenced(page):
        name = re.match(r"# ([\w.-]+\.(?:ttl|rq))\b", text)
        if name:
            (tmp_path / name[1]).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, real = _run(command[2:], capsys)
    shown = [" ".join(line.split()) for line in shown]
    assert code in (0, 1), real
    assert shown and real and shown[0] == real[0], (shown[:1], real[:3])
    assert _same(shown, real), "\n".join(real)
    if "| head" in command:
        assert len(shown) <= int(command.rsplit("-", 1)[1])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_accords_command_shown_exists(page: Path) -> None:
    parser = build_parser()
    for info, body in fenced(page):
        if info != "sh":
            continue
        for line in body.splitlines():
            for part in line.split("#", 1)[0].split("&&"):
                words = shlex.split(part)
                if words[:1] == ["accords"]:
                    try:
                        parser.parse_args(words[1:])
                    except SystemExit as exc:
                        pytest.fail(f"{page.name}: `{part.strip()}` does not parse ({exc})")
