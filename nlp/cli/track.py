"""`nlp track PREDICT_DIR [--output DIR]`: targets against later results (see nlp.tracking)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(
        name, help=help_text,
        description=f"{help_text}. Reads PREDICT_DIR/targets.csv, writes tracking.csv and a PNG per "
                    "indicator and region under tracking/.")
    p.add_argument("predict_dir", type=Path, metavar="PREDICT_DIR", help="an output folder of `nlp predict`")
    p.add_argument("--output", "-o", type=Path, help="where tracking.csv goes (default: PREDICT_DIR)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.tracking import track

    try:
        summary = track(args.predict_dir, args.output)
    except (OSError, ValueError, KeyError) as exc:  # missing folder or a targets.csv of another shape
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0
