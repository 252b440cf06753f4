"""Size and label distribution of the gold annotations per data split.

Splits are made by document (`annotations/splits.yaml`: split name -> doc ids) so that no
report leaks between train and test; every gold paragraph must fall in exactly one split.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from nlp.annotate.validate import AnnotationError, load_gold_files
from nlp.spec import AREA_LABELS, ENTITY_LABELS

ALL = "all"
_COUNTS = ("paragraphs", "entity_paragraphs", "area_only_paragraphs", "documents", "characters")


def iter_gold_files(gold_dir: Path) -> Iterator[Path]:
    """Every `*.jsonl` file under gold_dir, in sorted order: all of them are gold, so no file
    can be left out of training or statistics by a pattern that is too narrow."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise FileNotFoundError(f"gold directory {gold_dir} does not exist")
    yield from sorted(p for p in gold_dir.rglob("*.jsonl") if p.is_file())


def load_splits(path: Path) -> dict[str, list[str]]:
    """Splits from YAML shaped like {"train": [doc_id, ...], "dev": [...], "test": [...]}."""
    splits = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
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


def _empty() -> dict[str, Any]:
    return {
        **{key: 0 for key in _COUNTS},
        "entities": {label: 0 for label in ENTITY_LABELS},
        "areas": {area: 0 for area in AREA_LABELS},
    }


def gold_stats(gold_dir: Path, splits: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """Per split and for `all`: paragraphs (split into those with entities annotated and those
    with areas only), distinct documents, characters, entities per label and paragraphs per area."""
    owner = split_of_docs(splits)
    records = load_gold_files(iter_gold_files(gold_dir))
    unassigned: dict[str, list[str]] = {}
    for rec in records:
        if rec["doc_id"] not in owner:
            unassigned.setdefault(rec["doc_id"], []).append(rec["id"])
    if unassigned:
        raise AnnotationError(
            f"{gold_dir}",
            [f"doc_id {doc!r} is in no split (gold paragraphs {', '.join(ids)})" for doc, ids in unassigned.items()],
        )
    stats = {name: _empty() for name in (*splits, ALL)}
    docs: dict[str, set[str]] = {name: set() for name in stats}
    for rec in records:
        for name in (owner[rec["doc_id"]], ALL):
            split = stats[name]
            docs[name].add(rec["doc_id"])
            split["paragraphs"] += 1
            split["characters"] += len(rec["text"])
            if rec.get("entities_annotated", True):
                split["entity_paragraphs"] += 1
            else:
                split["area_only_paragraphs"] += 1
            for ent in rec["entities"]:
                split["entities"][ent["label"]] += 1
            for area in rec["areas"]:
                split["areas"][area] += 1
    for name, split in stats.items():
        split["documents"] = len(docs[name])
    return stats


def format_stats(stats: dict[str, dict[str, Any]]) -> str:
    """Markdown table: one row per count, entity label and area; one column per split."""
    names = list(stats)
    rows = [(key, [stats[n][key] for n in names]) for key in _COUNTS]
    rows += [(label, [stats[n]["entities"][label] for n in names]) for label in ENTITY_LABELS]
    rows += [(f"area: {area}", [stats[n]["areas"][area] for n in names]) for area in AREA_LABELS]
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    lines += [f"| {key} | " + " | ".join(str(v) for v in values) + " |" for key, values in rows]
    return "\n".join(lines) + "\n"
