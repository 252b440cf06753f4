"""`nlp annotate`: validate gold files, check their span boundaries, convert between annotation
formats, score inter-annotator agreement, report gold statistics and print the Label Studio
config."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nlp.annotate.agreement import format_agreement, score_agreement
from nlp.annotate.check import check_files
from nlp.annotate.convert import FORMATS, convert_file, label_studio_config, read_records
from nlp.annotate.splits import iter_gold_files, load_splits
from nlp.annotate.stats import format_stats, gold_stats
from nlp.annotate.validate import load_paragraph_texts, validate_files
from nlp.cli._util import error_message


def add_parser(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=__doc__)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    v = actions.add_parser("validate", help="check gold or offset JSONL files against the spec",
                           description="Check gold or offset JSONL files against the label contract; every problem is "
                                       "listed with its file, line and paragraph id.")
    v.add_argument("paths", nargs="+", type=Path, help="JSONL files, or directories searched for *.jsonl")
    v.add_argument("--paragraphs", type=Path, help="paragraphs.jsonl whose texts the records must match")

    k = actions.add_parser("check", help="list gold spans that break a mechanical boundary rule, for review",
                           description="List gold spans that break a mechanical boundary rule (edge punctuation, "
                                       "cut words) for an annotator to review; nothing is changed.")
    k.add_argument("paths", nargs="+", type=Path, help="gold JSONL files, or directories searched for *.jsonl")

    c = actions.add_parser("convert", help="convert between annotation formats",
                           description="Convert between the gold markup, offset JSONL, Label Studio (JSON or JSON_MIN "
                                       "export in, JSON tasks out) and doccano (sequence labelling, or intent + slots) "
                                       "formats; whatever is read is validated against the spec first.")
    c.add_argument("--from", dest="from_fmt", required=True, choices=FORMATS, help="format of IN")
    c.add_argument("--to", dest="to_fmt", required=True, choices=FORMATS, help="format of OUT")
    c.add_argument("src", type=Path, metavar="IN", help="file to read")
    c.add_argument("dst", type=Path, metavar="OUT", help="file to write")
    c.add_argument("--as", dest="ls_as", choices=("auto", "annotations", "predictions"), default="auto",
                   help="--to labelstudio: the labels as annotations (finished work) or predictions (pre-annotations "
                        "an annotator accepts or edits); auto: annotations for reviewed records, else predictions")
    c.add_argument("--include-predictions", action="store_true",
                   help="--from labelstudio: read a task nobody annotated from its prediction (default: leave it out)")

    a = actions.add_parser("agreement", help="inter-annotator agreement of two annotation sets (A = reference)",
                           description="Entity and area agreement of two annotation sets of the same paragraphs.")
    a.add_argument("a", type=Path, metavar="A", help="the reference annotation set")
    a.add_argument("b", type=Path, metavar="B", help="the annotation set compared with A")
    a.add_argument("--format", dest="fmt", default="gold", choices=FORMATS, help="format of A and B (default: gold)")
    a.add_argument("--json", action="store_true", help="print the scores as JSON instead of Markdown")

    s = actions.add_parser("stats", help="gold statistics per split",
                           description="Paragraphs, entities per label and areas per split of the gold.")
    s.add_argument("--gold-dir", type=Path, default=Path("annotations/gold"), help="gold folder (default: %(default)s)")
    s.add_argument("--splits", type=Path, default=Path("annotations/splits.yaml"), help="splits file (default: %(default)s)")
    s.add_argument("--json", action="store_true", help="print the statistics as JSON instead of Markdown")

    actions.add_parser("ls-config", help="print the Label Studio labeling config XML",
                       description="Print the Label Studio labeling config that `convert --to labelstudio` tasks and "
                                   "`convert --from labelstudio` exports match (README: Label Studio recipe).")
    p.set_defaults(func=run)


def _validate(args: argparse.Namespace) -> int:
    paths = [f for p in args.paths for f in (iter_gold_files(p) if p.is_dir() else [p])]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print("\n".join(f"{p}: no such file" for p in missing), file=sys.stderr)
        return 1
    paragraphs = load_paragraph_texts(args.paragraphs) if args.paragraphs else None
    problems = validate_files(paths, paragraphs)
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} problem(s) in {len(paths)} file(s)", file=sys.stderr)
        return 1
    print(f"OK: {len(paths)} file(s)", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    paths = [f for p in args.paths for f in (iter_gold_files(p) if p.is_dir() else [p])]
    findings = check_files(paths)
    if findings:
        print("\n".join(f.line() for f in findings))
    print(f"{len(findings)} finding(s) in {len(paths)} file(s)", file=sys.stderr)
    return 1 if findings else 0


def _convert(args: argparse.Namespace) -> int:
    n = convert_file(args.src, args.dst, from_fmt=args.from_fmt, to_fmt=args.to_fmt, ls_as=args.ls_as,
                     include_predictions=args.include_predictions)
    print(f"wrote {n} records to {args.dst}", file=sys.stderr)
    return 0


def _agreement(args: argparse.Namespace) -> int:
    result = score_agreement(read_records(args.a, args.fmt), read_records(args.b, args.fmt))
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_agreement(result).rstrip("\n"))
    return 0


def _stats(args: argparse.Namespace) -> int:
    for path, what in ((args.gold_dir, "gold folder"), (args.splits, "splits file")):
        if not path.exists():  # the defaults name a clone's files: say so, not just ENOENT
            print(f"error: {path}: no such {what} (the defaults are a clone of the project's; run it in one, "
                  "or give --gold-dir and --splits)", file=sys.stderr)
            return 1
    stats = gold_stats(args.gold_dir, load_splits(args.splits))
    print(json.dumps(stats, ensure_ascii=False, indent=2) if args.json else format_stats(stats).rstrip("\n"))
    return 0


def _ls_config(args: argparse.Namespace) -> int:
    print(label_studio_config(), end="")
    return 0


_ACTIONS = {"validate": _validate, "check": _check, "convert": _convert, "agreement": _agreement, "stats": _stats, "ls-config": _ls_config}


def run(args: argparse.Namespace) -> int:
    """Run one action; bad input is reported as its message (which names file and record)."""
    try:
        return _ACTIONS[args.action](args)
    except (ValueError, OSError) as exc:
        print(f"error: {error_message(exc)}", file=sys.stderr)
        return 1
