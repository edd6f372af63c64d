"""The few pieces of HTML every page shares: escaping, relative links, the page frame.

Pages are plain HTML5 in French, with English in ``lang="en"`` spans; the stylesheet is
inline (a page served at any depth, or opened from disk, needs nothing else) and there is
no script: everything works without JavaScript and without the network.
"""

from __future__ import annotations

import html
import posixpath
from urllib.parse import urlsplit

STYLE = """
:root{color-scheme:light;--ink:#1d1d1f;--muted:#5b5b66;--line:#d8d8de;--link:#0b57d0}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,"DejaVu Sans",sans-serif;color:var(--ink);background:#fff}
a{color:var(--link)}a:focus{outline:3px solid #f2b300}
.skip{position:absolute;left:-999px}.skip:focus{left:1em;top:1em;background:#fff;padding:.3em}
header,main,footer{max-width:72rem;margin:0 auto;padding:.6rem 1rem}
header{border-bottom:1px solid var(--line)}
footer{border-top:1px solid var(--line);color:var(--muted)}
h1{font-size:1.6rem;margin:.4em 0}h2{font-size:1.25rem;margin-top:1.6em}
.en{color:var(--muted)}.iri,.curie{font-size:.85em;color:var(--muted);word-break:break-all}
dl.facts{display:grid;grid-template-columns:minmax(10rem,16rem) 1fr;gap:.3rem 1rem;margin:0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0}dl.facts dd ul{margin:0;padding-left:1.1em}
.statement{border-left:3px solid var(--line);margin:.3rem 0 .6rem;padding:.2rem .8rem}
.sources{font-size:.92em}.sources ul{margin:.2em 0;padding-left:1.2em}
blockquote{margin:.2em 0 .2em 1em;padding-left:.6em;border-left:2px solid #c9a227}
.note{font-size:.92em;color:var(--muted)}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid var(--line);padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f4f4f6}
.table-wrap{overflow-x:auto}
figure.diagram{margin:1em 0}figure.diagram svg{max-width:100%;height:auto}
figure.timeline{margin:1em 0}.scroll{overflow-x:auto}.scroll svg{display:block}
pre{background:#f6f6f8;padding:.6em;overflow-x:auto;font-size:.88em}
""".strip()


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def href(source: str, target: str) -> str:
    """``target`` (a site path, maybe with ``#fragment``) relative to page ``source``.

    A relative path whose first segment holds a colon would be read as a scheme
    (``javascript:alert(1)//x.html``): it is written ``./`` first."""
    path, hash_, fragment = target.partition("#")
    if not path:
        return hash_ + fragment
    folder = posixpath.dirname(source) or "."
    relative = posixpath.relpath(path, folder)
    if ":" in relative.split("/", 1)[0]:
        relative = "./" + relative
    return relative + hash_ + fragment


#: The schemes a page may link to when the URL comes from the data: the web, and mail.
#: Any other (``javascript:``, ``data:``, ``vbscript:``…) would run or open in the site's
#: own origin, the endpoint's, when clicked.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def web_url(url: str) -> str | None:
    """``url`` if a browser would open it with an allowed scheme, else None.

    Browsers drop tabs and newlines anywhere in a URL and spaces and controls around it
    (``java\tscript:``); an IRI holds none of these, so a URL that does is refused rather
    than cleaned. The scheme is compared as browsers do, case-insensitively."""
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    parts = urlsplit(url)
    if parts.scheme not in LINK_SCHEMES:  # urlsplit lowercases it; none: a relative URL
        return None
    if parts.scheme != "mailto" and not parts.netloc:
        return None
    return url


def outside_link(url: str, text: str | None = None) -> str:
    """A link to ``url`` from the data, showing ``text`` (HTML; the URL by default), or the
    text alone where the URL's scheme is not one to link to."""
    shown = esc(url) if text is None else text
    safe = web_url(url)
    return f'<a href="{esc(safe)}">{shown}</a>' if safe else f'<span class="url">{shown}</span>'


def bilingual(fr: str, en: str | None) -> str:
    """French text, followed by its English version where there is one and it differs."""
    if en and en != fr:
        return f'{esc(fr)} <span class="en" lang="en">/ {esc(en)}</span>'
    return esc(fr)


def frame(
    path: str,
    title: str,
    body: str,
    *,
    crumbs: list[tuple[str, str]] = (),  # type: ignore[assignment]
    alternates: list[tuple[str, str]] = (),  # type: ignore[assignment]
    root: str | None = None,
) -> str:
    """A whole page: ``path`` is its place in the site (for relative links); ``crumbs`` the
    breadcrumb trail (site path, text); ``alternates`` other representations (path, media
    type); ``root`` forces the link to the index (the 404 page, served at any depth)."""
    index = root if root is not None else href(path, "index.html")
    links = "".join(
        f'<link rel="alternate" type="{esc(media)}" href="{esc(href(path, target))}">\n'
        for target, media in alternates
    )
    trail = "".join(f' &rsaquo; <a href="{esc(href(path, p))}">{esc(t)}</a>' for p, t in crumbs)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} — accords-kg</title>\n{links}"
        f"<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
        '<a class="skip" href="#main">Aller au contenu '
        '<span lang="en">/ Skip to content</span></a>\n'
        f'<header><nav aria-label="Fil d’Ariane / Breadcrumb"><a href="{esc(index)}">accords-kg</a>'
        f"{trail}</nav></header>\n"
        f'<main id="main">\n{body}\n</main>\n'
        "<footer><p>accords-kg — données sous licence "
        '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>. '
        "Chaque fait cite sa source. "
        '<span lang="en">Data under CC BY 4.0; every fact cites its source.</span></p></footer>\n'
        "</body>\n</html>\n"
    )
