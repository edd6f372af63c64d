"""What a query or an update may do before an engine runs it: no SERVICE call to another
endpoint, no LOAD of a document, and, for rdflib's engine, no FROM (which would fetch
documents).

The decision is made on the parsed query (rdflib's SPARQL parser), never on a pattern over
its text: SPARQL lets a keyword be glued to the token before it (``1SERVICE``,
``SERVICESILENT``), spelled in any case, or written with ``\\u`` escapes, which the grammar
decodes before parsing. A query is parsed unless its text cannot spell the keyword at all:
the fast path only looks for the bare letters, in any case, after decoding the escapes.

Engines disagree on where escapes apply: rdflib decodes them everywhere, as the
specification says, Oxigraph only inside strings and IRIs. ``"\\u0022"`` is a one-character
string for Oxigraph but closes a string for rdflib, so a query could hide a SERVICE from the
one that checks and show it to the one that runs. Escapes exist to write characters beyond
ASCII: an escape of an ASCII character (or an ambiguous eight-digit ``\\u``) is refused,
after which both readings of the text have the same structure. They also disagree on where
a comment ends: at a carriage return for Oxigraph (as the grammar says), only at a line feed
for rdflib, so ``# c⏎SERVICE …`` with a lone CR would hide the call from the check alone; a
carriage return not followed by a line feed is refused too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import AccordsError, InputError, UsageError


class QueryError(InputError):
    """The engine could not evaluate the query (exit 2)."""


class QueryTimeout(AccordsError):
    """A query ran past its ``--timeout`` (exit 5)."""

    exit_code = 5


SERVICE_REFUSED = (
    "the query calls another endpoint (SERVICE): refused; give --allow-service to allow it "
    "/ requête fédérée (SERVICE) refusée sans --allow-service"
)

#: rdflib's own pattern (``rdflib.plugins.sparql.parser``): ``\u`` or ``\U``, and eight hex
#: digits if there are eight, else four.
_ESCAPE = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", re.IGNORECASE)


def _walk(node: object) -> Iterator[object]:
    """Every node of an rdflib SPARQL parse tree."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value)


def decode_escapes(text: str) -> str:
    """``text`` with its ``\\u``/``\\U`` escapes decoded, as SPARQL's grammar reads it; an
    escape, or a lone carriage return, on which engines could disagree is refused
    (:class:`UsageError`)."""

    def one(match: re.Match[str]) -> str:
        digits = match.group(1)
        code = int(digits, 16)
        ambiguous = match.group(0)[1] == "u" and len(digits) == 8  # \uXXXX then 4 digits?
        if ambiguous or code < 0x80 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise UsageError(
                f"the escape {match.group(0)} is refused: escapes are for characters beyond "
                "ASCII, write the character itself / échappement refusé : écrire le caractère"
            )
        return chr(code)

    if re.search("\r(?!\n)", text):
        raise UsageError(
            "a carriage return not followed by a line feed is refused (engines disagree on "
            "where a comment ends) / retour chariot seul refusé"
        )
    return _ESCAPE.sub(one, text)


def mentions(text: str, word: str) -> bool:
    """Whether ``text`` (escapes decoded) holds ``word``'s letters in any case, glued to
    anything: the test that decides whether a parse is needed, so it errs on the side of
    yes (the long s, U+017F, folds to ``s``; pyparsing compares upper-cased text)."""
    return word.upper() in text.upper() or word.casefold() in text.casefold()


def _parsed_names(text: str, source: str, update: bool, why: str) -> set[str | None]:
    """The names of every node of the query's (or update's) parse tree."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseUpdate(text) if update else parseQuery(text)
        return {getattr(node, "name", None) for node in _walk(tree)}
    except RecursionError:  # deep nesting, or rdflib's parser on a SERVICE inside a SERVICE
        raise InputError(
            f"the query mentions {why} and is too deeply nested to be checked: refused / "
            f"requête trop imbriquée pour être vérifiée",
            source,
        ) from None
    except (ParseException, ValueError) as exc:
        message = getattr(exc, "msg", str(exc))
        raise InputError(
            f"SPARQL syntax error: {message} (the text mentions {why}, so it must parse to be "
            f"checked / le texte mentionne {why} : il doit être analysable)",
            source,
            getattr(exc, "lineno", None),
        ) from None


def check_query(
    text: str, source: str = "query", allow_service: bool = False, allow_from: bool = True
) -> None:
    """Refuse what would make the engine reach out: ``SERVICE`` (and ``FROM`` if asked).

    A query whose text cannot spell either keyword needs no parse (rdflib's parser takes a
    tenth of a second to import and as much to run: most of a warm query's time)."""
    decoded = decode_escapes(text)
    words = [w for w, allowed in (("SERVICE", allow_service), ("FROM", allow_from)) if not allowed]
    found = [w for w in words if mentions(decoded, w)]
    if not found:
        return
    names = _parsed_names(text, source, update=False, why=" / ".join(found))
    if "ServiceGraphPattern" in names and not allow_service:
        raise UsageError(SERVICE_REFUSED)
    if "DatasetClause" in names and not allow_from:
        raise UsageError(
            "FROM / FROM NAMED would make rdflib's engine fetch documents: refused / "
            "FROM refusé avec le moteur rdflib"
        )


def check_update(text: str, source: str = "update") -> None:
    """Refuse an update that would make the server reach out: ``SERVICE`` in a ``WHERE``
    clause, or ``LOAD`` of a document from any URL."""
    decoded = decode_escapes(text)
    found = [w for w in ("SERVICE", "LOAD") if mentions(decoded, w)]
    if not found:
        return
    names = _parsed_names(text, source, update=True, why=" / ".join(found))
    if "ServiceGraphPattern" in names:
        raise UsageError(
            "the update calls another endpoint (SERVICE): refused / "
            "mise à jour fédérée (SERVICE) refusée"
        )
    if "Load" in names:
        raise UsageError(
            "LOAD would make the server fetch a document from a URL: refused / "
            "LOAD (téléchargement d'un document) refusé"
        )
