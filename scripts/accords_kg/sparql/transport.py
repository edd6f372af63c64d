"""HTTP to a SPARQL server: one request, its credentials, a retry only of what is safe to
repeat, and an error that says what really happened.

- Credentials come from the environment only: ``ACCORDS_ENDPOINT_TOKEN`` (sent as
  ``Bearer``), or ``ACCORDS_ENDPOINT_USER`` / ``ACCORDS_ENDPOINT_PASSWORD``, answered to the
  server's challenge in the scheme it asks for: Basic, or Digest (Virtuoso's protected
  endpoints). They are never printed, and neither is a ``user:password@`` written in a URL.
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
from urllib.parse import urlsplit, urlunsplit
from urllib.request import AbstractDigestAuthHandler

from ..errors import AccordsError, InputError

RETRIES = 3
BACKOFF = 0.5  # seconds, doubled at each retry
TRANSIENT = (502, 503, 504)
DIAGNOSTIC_CHARS = 2000
PREEMPT_BYTES = 64 * 1024  # a larger body is authorised before it is sent


class EndpointError(AccordsError):
    """The endpoint could not be reached, kept failing or refused the request (exit 6)."""

    exit_code = 6


def redact(url: str) -> str:
    """``url`` without the ``user:password@`` it may hold, for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc="***@" + host))


def _split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """The URL without userinfo, and the user and password it held (urllib cannot send a
    URL that holds them)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), user, password


def _opener(url: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    """An opener that answers a Basic or Digest challenge with the credentials, if any."""
    user = user or os.environ.get("ACCORDS_ENDPOINT_USER")
    if not user:
        return urllib.request.build_opener()
    if password is None:
        password = os.environ.get("ACCORDS_ENDPOINT_PASSWORD", "")
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, url, user, password)
    return urllib.request.build_opener(
        urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)
    )


def _answer_challenge_first(
    opener: urllib.request.OpenerDirector, request: urllib.request.Request, timeout: float | None
) -> None:
    """Authorise a large upload before sending it: a server that challenges a request
    (Virtuoso's Digest) answers 401 and closes the connection while a large body is still
    being sent, so the challenge is fetched by a ``GET`` without a body (or the query
    string, which may name a graph) and answered in the upload's own headers."""
    digest = next((h for h in opener.handlers if isinstance(h, AbstractDigestAuthHandler)), None)
    if digest is None:
        return
    parts = urlsplit(request.full_url)
    probe = urllib.request.Request(urlunsplit(parts._replace(query="")), method="GET")
    try:
        with urllib.request.urlopen(probe, timeout=timeout):
            return  # no challenge: nothing to answer
    except urllib.error.HTTPError as exc:
        challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
    except OSError:
        return  # the upload itself will say what is wrong
    scheme, _, params = challenge.partition(" ")
    if scheme.lower() != "digest":
        return
    chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
    authorization = digest.get_authorization(request, chal)
    if authorization:
        request.add_unredirected_header("Authorization", f"Digest {authorization}")


def diagnostic(raw: bytes) -> str:
    """The server's explanation: its text, blank lines and HTML tags out, trimmed."""
    text = raw.decode("utf-8", errors="replace")
    if "<" in text and ">" in text:
        from html.parser import HTMLParser

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


def send(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
    retries: int = RETRIES,
) -> tuple[bytes, dict[str, str]]:
    """Send one idempotent request; the response's body and headers, or an error."""
    target, user, password = _split_userinfo(url)
    shown = f"{method} {redact(url)}"
    opener = _opener(target, user, password)
    delay = BACKOFF
    for attempt in range(retries + 1):
        request = urllib.request.Request(target, data=body, method=method)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        token = os.environ.get("ACCORDS_ENDPOINT_TOKEN")
        if token:
            request.add_unredirected_header("Authorization", f"Bearer {token}")
        elif body and len(body) > PREEMPT_BYTES:
            _answer_challenge_first(opener, request, timeout)
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.read(), {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as exc:
            text = diagnostic(exc.read() or b"")
            if exc.code not in TRANSIENT or attempt == retries:
                raise _http_error(shown, exc.code, text) from None
            last = f"HTTP {exc.code}: {text}"
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if _timed_out(exc):
                raise EndpointError(
                    f"{shown} did not answer within {timeout:g} s / pas de réponse dans le délai"
                    if timeout is not None
                    else f"{shown}: the connection timed out / délai de connexion dépassé"
                ) from None
            last = str(getattr(exc, "reason", exc)) or type(exc).__name__
            if not _refused(exc) or attempt == retries:
                raise EndpointError(
                    f"{shown} failed after {attempt + 1} attempt{'s' if attempt else ''}: "
                    f"{last} / serveur injoignable ou en erreur"
                ) from None
        time.sleep(delay)
        delay *= 2
    raise EndpointError(f"{shown} failed after {retries + 1} attempts: {last}")  # not reached


class Refused(InputError):
    """The server refused the request as malformed (HTTP 400): the query's fault (exit 2)."""


def _http_error(shown: str, code: int, text: str) -> AccordsError:
    said = f":\n{text}" if text else ""
    if code == 400:
        return Refused(f"{shown}: the server refused the request (HTTP 400){said}")
    if code in (401, 403):
        return EndpointError(
            f"{shown}: HTTP {code}, not authorised; credentials come from "
            f"ACCORDS_ENDPOINT_USER/ACCORDS_ENDPOINT_PASSWORD or ACCORDS_ENDPOINT_TOKEN / "
            f"accès refusé{said}"
        )
    return EndpointError(f"{shown}: HTTP {code} / erreur du serveur{said}")
