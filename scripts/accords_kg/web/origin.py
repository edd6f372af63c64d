"""Who may talk to ``accords serve``: the host a request names, and the page a write comes from.

Any web page a user opens can make the browser send requests to a server on 127.0.0.1. Two
ways follow to read or change the graph of ``accords serve --writable`` from there:

- DNS rebinding: a name the attacker holds is made to resolve to 127.0.0.1, and the browser
  then takes the server for the attacker's own origin, reading and writing freely. The
  request still names the attacker's host in ``Host``: every request (reads too) whose
  ``Host`` is not this server's address — the one it listens on, the one the client reached,
  or ``localhost``, ``127.0.0.1``, ``[::1]`` — with its port is refused (421);
- cross-site writes: a form on any page may POST to ``/update`` (a "simple" request, sent
  without asking the server first). A browser sends ``Origin`` with every cross-site POST: a
  write whose ``Origin`` is not this server's is refused (403).

Both are decided on the parsed header (:func:`urllib.parse.urlsplit`), never on its text.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .proxy import Refused

#: The names a client on this machine may use for a server bound to any address.
LOOPBACK = ("localhost", "127.0.0.1", "::1")

#: (host, port) pairs, host in lower case and without IPv6 brackets.
Names = frozenset[tuple[str, int]]


def names(bound: str, reached: str, port: int) -> Names:
    """What this server answers as: the address it is bound to, the address the client
    reached (a server bound to 0.0.0.0 is reached at one of the machine's addresses), the
    loopback names — each with ``port``. An IP literal cannot be rebound: only names can."""
    return frozenset((name.lower(), port) for name in (*LOOPBACK, bound, reached))


def _address(netloc: str) -> tuple[str, int] | None:
    """``host[:port]`` as (host, port; 80 without one), None if it is not just that."""
    try:
        parts = urlsplit("//" + netloc)
        port = parts.port
    except ValueError:  # a port that is no number, a bracket left open
        return None
    extra = parts.username is not None or parts.path or parts.query or parts.fragment
    if parts.hostname is None or extra:
        return None
    return parts.hostname, 80 if port is None else port


def check_host(values: list[str], allowed: Names) -> None:
    """The one ``Host`` header must name this server (421), and be there (400)."""
    if len(values) != 1:
        raise Refused(400, "give one Host header / un seul en-tête Host")
    if _address(values[0].strip()) not in allowed:
        raise Refused(421, "Host is not this server's address / Host n'est pas ce serveur")


def check_origin(values: list[str], allowed: Names) -> None:
    """A write sent from a page of another origin is refused (403). Without ``Origin`` it
    comes from no browser page of another site (a browser always sends one with such a
    write): a program, such as ``accords publish``."""
    if not values:
        return
    try:
        parts = urlsplit(values[0].strip())
    except ValueError:
        parts = None
    own = (
        len(values) == 1
        and parts is not None
        and (parts.scheme, parts.path, parts.query, parts.fragment) == ("http", "", "", "")
        and _address(parts.netloc) in allowed
    )
    if not own:
        raise Refused(403, "a write from another site's page / écriture depuis un autre site")
