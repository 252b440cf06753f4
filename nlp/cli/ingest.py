"""`nlp ingest [INPUT...] [--text TEXT] --output DIR|-`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nlp.cli._util import STDOUT, add_text_argument, command_inputs, utf8_stdout


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=help_text)
    p.add_argument("inputs", nargs="*", type=Path,
                   help=".txt/.csv/.jsonl/.pdf/.html/.htm/.docx files or directories; - reads standard input (as a .txt file)")
    add_text_argument(p)
    p.add_argument("--output", "-o", type=Path, required=True,
                   help="folder for documents.jsonl + paragraphs.jsonl; - writes the paragraph records to standard output")
    p.add_argument("--max-chars", type=int, default=500, help="split paragraphs longer than this at a sentence end")
    p.add_argument("--errors", choices=("strict", "replace"), default="strict",
                   help="damaged UTF-8 in a .txt file or web page: strict reports the file, replace keeps it with U+FFFD "
                        "for each bad sequence (and says so in its source encoding and a warning)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.ingest import ingest, write_ingest

    inputs = command_inputs(args)
    try:
        result = ingest(inputs, max_chars=args.max_chars, errors=args.errors)
    except ValueError as exc:  # a paragraph limit that cannot work
        print(f"error: --max-chars: {exc}", file=sys.stderr)
        return 2
    for err in result.errors:
        print(f"error: {err}", file=sys.stderr)
    if not result.documents:
        print("error: no document could be processed", file=sys.stderr)
        return 1
    to_stdout = str(args.output) == STDOUT
    if to_stdout:
        from nlp.io import dump_jsonl

        dump_jsonl(result.paragraphs, utf8_stdout())
    else:
        write_ingest(result, args.output)
    chars = sum(d["n_chars"] for d in result.documents)
    print(
        f"{len(result.documents)} documents, {len(result.paragraphs)} paragraphs, {chars} characters"
        + (" -> standard output (paragraphs)" if to_stdout else f" -> {args.output}/documents.jsonl, paragraphs.jsonl")
        + (f" ({len(result.errors)} inputs skipped)" if result.errors else ""),
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0
