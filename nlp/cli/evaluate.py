"""`nlp evaluate --config C [--split test] [--output DIR]`: model vs baseline on a gold split."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nlp.cli._util import add_config_arguments


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(
        name, help=help_text,
        description=f"{help_text}. Writes metrics.json, report.md, errors.jsonl and PNG plots.",
    )
    add_config_arguments(p)
    p.add_argument("--split", choices=("dev", "test"), help="gold split to score (default: evaluation.split)")
    p.add_argument("--output", "-o", type=Path, help="report folder (default: evaluation.output_dir)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.config import TRAIN_TASKS, ConfigError, load_config
    from nlp.evaluate import evaluate

    try:
        cfg = load_config(args.config, args.overrides, tasks=TRAIN_TASKS)
        metrics = evaluate(cfg, args.split, args.output, source=str(args.config))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = {name: _headline(metrics[name]["metrics"]) for name in ("model", "baseline") if metrics.get(name)}
    out = args.output or cfg.evaluation.output_dir
    report = str(Path(out) / "report.md")
    print(json.dumps({"task": cfg.task, "split": metrics["split"], **summary, "report": report}, indent=2))
    return 0


def _headline(m: dict) -> dict:
    """The few numbers worth printing: entity F1 (exact/overlap) or area F1 and primary accuracy."""
    if "exact" in m:
        out = {"exact_f1": round(m["exact"]["micro"]["f1"], 4), "overlap_f1": round(m["overlap"]["micro"]["f1"], 4)}
        if "without_context" in m:
            out["exact_f1_without_context"] = round(m["without_context"]["exact"]["micro"]["f1"], 4)
        return out
    return {"micro_f1": round(m["micro"]["f1"], 4), "macro_f1": round(m["macro"]["f1"], 4),
            "primary_accuracy": round(m["primary_accuracy"], 4)}
