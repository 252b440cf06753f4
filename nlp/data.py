"""Training data: gold records per split, extra BIO corpora, BIO tags <-> spans, and the
character tokenisation shared by NER training and inference.

One character is one token: texts are fed as `list(text)` with `is_split_into_words=True`, so
every character is a "word" and gets exactly one label (on its first sub-token), and a
prediction maps back to exact character offsets. Whitespace (and any character the tokenizer
would drop) is replaced by a placeholder token so that it keeps its position.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nlp.annotate.markup import doc_id_of
from nlp.annotate.stats import iter_gold_files, load_splits, split_of_docs
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


def repair_bio(tags: Sequence[str]) -> list[str]:
    """Valid IOB2 tags with the same spans as `bio_to_spans` reads: strict seqeval scoring of
    predictions then equals exact span matching of what `predict` returns."""
    return spans_to_bio(len(tags), bio_to_spans(tags))


# --- character tokenisation ----------------------------------------------------------------


def placeholder_token(tokenizer: Any) -> str:
    """Token standing for whitespace: "[unused1]" when the vocabulary keeps it whole, else UNK."""
    if tokenizer.tokenize("[unused1]") == ["[unused1]"]:
        return "[unused1]"
    return tokenizer.unk_token


def encode_chars(tokenizer: Any, texts: Sequence[str], max_length: int, **kwargs: Any) -> Any:
    """Encoding of texts as one word per character (a fast tokenizer's BatchEncoding; `kwargs`
    such as padding/return_tensors go to the tokenizer).

    Every character must come out as at least one token within `max_length`: texts have to be
    windowed to `max_length - specials` characters beforehand (see nlp.model.windows)."""
    placeholder = placeholder_token(tokenizer)
    words = [[placeholder if ch.isspace() else ch for ch in text] for text in texts]
    enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length, **kwargs)
    lost = [i for i, w in enumerate(words) if _lost_words(enc.word_ids(i), len(w))]
    if lost:  # characters the tokenizer normalises away (controls, zero-width marks)
        for i in lost:
            words[i] = [w if tokenizer.tokenize(w) else placeholder for w in words[i]]
        enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length, **kwargs)
    for i in lost:
        if _lost_words(enc.word_ids(i), len(words[i])):
            raise ValueError(
                f"text {i} ({len(words[i])} chars) does not fit max_length={max_length} as one token per "
                f"character: {texts[i][:30]!r}…"
            )
    return enc


def _lost_words(word_ids: list[int | None], n_words: int) -> bool:
    return len({w for w in word_ids if w is not None}) != n_words


def first_token_positions(word_ids: list[int | None]) -> list[int]:
    """Index of the first token of each word (character), in character order."""
    positions: list[int] = []
    previous = None
    for pos, word in enumerate(word_ids):
        if word is not None and word != previous:
            positions.append(pos)
        previous = word
    return positions


def align_labels(word_ids: list[int | None], label_ids: Sequence[int]) -> list[int]:
    """Token labels: the character's label on its first sub-token, -100 elsewhere (specials,
    continuation sub-tokens), so the loss and metrics see each character exactly once."""
    labels = [-100] * len(word_ids)
    for char, pos in enumerate(first_token_positions(word_ids)):
        labels[pos] = label_ids[char]
    return labels


def record_context(records: Sequence[dict]) -> tuple[list[str], list[str], list[int | None]]:
    """Texts, section paths ("" when unknown) and report years of gold or input records: the
    context the rules read to tell a target from a result, the same in training, evaluation
    and prediction."""
    return [r["text"] for r in records], [r.get("section") or "" for r in records], [r.get("year") for r in records]
