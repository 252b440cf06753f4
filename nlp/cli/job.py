"""`nlp main`: the whole job on the embedded default, from a fresh clone.

Prepares the default encoder (envpos ALBERT, from the package registry), trains the NER
model, the policy-area model and the TF-IDF baseline on the gold train split, evaluates
model vs baseline on the test split, and runs `nlp predict` on the bundled sample reports.
Each step is the same sub-command a user would run; trained models are reused unless
`--retrain` is given, so a second run only re-evaluates and re-predicts. It needs a clone of
the project (its configs/ and annotations/): the current directory, or the checkout the
package is installed from; models go to that checkout's models/ (as its configs say)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from nlp.bench import SAMPLES
from nlp.config import DEFAULT_ENCODER

TRAIN_CONFIGS = ("configs/ner.yaml", "configs/areas.yaml", "configs/tfidf.yaml")
EVAL_CONFIGS = ("configs/ner.yaml", "configs/areas.yaml")


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=__doc__)
    p.add_argument("--output", type=Path, default=Path("outputs/predict"), help="where predictions of the samples go")
    p.add_argument("--retrain", action="store_true", help="train again even when a trained model exists")
    p.set_defaults(func=run)


def _step(title: str, argv: list[str]) -> None:
    from nlp.cli import main

    print(f"\n=== {title}: nlp {' '.join(argv)}", flush=True)
    start = time.time()
    code = main(argv)
    if code:
        raise SystemExit(f"step failed ({title}, exit code {code})")
    print(f"=== {title} done in {time.time() - start:.0f} s", flush=True)


def project_root() -> Path:
    """The project checkout to work in: the current directory when it is one, else the
    checkout this package was installed from (an editable install). Raises ValueError (before
    anything is written) when neither is: an installed wheel has no gold annotations."""
    candidates = (Path.cwd(), Path(__file__).resolve().parents[2])
    for root in candidates:
        if all((root / config).is_file() for config in TRAIN_CONFIGS) and (root / "annotations" / "gold").is_dir():
            return root
    raise ValueError(f"nlp main trains on the project's gold annotations: it runs in a clone of the project "
                     f"(with configs/ and annotations/), and neither {candidates[0]} nor {candidates[1]} is one. "
                     "Clone the repository and run it there; with trained models, `nlp predict` works anywhere")


def run(args: argparse.Namespace) -> int:
    from nlp.config import load_config
    from nlp.model.areas_tfidf import PICKLE_FILE
    from nlp.model.hf import is_saved_model

    root = project_root()
    _step("encoder", ["encoder", "prepare", "--output", str(root / DEFAULT_ENCODER)])
    for config in (str(root / name) for name in TRAIN_CONFIGS):
        output_dir = Path(load_config(Path(config), []).training.output_dir)
        stale = (output_dir / PICKLE_FILE).is_file()  # saved by an older version, not loaded any more
        if args.retrain or not is_saved_model(output_dir) or stale:
            _step(f"train {config}", ["train", "--config", config])
        else:
            print(f"\n=== {config}: trained model found in {output_dir} (use --retrain to train again)")
    reports = []
    for config in (str(root / name) for name in EVAL_CONFIGS):
        _step(f"evaluate {config}", ["evaluate", "--config", config])
        reports.append(Path(load_config(Path(config), []).evaluation.output_dir) / "report.md")
    predict = ["predict", "--config", str(root / "configs/predict.yaml"), "--input", str(SAMPLES), "--output", str(args.output)]
    _step("predict samples", predict)
    print("\nEvaluation reports: " + ", ".join(str(r) for r in reports))
    print(f"Predictions of the sample reports: {args.output}/ (paragraphs.jsonl, targets.csv, regions.csv, documents.csv)")
    return 0
