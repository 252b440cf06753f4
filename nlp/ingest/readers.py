"""Input files -> source units (one raw report each, with where it came from).

`.txt` (any supported encoding; a file holding several reports separated by `-` / title lines
is split), `.csv` with a text column, `.jsonl` with a text field, or a directory of these.
Raw offsets of a unit are character offsets in the decoded file (`.txt`) or in the text
field of its row/line (`.csv`/`.jsonl`)."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from nlp.ingest.decode import NotTextError, decode_bytes

#: Report texts are long: a whole report in one CSV cell is normal (the default limit is 131,072).
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

TEXT_FIELDS = ("full_text", "text", "content", "body")
SUFFIXES = (".txt", ".csv", ".jsonl")
# `-` line, then a title line naming a work report: the start of one report in a bundle.
MULTI_SEPARATOR = re.compile(r"(?m)^-[ \t]*\n(?=[^\n]*工作报告)")


class InputError(ValueError):
    """An input that cannot be read at all (missing path, unsupported type, bad row)."""


@dataclass
class SourceUnit:
    raw: str
    source: dict
    raw_start: int = 0
    hints: dict = field(default_factory=dict)


def iter_input_files(paths: list[Path]) -> Iterator[Path | InputError]:
    """Expand directories (sorted, so runs are reproducible); report missing paths."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not files:
                yield InputError(f"{path}: directory holds no .txt/.csv/.jsonl file")
            yield from files
        elif path.is_file():
            yield path
        else:
            yield InputError(f"{path}: no such file or directory")


def split_multi_report(text: str) -> list[tuple[int, int]]:
    """Spans of the reports in a bundle file; the whole text when it holds one report."""
    starts = [m.end() for m in MULTI_SEPARATOR.finditer(text)]
    if len(starts) < 2:
        return [(0, len(text))]
    ends = [m.start() for m in MULTI_SEPARATOR.finditer(text)][1:] + [len(text)]
    return list(zip(starts, ends))


def _int_or_none(value) -> int | None:
    try:
        return int(str(value).strip()[:4])
    except (TypeError, ValueError):
        return None


def row_hints(row: dict) -> dict:
    return {
        "title": (row.get("title") or None),
        "year": _int_or_none(row.get("year")),
        "region": (row.get("province") or row.get("region") or None),
    }


def _text_field(row: dict, where: str) -> str:
    for key in TEXT_FIELDS:
        if isinstance(row.get(key), str):
            return key
    raise InputError(f"{where}: no text field (expected one of {', '.join(TEXT_FIELDS)}; keys: {sorted(row)})")


#: Formats reports are published in that ingestion does not read (yet): named, not ingested
#: as text with their markup or PDF syntax.
UNSUPPORTED = {".html": "HTML", ".htm": "HTML", ".xhtml": "HTML", ".pdf": "PDF", ".doc": "Word", ".docx": "Word",
               ".xls": "Excel", ".xlsx": "Excel", ".rtf": "RTF", ".wps": "WPS"}
_SIGNATURES = ((b"%PDF-", "PDF"), (b"PK\x03\x04", "a ZIP archive (Word, Excel)"), (b"\xd0\xcf\x11\xe0", "an OLE document (Word, Excel)"),
               (b"{\\rtf", "RTF"))
_HTML = re.compile(rb"^\s*(?:<!doctype html|<html|<\?xml[^>]*>\s*<html)", re.IGNORECASE)


def unsupported_format(path: Path, head: bytes) -> str | None:
    """The name of a format that ingestion does not read, by suffix or by the file's first
    bytes (a PDF or web page saved as .txt), else None."""
    if path.suffix.lower() in UNSUPPORTED:
        return UNSUPPORTED[path.suffix.lower()]
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    return "HTML" if _HTML.match(head.lstrip(b"\xef\xbb\xbf")[:200]) else None


