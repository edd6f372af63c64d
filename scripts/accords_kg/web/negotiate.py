"""HTTP content negotiation: which of the offered media types an ``Accept`` header prefers.

The rules of RFC 9110 §12.5.1, as linked-data clients use them: media ranges with q-values
(``text/turtle;q=0.9, */*;q=0.1``), the most specific range that matches an offer gives its
quality, ``q=0`` refuses, ties go to the server's order of preference. Nothing acceptable
(or no header) falls back to the first offer — a page rather than a 406.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int:
        """How precisely this range names ``media_type``: 2 exact, 1 ``type/*``, 0 ``*/*``,
        -1 not at all."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed elements are skipped."""
    ranges = []
    for element in header.split(","):
        parts = [p.strip() for p in element.split(";")]
        kind, slash, sub = parts[0].lower().partition("/")
        if not slash or not kind or not sub:
            continue
        quality = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(kind, sub, quality))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The quality the client gives ``media_type``: that of its most specific range."""
    best = -1
    value = 0.0
    for candidate in ranges:
        level = candidate.specificity(media_type)
        if level > best or (level == best and level >= 0 and candidate.quality > value):
            best, value = level, candidate.quality
    return value if best >= 0 else 0.0


def choose(accept: str | None, offers: list[str]) -> str:
    """The offer the client prefers; the first offer when it accepts none or says nothing."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    scored = [(quality(ranges, offer), -index, offer) for index, offer in enumerate(offers)]
    best = max(scored)
    return best[2] if best[0] > 0 else offers[0]
