"""Validation of gold and offset records against the annotation spec.

Every check reports instead of raising, so that one run over a file lists every problem an
annotator has to fix, each message naming the file, line and record id. Loaders raise a
single `AnnotationError` carrying that whole list.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nlp.annotate.markup import GOLD_KEYS, OFFSET_KEYS, MarkupError, doc_id_of, gold_to_offsets, parse_markup
from nlp.io import Row, read_jsonl_rows
from nlp.spec import AREA_LABELS, ENTITY_LABELS, MAX_AREAS, MIN_AREAS

#: Record kinds: "gold" carries inline markup, "offsets" carries text + entity offsets.
KINDS = ("gold", "offsets")


class AnnotationError(ValueError):
    """Invalid annotation data; the message lists every problem found, one per line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s):\n" + "\n".join(problems))


def validate_record(
    rec: Any, *, where: str, expected_text: str | None = None, kind: str | None = None
) -> list[str]:
    """Problems of one record, each message prefixed with `where` and the record id.

    `kind` ("gold" or "offsets") is detected from the presence of "markup" when None.
    `expected_text` is the paragraph text the record must annotate, when known."""
    if not isinstance(rec, dict):
        return [f"{where}: a record must be a JSON object, got {type(rec).__name__}"]
    kind = kind or ("gold" if "markup" in rec else "offsets")
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {KINDS}")
    required = GOLD_KEYS if kind == "gold" else OFFSET_KEYS
    problems = [f"missing key {key!r}" for key in required if key not in rec]
    problems += _check_meta(rec)
    if "areas" in rec:
        problems += _check_areas(rec["areas"])
    text, entities = None, None
    if kind == "gold" and "markup" in rec:
        if not isinstance(rec["markup"], str):
            problems.append("markup must be a string")
        else:
            try:
                text, entities = parse_markup(rec["markup"])
            except MarkupError as exc:
                problems.append(f"bad markup: {exc}")
    elif kind == "offsets" and "text" in rec and "entities" in rec:
        if isinstance(rec["text"], str):
            text, entities = rec["text"], rec["entities"]
        else:
            problems.append("text must be a string")
    if text is not None:
        problems += _check_entities(text, entities, annotated=rec.get("entities_annotated", True))
        if not text:
            problems.append("paragraph text is empty")
        if expected_text is not None and text != expected_text:
            problems.append(_text_mismatch(text, expected_text))
    name = f"{where} [id={rec.get('id', '?')}]"
    return [f"{name}: {problem}" for problem in problems]


def _check_meta(rec: dict[str, Any]) -> list[str]:
    """Types of the id and bookkeeping keys, and that the id belongs to the doc_id."""
    problems = []
    rid, doc_id = rec.get("id"), rec.get("doc_id")
    if "id" in rec and (not isinstance(rid, str) or not rid):
        problems.append("id must be a non-empty string")
    if "doc_id" in rec and (not isinstance(doc_id, str) or not doc_id):
        problems.append("doc_id must be a non-empty string")
    elif isinstance(rid, str) and isinstance(doc_id, str):
        try:
            if doc_id_of(rid) != doc_id:
                problems.append(f"id does not belong to doc_id {doc_id!r}")
        except ValueError as exc:
            problems.append(str(exc))
    for key in ("reviewed", "entities_annotated"):
        if key in rec and not isinstance(rec[key], bool):
            problems.append(f"{key} must be true or false, got {rec[key]!r}")
    if "annotator" in rec and not isinstance(rec["annotator"], str):
        problems.append(f"annotator must be a string, got {rec['annotator']!r}")
    return problems


def _check_areas(areas: Any) -> list[str]:
    if not isinstance(areas, list):
        return [f"areas must be a list, got {areas!r}"]
    problems = []
    if not MIN_AREAS <= len(areas) <= MAX_AREAS:
        problems.append(f"{len(areas)} areas; a paragraph takes {MIN_AREAS} to {MAX_AREAS}")
    problems += [f"unknown area {area!r}" for area in areas if area not in AREA_LABELS]
    duplicates = sorted({str(a) for a in areas if areas.count(a) > 1})
    if duplicates:
        problems.append(f"duplicate areas {duplicates}")
    return problems


