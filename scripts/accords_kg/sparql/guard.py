"""What a query may do before an engine runs it: no SERVICE call to another endpoint, and,
for rdflib's engine, no FROM (which would fetch documents)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import AccordsError, InputError, UsageError


class QueryError(InputError):
    """The engine could not evaluate the query (exit 2)."""


class QueryTimeout(AccordsError):
    """A query ran past its ``--timeout`` (exit 5)."""

    exit_code = 5


def _walk(node: object) -> Iterator[object]:
    """Every node of an rdflib SPARQL parse tree."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value)


#: What SERVICE or FROM needs in a query's text: the word itself (not ``?from``, not
#: ``schema:validFrom``), or an escape sequence that SPARQL decodes before parsing.
_MAYBE_REACHING_OUT = re.compile(r"(?<![?$:\w])(service|from)\b|\\[uU]", re.IGNORECASE)


def check_query(
    text: str, source: str = "query", allow_service: bool = False, allow_from: bool = True
) -> None:
    """Refuse what would make the engine reach out: ``SERVICE`` (and ``FROM`` if asked).

    A query whose text cannot hold either keyword needs no parse (rdflib's parser takes a
    tenth of a second to import and as much to run: most of a warm query's time)."""
    if not _MAYBE_REACHING_OUT.search(text):
        return
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except ParseException as exc:
        raise InputError(f"SPARQL syntax error: {exc.msg}", source, exc.lineno) from None
    names = {getattr(node, "name", None) for node in _walk(tree)}
    if "ServiceGraphPattern" in names and not allow_service:
        raise UsageError(
            "the query calls another endpoint (SERVICE): refused; give --allow-service to "
            "allow it / requête fédérée (SERVICE) refusée sans --allow-service"
        )
    if "DatasetClause" in names and not allow_from:
        raise UsageError(
            "FROM / FROM NAMED would make rdflib's engine fetch documents: refused / "
            "FROM refusé avec le moteur rdflib"
        )
