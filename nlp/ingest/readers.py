"""Input files -> source units (one raw report each, with where it came from).

`.txt` (any supported encoding; a file holding several reports separated by `-` / title lines
is split), `.csv` with a text column, `.jsonl` with a text field, `.pdf`, `.html`/`.htm`/
`.xhtml` (the page's main text, site chrome left out), `.docx`, or a directory of these; and
in-memory text (`TextInput`: standard input, `--text`), read as a .txt file is. Raw offsets
of a unit are character offsets in the decoded file (`.txt`), in the text field of its
row/line (`.csv`/`.jsonl`) or in the text extracted from the file (`.pdf`, `.html`, `.docx`:
nlp.ingest.formats.extract_text gives it back). A .txt file that is in fact a PDF or a web
page is read by its real format; legacy Word/Excel/RTF/WPS files are named as unsupported."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Sequence, TypeVar

from nlp.ingest.decode import NotTextError, decode_bytes
from nlp.ingest.formats import ExtractError, docx_text, html_text, pdf_text

#: Report texts are long: a whole report in one CSV cell is normal (the default limit is 131,072).
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

TEXT_FIELDS = ("full_text", "text", "content", "body")
SUFFIXES = (".txt", ".csv", ".jsonl", ".pdf", ".html", ".htm", ".xhtml", ".docx")
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


@dataclass(frozen=True)
class TextInput:
    """An input that is no file: standard input or a `--text` string, as bytes read like a
    .txt file's. It travels (pickled) where a path would, so every engine can read it."""

    name: str
    data: bytes

    @classmethod
    def from_text(cls, text: str, name: str = "<text>") -> "TextInput":
        return cls(name, text.encode("utf-8"))

    def __str__(self) -> str:
        return self.name


#: The input path that stands for standard input.
STDIN = "-"


def resolve_inputs(paths: Sequence[Path | str], texts: Sequence[str] = (), stdin: BinaryIO | None = None) -> list[Path | TextInput]:
    """The inputs of a command line: its paths, `-` read from `stdin` (once: its bytes are
    gone after), then the `--text` strings. An InputError when there is no input at all."""
    if sum(str(p) == STDIN for p in paths) > 1:
        raise InputError("`-` (standard input) is given more than once; it can be read only once")
    if not paths and not texts:
        raise InputError("no input: give files or folders, `-` for standard input, or --text")
    inputs: list[Path | TextInput] = []
    for path in paths:
        if str(path) == STDIN:
            inputs.append(TextInput("<stdin>", (stdin or sys.stdin.buffer).read()))
        else:
            inputs.append(Path(path))
    names = ["<text>"] if len(texts) == 1 else [f"<text {i}>" for i in range(1, len(texts) + 1)]
    return inputs + [TextInput.from_text(text, name) for name, text in zip(names, texts)]


def iter_input_files(paths: Sequence[Path | TextInput]) -> Iterator[Path | TextInput | InputError]:
    """Expand directories (sorted, so runs are reproducible); report missing paths; text inputs pass."""
    for path in paths:
        if isinstance(path, TextInput):
            yield path
            continue
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not files:
                yield InputError(f"{path}: directory holds no {'/'.join(SUFFIXES)} file")
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


#: Formats reports are published in that ingestion does not read: named, not ingested as
#: text with their binary syntax.
UNSUPPORTED = {".doc": "Word (.doc)", ".xls": "Excel", ".xlsx": "Excel", ".rtf": "RTF", ".wps": "WPS"}
_SIGNATURES = ((b"PK\x03\x04", "a ZIP archive (Word .docx, Excel)"), (b"\xd0\xcf\x11\xe0", "an OLE document (Word .doc, Excel)"),
               (b"{\\rtf", "RTF"))
_HTML = re.compile(rb"^\s*(?:<!doctype html|<html|<\?xml[^>]*>\s*<html)", re.IGNORECASE)


def unsupported_format(path: Path, head: bytes) -> str | None:
    """The name of a format that ingestion does not read, by suffix or, for a text input, by
    its first bytes (a Word file saved as .txt), else None."""
    if path.suffix.lower() in UNSUPPORTED:
        return UNSUPPORTED[path.suffix.lower()]
    return next((name for signature, name in _SIGNATURES if head.startswith(signature)), None)


