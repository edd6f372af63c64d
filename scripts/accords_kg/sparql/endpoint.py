"""Queries and updates on a remote SPARQL endpoint, through SPARQLWrapper (SPARQL 1.1
Protocol, results as JSON).

The same saved queries, parameters and result formats as the embedded engine. Parameters
travel as a ``VALUES`` block inside the query's top-level group (:mod:`.bind`), their terms
written by the project's own escaping (:mod:`.terms`). Both are sent as a form-encoded
``POST`` (every server reads it; Virtuoso never answers a query sent as
``application/sparql-query``), the results asked by content negotiation only. Credentials,
retries and messages: :mod:`.transport` (exit 6 for a failing server, 2 for a query it
refuses).
"""

from __future__ import annotations

import ast
import io
import json
import math
import urllib.error
import urllib.request
from collections.abc import Mapping

from rdflib.term import Node
from SPARQLWrapper import BASIC, DIGEST, JSON, POST, SELECT, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

from .bind import with_values
from .guard import check_query
from .results import Result, from_json
from .transport import (
    RETRIES,
    Credentials,
    EndpointError,
    InputError,
    Refused,
    credentials,
    redact,
    retrying,
)
from .transport import challenge as parse_challenge

__all__ = ["RETRIES", "EndpointError", "query", "update"]


def _client(target: Credentials, text: str, timeout: float | None) -> SPARQLWrapper:
    client = SPARQLWrapper(target.url)
    client.setMethod(POST)
    client.setOnlyConneg(True)  # the format by the Accept header, no format= parameters
    client.setReturnFormat(JSON)
    client.setQuery(text)
    if timeout is not None:
        client.setTimeout(max(1, math.ceil(timeout)))  # whole seconds, never shorter
    if target.token:
        client.addCustomHttpHeader("Authorization", f"Bearer {target.token}")
    return client


def _unwrapped(exc: SPARQLWrapperException) -> urllib.error.HTTPError:
    """urllib's HTTP error, which SPARQLWrapper turns into its own exception while handling
    it (so it is the ``__context__``: status and headers), keeping the server's body only as
    the ``repr`` that ends its message."""
    error = exc.__context__
    if not isinstance(error, urllib.error.HTTPError):
        raise EndpointError(f"{exc}") from None
    _, found, body = str(exc).partition("\n\nResponse:\n")
    raw = ast.literal_eval(body) if found else b""
    return urllib.error.HTTPError(error.url, error.code, error.msg, error.headers, io.BytesIO(raw))


def _answer_challenge(client: SPARQLWrapper, challenge: str, target: Credentials) -> None:
    """Credentials sent in the scheme the server's ``WWW-Authenticate`` asks for."""
    scheme, fields = parse_challenge(challenge)
    if scheme == "digest":
        client.setHTTPAuth(DIGEST)
        client.setCredentials(target.user, target.password, fields.get("realm", ""))
    else:
        client.setHTTPAuth(BASIC)
        client.setCredentials(target.user, target.password)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects refused (urllib then raises the 3xx as an error): urllib would copy the
    request's ``Authorization`` header (a token, Basic credentials) to wherever the server
    points, another host or plain http included."""

    def redirect_request(self, *args: object) -> None:
        return None


def _send(client: SPARQLWrapper, target: Credentials) -> tuple[bytes, Mapping[str, str]]:
    """One request (two when the server first asks for the credentials): the answer's body
    and headers, or urllib's exceptions for :func:`.transport.retrying`.

    SPARQLWrapper opens with urllib's installed opener: one that refuses redirects is
    installed for the request (SPARQLWrapper's own Digest opener replaces it, whose password
    manager answers only the endpoint's URL), and removed after."""
    urllib.request.install_opener(urllib.request.build_opener(_NoRedirect()))
    try:
        try:
            answer = client.query()
        except Unauthorized as exc:
            challenge = exc.__context__
            if not target.user or client.user or not isinstance(challenge, urllib.error.HTTPError):
                raise
            _answer_challenge(client, challenge.headers.get("WWW-Authenticate", ""), target)
            answer = client.query()
        return answer.response.read(), answer.info()
    except SPARQLWrapperException as exc:
        raise _unwrapped(exc) from None
    finally:
        urllib.request.install_opener(None)  # ours, or SPARQLWrapper's Digest one


def query(
    url: str,
    text: str,
    bindings: Mapping[str, Node] | None = None,
    timeout: float | None = None,
    allow_service: bool = False,
    retries: int = RETRIES,
    source: str = "query",
) -> Result:
    """Run a SELECT or ASK query on the endpoint at ``url``."""
    bindings = dict(bindings or {})
    target = credentials(url)
    # The query is checked as written; the parameters cannot add to it: each is one term of
    # the project's own escaping (:mod:`.terms`), inside a VALUES block placed by the parse
    # (:mod:`.bind`). Their escapes (a value holding ``\\u0022`` as text) are not the
    # query's, which the guard would refuse.
    check_query(text, source, allow_service=allow_service)
    client = _client(target, with_values(text, bindings), timeout)
    # A query is sent as one: SPARQLWrapper guesses the form from the text with a regular
    # expression, which a comment or a name can mislead into an update, sent elsewhere.
    client.queryType = SELECT  # ASK's Accept header is the same
    try:
        raw, headers = retrying(
            f"POST {redact(url)}", lambda: _send(client, target), timeout, retries
        )
    except Refused as exc:
        raise InputError(f"the endpoint refused the query: {exc}", source) from None
    cut = headers.get("x-sparql-maxrows")
    if cut:  # Virtuoso's row limit: the answer is incomplete, and says so only here
        raise EndpointError(
            f"{redact(url)} cut the answer at its row limit ({cut} rows) / "
            "réponse tronquée par le serveur"
        )
    try:
        result = from_json(json.loads(raw.decode("utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise EndpointError(
            f"{redact(url)} did not answer with SPARQL JSON results ({exc}) / réponse illisible"
        ) from None
    if result.boolean is not None:
        return result
    keep = [i for i, name in enumerate(result.variables) if name not in bindings]
    return Result(
        [result.variables[i] for i in keep], [tuple(row[i] for i in keep) for row in result.rows]
    )


def update(url: str, text: str, timeout: float | None = 300, retries: int = RETRIES) -> None:
    """Run a SPARQL Update made only of idempotent operations (``COPY``, ``DROP SILENT``,
    ``CLEAR SILENT``): it is sent again after a lost answer."""
    target = credentials(url)
    client = _client(target, text, timeout)
    if not client.isSparqlUpdateRequest():
        raise ValueError(f"not a SPARQL Update: {text[:40]!r}")
    retrying(f"POST {redact(url)}", lambda: _send(client, target), timeout, retries)
