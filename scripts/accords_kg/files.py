"""Reading the files a user names, and writing files so that a failure never leaves a
half-written one behind.

Reading: :func:`read_regular` opens only the regular file the user named — never the target of
a symbolic link, a FIFO, a device or a directory — and reads at most a size limit.

One file: :func:`write_atomic` (temporary file, fsync, rename). Several files at once (an
``accords add``): :func:`commit` writes every temporary file, then a journal naming them (its
rename is the commit point), then renames them; :func:`recover` finishes an interrupted
commit, and :func:`locked` makes writers take turns.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError, OutputError, os_error_message

#: The size limit of one input file (an entry, a query), unless ``ACCORDS_KG_MAX_INPUT_BYTES``
#: says otherwise: an entry describes a few resources (about 10 kB for an accord), and
#: validating 1 MiB of them takes about 10 s, during which ``accords add`` holds its lock.
DEFAULT_MAX_INPUT_BYTES = 1024 * 1024


def max_input_bytes() -> int:
    """The size limit for one input file: ``ACCORDS_KG_MAX_INPUT_BYTES`` or 1 MiB."""
    value = os.environ.get("ACCORDS_KG_MAX_INPUT_BYTES")
    return int(value) if value else DEFAULT_MAX_INPUT_BYTES


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``, of at most ``limit`` bytes (default
    :func:`max_input_bytes`).

    A symbolic link is refused, not followed (its target is a file the user did not name,
    whose content a parse error would print), and so is anything but a regular file: a FIFO
    would block, a device never end. The checks are made on the opened descriptor
    (``O_NOFOLLOW``, ``fstat``), so that the file cannot be swapped between check and read.
    """
    limit = max_input_bytes() if limit is None else limit
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise InputError(_NOT_REGULAR["link"], str(path))
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(os_error_message(exc), str(path)) from None
    mode = os.fstat(fd)
    if not stat.S_ISREG(mode.st_mode) or mode.st_size > limit:
        os.close(fd)
        if stat.S_ISREG(mode.st_mode):
            raise InputError(_too_large(mode.st_size, limit), str(path))
        kind = "directory" if stat.S_ISDIR(mode.st_mode) else "special"
        raise InputError(_NOT_REGULAR[kind], str(path))
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(limit + 1)
    if len(raw) > limit:  # grew while being read
        raise InputError(_too_large(len(raw), limit), str(path))
    return raw


_NOT_REGULAR = {
    "link": "a symbolic link is not read: name the file itself / lien symbolique refusé : "
    "donner le fichier lui-même",
    "directory": "a directory, not a file / un dossier, pas un fichier",
    "special": "not a regular file (FIFO, device or socket) / pas un fichier ordinaire",
}


def _too_large(size: int, limit: int) -> str:
    return (
        f"file too large: {size} bytes, limit {limit} (set ACCORDS_KG_MAX_INPUT_BYTES) / "
        f"fichier trop gros : {size} octets, limite {limit}"
    )


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` through a temporary file and a rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a dump is for everyone
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


JOURNAL = ".accords-add.journal"
LOCK = ".accords-add.lock"


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the add lock of ``folder`` (waits for another add to finish)."""
    try:  # never through a link someone committed in its place
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise InputError(f"{folder / LOCK}: {os_error_message(exc)}") from None
    with os.fdopen(fd, "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def hold(lock: Path) -> int:
    """Take the exclusive lock ``lock`` (created if missing), waiting for it; returns the
    descriptor whose closing releases it. The lock dies with its holder, however it dies,
    which is what tells :func:`sweep` that a build was abandoned."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(FileNotFoundError):
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                return fd
        os.close(fd)  # swept while we waited: lock the file that is there now


def release(lock: Path, fd: int) -> None:
    """Drop ``lock`` (taken with :func:`hold`): the file, then the lock itself."""
    lock.unlink(missing_ok=True)
    os.close(fd)


def sweep(lock: Path, leftover: Path) -> bool:
    """Remove ``leftover`` (a folder being built) and its ``lock`` if the lock's holder is
    gone; one still at work keeps both. Returns whether they were removed."""
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False
    shutil.rmtree(leftover, ignore_errors=True)
    release(lock, fd)
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def recover(folder: Path) -> None:
    """Finish an add that was interrupted after its journal was written; drop stray temps.

    Callers hold the lock, or check :func:`pending` first (the common, lock-free case).
    """
    journal = folder / JOURNAL
    if journal.exists():
        for tmp, target in _journal_pairs(journal):
            if (folder / tmp).is_file() and not (folder / tmp).is_symlink():
                os.replace(folder / tmp, folder / target)
        _fsync_dir(folder)
        journal.unlink()
        _fsync_dir(folder)
    for stray in folder.glob(".*.accords-add-tmp"):
        if stray.is_symlink() or stray.is_file():
            stray.unlink()


def _plain_name(name: object) -> bool:
    """A file name of ``folder`` itself: no path, no link out, no hidden dot-dot."""
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name


def _journal_pairs(journal: Path) -> list[tuple[str, str]]:
    """The (temporary, target) pairs of ``journal``, as :func:`commit` writes them: a
    temporary ``.NAME.PID.accords-add-tmp`` and its target ``NAME``, both plain names of the
    folder. The journal lies in ``data/``, which anyone's contribution can fill: a journal
    that is not one of ours (moving files elsewhere, or over a link) is refused."""
    try:
        pairs = json.loads(read_regular(journal).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        pairs = None
    valid = isinstance(pairs, list) and all(
        isinstance(pair, list)
        and len(pair) == 2
        and all(_plain_name(name) for name in pair)
        and pair[0].startswith(f".{pair[1]}.")
        and pair[0].endswith(".accords-add-tmp")
        and not (journal.parent / pair[1]).is_symlink()
        for pair in pairs
    )
    if not valid:
        raise InputError(
            f"{journal}: not a journal `accords add` wrote (a file move out of the folder, or "
            "over a link): refused; remove it / journal refusé : le supprimer"
        )
    return [(tmp, target) for tmp, target in pairs]


def pending(folder: Path) -> bool:
    return (folder / JOURNAL).exists() or any(folder.glob(".*.accords-add-tmp"))


def recover_if_needed(folder: Path) -> None:
    """Run :func:`recover` under the lock if an interrupted add left something behind."""
    if folder.is_dir() and pending(folder) and os.access(folder, os.W_OK):
        with locked(folder):
            recover(folder)


def commit(folder: Path, texts: dict[str, str]) -> list[Path]:
    """Replace the files named in ``texts`` (relative to ``folder``), all or nothing."""
    pairs = []
    for name, text in sorted(texts.items()):
        tmp = f".{Path(name).name}.{os.getpid()}.accords-add-tmp"
        _write_synced(folder / tmp, text)
        pairs.append((tmp, name))
    _write_synced(folder / (JOURNAL + ".tmp"), json.dumps(pairs))
    os.replace(folder / (JOURNAL + ".tmp"), folder / JOURNAL)  # the commit point
    _fsync_dir(folder)
    recover(folder)
    return [folder / name for _, name in pairs]
