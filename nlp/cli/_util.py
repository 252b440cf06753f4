"""What several sub-commands share: the --config/--set options, and an expected error turned
into the one line a user sees (naming the file or key, no traceback)."""

from __future__ import annotations

import argparse
from pathlib import Path


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
