"""`nlp ingest INPUT... --output DIR`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=help_text)
    p.add_argument("inputs", nargs="+", type=Path, help=".txt/.csv/.jsonl files or directories")
    p.add_argument("--output", "-o", type=Path, required=True, help="folder for documents.jsonl + paragraphs.jsonl")
    p.add_argument("--max-chars", type=int, default=500, help="split paragraphs longer than this at a sentence end")
    p.add_argument("--errors", choices=("strict", "replace"), default="strict",
                   help="damaged UTF-8 in a .txt file: strict reports the file, replace keeps it with U+FFFD "
                        "for each bad sequence (and says so in its source encoding and a warning)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.ingest import ingest, write_ingest

    try:
        result = ingest(args.inputs, max_chars=args.max_chars, errors=args.errors)
    except ValueError as exc:  # a paragraph limit that cannot work
        print(f"error: --max-chars: {exc}", file=sys.stderr)
        return 2
    for err in result.errors:
        print(f"error: {err}", file=sys.stderr)
    if not result.documents:
        print("error: no document could be processed", file=sys.stderr)
        return 1
    write_ingest(result, args.output)
    chars = sum(d["n_chars"] for d in result.documents)
    print(
        f"{len(result.documents)} documents, {len(result.paragraphs)} paragraphs, {chars} characters"
        f" -> {args.output}/documents.jsonl, paragraphs.jsonl"
        + (f" ({len(result.errors)} inputs skipped)" if result.errors else "")
    )
    return 0
