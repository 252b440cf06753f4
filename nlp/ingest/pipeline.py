"""Ingestion: inputs -> cleaned, segmented documents with exact offsets and stable ids."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nlp.ingest.clean import clean_document
from nlp.ingest.mapped import MappedText, encode_runs
from nlp.ingest.metadata import extract_metadata
from nlp.ingest.readers import SourceUnit, TextInput, read_units
from nlp.ingest.segment import DEFAULT_MAX_CHARS, MIN_MAX_CHARS, segment
from nlp.io import write_jsonl

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    documents: list[dict] = field(default_factory=list)
    paragraphs: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def make_doc_id(clean_text: str) -> str:
    """Content-derived id: the same report gets the same id whatever its file name or order."""
    return "d" + hashlib.sha1(clean_text.encode("utf-8")).hexdigest()[:12]


def para_id(doc_id: str, index: int) -> str:
    return f"{doc_id}-p{index:04d}"


def ingest_unit(unit: SourceUnit, max_chars: int = DEFAULT_MAX_CHARS) -> tuple[dict, list[dict]]:
    """One raw report -> (document record, paragraph records)."""
    doc = clean_document(MappedText.from_raw(unit.raw, unit.raw_start))
    if not doc.text.strip():
        raise ValueError(f"{_where(unit)}: no text left after cleaning")
    paragraphs = segment(doc, max_chars)
    if not paragraphs:
        raise ValueError(f"{_where(unit)}: no paragraph found")
    clean_text = "\n".join(p.text.text for p in paragraphs)
    doc_id = make_doc_id(clean_text)
    meta = extract_metadata(clean_text, **{k: v for k, v in unit.hints.items() if v})
    records = []
    pos = 0
    for i, p in enumerate(paragraphs):
        records.append(
            {
                "doc_id": doc_id,
                "para_id": para_id(doc_id, i),
                "index": i,
                "text": p.text.text,
                "section": p.section,
                "is_heading": p.is_heading,
                "start": pos,
                "end": pos + len(p.text),
                "raw_start": p.text.offsets[0],
                "raw_end": p.text.offsets[-1] + 1,
                "raw_map": encode_runs(p.text.offsets),
            }
        )
        pos += len(p.text) + 1
    document = {
        "doc_id": doc_id,
        **meta,
        "source": unit.source,
        "n_paragraphs": len(records),
        "n_chars": sum(len(r["text"]) for r in records),
    }
    return document, records


def _where(unit: SourceUnit) -> str:
    s = unit.source
    loc = s.get("row") or s.get("line") or s.get("part")
    return f"{s['path']}" + (f":{loc}" if loc else "")


def ingest(paths: Iterable[Path | TextInput], max_chars: int = DEFAULT_MAX_CHARS, errors: str = "strict") -> IngestResult:
    """Read every input; a bad file or document is reported in `errors` and skipped. A paragraph
    limit below MIN_MAX_CHARS is a ValueError before anything is read. `errors="replace"` keeps
    .txt files with damaged UTF-8 (see decode_bytes), each named in a warning."""
    if max_chars < MIN_MAX_CHARS:
        raise ValueError(f"the paragraph limit must be at least {MIN_MAX_CHARS} characters, got {max_chars}")
    result = IngestResult()
    seen: dict[str, str] = {}
    for unit in read_units([p if isinstance(p, TextInput) else Path(p) for p in paths], errors):
        if isinstance(unit, Exception):
            result.errors.append(str(unit))
            log.debug("skipped: %s", unit)
            continue
        try:
            document, records = ingest_unit(unit, max_chars)
        except ValueError as exc:
            result.errors.append(str(exc))
            log.debug("skipped: %s", exc)
            continue
        if document["doc_id"] in seen:
            msg = f"{_where(unit)}: same content as {seen[document['doc_id']]} (doc_id {document['doc_id']}), skipped"
            result.errors.append(msg)
            log.debug(msg)
            continue
        if "replaced by U+FFFD" in str(unit.source.get("encoding", "")):
            log.warning("%s: read as %s", _where(unit), unit.source["encoding"])
        seen[document["doc_id"]] = _where(unit)
        result.documents.append(document)
        result.paragraphs.extend(records)
    return result


def write_ingest(result: IngestResult, output: Path) -> None:
    """documents.jsonl and paragraphs.jsonl of an ingest run in `output`, each written atomically."""
    write_jsonl(Path(output) / "documents.jsonl", result.documents)
    write_jsonl(Path(output) / "paragraphs.jsonl", result.paragraphs)