def read_txt(path: Path, errors: str = "strict") -> Iterator[SourceUnit]:
    data = path.read_bytes()
    if (fmt := unsupported_format(path, data[:512])) is not None:
        raise InputError(f"{path}: {fmt} is not read by `nlp ingest` (it reads .txt, .csv and .jsonl); "
                         "convert it to text first, e.g. save the page or document as UTF-8 text")
    text, encoding = decode_bytes(data, str(path), errors)
    spans = split_multi_report(text)
    for i, (start, end) in enumerate(spans):
        source = {"path": str(path), "encoding": encoding}
        if len(spans) > 1:
            source["part"] = i + 1
        yield SourceUnit(text[start:end], source, raw_start=start)


def read_csv(path: Path) -> Iterator[SourceUnit | InputError]:
    """One source unit per CSV row with a report text column. Quoting is parsed strictly: a row
    whose quotes do not close is reported with its line, never merged into the next one; the
    rows before it are kept."""
    text, encoding = decode_bytes(path.read_bytes(), str(path))
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    rows = iter(reader)
    row_no = 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield InputError(f"{path}: line {reader.line_num}: malformed CSV ({exc}); the rest of the file is not read")
            return
        row_no += 1
        where = f"{path}:row {row_no}"
        try:
            key = _text_field(row, where)
        except InputError as exc:
            yield exc
            continue
        yield SourceUnit(row[key], {"path": str(path), "row": row_no, "field": key, "encoding": encoding}, hints=row_hints(row))


def iter_jsonl_objects(path: Path) -> Iterator[tuple[int, str, dict | InputError]]:
    """(line number, `file:line`, object) for every non-blank line of a JSONL file. Lines are
    decoded one by one (JSON Lines is UTF-8), so a line with bad bytes, invalid JSON, a value
    that is not an object or a lone surrogate escape (`"\\ud800"`) comes back as an InputError
    naming its line and byte offset, and the other lines go on. A file that is not UTF-8 at
    all (GB18030, UTF-16) is decoded whole, as other text files are."""
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    lines = data.split(b"\n")
    bad = sum(1 for line in lines if not _utf8(line))
    if bad and bad > len([x for x in lines if x.strip()]) // 2:  # not a UTF-8 file: decode it whole
        text, _ = decode_bytes(path.read_bytes(), str(path))
        lines = [line.encode("utf-8") for line in text.split("\n")]
    offset = 0
    for line_no, raw in enumerate(lines, start=1):
        start, offset = offset, offset + len(raw) + 1
        if not raw.strip():
            continue
        where = f"{path}:{line_no}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield line_no, where, InputError(f"{where}: not UTF-8 at byte {start + exc.start} ({exc.reason}); line skipped")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield line_no, where, InputError(f"{where}: invalid JSON: {exc}")
            continue
        if not isinstance(row, dict):
            yield line_no, where, InputError(f"{where}: expected a JSON object")
        elif _has_surrogate(row):
            yield line_no, where, InputError(f"{where}: a string holds a lone surrogate escape (\\ud800-\\udfff), not text")
        else:
            yield line_no, where, row


def _utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _has_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def read_jsonl_reports(path: Path) -> Iterator[SourceUnit | InputError]:
    """One source unit per JSONL record with a report text field; bad lines come out as errors."""
    encoding = "utf-8"
    for line, where, row in iter_jsonl_objects(path):
        try:
            if isinstance(row, InputError):
                raise row
            key = _text_field(row, where)
        except InputError as exc:
            yield exc
            continue
        yield SourceUnit(row[key], {"path": str(path), "line": line, "field": key, "encoding": encoding}, hints=row_hints(row))


READERS = {".txt": read_txt, ".csv": read_csv, ".jsonl": read_jsonl_reports}


def read_units(paths: list[Path], errors: str = "strict") -> Iterator[SourceUnit | InputError | NotTextError]:
    """Every source unit of the inputs; unreadable inputs come out as errors, in order.
    `errors` ("strict" or "replace") is how damaged UTF-8 in .txt files is handled (decode_bytes)."""
    for item in iter_input_files(paths):
        if isinstance(item, InputError):
            yield item
            continue
        reader = READERS.get(item.suffix.lower(), read_txt)
        try:
            yield from (reader(item, errors) if reader is read_txt else reader(item))
        except (NotTextError, InputError, OSError) as exc:
            yield exc if isinstance(exc, ValueError) else InputError(f"{item}: {exc}")
