"""`nlp baseline`: run the rule-based annotator over ingested paragraphs and write offset
records (training format) or gold-markup records (the pre-annotation annotators correct).

Report years, which decide TARGET vs ACHIEVED where a paragraph has no cue, come from
`--report-year`, else from `documents.jsonl` (ingest's `year`) beside the paragraphs."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from nlp.spec import ENTITY_LABELS

FORMATS = ("offsets", "gold")
ANNOTATOR_NAME = "rules"


def add_parser(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=__doc__)
    p.add_argument("paragraphs", type=Path, metavar="PARAGRAPHS.jsonl", help="ingest output")
    p.add_argument("--output", "-o", type=Path, required=True, metavar="OUT.jsonl")
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="offsets",
                   help="offsets (training format) or gold (inline markup, reviewed false)")
    p.add_argument("--documents", type=Path, metavar="DOCUMENTS.jsonl",
                   help="report years per doc_id (default: documents.jsonl beside the paragraphs)")
    p.add_argument("--report-year", type=int, help="report year for every paragraph (overrides documents)")
    p.set_defaults(func=run)


def _jsonl_records(path: Path, required: tuple[str, ...], what: str) -> list[tuple[str, dict]]:
    """(file:line, record) of a JSONL file whose records all hold string `required` keys;
    the first bad line raises a ValueError naming it."""
    from nlp.io import read_jsonl_rows

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
    from nlp.annotate.markup import offsets_to_gold
    from nlp.rules.annotator import RuleAnnotator

    if fmt not in FORMATS:
        raise ValueError(f"unknown baseline format {fmt!r}; expected one of {FORMATS}")
    annotator, years = RuleAnnotator(), years or {}
    out = []
    for para in paragraphs:
        doc_id = para.get("doc_id", "")
        year = report_year if report_year is not None else years.get(doc_id)
        entities = annotator.annotate(para["text"], section=para.get("section") or "", report_year=year)
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
    from nlp.annotate.markup import parse_markup

    counts = Counter({label: 0 for label in ENTITY_LABELS})
    for record in records:
        entities = parse_markup(record["markup"])[1] if fmt == "gold" else record["entities"]
        counts.update(e["label"] for e in entities)
    return counts


def run(args: argparse.Namespace) -> int:
    from nlp.io import write_jsonl

    paragraphs = read_paragraphs(args.paragraphs)
    documents = args.documents or args.paragraphs.with_name("documents.jsonl")
    years = read_report_years(documents) if documents.is_file() else {}
    records = baseline_records(paragraphs, fmt=args.fmt, years=years, report_year=args.report_year)
    write_jsonl(args.output, records)
    counts = label_counts(records, args.fmt)
    print(f"{len(records)} paragraphs -> {args.output}")
    for label, n in counts.items():
        print(f"  {label:<9} {n}")
    sys.stdout.flush()
    return 0
