"""Size and label distribution of the gold annotations per data split (`nlp annotate stats`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nlp.annotate.splits import ALL, iter_gold_files, split_of_docs
from nlp.annotate.validate import AnnotationError, load_gold_files
from nlp.spec import AREA_LABELS, ENTITY_LABELS

_COUNTS = ("paragraphs", "entity_paragraphs", "area_only_paragraphs", "documents", "characters")


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
