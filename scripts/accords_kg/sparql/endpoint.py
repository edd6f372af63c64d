"""Queries against a remote SPARQL endpoint, through SPARQLWrapper (SPARQL 1.1 Protocol).

The same saved queries, parameters and result formats as the embedded engine. The protocol
carries query text only, so parameters travel as a trailing ``VALUES`` block whose terms are
serialised by rdflib (IRIs checked absolute, literals escaped): a value stays one term, the
query's structure does not change. Connection errors and 5xx answers are retried with
exponential back-off; anything still failing becomes an :class:`EndpointError` (exit 6).
Credentials come from the environment only (``ACCORDS_ENDPOINT_USER`` /
``ACCORDS_ENDPOINT_PASSWORD``, or ``ACCORDS_ENDPOINT_TOKEN``) and are never printed.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import time
import urllib.error
from collections.abc import Mapping

from rdflib.term import Node
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
)

from ..errors import AccordsError, InputError
from .guard import check_query
from .results import Result, from_json


class EndpointError(AccordsError):
    """The endpoint could not be reached or kept failing (exit 6)."""

    exit_code = 6


RETRIES = 3
BACKOFF = 0.5  # seconds, doubled at each retry


def auth_headers() -> dict[str, str]:
    """The ``Authorization`` header from the environment (never logged)."""
    token = os.environ.get("ACCORDS_ENDPOINT_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user = os.environ.get("ACCORDS_ENDPOINT_USER")
    if user:
        password = os.environ.get("ACCORDS_ENDPOINT_PASSWORD", "")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}
    return {}


def with_values(text: str, bindings: Mapping[str, Node]) -> str:
    """``text`` with a trailing ``VALUES`` block binding each parameter to its term."""
    if not bindings:
        return text
    names = sorted(bindings)
    variables = " ".join(f"?{n}" for n in names)
    terms = " ".join(bindings[n].n3() for n in names)
    return f"{text.rstrip()}\nVALUES ({variables}) {{ ({terms}) }}\n"


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
    client = SPARQLWrapper(url)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    # Whole-line comments out: SPARQLWrapper guesses the query form from the text, and the
    # saved queries' prose comments can mislead it.
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    sent = with_values(body, bindings)
    # the text sent is the one checked (a line dropped inside a long string could unhide one)
    check_query(sent, source, allow_service=allow_service)
    client.setQuery(sent)
    if timeout is not None:
        client.setTimeout(int(max(1, round(timeout))))
    for name, value in auth_headers().items():
        client.addCustomHttpHeader(name, value)
    delay = BACKOFF
    for attempt in range(retries + 1):
        try:
            response = client.query()
            doc = json.loads(response.response.read().decode("utf-8"))
            break
        except QueryBadFormed as exc:
            raise InputError(
                f"the endpoint refused the query: {_first_line(exc)}", source
            ) from None
        except (Unauthorized, EndPointNotFound) as exc:
            raise EndpointError(f"{url}: {_first_line(exc)}") from None
        except (EndPointInternalError, urllib.error.URLError, ConnectionError, OSError) as exc:
            if isinstance(exc, TimeoutError | socket.timeout) or "timed out" in str(exc):
                raise EndpointError(
                    f"{url} did not answer within {timeout:g} s / pas de réponse dans le délai"
                ) from None
            if attempt == retries:
                raise EndpointError(
                    f"{url} failed after {retries + 1} attempts: {_first_line(exc)} / "
                    "point d'accès SPARQL injoignable ou en erreur"
                ) from None
            time.sleep(delay)
            delay *= 2
        except (SPARQLWrapperException, ValueError) as exc:
            raise EndpointError(f"{url}: {_first_line(exc)}") from None
    names = [n for n in doc.get("head", {}).get("vars", []) if n not in bindings]
    result = from_json(doc)
    if result.boolean is not None:
        return result
    keep = [result.variables.index(n) for n in names]
    return Result(names, [tuple(row[i] for i in keep) for row in result.rows])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
