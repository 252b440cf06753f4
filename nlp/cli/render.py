"""`nlp render PREDICT_DIR [--output DIR]`: the HTML view of a predict run (see nlp.render)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nlp.cli._util import error_message


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(
        name, help=help_text,
        description=f"{help_text}. Reads PREDICT_DIR/paragraphs.jsonl (and documents.csv, targets.csv) and "
                    "writes one self-contained page per report (entities highlighted, policy areas, targets "
                    "table, filters; no external resources, opens from file://) and index.html.")
    p.add_argument("predict_dir", type=Path, metavar="PREDICT_DIR", help="an output folder of `nlp predict`")
    p.add_argument("--output", "-o", type=Path, help="where the pages go (default: PREDICT_DIR/html)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.render import render_dir

    try:
        pages = render_dir(args.predict_dir, args.output)
    except (OSError, ValueError) as exc:  # missing folder, a folder of another kind, a bad line
        print(f"error: {error_message(exc)}", file=sys.stderr)
        return 2
    print(json.dumps({"index": str(pages[0]), "reports": len(pages) - 1}, ensure_ascii=False, indent=2))
    return 0
