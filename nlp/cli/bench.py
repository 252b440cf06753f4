"""`nlp bench --config configs/predict.yaml [--input PATH...] [--n N]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nlp.cli._util import add_predict_config_arguments

DESCRIPTION = """Characters per second of the whole predict path (areas + entities + normalisation)
and of the bare forward pass of the NER model's encoder (at the pipeline's precision and at
fp32), measured in one run on the same paragraphs (default: the first N paragraphs of the
bundled samples), the seconds of each stage and the peak memory. Prints JSON; --plot writes
the stage breakdown as a PNG."""


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=DESCRIPTION)
    add_predict_config_arguments(p)
    p.add_argument("--input", "-i", type=Path, nargs="+", dest="inputs",
                   help="reports or pre-segmented JSONL (default: the bundled samples, nlp/resources/samples)")
    p.add_argument("--n", type=int, default=200, help="number of paragraphs (default: 200)")
    p.add_argument("--plot", type=Path, help="write the time per stage as a PNG to this path")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.bench import bench
    from nlp.config import ConfigError, load_config

    if args.n < 1:
        print("error: --n must be >= 1", file=sys.stderr)
        return 2
    try:
        cfg = load_config(args.config, args.overrides, tasks=("predict",))
        result = bench(cfg, args.inputs, args.n)
    except (ConfigError, ValueError, OSError) as exc:  # bad config, input or model folder
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.plot:
        from nlp import plots

        title = f"nlp bench: {result['n_chars']:,} characters, {result['precision']}, {result['device']}"
        result["plot"] = str(plots.stage_bars(result["stage_seconds"], args.plot, title))
    print(json.dumps(result, indent=2))
    return 0
