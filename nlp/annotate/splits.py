"""The gold set's layout on disk: which files are gold and which document belongs to which
split. Splits are made by document (`annotations/splits.yaml`: split name -> doc ids) so that
no report leaks between train and test; every gold paragraph must fall in exactly one split.
Statistics, training and evaluation read the splits through here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml

from nlp.annotate.validate import AnnotationError

ALL = "all"


def iter_gold_files(gold_dir: Path) -> Iterator[Path]:
    """Every `*.jsonl` file under gold_dir, in sorted order: all of them are gold, so no file
    can be left out of training or statistics by a pattern that is too narrow."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise FileNotFoundError(f"gold directory {gold_dir} does not exist")
    yield from sorted(p for p in gold_dir.rglob("*.jsonl") if p.is_file())


def load_splits(path: Path) -> dict[str, list[str]]:
    """Splits from YAML shaped like {"train": [doc_id, ...], "dev": [...], "test": [...]}."""
    try:
        splits = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: invalid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(splits, dict):
        raise ValueError(f"{path}: expected a mapping of split name to a list of doc ids")
    for name, docs in splits.items():
        if not isinstance(docs, list) or not all(isinstance(d, str) for d in docs):
            raise ValueError(f"{path}: split {name!r} must be a list of doc id strings")
    return splits


def split_of_docs(splits: dict[str, list[str]]) -> dict[str, str]:
    """doc_id -> split name; a document listed twice (in one split or two) is an error."""
    if ALL in splits:
        raise ValueError(f"{ALL!r} is reserved for the union of the splits")
    owner: dict[str, str] = {}
    problems = []
    for name, docs in splits.items():
        for doc in docs:
            if doc in owner:
                problems.append(f"doc_id {doc!r} is listed in split {owner[doc]!r} and again in {name!r}")
            else:
                owner[doc] = name
    if problems:
        raise AnnotationError("splits", problems)
    return owner
