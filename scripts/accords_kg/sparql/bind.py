"""Parameters carried to a remote endpoint: a ``VALUES`` block, last element of the query's
top-level group.

The SPARQL protocol carries query text only, so the parameters' terms must be written into
it. They are written by :mod:`.terms` (every special character escaped, one token each) into
a ``VALUES`` block placed where every server reads it the same way: as the last element of
the top-level ``WHERE`` group (a ``VALUES`` after the query is joined after the projection
by Virtuoso, which then fails on a variable it does not project; placed first, Virtuoso's
optimiser loses rows). Where the group ends is found by a SPARQL lexer — strings, IRIs and
comments are skipped whole — so a brace in a literal or a comment cannot mislead it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from rdflib.term import Node

from ..errors import UsageError
from . import terms

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>
        \"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"
      | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
      | "(?:[^"\\\n\r]|\\.)*"
      | '(?:[^'\\\n\r]|\\.)*'
      )
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<brace>[{}])
    | (?P<paren>[()])
    | (?P<word>[^\s\#"'<>{}()]+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """``(kind, text, offset)`` of each token of a SPARQL query (spaces left out)."""
    for match in _TOKEN.finditer(text):
        if match.lastgroup != "space":
            yield match.lastgroup or "other", match.group(), match.start()


def top_level_group_end(text: str) -> int:
    """The offset of the ``}`` closing a SELECT or ASK query's top-level group."""
    depth = parens = 0
    form = None
    for kind, value, offset in tokens(text):
        if kind == "word" and depth == 0 and form is None:
            upper = value.upper()
            if upper in ("CONSTRUCT", "DESCRIBE"):
                raise UsageError(
                    "only SELECT and ASK queries can be run here, not CONSTRUCT or DESCRIBE; "
                    "use `accords dump` for graphs"
                )
            if upper in ("SELECT", "ASK"):
                form = upper
        elif kind == "paren":
            parens += 1 if value == "(" else -1
        elif kind == "brace" and (form is not None) and (depth or not parens):
            depth += 1 if value == "{" else -1
            if depth == 0:
                return offset
    raise UsageError("no SELECT or ASK query with a WHERE group / pas de requête SELECT ou ASK")


def values_block(bindings: Mapping[str, Node]) -> str:
    """``VALUES (?a ?b) { (term term) }`` for the bindings, each term checked to be one."""
    names = sorted(bindings)
    written = [terms.term(bindings[name]) for name in names]
    for term in written:  # the escaping's promise, checked: one string or IRI, nothing else
        kinds = [kind for kind, _, _ in tokens(term)]
        if kinds[0] not in ("string", "iri", "word") or {"brace", "paren", "comment"} & set(kinds):
            raise UsageError(f"a parameter value could not be written as one term: {term!r}")
    variables = " ".join(f"?{name}" for name in names)
    return f"VALUES ({variables}) {{ ({' '.join(written)}) }}"


def with_values(text: str, bindings: Mapping[str, Node]) -> str:
    """``text`` with the bindings as the last element of its top-level group."""
    if not bindings:
        return text
    end = top_level_group_end(text)
    return f"{text[:end].rstrip()}\n  {values_block(bindings)}\n{text[end:]}"
