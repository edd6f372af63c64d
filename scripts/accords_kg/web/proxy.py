"""The SPARQL paths of ``accords serve`` (``/query``, ``/update``, ``/store``), guarded.

The front never forwards a request as it came. It reads the one query (or update) the
request carries by the SPARQL 1.1 Protocol — ``?query=`` on GET, a form or the text itself on
POST —, refuses it with the CLI's guard (:mod:`..sparql.guard`: no SERVICE, no LOAD), and
sends Oxigraph that text and nothing else: what was checked is what runs, whatever the
request's duplicated parameters or odd content types. An update is read from the body
alone, and a Graph Store upload must say it is RDF (:func:`_update_request`,
:func:`rdf_media`): no page of another site can send either without asking. Bodies are
bounded: a query or an update past :data:`MAX_BODY` is refused unread (413); a Graph Store
upload is streamed, never held in memory; a chunked body is refused (411), so that it is
never read as a second request. Answers are streamed back as they come.
"""

from __future__ import annotations

import http.client
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import parse_qsl, urlencode, urlsplit

import pyoxigraph as ox

from ..errors import AccordsError, UsageError
from ..sparql.guard import check_query, check_update

#: Largest query or update accepted, in bytes (the saved queries are under 4 KiB).
MAX_BODY = 1 << 20
#: The protocol's dataset parameters, passed on to Oxigraph (they name graphs of the store).
GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
_CHUNK = 1 << 16


class Refused(Exception):
    """A request answered with an error by the front itself; the connection is closed after,
    since its body may be unread."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def body_length(headers: http.client.HTTPMessage) -> int:
    """The request body's length: one ``Content-Length`` of digits, or none (0)."""
    if headers.get_all("Transfer-Encoding"):
        raise Refused(411, "a body needs a Content-Length (no chunked body) / longueur requise")
    values = headers.get_all("Content-Length") or []
    if not values:
        return 0
    if len(set(values)) != 1 or not re.fullmatch(r"[0-9]{1,18}", values[0].strip()):
        raise Refused(400, "bad Content-Length / Content-Length invalide")
    return int(values[0])


@dataclass(frozen=True)
class Operation:
    """The one query or update a request carries, and the graphs it names."""

    kind: str  # "query" or "update"
    text: str
    graphs: tuple[tuple[str, str], ...]

    def target(self) -> str:
        """The path and parameters to send to Oxigraph, the text going as the body."""
        query = urlencode(self.graphs)
        return f"/{self.kind}" + (f"?{query}" if query else "")

    def check(self) -> None:
        """The CLI's guard: SERVICE (and, for updates, LOAD) refused (403); a text that
        mentions them but does not parse refused too (400)."""
        try:
            (check_query if self.kind == "query" else check_update)(self.text, self.kind)
        except AccordsError as exc:
            raise Refused(403 if isinstance(exc, UsageError) else 400, str(exc)) from None


def operation(
    kind: str, method: str, target: str, content_type: str, body: bytes, forms: bool = True
) -> Operation:
    """Read the request as the SPARQL 1.1 Protocol says; anything ambiguous is refused (400).
    An update comes in the body alone (:func:`_update_request`)."""
    media = _media(content_type)
    if kind == "update":
        _update_request(method, media, forms)
    try:
        fields = parse_qsl(urlsplit(target).query, keep_blank_values=True, errors="strict")
        if kind == "update" and any(name == kind for name, _ in fields):
            raise Refused(400, "an update goes in the body, not the URL / pas dans l'URL")
        if method == "POST" and media == "application/x-www-form-urlencoded":
            fields += parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
        texts = [value for name, value in fields if name == kind]
        if method == "POST" and media == f"application/sparql-{kind}":
            texts.append(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "the request is not UTF-8 / requête non UTF-8") from None
    if len(texts) != 1:
        raise Refused(400, f"give exactly one {kind} / une seule requête ({len(texts)} ici)")
    graphs = tuple((name, value) for name, value in fields if name in GRAPH_PARAMS)
    return Operation(kind, texts[0], graphs)


def _update_request(method: str, media: str, forms: bool) -> None:
    """An update is POSTed as ``application/sparql-update``, a type no page of another site
    can send without asking the server first (CORS preflight, never answered here); as a
    form (``update=``, how SPARQLWrapper and so ``accords publish`` send it) only when
    ``forms``: the front allows it only without an ``Origin`` header, which a browser always
    sends with a cross-site POST — so a form on someone's web page cannot write."""
    if method != "POST":
        raise Refused(405, "an update is sent with POST / mise à jour par POST")
    allowed = ["application/sparql-update"]
    if forms:
        allowed.append("application/x-www-form-urlencoded")
    if media not in allowed:
        raise Refused(415, f"an update is sent as {' or '.join(allowed)} / type refusé")


def rdf_media(content_type: str) -> bool:
    """Whether ``content_type`` names an RDF syntax by its own media type (what a Graph Store
    upload must say). Oxigraph would also read ``text/plain`` as N-Triples — a type any web
    page can POST cross-site without asking: refused, as every alias is."""
    media = _media(content_type)
    found = ox.RdfFormat.from_media_type(media) if media else None
    return found is not None and found.media_type == media


def _media(content_type: str) -> str:
    """The media type of a ``Content-Type`` value, without parameters, in lower case."""
    return content_type.split(";")[0].strip().lower()


class Limited:
    """The first ``left`` bytes of a stream, read in chunks (a body streamed upstream)."""

    def __init__(self, stream: BinaryIO, left: int) -> None:
        self.stream, self.left = stream, left

    def read(self, size: int = -1) -> bytes:
        wanted = self.left if size < 0 else min(size, self.left)
        data = self.stream.read(wanted) if wanted > 0 else b""
        self.left -= len(data)
        return data


#: What :func:`forward` sends: method, target, headers, body.
Request = tuple[str, str, Mapping[str, str], bytes | Limited | None]


def forward(
    upstream: str,
    request: Request,
    respond: Callable[[int, list[tuple[str, str]]], Callable[[bytes], None]],
    limit: float | None,
) -> None:
    """Send ``request`` (method, target, headers, body) to ``upstream`` and stream the answer
    through ``respond(status, headers)``, which returns where to write each chunk. Past
    ``limit`` seconds (None: no limit), :class:`TimeoutError`, even mid-answer."""
    method, target, headers, body = request
    deadline = None if limit is None else time.monotonic() + limit
    connection = http.client.HTTPConnection(upstream, timeout=limit)
    try:
        connection.request(method, target, body=body, headers=dict(headers))
        reply = connection.getresponse()
        write = respond(reply.status, reply.getheaders())
        while chunk := reply.read1(_CHUNK) if method != "HEAD" else b"":
            write(chunk)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"the answer took over {limit:g} s")
    finally:
        connection.close()
