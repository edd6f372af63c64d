"""Check a built site: no broken link, no external asset, no page left unreachable.

Every ``href`` and ``src`` of every HTML page (SVG links included) that stays in the site
must name a file of the site and, with a ``#fragment``, an ``id`` in it; root-relative links
(``/``, used by the 404 page, which is served at any depth) are read from the site's root.
Links to other hosts are allowed for ``<a>`` (sources, licences, vocabularies) but not for
what a browser would load by itself (stylesheets, scripts, images, frames, media), and only
with a web scheme (:data:`htmlpage.LINK_SCHEMES`: never ``javascript:`` or ``data:``). Every
page must be reachable from ``index.html`` (or be the 404 page).
"""

from __future__ import annotations

import posixpath
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .htmlpage import web_url

#: The elements whose link a click follows (a favicon's data: URL is not one).
_FOLLOWED = frozenset({"a", "area"})
_LOADED = frozenset({"script", "img", "iframe", "source", "video", "audio", "image", "embed"})


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.assets: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key) and (key == "id" or tag == "a"):
                self.ids.add(str(values[key]))
        for key in ("href", "xlink:href", "src"):
            url = values.get(key)
            if url is None:
                continue
            self.links.append((tag, url))
            stylesheet = tag == "link" and "stylesheet" in (values.get("rel") or "").split()
            if tag in _LOADED or stylesheet:
                self.assets.append((tag, url))

    handle_startendtag = handle_starttag


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)


def _resolve(page: str, url: str) -> tuple[str, str]:
    """The site path and fragment ``url`` points to from ``page`` (both site paths)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if not path:
        target = page
    elif path.startswith("/"):
        target = path.lstrip("/")
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if target == "." or target.endswith("/") or target == "":
        target = posixpath.join(target, "index.html").removeprefix("./")
    return target, unquote(parts.fragment)


def check(site: Path) -> list[str]:
    """The problems of the site in ``site``, one sentence each; empty if there are none."""
    pages = {p.relative_to(site).as_posix(): _parse(p) for p in sorted(site.rglob("*.html"))}
    problems = []
    edges: dict[str, set[str]] = {name: set() for name in pages}
    for name, page in pages.items():
        for tag, url in page.assets:
            if _external(url) and not url.startswith("data:"):
                problems.append(f"{name}: <{tag}> loads an external asset: {url}")
        for tag, url in page.links:
            if tag in _FOLLOWED and _external(url) and web_url(url) is None:
                problems.append(f"{name}: <{tag}> links to a URL of no web scheme: {url!r}")
            if _external(url) or url.startswith(("mailto:", "data:")):
                continue
            target, fragment = _resolve(name, url)
            if target.startswith("..") or not (site / target).is_file():
                problems.append(f"{name}: broken link {url!r} (no file {target})")
                continue
            if target in pages:
                edges[name].add(target)
                if fragment and fragment not in pages[target].ids:
                    problems.append(f"{name}: broken link {url!r} (no id {fragment!r} in {target})")
    reached = set()
    todo = deque(n for n in ("index.html", "404.html") if n in pages)
    while todo:
        name = todo.popleft()
        if name not in reached:
            reached.add(name)
            todo.extend(edges[name] - reached)
    problems += [f"{name}: not reachable from index.html" for name in pages if name not in reached]
    return problems
