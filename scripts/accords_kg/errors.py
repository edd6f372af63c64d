"""Errors the library raises on bad input, each with the exit code the command uses.

One exception type per kind of failure, so that the command maps each to its own code
and prints a message instead of a traceback.
"""

from __future__ import annotations


class AccordsError(Exception):
    """Base class: a failure the user can act on. ``exit_code`` is the command's status."""

    exit_code = 2


class UsageError(AccordsError):
    """Unknown query, missing or unknown parameter, bad option value (exit 2)."""

    exit_code = 2


class InputError(AccordsError):
    """An input file that cannot be used: unreadable, or not valid RDF (exit 2).

    ``path`` and ``line`` locate the problem where the parser tells.
    """

    exit_code = 2

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.line = line


class OutputError(AccordsError):
    """A result could not be written (exit 3); nothing half-written is left behind."""

    exit_code = 3


class ToolMissing(AccordsError):
    """A program or optional package the command needs is not installed (exit 7): pyLODE."""

    exit_code = 7


_OS_ERRORS = {
    "ENOENT": "no such file / fichier introuvable",
    "EACCES": "permission denied / permission refusée",
    "EISDIR": "is a folder, not a file / est un dossier, pas un fichier",
    "ENOTDIR": "a part of the path is not a folder / une partie du chemin n'est pas un dossier",
}


def os_error_message(exc: OSError) -> str:
    """A failed read said in English and French (not Python's ``[Errno 2] …``)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_ERRORS.get(name) or f"{exc.strerror or exc} / lecture impossible"
