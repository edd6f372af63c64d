"""What every request to a SPARQL server shares: its credentials, a retry only of what is
safe to repeat, and an error that says what really happened. The requests themselves:
:mod:`.endpoint` (queries and updates, SPARQLWrapper) and :mod:`.graphstore` (uploads).

- Credentials come from the environment only: ``ACCORDS_ENDPOINT_TOKEN`` (sent as
  ``Bearer``), or ``ACCORDS_ENDPOINT_USER`` / ``ACCORDS_ENDPOINT_PASSWORD``, answered to the
  server's challenge in the scheme it asks for: Basic, or Digest (Virtuoso's protected
  endpoints). A ``user:password@`` written in a URL is used the same way. Neither is ever
  printed.
- Retried, with exponential back-off: a refused connection (nothing was sent), a lost
  response, and HTTP 502, 503 and 504 (a proxy or an overloaded server: try later). Every
  request this package sends is idempotent (a query, a ``PUT``, an update made of ``COPY``
  and ``DROP SILENT``), so a repeat after a lost response changes nothing.
- Not retried: any other HTTP error (a 500 is the server's verdict on this request, and says
  so again), and a client-side timeout (the server is still working: asking again doubles
  its load). The server's diagnostic is kept whole, trimmed, in the message.
"""

from __future__ import annotations

import http.client
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from html.parser import HTMLParser
from typing import NamedTuple, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

from ..errors import AccordsError, InputError

RETRIES = 3
BACKOFF = 0.5  # seconds, doubled at each retry
TRANSIENT = (502, 503, 504)
DIAGNOSTIC_CHARS = 2000

T = TypeVar("T")


class EndpointError(AccordsError):
    """The endpoint could not be reached, kept failing or refused the request (exit 6)."""

    exit_code = 6


class Refused(InputError):
    """The server refused the request as malformed (HTTP 400): the query's fault (exit 2)."""


class Credentials(NamedTuple):
    """Where a request goes (``url``, without userinfo: urllib cannot send one that holds
    it) and what answers the server's challenge."""

    url: str
    user: str | None
    password: str
    token: str | None


def credentials(url: str) -> Credentials:
    """A URL's ``user:password@`` first, else the environment's."""
    parts = urlsplit(url)
    user = password = None
    if "@" in parts.netloc:
        userinfo, host = parts.netloc.rsplit("@", 1)
        user, _, password = (unquote(part) for part in userinfo.partition(":"))
        url = urlunsplit(parts._replace(netloc=host))
    env = os.environ.get
    return Credentials(
        url,
        user or env("ACCORDS_ENDPOINT_USER") or None,
        password if user else env("ACCORDS_ENDPOINT_PASSWORD", ""),
        env("ACCORDS_ENDPOINT_TOKEN") or None,
    )


def challenge(header: str) -> tuple[str, dict[str, str]]:
    """A ``WWW-Authenticate`` header as its scheme (lower case) and its parameters."""
    scheme, _, params = header.partition(" ")
    return scheme.lower(), urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))


def redact(url: str) -> str:
    """``url`` without the ``user:password@`` it may hold, for messages: everything from
    ``//`` to the last ``@`` before the query goes, even where a password holding an
    unencoded ``/`` makes the URL parser see no userinfo (a path with an ``@`` loses its
    start too: a message may say less, never a password)."""
    scheme, sep, rest = url.partition("://")
    before_query = rest.split("?", 1)[0].split("#", 1)[0]
    if not sep or "@" not in before_query:
        return url
    return f"{scheme}://***@{rest[before_query.rindex('@') + 1 :]}"


def diagnostic(raw: bytes) -> str:
    """The server's explanation: its text, blank lines and HTML tags out, trimmed."""
    text = raw.decode("utf-8", errors="replace")
    if "<" in text and ">" in text:
        pieces: list[str] = []
        parser = HTMLParser()
        parser.handle_data = pieces.append  # type: ignore[method-assign]
        parser.feed(text)
        text = "".join(pieces)
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    text = "\n".join(lines)
    return text if len(text) <= DIAGNOSTIC_CHARS else text[:DIAGNOSTIC_CHARS] + " …"


def _refused(exc: BaseException) -> bool:
    """Whether the request certainly never reached the server, or its answer was lost."""
    reason = getattr(exc, "reason", exc)
    return isinstance(
        reason,
        ConnectionRefusedError
        | ConnectionResetError
        | ConnectionAbortedError
        | BrokenPipeError
        | http.client.RemoteDisconnected
        | http.client.IncompleteRead,
    )


def _timed_out(exc: BaseException) -> bool:
    return isinstance(getattr(exc, "reason", exc), TimeoutError | socket.timeout)


def retrying(shown: str, attempt: Callable[[], T], timeout: float | None, retries: int) -> T:
    """``attempt()``, which sends one request through urllib (SPARQLWrapper's included), again
    after a transient failure; any failure as an :class:`EndpointError` (or :class:`Refused`)
    whose message starts with ``shown`` (the method and the redacted URL)."""
    delay = BACKOFF
    for done in range(1, retries + 2):
        try:
            return attempt()
        except urllib.error.HTTPError as exc:
            if exc.code not in TRANSIENT or done > retries:
                raise _http_error(shown, exc.code, diagnostic(exc.read() or b"")) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if _timed_out(exc):
                raise EndpointError(
                    f"{shown} did not answer within {timeout:g} s / pas de réponse dans le délai"
                    if timeout is not None
                    else f"{shown}: the connection timed out / délai de connexion dépassé"
                ) from None
            if not _refused(exc) or done > retries:
                reason = str(getattr(exc, "reason", exc)) or type(exc).__name__
                raise EndpointError(
                    f"{shown} failed after {done} attempt{'s' if done > 1 else ''}: "
                    f"{reason} / serveur injoignable ou en erreur"
                ) from None
        time.sleep(delay)
        delay *= 2
    raise AssertionError("not reached: the last attempt returns or raises")


def _http_error(shown: str, code: int, text: str) -> AccordsError:
    said = f":\n{text}" if text else ""
    if code == 400:
        return Refused(f"{shown}: the server refused the request (HTTP 400){said}")
    if code in (401, 403):
        hint = " (an `accords serve` takes writes only when started with --writable)"
        return EndpointError(
            f"{shown}: HTTP {code}, not authorised; credentials come from "
            f"ACCORDS_ENDPOINT_USER/ACCORDS_ENDPOINT_PASSWORD or ACCORDS_ENDPOINT_TOKEN"
            f"{hint if code == 403 else ''} / accès refusé{said}"
        )
    return EndpointError(f"{shown}: HTTP {code} / erreur du serveur{said}")
