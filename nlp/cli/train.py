"""`nlp train --config C [--set key=value ...]`: train the model a config describes."""

from __future__ import annotations

import argparse
import json
import sys

from nlp.cli._util import add_config_arguments


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(
        name, help=help_text,
        description=f"{help_text}. Saves the best epoch (by dev score) to training.output_dir; "
        "relative paths in the config resolve against the current directory.",
    )
    add_config_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.config import TRAIN_TASKS, ConfigError, load_config

    try:
        cfg = load_config(args.config, args.overrides, tasks=TRAIN_TASKS)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from nlp.model.hf import is_main_process
    from nlp.train import train

    metrics = train(cfg)
    if is_main_process():  # once per run, not once per torchrun process
        print(json.dumps({"task": cfg.task, "output_dir": str(cfg.training.output_dir), "dev": metrics}, indent=2))
    return 0
