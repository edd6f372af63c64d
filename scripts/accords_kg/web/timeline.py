"""The accords in time: when and where each was signed, and their timeline as SVG.

:func:`collect` reads each accord's date (its signing ceremony's ``schema:startDate``, via
``acc:signedDuring``) and place (the ceremony's ``schema:location``). A date may be
*inferred*: the graph then records it as a reified statement, ``[] a acc:InferredStatement ;
rdf:subject <the ceremony> ; rdf:predicate schema:startDate ; rdf:object "…"^^xsd:date``,
with or without the plain triple beside it. A stated date is preferred to an inferred one,
then the earliest; an accord without any date sorts last.

:func:`render` lays the dated accords out on a horizontal time axis with year ticks, one
marker per accord at its date, each with a flag — date, usual name, place — and a link to
its page. Flags are stacked in rows so that none overlaps another (a pole passes behind the
flags above its own); an inferred date has a hollow marker, a dashed pole and says so. The
SVG is written here, not by Graphviz: no script, no external asset, and the same entries
give the same bytes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date as Date

from ..graph.store import Store
from .diagram import wrap
from .htmlpage import esc
from .labels import MONTHS, french_date

_DATES = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?accord ?ceremony ?date ?place WHERE {
  ?accord a acc:Accord .
  OPTIONAL {
    ?accord acc:signedDuring ?ceremony .
    OPTIONAL { ?ceremony schema:startDate ?date }
    OPTIONAL { ?ceremony schema:location ?place }
  }
}
"""

#: Dates recorded as inferred (the class need not be in the ontology: only triples are read).
_INFERRED = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
SELECT ?subject ?date WHERE {
  ?statement a acc:InferredStatement ;
    rdf:subject ?subject ; rdf:predicate schema:startDate ; rdf:object ?date .
}
"""

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def position(value: str) -> float | None:
    """A date's place in time as a fractional year (``2024-07-02`` → 2024.5): a year or a
    month alone stands at its middle; None where the value is not an ISO date."""
    match = _ISO.match(value)
    if not match:
        return None
    year = int(match[1])
    days = (Date(year + 1, 1, 1) - Date(year, 1, 1)).days
    try:
        if match[3]:
            day = Date(year, int(match[2]), int(match[3]))
            return year + (day - Date(year, 1, 1)).days / days
        if match[2]:
            start = Date(year, int(match[2]), 1)
            return year + ((start - Date(year, 1, 1)).days + 15) / days
    except ValueError:  # no such month or day
        return None
    return year + 0.5


def shown(value: str) -> str:
    """A date as French text: ``18 décembre 2023``, ``juillet 2025``, ``2025``."""
    match = _ISO.match(value)
    if match and match[3]:
        return french_date(match[0])
    if match and match[2] and 1 <= int(match[2]) <= 12:
        return f"{MONTHS[int(match[2]) - 1]} {match[1]}"
    return match[0] if match else value


@dataclass(frozen=True)
class Dated:
    """An accord, its date (lexical form) and whether it is inferred, its places."""

    accord: str
    date: str | None = None
    inferred: bool = False
    places: tuple[str, ...] = ()

    @property
    def when(self) -> float | None:
        return None if self.date is None else position(self.date)

    def order(self) -> tuple[bool, float, str, str]:
        when = self.when
        return (when is None, when or 0.0, self.date or "", self.accord)


def collect(store: Store) -> list[Dated]:
    """Every accord of the graph with its date and places, in date order (undated last)."""
    ceremonies: dict[str, set[str]] = defaultdict(set)
    dates: dict[str, set[str]] = defaultdict(set)
    places: dict[str, set[str]] = defaultdict(set)
    for accord, ceremony, date, place in store.query(_DATES).rows:
        held = ceremonies[str(accord)]
        if ceremony is not None:
            held.add(str(ceremony))
            if date is not None:
                dates[str(ceremony)].add(str(date))
            if place is not None:
                places[str(ceremony)].add(str(place))
    inferred = {(str(s), str(d)) for s, d in store.query(_INFERRED).rows}
    for subject, date in inferred:
        dates[subject].add(date)
    entries = [
        _dated(accord, sorted(held), dates, places, inferred) for accord, held in ceremonies.items()
    ]
    return sorted(entries, key=Dated.order)


def _dated(
    accord: str,
    ceremonies: list[str],
    dates: dict[str, set[str]],
    places: dict[str, set[str]],
    inferred: set[tuple[str, str]],
) -> Dated:
    """The accord's date: a stated one before an inferred one, then the earliest."""
    candidates = [
        Dated(accord, date, (ceremony, date) in inferred, tuple(sorted(places[ceremony])))
        for ceremony in ceremonies
        for date in dates[ceremony]
    ]
    if not candidates:
        every = sorted({p for c in ceremonies for p in places[c]})
        return Dated(accord, places=tuple(every))
    return min(candidates, key=lambda d: (d.inferred, *d.order()))


