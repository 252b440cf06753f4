"""Overlapping character windows for paragraphs longer than the encoder's input.

A paragraph of more than `size` (= max_length - special tokens) characters is scored in windows
of `size` characters that overlap by `stride` characters. Each character then takes the
scores of the window in which it lies farthest from a window edge, i.e. where it has the most
context on both sides; spans are decoded on the merged scores, so offsets always refer to the
original paragraph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from nlp.data import bio_to_spans
from nlp.rules.quantities import UNIT_AFTER_NUMBER
from nlp.spec import EDGE_PUNCTUATION, NUMBER_CHARS, OPENERS, QUANTITY_LABELS

Window = tuple[int, int]  # (start, end) character offsets, end exclusive
#: Scores windows of text, given each window's per-character hint ids (None without hints):
#: one (len(window), n_labels) probability array per window.
WindowScorer = Callable[[list[str], list[list[int]] | None], list[np.ndarray]]


def make_windows(length: int, size: int, stride: int) -> list[Window]:
    """Windows of `size` chars covering [0, length), consecutive ones overlapping by `stride`;
    the last window ends at `length` (it may overlap its predecessor by more)."""
    if size < 1 or not 0 <= stride < size:
        raise ValueError(f"need size >= 1 and 0 <= stride < size, got size={size}, stride={stride}")
    if length <= size:
        return [(0, length)]
    step = size - stride
    starts = list(range(0, length - size, step)) + [length - size]
    return [(s, s + size) for s in starts]


def merge_windows(length: int, windows: Sequence[Window], scores: Sequence[np.ndarray]) -> np.ndarray:
    """(length, n_labels) scores: each character's row comes from the window where its distance
    to the nearer window edge is largest (the earlier window on ties)."""
    merged = np.zeros((length, scores[0].shape[1]), dtype=scores[0].dtype)
    best = np.full(length, -1)
    for (start, end), window_scores in zip(windows, scores):
        if window_scores.shape[0] != end - start:
            raise ValueError(f"window [{start}, {end}) got {window_scores.shape[0]} score rows")
        pos = np.arange(start, end)
        margin = np.minimum(pos - start, end - 1 - pos)
        take = margin > best[start:end]
        merged[pos[take]] = window_scores[take]
        best[start:end] = np.where(take, margin, best[start:end])
    return merged


def tag_texts(
    texts: Sequence[str], scorer: WindowScorer, labels: Sequence[str], size: int, stride: int,
    hints: Sequence[Sequence[int]] | None = None, min_lengths: Mapping[str, int] | None = None,
) -> list[list[dict]]:
    """Entity dicts per text from a window scorer over BIO `labels` (`score_texts`, then
    `decode_texts`; `min_lengths` see there)."""
    return decode_texts(texts, score_texts(texts, scorer, len(labels), size, stride, hints), labels, min_lengths)


def score_texts(
    texts: Sequence[str], scorer: WindowScorer, n_labels: int, size: int, stride: int,
    hints: Sequence[Sequence[int]] | None = None,
) -> list[np.ndarray]:
    """(len(text), n_labels) scores per text: its windows scored and merged. All windows of
    all texts go to `scorer` in one call so that it can batch them; `hints` (per text, one id
    per character) are cut into the same windows."""
    plans = [make_windows(len(text), size, stride) if text else [] for text in texts]
    chunks = [text[s:e] for text, plan in zip(texts, plans) for s, e in plan]
    chunk_hints = None if hints is None else [list(h[s:e]) for h, plan in zip(hints, plans) for s, e in plan]
    scores = scorer(chunks, chunk_hints) if chunks else []
    merged: list[np.ndarray] = []
    k = 0
    for text, plan in zip(texts, plans):
        merged.append(merge_windows(len(text), plan, scores[k : k + len(plan)]) if plan else np.zeros((0, n_labels)))
        k += len(plan)
    return merged


def decode_entities(
    text: str, probs: np.ndarray, labels: Sequence[str], min_lengths: Mapping[str, int] | None = None
) -> list[dict]:
    """Entity dicts of one text; see `decode_texts`."""
    return decode_texts([text], [probs], labels, min_lengths)[0]


def decode_texts(
    texts: Sequence[str], probs: Sequence[np.ndarray], labels: Sequence[str], min_lengths: Mapping[str, int] | None = None
) -> list[list[dict]]:
    """Entity dicts per text from per-character label probabilities: the most probable *valid*
    BIO tag sequence (see `best_bio_paths`), score = mean of the chosen tag's probability over
    the span, edges tidied (`tidy_span`).

    Spans shorter than `min_lengths[label]` are dropped: a model trained on the shortest gold
    span of each label (e.g. no result shorter than 4 characters) still emits one-character
    fragments such as "明" tagged PROJECT; dropping them removes only false positives."""
    min_lengths = min_lengths or {}
    out = []
    for text, p, path in zip(texts, probs, best_bio_paths(probs, labels)):
        chosen = p[np.arange(len(path)), path]
        raw = bio_to_spans([labels[i] for i in path])
        limits = [s for s, _, _ in raw[1:]] + [len(text)]
        spans = [(*tidy_span(text, s, e, label, limit), label) for (s, e, label), limit in zip(raw, limits)]
        out.append([
            {"start": s, "end": e, "label": label, "text": text[s:e], "score": round(float(chosen[s:e].mean()), 4)}
            for s, e, label in spans
            if e - s >= min_lengths.get(label, 1)
        ])
    return out


_QUALIFIERS = ("左右", "以上", "以内", "以下")


def tidy_span(text: str, start: int, end: int, label: str, limit: int | None = None) -> tuple[int, int]:
    """The decoded span [start, end) with separators and sentence punctuation trimmed from
    both ends and an opener from its end (gold spans never have them: `完成改造47.63万户、`),
    and a TARGET/ACHIEVED span that stops inside a number (`增长8` before `.5%左右`) carried to
    the number's end and its qualifier, never past `limit` (the next span's start). The result
    may be empty (start == end)."""
    limit = len(text) if limit is None else limit
    while start < end and text[start] in EDGE_PUNCTUATION:
        start += 1
    while end > start and (text[end - 1] in EDGE_PUNCTUATION or text[end - 1] in OPENERS):
        end -= 1
    if label in QUANTITY_LABELS and start < end and text[end - 1] in NUMBER_CHARS:
        while end < limit and text[end] in NUMBER_CHARS and not (text[end] in ".．" and text[end - 1] in "%％"):
            end += 1
        unit = UNIT_AFTER_NUMBER.match(text, end) if text[end - 1].isdigit() else None
        if unit and unit.end() <= limit:
            end = unit.end()
        for word in _QUALIFIERS:
            if text.startswith(word, end) and end + len(word) <= limit:
                end += len(word)
                break
    return start, end


def best_bio_path(probs: np.ndarray, labels: Sequence[str]) -> list[int]:
    """The best valid tag sequence of one text; see `best_bio_paths`."""
    return best_bio_paths([probs], labels)[0].tolist()


#: Texts decoded together by `best_bio_paths` (bounds the back-pointer array).
_VITERBI_BATCH = 64


def best_bio_paths(probs: Sequence[np.ndarray], labels: Sequence[str]) -> list[np.ndarray]:
    """Per text, the label indices maximising the summed log-probability under the IOB2
    constraint that I-X only follows B-X or I-X (Viterbi). Per-character argmax often leaves
    an orphan I- tag or breaks a name in two ("凤|阳"); the constrained path repairs these where
    the probabilities support it (its dev gain is in the README results).

    Texts of similar length are decoded together, one step per character position for the
    whole group (the step loop runs over positions, not over every character of every text)."""
    k = len(labels)
    inside = [label[2:] if label.startswith("I-") else None for label in labels]
    allowed = np.array(
        [[kind is None or prev in (f"B-{kind}", f"I-{kind}") for kind in inside] for prev in labels]
    )  # allowed[previous, current]
    penalty = np.where(allowed, 0.0, -np.inf)
    first = np.where([kind is None for kind in inside], 0.0, -np.inf)
    out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(probs)
    order = sorted((i for i in range(len(probs)) if len(probs[i])), key=lambda i: len(probs[i]))
    for b in range(0, len(order), _VITERBI_BATCH):
        group = order[b : b + _VITERBI_BATCH]
        lengths = np.array([len(probs[i]) for i in group])
        n, steps = len(group), int(lengths.max())
        log_p = np.zeros((n, steps, k))
        for row, i in enumerate(group):
            log_p[row, : lengths[row]] = np.log(np.clip(probs[i], 1e-12, 1.0))
        score = first + log_p[:, 0]
        back = np.zeros((n, steps, k), dtype=np.int64)
        for t in range(1, steps):
            candidates = score[:, :, None] + penalty  # (text, previous, current)
            back[:, t] = candidates.argmax(axis=1)
            moved = np.take_along_axis(candidates, back[:, t][:, None, :], axis=1)[:, 0] + log_p[:, t]
            score = np.where((t < lengths)[:, None], moved, score)
        paths = np.zeros((n, steps), dtype=np.int64)
        current = score.argmax(axis=1)
        rows = np.arange(n)
        for t in range(steps - 1, -1, -1):
            active = t < lengths
            paths[active, t] = current[active]
            if t:
                current = np.where(active, back[rows, t, current], current)
        for row, i in enumerate(group):
            out[i] = paths[row, : lengths[row]]
    return out
