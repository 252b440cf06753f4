"""What several sub-commands share: the --config/--set options, and an expected error turned
into the one line a user sees (naming the file or key, no traceback)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

#: The output path that stands for standard output (`-o -`).
STDOUT = "-"


def add_config_arguments(
    p: argparse.ArgumentParser, config_help: str = "YAML config (task: ner, areas or tfidf)",
    example: str = "training.epochs=3",
) -> None:
    """--config and --set, shared by `nlp train`, `nlp evaluate`, `nlp predict` and `nlp bench`."""
    p.add_argument("--config", "-c", type=Path, required=True, help=config_help)
    p.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help=f"override a config key, e.g. --set {example} (repeatable; value parsed as YAML)",
    )


def add_predict_config_arguments(p: argparse.ArgumentParser) -> None:
    """--config (a predict config) and --set, shared by `nlp predict` and `nlp bench`."""
    add_config_arguments(p, "a predict config (configs/predict.yaml)", "batch_size=8")


def error_message(exc: BaseException) -> str:
    """An expected error as one line: an OSError names its file, not its errno."""
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return " ".join(str(exc).split()) or type(exc).__name__


def add_text_argument(p: argparse.ArgumentParser) -> None:
    """--text, shared by `nlp ingest` and `nlp predict`: a report given on the command line."""
    p.add_argument("--text", action="append", default=[], metavar="TEXT",
                   help="a report's text, read as a .txt file is (repeatable; after the input files)")


def command_inputs(args: argparse.Namespace) -> list:
    """The inputs of a command: its paths (`-` is standard input) and --text strings, an
    InputError (a ValueError: one line, exit code 2) when there are none."""
    from nlp.ingest.readers import resolve_inputs

    return resolve_inputs(args.inputs or [], args.text)


def utf8_stdout() -> TextIO:
    """Standard output for JSON lines: UTF-8 and `\n` whatever the locale, as the files are."""
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")  # type: ignore[union-attr]
    return sys.stdout