# -- the picture ---------------------------------------------------------------------------

LEFT, PLOT, AXIS_Y = 24.0, 880.0, 44.0  # the axis: from LEFT, PLOT wide, at AXIS_Y
FONT, LINE = 12, 15.0  # text size, line height
LINES = 4  # a flag's lines: date, name (one or two), place
ROW = LINES * LINE + 14.0  # a row of flags
FIRST_ROW = AXIS_Y + 22.0
GAP = 14.0  # between two flags of a row
COLOUR, POLE, INK, MUTED = "#0b57d0", "#7d9bd6", "#1d1d1f", "#5b5b66"
INFERRED_FR, INFERRED_EN = "déduite", "inferred"


def _width(text: str, bold: bool = False) -> float:
    """An estimate of the text's width, a little over what browsers draw (no font metrics
    here): DejaVu Sans averages about 0.52 em a character in French text, its bold 0.58."""
    return len(text) * FONT * (0.62 if bold else 0.56)


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class _Flag:
    """One accord's marker and label: its date, its name (one or two lines), its place."""

    entry: Dated
    x: float
    when: str
    name: tuple[str, ...]
    place: str
    title: str  # the whole name, date and place, as a tooltip
    link: str | None
    row: int

    @property
    def right(self) -> float:
        widths = [_width(self.when), _width(self.place)]
        return self.x + 6 + max(widths + [_width(n, bold=True) for n in self.name])

    @property
    def top(self) -> float:
        return FIRST_ROW + self.row * ROW

    @property
    def lines(self) -> list[tuple[str, str, str]]:
        """(text, colour, extra attributes) of each line."""
        name = [(n, COLOUR, ' font-weight="bold"') for n in self.name]
        place = [(self.place, MUTED, "")] if self.place else []
        return [(self.when, INK, ""), *name, *place]


def _name_lines(name: str, width: int = 34) -> tuple[str, ...]:
    """The name on one or two lines of about ``width`` characters, cut with an ellipsis."""
    lines = [line for line in wrap(name, width).split("\n") if line]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1].rstrip() + "…"]
    return tuple(line if len(line) <= width else line[: width - 1] + "…" for line in lines)


def _flags(
    entries: Iterable[Dated],
    label: Callable[[str], str],
    link: Callable[[str], str | None],
    scale: Callable[[float], float],
) -> list[_Flag]:
    """Each dated accord's flag, in the first row where it overlaps no other (its pole passes
    behind the flags of the rows above it that cover its date)."""
    flags: list[_Flag] = []
    ends: list[float] = []  # each row's right end, so far
    for entry in entries:
        assert entry.date is not None and entry.when is not None
        x = scale(entry.when)
        when = shown(entry.date) + (f" ({INFERRED_FR} / {INFERRED_EN})" if entry.inferred else "")
        name = label(entry.accord)
        place = ", ".join(label(p) for p in entry.places)
        row = next((r for r, end in enumerate(ends) if end + GAP <= x), len(ends))
        title = " — ".join(t for t in (name, when, place) if t)
        flag = _Flag(entry, x, when, _name_lines(name), place, title, link(entry.accord), row)
        if row == len(ends):
            ends.append(0.0)
        ends[row] = flag.right
        flags.append(flag)
    return flags


def _axis(first: int, last: int, scale: Callable[[float], float]) -> list[str]:
    """The axis from 1 January ``first`` to 1 January ``last``: a tick each year, labelled
    every year or every 2, 5, 10… where labels would crowd; month ticks where there is room."""
    per_year = PLOT / (last - first)
    step = next((s for s in (1, 2, 5, 10, 20, 50, 100) if s * per_year >= 44), 1000)
    out = [
        f'<line x1="{_num(LEFT)}" y1="{_num(AXIS_Y)}" x2="{_num(LEFT + PLOT)}" '
        f'y2="{_num(AXIS_Y)}" stroke="{INK}" stroke-width="1.5"/>'
    ]
    if per_year / 12 >= 6:
        for year in range(first, last):
            for month in range(2, 13):
                x = _num(scale(position(f"{year}-{month:02d}-01") or year))
                out.append(
                    f'<line x1="{x}" y1="{_num(AXIS_Y)}" x2="{x}" y2="{_num(AXIS_Y + 4)}" '
                    f'stroke="{MUTED}"/>'
                )
    for year in range(first, last + 1):
        x = _num(scale(year))
        out.append(
            f'<line x1="{x}" y1="{_num(AXIS_Y - 6)}" x2="{x}" y2="{_num(AXIS_Y + 6)}" '
            f'stroke="{INK}" stroke-width="1.5"/>'
        )
        if year % step == 0 or step == 1:
            out.append(
                f'<text x="{x}" y="{_num(AXIS_Y - 12)}" text-anchor="middle" '
                f'fill="{INK}">{year}</text>'
            )
    return out