#: A reader of a file's bytes: (data, name, errors) -> its units.
BytesReader = Callable[[bytes, str, str], Iterator[SourceUnit]]
T = TypeVar("T")


def sniffed_reader(head: bytes) -> BytesReader | None:
    """The reader of the real format of text input that is in fact a PDF or a web page, else None."""
    if head.startswith(b"%PDF-"):
        return pdf_units
    return html_units if _HTML.match(head.lstrip(b"\xef\xbb\xbf")[:200]) else None


def text_units(data: bytes, name: str, errors: str = "strict") -> Iterator[SourceUnit]:
    """Units of the bytes of a .txt file or a text input: decoded (decode_bytes), split into
    its reports when it bundles several; a PDF or web page is read by its real format."""
    if (fmt := unsupported_format(Path(name), data[:512])) is not None:
        raise InputError(f"{name}: {fmt} is not read by `nlp ingest` (it reads {', '.join(SUFFIXES)}); "
                         "convert it first, e.g. save the document as .docx, PDF or UTF-8 text")
    if (reader := sniffed_reader(data[:512])) is not None:
        yield from reader(data, name, errors)
        return
    text, encoding = decode_bytes(data, name, errors)
    yield from _report_units(text, {"path": name, "encoding": encoding})


def _report_units(text: str, source: dict) -> Iterator[SourceUnit]:
    """A unit per report of `text` (a bundle is split, each part numbered in its source)."""
    spans = split_multi_report(text)
    for i, (start, end) in enumerate(spans):
        yield SourceUnit(text[start:end], {**source, "part": i + 1} if len(spans) > 1 else dict(source), raw_start=start)


def _extracted(name: str, fmt: str, extract: Callable[[], T]) -> T:
    """extract() with an ExtractError turned into the InputError that names the file."""
    try:
        return extract()
    except ImportError as exc:
        raise InputError(f"{name}: reading {fmt} needs the {exc.name} package: pip install pdfplumber python-docx") from None
    except ExtractError as exc:
        raise InputError(f"{name}: {exc}") from None


def pdf_units(data: bytes, name: str, errors: str = "strict") -> Iterator[SourceUnit]:
    """The report(s) of a PDF's text layer; `errors` is unused (a PDF holds no encoded text)."""
    text, pages = _extracted(name, "PDF", lambda: pdf_text(data))
    yield from _report_units(text, {"path": name, "format": "pdf", "pages": pages})


def html_units(data: bytes, name: str, errors: str = "strict") -> Iterator[SourceUnit]:
    """The report(s) of a web page's main text (nlp.ingest.formats.html_text)."""
    text, encoding = html_text(data, name, errors)
    yield from _report_units(text, {"path": name, "format": "html", "encoding": encoding})


def docx_units(data: bytes, name: str, errors: str = "strict") -> Iterator[SourceUnit]:
    """The report(s) of a Word .docx body; `errors` is unused (the XML is UTF-8 by rule)."""
    text = _extracted(name, "Word .docx", lambda: docx_text(data))
    yield from _report_units(text, {"path": name, "format": "docx"})


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


#: Readers of whole files by suffix (any other suffix is read as .txt).
READERS = {".csv": read_csv, ".jsonl": read_jsonl_reports}
#: Readers of a file's bytes by suffix; a text input (`TextInput`) is read by text_units.
BYTES_READERS: dict[str, BytesReader] = {".pdf": pdf_units, ".html": html_units, ".htm": html_units, ".xhtml": html_units, ".docx": docx_units}


def read_units(paths: Sequence[Path | TextInput], errors: str = "strict") -> Iterator[SourceUnit | InputError | NotTextError]:
    """Every source unit of the inputs; unreadable inputs come out as errors, in order.
    `errors` ("strict" or "replace") is how damaged UTF-8 in .txt and web-page files is handled (decode_bytes)."""
    for item in iter_input_files(paths):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            if isinstance(item, TextInput):
                yield from text_units(item.data, item.name, errors)
            elif item.suffix.lower() in READERS:
                yield from READERS[item.suffix.lower()](item)
            else:
                yield from BYTES_READERS.get(item.suffix.lower(), text_units)(item.read_bytes(), str(item), errors)
        except (NotTextError, InputError, OSError) as exc:
            yield exc if isinstance(exc, ValueError) else InputError(f"{item}: {exc}")
