"""Queries against a remote SPARQL endpoint (SPARQL 1.1 Protocol, results as JSON).

The same saved queries, parameters and result formats as the embedded engine. Parameters
travel as a ``VALUES`` block inside the query's top-level group (:mod:`.bind`), their terms
written by the project's own escaping (:mod:`.terms`). HTTP, credentials, retries and error
messages: :mod:`.transport` (exit 6 for a failing server, 2 for a query it refuses).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlencode

from rdflib.term import Node

from .bind import with_values
from .guard import check_query
from .results import Result, from_json
from .transport import RETRIES, EndpointError, InputError, Refused, redact, send

__all__ = ["RETRIES", "EndpointError", "query"]

ACCEPT = "application/sparql-results+json"


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
    check_query(text, source, allow_service=allow_service)
    bindings = dict(bindings or {})
    body = urlencode({"query": with_values(text, bindings)}).encode("utf-8")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT}
    try:
        raw, answer_headers = send("POST", url, body, headers, timeout, retries)
    except Refused as exc:
        raise InputError(f"the endpoint refused the query: {exc}", source) from None
    cut = answer_headers.get("x-sparql-maxrows")
    if cut:  # Virtuoso's row limit: the answer is incomplete, and says so only here
        raise EndpointError(
            f"{redact(url)} cut the answer at its row limit ({cut} rows) / "
            "réponse tronquée par le serveur"
        )
    try:
        doc = json.loads(raw.decode("utf-8"))
        result = from_json(doc)
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
