"""The `nlp` command. Each sub-command lives in its own module of this package and exposes
`add_parser(subparsers)`; the module's `run(args)` is a thin wrapper over a plain function
that tests call directly."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from nlp.cli._util import error_message

#: Sub-commands in workflow order (ingest -> annotate -> baseline -> encoder -> train ->
#: evaluate -> export -> predict -> track -> render -> bench -> main). Modules are imported lazily so that `nlp ingest`
#: never pays for importing torch.
COMMANDS: dict[str, str] = {
    "ingest": "Clean and segment raw reports into documents.jsonl + paragraphs.jsonl",
    "annotate": "Gold annotation tooling: validate, convert, agreement, stats",
    "baseline": "Rule-based pre-annotator / baseline over paragraphs",
    "encoder": "Prepare the embedded default encoder (envpos ALBERT) as a HF folder",
    "train": "Train a NER or policy-area model from a config",
    "evaluate": "Evaluate a model and its baseline on the gold test split",
    "export": "Export a trained model's network (ONNX), checked against PyTorch",
    "predict": "Batch inference over raw reports or pre-segmented JSONL",
    "track": "Targets of each year against the results later reports give",
    "render": "HTML view of a predict run: a page per report and an index",
    "bench": "Throughput of the predict path vs the bare encoder forward pass",
    "main": "The whole job: prepare encoder, train, evaluate, predict the samples",
}

MODULES = {"main": "job"}


DESCRIPTION = ("Chinese government work reports as data: paragraphs, policy areas, regions, projects, "
               "targets and results. `nlp main` runs the whole job on the defaults; `nlp COMMAND -h` "
               "explains each step.")


def build_parser() -> argparse.ArgumentParser:
    from nlp._version import __version__

    parser = argparse.ArgumentParser(prog="nlp", description=DESCRIPTION)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging and tracebacks")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only, no progress bars")
    parser.add_argument("--version", action="version", version=f"nlp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        # `nlp main` lives in job.py: a module named main would shadow this package's main().
        module = importlib.import_module(f"nlp.cli.{MODULES.get(name, name)}")
        module.add_parser(sub, name, help_text)
    for command in sub.choices.values():  # -v and -q after the sub-command too (`nlp predict ... -v`)
        command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                             help="debug logging and tracebacks")
        command.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                             help="warnings and errors only, no progress bars")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose and args.quiet:
        parser.error("-v and -q exclude each other")
    if args.quiet:  # huggingface_hub/transformers read it when they are imported; predict has its own flag
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
        if hasattr(args, "no_progress"):
            args.no_progress = True
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (OSError, ValueError) as exc:  # bad input, config or model folder: one line, not a traceback
        if args.verbose:
            raise
        print(f"error: {error_message(exc)} (run with -v for the traceback)", file=sys.stderr)
        return 2

