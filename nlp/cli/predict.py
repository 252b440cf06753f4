"""`nlp predict --config C [--input PATH...] [--text TEXT] [--output DIR|-] [--resume] [--set key=value]`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from nlp.cli._util import STDOUT, add_predict_config_arguments, add_text_argument, command_inputs, utf8_stdout

DESCRIPTION = """Batch inference over raw reports (.txt/.csv/.jsonl/.pdf/.html/.docx files or folders,
`-` for standard input, --text strings, as `nlp ingest` reads them) or pre-segmented JSONL
({"id", "text"} per line). `--output -` writes the paragraph records (paragraphs.jsonl's
lines) to standard output and the summary to standard error, no folder. Writes paragraphs.jsonl,
targets.csv, regions.csv, documents.csv and errors.jsonl to the output folder, and
tracking.csv (see `nlp track`) when the inputs hold several years of one region. A bad
document is reported in errors.jsonl and skipped; the exit code is non-zero only when
nothing was predicted. `--engine ray` runs the reading and the models on a Ray cluster
(`pip install -e ".[ray]"`; actors and their CPUs/GPUs: the config's engine.*) with the
same outputs as the local engine. `--html` writes the HTML view (`nlp render`) into OUTPUT/html
at the end."""


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=DESCRIPTION)
    add_predict_config_arguments(p)
    p.add_argument("--input", "-i", type=Path, nargs="+", default=[], dest="inputs",
                   help="files or folders; - reads standard input (as a .txt file)")
    add_text_argument(p)
    p.add_argument("--output", "-o", type=Path,
                   help="output folder (default: the config's output.dir); - writes paragraph records to standard output")
    p.add_argument("--resume", action="store_true", help="keep the documents an earlier run into OUTPUT finished")
    p.add_argument("--engine", choices=("local", "ray"), help="where to run (default: the config's engine.kind)")
    p.add_argument("--address", help="Ray cluster to join: auto, or ray://HOST:10001 (default: a Ray instance on this machine)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--html", action="store_true", help="also write the HTML view (`nlp render`) into OUTPUT/html")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.config import ConfigError, load_config
    from nlp.predict import predict_paths

    if args.no_progress:  # the model loaders' bars too, not only the prediction bar
        if "transformers" in sys.modules:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        else:  # read when transformers is imported; the rule tagger and TF-IDF never import it
            os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    if args.address and args.engine == "local":
        print("error: --address names a Ray cluster: it goes with --engine ray, not local", file=sys.stderr)
        return 2
    overrides = list(args.overrides)  # the flags are the config keys they name, applied last
    if args.engine:
        overrides.append(f"engine.kind={args.engine}")
    if args.address:
        overrides += ["engine.kind=ray", f"engine.address={args.address}"]
    to_stdout = str(args.output) == STDOUT
    if to_stdout and (args.resume or args.html):
        print(f"error: {'--resume' if args.resume else '--html'} needs an output folder, not --output - (standard output)",
              file=sys.stderr)
        return 2
    try:
        inputs = command_inputs(args)
        cfg = load_config(args.config, overrides, tasks=("predict",))
        if to_stdout:
            from nlp.predict import predict_stream

            summary = predict_stream(cfg, inputs, utf8_stdout(), progress=not args.no_progress)
        else:
            summary = predict_paths(cfg, inputs, args.output, resume=args.resume, progress=not args.no_progress)
        if args.html and summary["documents"]:
            from nlp.render import HTML_DIR, render_dir

            output = Path(summary["output"])
            summary["html"] = str(render_dir(output, output / HTML_DIR)[0])
    except (ConfigError, ValueError, OSError) as exc:  # bad config, input or model folder
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary, ensure_ascii=False, indent=2), file=sys.stderr if to_stdout else sys.stdout)
    if not summary["documents"]:
        print("error: no document could be predicted" + ("" if to_stdout else " (see errors.jsonl)"), file=sys.stderr)
        return 1
    return 0
