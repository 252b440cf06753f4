"""Rule pre-annotation (`nlp baseline`): the rule tagger's spans over ingested paragraphs, as
offset records (the training format) or gold-markup records (`reviewed: false`), the
pre-annotation that annotators correct into gold.

Report years, which decide TARGET vs ACHIEVED where a paragraph has no cue, come from the
caller (`--report-year`, or ingest's `documents.jsonl` beside the paragraphs)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from nlp.annotate.markup import offsets_to_gold, parse_markup
from nlp.io import read_jsonl_rows
from nlp.rules.tagger import RuleTagger
from nlp.spec import ENTITY_LABELS

FORMATS = ("offsets", "gold")
ANNOTATOR_NAME = "rules"


def _jsonl_records(path: Path, required: tuple[str, ...], what: str) -> list[tuple[str, dict]]:
    """(file:line, record) of a JSONL file whose records all hold string `required` keys;
    the first bad line raises a ValueError naming it."""
    rows, bad_lines = read_jsonl_rows(path)
    if bad_lines:
        raise ValueError(bad_lines[0])
    for where, record in rows:
        for key in required:
            if not isinstance(record, dict) or not isinstance(record.get(key), str):
                raise ValueError(f"{where}: {what} lacks a string {key!r}")
    return rows


def read_paragraphs(path: Path) -> list[dict]:
    """Paragraph records, each checked for the keys the baseline needs."""
    return [record for _, record in _jsonl_records(path, ("para_id", "text"), "paragraph")]


def read_report_years(path: Path) -> dict[str, int]:
    """doc_id → year from ingest's documents.jsonl (documents without a year are left out)."""
    return {
        doc["doc_id"]: doc["year"]
        for _, doc in _jsonl_records(path, ("doc_id",), "document")
        if isinstance(doc.get("year"), int)
    }


def baseline_records(
    paragraphs: Iterable[Mapping],
    *,
    fmt: str = "offsets",
    years: Mapping[str, int] | None = None,
    report_year: int | None = None,
) -> list[dict]:
    """Offset or gold records for `paragraphs`, one per paragraph, areas left empty."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown baseline format {fmt!r}; expected one of {FORMATS}")
    paragraphs, years = list(paragraphs), years or {}
    report_years = [report_year if report_year is not None else years.get(p.get("doc_id", "")) for p in paragraphs]
    found = RuleTagger().predict([p["text"] for p in paragraphs], sections=[p.get("section") or "" for p in paragraphs],
                                 years=report_years)
    out = []
    for para, entities in zip(paragraphs, found):
        doc_id = para.get("doc_id", "")
        record = {
            "id": para["para_id"],
            "text": para["text"],
            "entities": [{"start": e["start"], "end": e["end"], "label": e["label"]} for e in entities],
            "areas": [],
            "doc_id": doc_id,
            "reviewed": False,
            "annotator": ANNOTATOR_NAME,
        }
        out.append(offsets_to_gold(record) if fmt == "gold" else record)
    return out


def label_counts(records: Iterable[Mapping], fmt: str = "offsets") -> Counter:
    """Entities per label (every spec label present, zero included)."""
    counts = Counter({label: 0 for label in ENTITY_LABELS})
    for record in records:
        entities = parse_markup(record["markup"])[1] if fmt == "gold" else record["entities"]
        counts.update(e["label"] for e in entities)
    return counts