def _check_entities(text: str, entities: Any, *, annotated: bool) -> list[str]:
    """Labels in the spec; spans well-typed, non-empty, in range, non-overlapping, with any
    `text` they carry equal to the characters they point at."""
    if not isinstance(entities, list):
        return [f"entities must be a list, got {type(entities).__name__}"]
    if not annotated and entities:
        return [f"entities_annotated is false but {len(entities)} entities are marked"]
    problems = []
    spans = []
    for n, ent in enumerate(entities):
        if not isinstance(ent, dict) or not all(k in ent for k in ("start", "end", "label")):
            problems.append(f"entity #{n} must be an object with start, end and label: {ent!r}")
            continue
        start, end, label = ent["start"], ent["end"], ent["label"]
        span = f"entity [{start}, {end}) {label}"
        if label not in ENTITY_LABELS:
            problems.append(f"{span}: unknown label {label!r} (spec: {', '.join(ENTITY_LABELS)})")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            problems.append(f"{span}: start and end must be integers")
            continue
        if not 0 <= start < end <= len(text):
            problems.append(f"{span}: empty or outside the text (length {len(text)})")
            continue
        if "text" in ent and ent["text"] != text[start:end]:
            problems.append(f"{span}: claims {ent['text']!r} but the text there is {text[start:end]!r}")
        spans.append((start, end, label))
    spans.sort(key=lambda span: span[:2])
    for (s1, e1, l1), (s2, e2, l2) in zip(spans, spans[1:]):
        if s2 < e1:
            problems.append(f"entities overlap: [{s1}, {e1}) {l1} {text[s1:e1]!r} and [{s2}, {e2}) {l2} {text[s2:e2]!r}")
    return problems


def _text_mismatch(text: str, expected: str) -> str:
    """Where the annotated text first departs from the paragraph text, with context."""
    i = next((i for i, (a, b) in enumerate(zip(text, expected)) if a != b), min(len(text), len(expected)))
    return (
        f"text differs from the paragraph text at character {i}: "
        f"annotated {text[i:i + 15]!r} vs paragraph {expected[i:i + 15]!r} "
        f"(lengths {len(text)} vs {len(expected)})"
    )


def validate_records(
    rows: Iterable[Row],
    *,
    paragraphs: dict[str, str] | None = None,
    kind: str | None = None,
    seen: dict[str, str] | None = None,
) -> list[str]:
    """Problems of located records, including ids repeated among them or already in `seen`
    (id -> where it was first met; updated), and ids or texts that disagree with `paragraphs`."""
    seen = {} if seen is None else seen
    problems: list[str] = []
    for where, rec in rows:
        rid = rec.get("id") if isinstance(rec, dict) else None
        expected = None
        if isinstance(rid, str):
            if rid in seen:
                problems.append(f"{where} [id={rid}]: duplicate id (first at {seen[rid]})")
            else:
                seen[rid] = where
            if paragraphs is not None:
                expected = paragraphs.get(rid)
                if expected is None:
                    problems.append(f"{where} [id={rid}]: id not found among the paragraphs")
        problems += validate_record(rec, where=where, expected_text=expected, kind=kind)
    return problems


def validate_file(path: Path, paragraphs: dict[str, str] | None = None) -> list[str]:
    """Problems of one gold or offset JSONL file (see `validate_files`)."""
    return validate_files([path], paragraphs)


def validate_files(paths: Iterable[Path], paragraphs: dict[str, str] | None = None) -> list[str]:
    """Problems of several files, treating them as one collection: an id may occur once in all."""
    _, problems = _read_checked(paths, paragraphs=paragraphs)
    return problems


def _read_checked(
    paths: Iterable[Path], *, paragraphs: dict[str, str] | None = None, kind: str | None = None
) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in paths:
        file_rows, bad_lines = read_jsonl_rows(path)
        problems += bad_lines + validate_records(file_rows, paragraphs=paragraphs, kind=kind, seen=seen)
        rows += file_rows
    return rows, problems


def _load(paths: list[Path], kind: str) -> list[Row]:
    rows, problems = _read_checked(paths, kind=kind)
    if problems:
        raise AnnotationError(", ".join(map(str, paths)), problems)
    return rows


def load_gold_rows(paths: Iterable[Path]) -> list[Row]:
    """(file:line, offset record) of valid gold files, for tools that report by line."""
    return [(where, gold_to_offsets(rec)) for where, rec in _load(list(paths), "gold")]


def load_gold_files(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Offset records of gold files that together form one valid collection (no id twice)."""
    return [gold_to_offsets(rec) for _, rec in _load(list(paths), "gold")]


def load_gold(path: Path) -> list[dict[str, Any]]:
    """Offset records of one gold markup file; raises AnnotationError listing every problem."""
    return load_gold_files([path])


def load_offsets(path: Path) -> list[dict[str, Any]]:
    """Records of one offset JSONL file; raises AnnotationError listing every problem."""
    return [rec for _, rec in _load([path], "offsets")]


def load_paragraph_texts(path: Path) -> dict[str, str]:
    """para_id -> text of an ingest `paragraphs.jsonl`, to check gold texts against."""
    rows, problems = read_jsonl_rows(path)
    texts: dict[str, str] = {}
    for where, rec in rows:
        if not isinstance(rec, dict) or not isinstance(rec.get("para_id"), str) or not isinstance(rec.get("text"), str):
            problems.append(f"{where}: a paragraph needs string 'para_id' and 'text'")
        elif rec["para_id"] in texts:
            problems.append(f"{where}: duplicate para_id {rec['para_id']!r}")
        else:
            texts[rec["para_id"]] = rec["text"]
    if problems:
        raise AnnotationError(str(path), problems)
    return texts
