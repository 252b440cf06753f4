"""What `nlp predict` reads: documents with their paragraphs, from raw reports (through
ingestion) or from pre-segmented JSONL (`{"id", "text"}` per line, optional `doc_id`,
`section`, `title`, `region`, `year`), whose ids and texts are kept as they are; and the
failures (unreadable files, bad records, duplicate documents) that are reported, not fatal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.ingest.decode import NotTextError
from nlp.ingest.pipeline import ingest
from nlp.ingest.readers import InputError, TextInput, iter_input_files, iter_jsonl_objects, row_hints

#: Keys of a raw-report JSONL record: such a file goes through ingestion, not as paragraphs.
RAW_TEXT_KEYS = ("content", "full_text")


@dataclass
class Document:
    """One document to predict: metadata and its paragraphs {"id", "text", "section"}."""

    doc_id: str
    source: str
    paragraphs: list[dict]
    title: str | None = None
    region: str | None = None
    year: int | None = None

    def meta(self) -> dict:
        return {"doc_id": self.doc_id, "title": self.title, "region": self.region, "year": self.year}

    def predict_inputs(self) -> list[dict]:
        """Its paragraphs as `predict_paragraphs` takes them: with doc_id, report year and region."""
        return [{**p, "doc_id": self.doc_id, "year": self.year, "region": self.region} for p in self.paragraphs]


@dataclass
class Failure:
    """An input or document skipped, with the reason (a line of errors.jsonl)."""

    source: str
    error: str
    doc_id: str | None = None

    def record(self) -> dict:
        return {"source": self.source, "doc_id": self.doc_id, "error": self.error}


def is_presegmented(path: Path | TextInput) -> bool:
    """A .jsonl whose valid records are mostly paragraphs (`id` and `text`, no raw-report text
    key) rather than reports: decided by the majority of the first 200 valid lines, so that
    one malformed first line does not switch the whole file to raw-report reading."""
    if isinstance(path, TextInput) or path.suffix.lower() != ".jsonl":
        return False
    votes = 0
    try:
        for k, (_line, _where, rec) in enumerate(iter_jsonl_objects(path)):
            if k >= 200:
                break
            if isinstance(rec, dict):
                votes += 1 if "id" in rec and "text" in rec and not any(key in rec for key in RAW_TEXT_KEYS) else -1
    except (OSError, ValueError):
        return False  # ingestion reports the problem
    return votes > 0


def read_presegmented(path: Path) -> Iterator[Document | Failure]:
    """Documents of a pre-segmented JSONL file: records grouped by `doc_id` (default: the
    record's own id), in order of first appearance; ids and texts are kept unchanged."""
    docs: dict[str, Document] = {}
    ids: set[str] = set()
    for _line, where, rec in iter_jsonl_objects(path):
        try:
            if isinstance(rec, InputError):
                raise rec
            para = _presegmented_paragraph(rec, where, ids)
        except InputError as exc:
            yield Failure(where, str(exc))
            continue
        doc_id = str(rec.get("doc_id") or para["id"])
        if doc_id not in docs:
            docs[doc_id] = Document(doc_id, where, [], **row_hints(rec))
        docs[doc_id].paragraphs.append(para)
    yield from docs.values()


def _presegmented_paragraph(rec: Any, where: str, seen_ids: set[str]) -> dict:
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object")
    for key in ("id", "text"):
        if not isinstance(rec.get(key), str) or not rec[key]:
            raise InputError(f"{where}: `{key}` must be a non-empty string, got {rec.get(key)!r}")
    if rec["id"] in seen_ids:
        raise InputError(f"{where}: duplicate paragraph id {rec['id']!r}")
    seen_ids.add(rec["id"])
    return {"id": rec["id"], "text": rec["text"], "section": str(rec.get("section") or "")}


def read_documents(inputs: Iterable[Path | TextInput], max_chars: int, errors: str = "strict") -> Iterator[Document | Failure]:
    """Documents of the inputs in order; unreadable files, documents and duplicates (the same
    doc_id twice) come out as failures, in place. `errors`: damaged UTF-8, see ingest."""
    return unique_documents(
        item for file in input_files(inputs)
        for item in ([file] if isinstance(file, Failure) else read_file(file, max_chars, errors))
    )


def input_files(inputs: Iterable[Path | TextInput]) -> Iterator[Path | TextInput | Failure]:
    """The files of the inputs in order (folders expanded, text inputs kept); a missing input is a failure."""
    for path in inputs:
        for item in iter_input_files([path if isinstance(path, TextInput) else Path(path)]):
            yield Failure(str(path), str(item)) if isinstance(item, InputError) else item


def unique_documents(items: Iterable[Document | Failure]) -> Iterator[Document | Failure]:
    """The items in order, a document whose doc_id came earlier turned into a failure: the
    check across files, after each file was read on its own (maybe on another machine)."""
    seen: dict[str, str] = {}
    for doc in items:
        if isinstance(doc, Document) and doc.doc_id in seen:
            msg = f"{doc.source}: doc_id {doc.doc_id!r} already read from {seen[doc.doc_id]}, skipped"
            doc = Failure(doc.source, msg, doc.doc_id)
        elif isinstance(doc, Document):
            seen[doc.doc_id] = doc.source
        yield doc


def read_file(path: Path | TextInput, max_chars: int, errors: str = "strict") -> Iterator[Document | Failure]:
    """Documents and failures of one input file: pre-segmented JSONL or raw reports."""
    if is_presegmented(path):
        try:
            yield from read_presegmented(path)
        except (NotTextError, OSError) as exc:
            yield Failure(str(path), str(exc))
        return
    result = ingest([path], max_chars, errors)
    yield from (Failure(str(path), err) for err in result.errors)
    by_doc: dict[str, list[dict]] = {}
    for para in result.paragraphs:
        by_doc.setdefault(para["doc_id"], []).append(para)
    for doc in result.documents:
        yield ingested_document(doc, by_doc[doc["doc_id"]])


def ingested_document(doc: dict, paragraphs: Sequence[dict]) -> Document:
    """The Document of an ingested report: its documents.jsonl record and paragraph records."""
    src = doc["source"]
    where = src["path"] + "".join(f":{src[k]}" for k in ("row", "line", "part") if k in src)
    paras = [{"id": p["para_id"], "text": p["text"], "section": p["section"]} for p in paragraphs]
    return Document(doc["doc_id"], where, paras, doc.get("title"), doc.get("region"), doc.get("year"))