def _pole(flag: _Flag) -> str:
    """The line from the flag's marker down its label's side (dashed for an inferred date)."""
    x = _num(flag.x)
    dash = ' stroke-dasharray="4 3"' if flag.entry.inferred else ""
    bottom = flag.top + len(flag.lines) * LINE
    return (
        f'<line x1="{x}" y1="{_num(AXIS_Y)}" x2="{x}" y2="{_num(bottom)}" '
        f'stroke="{POLE}" stroke-width="1.5"{dash}/>'
    )


def _flag_svg(flag: _Flag) -> str:
    """One flag, a link to the accord's page: its marker on the axis (hollow for an inferred
    date) and its label, on white so that the poles passing behind it do not cross its text."""
    x, lines = _num(flag.x), flag.lines
    inferred = flag.entry.inferred
    marker = (
        f'<circle class="marker inferred" cx="{x}" cy="{_num(AXIS_Y)}" r="5.5" fill="#fff" '
        f'stroke="{COLOUR}" stroke-width="2"/>'
        if inferred
        else f'<circle class="marker" cx="{x}" cy="{_num(AXIS_Y)}" r="5.5" fill="{COLOUR}"/>'
    )
    parts = [
        f"<title>{esc(flag.title)}</title>",
        marker,
        f'<rect x="{_num(flag.x + 3)}" y="{_num(flag.top - 2)}" '
        f'width="{_num(flag.right - flag.x)}" height="{_num(len(lines) * LINE + 4)}" '
        'fill="#fff"/>',
        *(
            f'<text x="{_num(flag.x + 6)}" y="{_num(flag.top + (i + 1) * LINE - 3)}" '
            f'fill="{colour}"{extra}>{esc(text)}</text>'
            for i, (text, colour, extra) in enumerate(lines)
        ),
    ]
    inside = "".join(parts)
    if flag.link is None:
        return f'<g class="accord">{inside}</g>'
    return f'<a class="accord" href="{esc(flag.link)}">{inside}</a>'


def _legend(y: float) -> list[str]:
    """What the two markers mean (drawn only where an inferred date is shown)."""
    stated = "date attestée / stated date"
    second = LEFT + 16 + _width(stated) + 24
    return [
        f'<circle cx="{_num(LEFT + 6)}" cy="{_num(y - 4)}" r="5.5" fill="{COLOUR}"/>',
        f'<text x="{_num(LEFT + 16)}" y="{_num(y)}" fill="{MUTED}">{stated}</text>',
        f'<circle cx="{_num(second)}" cy="{_num(y - 4)}" r="5.5" fill="#fff" '
        f'stroke="{COLOUR}" stroke-width="2"/>',
        f'<text x="{_num(second + 10)}" y="{_num(y)}" fill="{MUTED}">date {INFERRED_FR} / '
        f"{INFERRED_EN} date</text>",
    ]


def render(
    entries: Iterable[Dated], label: Callable[[str], str], link: Callable[[str], str | None]
) -> str:
    """The timeline of the dated ``entries`` as SVG ("" if none has a date): ``label`` gives
    an accord's or a place's name, ``link`` an accord's link (relative to where the SVG is
    shown; None: no link)."""
    dated = sorted((e for e in entries if e.when is not None), key=Dated.order)
    if not dated:
        return ""
    whens = [e.when for e in dated if e.when is not None]
    first, last = int(min(whens)), int(max(whens)) + 1

    def scale(when: float) -> float:
        return LEFT + (when - first) / (last - first) * PLOT

    flags = _flags(dated, label, link, scale)
    bottom = FIRST_ROW + (max(f.row for f in flags) + 1) * ROW
    inferred = any(f.entry.inferred for f in flags)
    height = bottom + (LINE + 8 if inferred else 0)
    width = max(LEFT + PLOT + LEFT, *(f.right + 8 for f in flags))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{_num(width)}" '
        f'height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'font-family="DejaVu Sans, sans-serif" font-size="{FONT}">',
        "<title>Frise chronologique des accords / Timeline of the accords</title>",
        f'<rect width="{_num(width)}" height="{_num(height)}" fill="#fff"/>',
        *_axis(first, last, scale),
        *(_pole(f) for f in flags),
        *(_flag_svg(f) for f in flags),
        *(_legend(bottom + LINE) if inferred else []),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
