"""Training data: gold records per split, extra BIO corpora, BIO tags <-> spans, and the
context (section, year) a record gives the rules, the same in training, evaluation and
prediction."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nlp.annotate.markup import doc_id_of
from nlp.annotate.splits import iter_gold_files, load_splits, split_of_docs
from nlp.annotate.validate import load_gold_files
from nlp.config import DataConfig, NerDataConfig

log = logging.getLogger(__name__)

Span = tuple[int, int, str]  # (start, end, label), end exclusive
_BIO_TAG = re.compile(r"O|[BI]-\S+")


# --- gold records per split ---------------------------------------------------------------


def load_split_records(data: DataConfig, names: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Offset records of the gold folder, for the requested splits of the splits file.

    Splits are by document. A gold document missing from the splits file is an error (it would
    otherwise vanish from every split); a split document without gold is only logged."""
    splits = load_splits(data.splits)
    owner = split_of_docs(splits)
    names = list(names)
    unknown = [n for n in names if n not in splits]
    if unknown:
        raise ValueError(f"{data.splits}: no split named {unknown} (has {list(splits)})")
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    unassigned: set[str] = set()
    seen_docs: set[str] = set()
    for rec in load_gold_files(iter_gold_files(data.gold_dir)):
        doc_id = rec.get("doc_id") or doc_id_of(rec["id"])
        seen_docs.add(doc_id)
        split = owner.get(doc_id)
        if split is None:
            unassigned.add(doc_id)
        elif split in out:
            out[split].append(rec)
    if unassigned:
        raise ValueError(
            f"{data.gold_dir}: documents with gold but in no split of {data.splits}: {sorted(unassigned)}"
        )
    for name in names:
        missing = sorted(set(splits[name]) - seen_docs)
        if missing:
            log.warning("split %s lists %d document(s) without gold: %s", name, len(missing), missing[:5])
        log.info("split %s: %d paragraphs", name, len(out[name]))
    return out


def ner_records(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records whose entities were annotated; `"entities_annotated": false` ones carry areas only."""
    kept = [r for r in records if r.get("entities_annotated", True)]
    if len(kept) < len(records):
        log.info("NER uses %d of %d paragraphs (the rest are annotated for areas only)", len(kept), len(records))
    return kept


def read_bio(path: Path, label_map: dict[str, str]) -> list[dict[str, Any]]:
    """Offset records of a "char TAG" per line file (blank line between sentences).

    Entity types are renamed through `label_map` (e.g. LOC -> REGION); other types become O.
    The records have no areas: they are NER-only extra data."""
    records: list[dict[str, Any]] = []
    chars: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if chars:
            spans = [(s, e, label_map[lab]) for s, e, lab in bio_to_spans(tags) if lab in label_map]
            records.append(
                {
                    "id": f"{path.stem}-s{len(records):05d}",
                    "text": "".join(chars),
                    "entities": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
                    "areas": [],
                }
            )
            chars.clear()
            tags.clear()

    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                flush()
                continue
            char, tag = line[0], line[1:].strip()
            if not _BIO_TAG.fullmatch(tag):
                raise ValueError(f"{path}:{lineno}: expected 'char TAG' with TAG O, B-X or I-X, got {line!r}")
            chars.append(char)
            tags.append(tag)
    flush()
    return records


def extra_bio_records(data: NerDataConfig, seed: int) -> list[dict[str, Any]]:
    """The configured extra BIO corpora, sampled down to `extra_bio_max` sentences if set."""
    records = [rec for path in data.extra_bio for rec in read_bio(path, data.extra_bio_labels)]
    if data.extra_bio_max is not None and len(records) > data.extra_bio_max:
        records = random.Random(seed).sample(records, data.extra_bio_max)
    if records:
        log.info("extra BIO data: %d sentences from %d file(s)", len(records), len(data.extra_bio))
    return records


# --- BIO tags <-> spans -------------------------------------------------------------------


def entity_spans(record: dict[str, Any]) -> list[Span]:
    return sorted((e["start"], e["end"], e["label"]) for e in record["entities"])


def spans_to_bio(length: int, spans: Iterable[Span]) -> list[str]:
    """IOB2 tags, one per character. Overlapping or out-of-range spans are an error."""
    tags = ["O"] * length
    for start, end, label in sorted(spans):
        if not 0 <= start < end <= length:
            raise ValueError(f"span [{start}, {end}) {label} is empty or outside a text of length {length}")
        if any(t != "O" for t in tags[start:end]):
            raise ValueError(f"span [{start}, {end}) {label} overlaps another span")
        tags[start] = f"B-{label}"
        tags[start + 1 : end] = [f"I-{label}"] * (end - start - 1)
    return tags


def bio_to_spans(tags: Sequence[str]) -> list[Span]:
    """Spans of a tag sequence, never losing a tagged character: an I- that does not continue
    a span of its own label starts a new span (lenient decoding of model output)."""
    spans: list[Span] = []
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        continues = prefix == "I" and kind == label
        if start is not None and not continues:
            spans.append((start, i, label))
            start, label = None, None
        if prefix in ("B", "I") and not continues:
            start, label = i, kind
    return spans


#: Texts, section paths, report years and report regions of a list of records.
Context = tuple[list[str], list[str], list[int | None], list[str | None]]


def record_context(records: Sequence[dict]) -> Context:
    """Texts, section paths ("" when unknown), report years and report regions of gold or
    input records: the context the rules read to tell a target from a result and to know the
    report's own place names, the same in training, evaluation and prediction."""
    return ([r["text"] for r in records], [r.get("section") or "" for r in records], [r.get("year") for r in records],
            [r.get("region") for r in records])
