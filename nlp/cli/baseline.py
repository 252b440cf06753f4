"""`nlp baseline`: run the rule-based annotator over ingested paragraphs and write offset
records (training format) or gold-markup records (the pre-annotation annotators correct).

Report years, which decide TARGET vs ACHIEVED where a paragraph has no cue, come from
`--report-year`, else from `documents.jsonl` (ingest's `year`) beside the paragraphs."""

from __future__ import annotations

import argparse
import json
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


def read_paragraphs(path: Path) -> list[dict]:
    """Paragraph records, each checked for the keys the baseline needs."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{line_no}: not JSON ({exc.msg})") from exc
            for key in ("para_id", "text"):
                if not isinstance(record.get(key), str):
                    raise ValueError(f"{path}:{line_no}: paragraph lacks a string {key!r}")
            records.append(record)
    return records


def read_report_years(path: Path) -> dict[str, int]:
    """doc_id → year from ingest's documents.jsonl (documents without a year are left out)."""
    years = {}
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if line.strip():
                doc = json.loads(line)
                if "doc_id" not in doc:
                    raise ValueError(f"{path}:{line_no}: document lacks 'doc_id'")
                if isinstance(doc.get("year"), int):
                    years[doc["doc_id"]] = doc["year"]
    return years


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
    from nlp.ingest.pipeline import write_jsonl

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
