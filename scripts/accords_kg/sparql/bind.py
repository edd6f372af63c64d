"""Parameters written into a query's text: a ``VALUES`` block, last element of the query's
top-level group (for a remote endpoint), or each term in place of its variable (for the
embedded Oxigraph, whose optimiser then plans with the constant).

The SPARQL protocol carries query text only, so the parameters' terms must be written into
it. They are written by :mod:`.terms` (every special character escaped, one token each) into
a ``VALUES`` block placed where every server reads it the same way: as the last element of
the top-level ``WHERE`` group (a ``VALUES`` after the query is joined after the projection
by Virtuoso, which then fails on a variable it does not project; placed first, Virtuoso's
optimiser loses rows). Where the group ends is found by a SPARQL lexer — strings, IRIs and
comments are skipped whole — so a brace in a literal or a comment cannot mislead it.

In place (:func:`inline`): Oxigraph plans a query before it applies ``substitutions``, so a
parameter bound that way is first evaluated unbound (``provenance`` took 0.1 s on France
where the same query with the IRI written in takes 1 ms). Writing the term where the
variable stands is SEP-0007's substitution; where a variable may not become a term (after
``AS``, in a projection) the text no longer parses and the caller binds it the other way.
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
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
    | (?P<word>[^\s\#"'<>{}()?$]+)
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


def one_term(value: Node) -> str:
    """``value`` written as one SPARQL term, checked (the escaping's promise: one string or
    IRI, nothing that opens a group, a list or a comment)."""
    term = terms.term(value)
    kinds = [kind for kind, _, _ in tokens(term)]
    if kinds[0] not in ("string", "iri", "word") or {"brace", "paren", "comment", "var"} & set(
        kinds
    ):
        raise UsageError(f"a parameter value could not be written as one term: {term!r}")
    return term


def values_block(bindings: Mapping[str, Node]) -> str:
    """``VALUES (?a ?b) { (term term) }`` for the bindings, each term checked to be one."""
    names = sorted(bindings)
    written = [one_term(bindings[name]) for name in names]
    variables = " ".join(f"?{name}" for name in names)
    return f"VALUES ({variables}) {{ ({' '.join(written)}) }}"


def with_values(text: str, bindings: Mapping[str, Node]) -> str:
    """``text`` with the bindings as the last element of its top-level group."""
    if not bindings:
        return text
    end = top_level_group_end(text)
    return f"{text[:end].rstrip()}\n  {values_block(bindings)}\n{text[end:]}"


def inline(text: str, bindings: Mapping[str, Node]) -> str:
    """``text`` with each variable of ``bindings`` (``?name`` or ``$name``) replaced by its
    term. Strings, IRIs and comments are left as they are (the lexer skips them whole)."""
    written = {name: one_term(value) for name, value in bindings.items()}
    out: list[str] = []
    last = 0
    for kind, value, offset in tokens(text):
        if kind == "var" and value[1:] in written:
            out += [text[last:offset], written[value[1:]]]
            last = offset + len(value)
    return "".join(out) + text[last:]
