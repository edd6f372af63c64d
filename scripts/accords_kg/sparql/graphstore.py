"""Upload a graph with the SPARQL 1.1 Graph Store HTTP Protocol (``PUT``), through urllib.

The one request not sent by SPARQLWrapper, which speaks the query and update protocol only:
a Graph Store ``PUT`` of N-Triples, megabytes for a France-wide layer. Its body also needs
what SPARQLWrapper's Digest support does not do: a server that challenges a request
(Virtuoso's Digest) answers 401 and closes the connection while a large body is still being
sent, so the challenge is fetched first and answered in the upload's own headers.
Credentials, retries and errors: :mod:`.transport`, as for every request.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit
from urllib.request import AbstractDigestAuthHandler, OpenerDirector, Request

from .transport import RETRIES, credentials, redact, retrying
from .transport import challenge as parse_challenge

PREEMPT_BYTES = 64 * 1024  # a larger body is authorised before it is sent


def _opener(url: str, user: str | None, password: str) -> OpenerDirector:
    """An opener that answers a Basic or Digest challenge with the credentials, if any."""
    if not user:
        return urllib.request.build_opener()
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, url, user, password)
    return urllib.request.build_opener(
        urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)
    )


def _answer_challenge_first(opener: OpenerDirector, request: Request, timeout: float) -> None:
    """Authorise a large upload before sending it: the challenge is fetched by a ``GET``
    without a body (or the query string, which names a graph) and answered in the upload's
    own headers."""
    digest = next((h for h in opener.handlers if isinstance(h, AbstractDigestAuthHandler)), None)
    if digest is None:
        return
    parts = urlsplit(request.full_url)
    probe = Request(urlunsplit(parts._replace(query="")), method="GET")
    try:
        with urllib.request.urlopen(probe, timeout=timeout):
            return  # no challenge: nothing to answer
    except urllib.error.HTTPError as exc:
        challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
    except OSError:
        return  # the upload itself will say what is wrong
    scheme, fields = parse_challenge(challenge)
    if scheme != "digest":
        return
    authorization = digest.get_authorization(request, fields)
    if authorization:
        request.add_unredirected_header("Authorization", f"Digest {authorization}")


def put(url: str, data: bytes, content_type: str, timeout: float = 300) -> None:
    """Replace the graph at ``url`` (the Graph Store's URL and its ``?graph=``) by ``data``."""
    target = credentials(url)
    opener = _opener(target.url, target.user, target.password)

    def attempt() -> None:
        request = Request(target.url, data=data, method="PUT")
        request.add_header("Content-Type", content_type)
        if target.token:
            request.add_unredirected_header("Authorization", f"Bearer {target.token}")
        elif len(data) > PREEMPT_BYTES:
            _answer_challenge_first(opener, request, timeout)
        with opener.open(request, timeout=timeout) as response:
            response.read()

    retrying(f"PUT {redact(url)}", attempt, timeout, RETRIES)
