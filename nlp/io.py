"""JSON Lines, atomic file writing and the package's word-list resources: the one home for
reading and writing the project's files, so that every command reports a bad line the same
way and no command leaves a half-written output behind."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

Row = tuple[str, Any]  # (where, record): where is "file:line" or another locator


@contextlib.contextmanager
def atomic_writer(path: Path, newline: str | None = None) -> Iterator[TextIO]:
    """A text file opened for writing that replaces `path` only when closed without error, its
    data synced to disk first: a crash or power loss never leaves a half-written or empty file
    behind, nor a temporary one."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file to write", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())  # the data is on disk before the name points at it
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file normal permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_jsonl(path: Path, records: Iterable[Any]) -> int:
    """Writes one JSON value per line (Chinese kept readable), atomically; returns the count."""
    with atomic_writer(Path(path)) as fh:
        return dump_jsonl(records, fh)


def dump_jsonl(records: Iterable[Any], fh: TextIO) -> int:
    """Writes one JSON value per line to an open text stream (a file, standard output): the
    one line format of the project's JSONL files; returns the count."""
    n = 0
    for rec in records:
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def read_jsonl_rows(path: Path) -> tuple[list[Row], list[str]]:
    """Records of a UTF-8 JSONL file as (file:line, record), and the lines that are not JSON,
    each named by file and line, so that a validator can report them all and keep the rest.
    Blank lines hold no record and are passed over; a file that is not UTF-8 is a ValueError
    naming the file."""
    rows: list[Row] = []
    errors: list[str] = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            rows.append((where, json.loads(line)))
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: invalid JSON: {exc}")
    return rows, errors


def read_jsonl(path: Path) -> list[Any]:
    """Every record of a JSONL file; the first line that is not JSON is a ValueError naming it."""
    rows, errors = read_jsonl_rows(path)
    if errors:
        raise ValueError(errors[0])
    return [record for _, record in rows]


@cache
def resource_lines(name: str) -> tuple[str, ...]:
    """Non-empty lines of `nlp/resources/<name>`, `#` comments removed.

    Word lists (rules, units, indicators) live in resource files so that annotators can extend
    them without touching code."""
    path = resources.files("nlp") / "resources" / name
    if not path.is_file():
        raise FileNotFoundError(f"package resource missing: nlp/resources/{name}")
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return tuple(lines)
