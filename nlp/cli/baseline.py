"""`nlp baseline PARAGRAPHS.jsonl -o OUT.jsonl`: the rule tagger over ingested paragraphs, as
offset records or gold-markup pre-annotation (see nlp.annotate.preannotate). Report years
come from `--report-year`, else from `documents.jsonl` (ingest's `year`) beside the paragraphs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nlp.annotate.preannotate import FORMATS


def add_parser(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=__doc__)
    p.add_argument("paragraphs", type=Path, metavar="PARAGRAPHS.jsonl", help="ingest output")
    p.add_argument("--output", "-o", type=Path, required=True, metavar="OUT.jsonl",
                   help="the rule spans and areas, one record per paragraph, in --format")
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="offsets",
                   help="offsets (training format) or gold (inline markup, reviewed false)")
    p.add_argument("--documents", type=Path, metavar="DOCUMENTS.jsonl",
                   help="report years per doc_id (default: documents.jsonl beside the paragraphs)")
    p.add_argument("--report-year", type=int, help="report year for every paragraph (overrides documents)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.annotate.preannotate import baseline_records, label_counts, read_paragraphs, read_report_years
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
