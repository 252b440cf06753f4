"""Inter-annotator agreement between two annotation sets of the same paragraphs.

Set A is treated as the reference and B as the response: precision = matched / spans in B,
recall = matched / spans in A; F1 is symmetric. Scores that are undefined (no spans of a label
in either set, kappa when both annotators used one and the same category) are None rather than
a number that would look like evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from nlp.annotate.validate import AnnotationError, validate_records
from nlp.spec import AREA_LABELS, ENTITY_LABELS

Span = tuple[int, int]
_MAX_LISTED = 10


def _by_id(records: Sequence[dict[str, Any]], name: str) -> dict[str, dict[str, Any]]:
    problems = validate_records([(f"set {name} record {n}", rec) for n, rec in enumerate(records)], kind="offsets")
    if problems:
        raise AnnotationError(f"annotation set {name}", problems)
    return {rec["id"]: rec for rec in records}


def _listed(ids: list[str]) -> str:
    more = f" and {len(ids) - _MAX_LISTED} more" if len(ids) > _MAX_LISTED else ""
    return ", ".join(ids[:_MAX_LISTED]) + more


def score_agreement(records_a: Sequence[dict[str, Any]], records_b: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Entity P/R/F1 (exact and overlap match, per label and micro) and policy-area agreement
    (Cohen's kappa on the primary area, mean Jaccard of area sets, per-area kappa on presence)
    of two sets of offset records covering the same paragraphs with the same texts.

    Entities are compared only on paragraphs whose entities both sets annotated (a record with
    `entities_annotated: false` carries areas only)."""
    a, b = _by_id(records_a, "A"), _by_id(records_b, "B")
    only_a, only_b = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
    if only_a or only_b:
        raise ValueError(
            "the two sets cover different paragraphs: "
            f"missing from B: [{_listed(only_a)}]; missing from A: [{_listed(only_b)}]"
        )
    if not a:
        raise ValueError("no paragraphs to compare")
    ids = sorted(a)
    differing = [pid for pid in ids if a[pid]["text"] != b[pid]["text"]]
    if differing:
        raise ValueError(f"paragraph texts differ between the sets for: {_listed(differing)}")
    entity_ids = [pid for pid in ids if a[pid].get("entities_annotated", True) and b[pid].get("entities_annotated", True)]
    pairs = [(a[pid]["entities"], b[pid]["entities"]) for pid in entity_ids]
    return {
        "paragraphs": len(ids),
        "entity_paragraphs": len(entity_ids),
        "entities": {"exact": _entity_scores(pairs, _exact_matches), "overlap": _entity_scores(pairs, _overlap_matches)},
        "areas": _area_scores([(a[pid]["areas"], b[pid]["areas"]) for pid in ids]),
    }


def _exact_matches(spans_a: list[Span], spans_b: list[Span]) -> int:
    return len(set(spans_a) & set(spans_b))


def _overlap_matches(spans_a: list[Span], spans_b: list[Span]) -> int:
    """Pairs of overlapping spans, each span used at most once. Spans within a set do not
    overlap, so matching each A span, left to right, with the leftmost free overlapping B span
    gives a maximum matching."""
    free = sorted(spans_b)
    matched = 0
    for start, end in sorted(spans_a):
        hit = next((span for span in free if span[0] < end and start < span[1]), None)
        if hit is not None:
            free.remove(hit)
            matched += 1
    return matched


def _entity_scores(
    pairs: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]], match: Callable[[list[Span], list[Span]], int]
) -> dict[str, Any]:
    counts = {label: [0, 0, 0] for label in ENTITY_LABELS}  # matched, in A, in B
    for ents_a, ents_b in pairs:
        for label, count in counts.items():
            spans_a = [(e["start"], e["end"]) for e in ents_a if e["label"] == label]
            spans_b = [(e["start"], e["end"]) for e in ents_b if e["label"] == label]
            count[0] += match(spans_a, spans_b)
            count[1] += len(spans_a)
            count[2] += len(spans_b)
    micro = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {"per_label": {label: _prf(*c) for label, c in counts.items()}, "micro": _prf(*micro)}


def _prf(matched: int, n_a: int, n_b: int) -> dict[str, Any]:
    return {
        "precision": matched / n_b if n_b else None,
        "recall": matched / n_a if n_a else None,
        "f1": 2 * matched / (n_a + n_b) if n_a + n_b else None,
        "matched": matched,
        "n_a": n_a,
        "n_b": n_b,
    }


def cohen_kappa(labels_a: Sequence[Hashable], labels_b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two equally long label sequences; None when chance agreement is 1
    (both used one and the same category throughout), where kappa is undefined."""
    n = len(labels_a)
    if n == 0 or n != len(labels_b):
        raise ValueError(f"kappa needs two non-empty sequences of equal length, got {n} and {len(labels_b)}")
    observed = sum(x == y for x, y in zip(labels_a, labels_b))
    count_a, count_b = Counter(labels_a), Counter(labels_b)
    chance = sum(count_a[k] * count_b[k] for k in count_a)  # expected agreements times n
    if chance == n * n:
        return None
    return (observed * n - chance) / (n * n - chance)


def _area_scores(pairs: list[tuple[list[str], list[str]]]) -> dict[str, Any]:
    primary_a, primary_b = [a[0] for a, _ in pairs], [b[0] for _, b in pairs]
    per_area = {
        area: {
            "kappa": cohen_kappa([area in a for a, _ in pairs], [area in b for _, b in pairs]),
            "n_a": sum(area in a for a, _ in pairs),
            "n_b": sum(area in b for _, b in pairs),
        }
        for area in AREA_LABELS
    }
    return {
        "primary_kappa": cohen_kappa(primary_a, primary_b),
        "primary_agreement": sum(x == y for x, y in zip(primary_a, primary_b)) / len(pairs),
        "mean_jaccard": sum(len(set(a) & set(b)) / len(set(a) | set(b)) for a, b in pairs) / len(pairs),
        "per_area": per_area,
    }


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_agreement(result: dict[str, Any]) -> str:
    """Markdown report of `score_agreement`: an entity table and an area table."""
    exact, overlap = result["entities"]["exact"], result["entities"]["overlap"]
    lines = [
        f"Paragraphs: {result['paragraphs']} (entities compared on {result['entity_paragraphs']}; A = reference)",
        "",
        "| label | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 | spans A | spans B |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label in (*ENTITY_LABELS, "micro"):
        e = exact["micro"] if label == "micro" else exact["per_label"][label]
        o = overlap["micro"] if label == "micro" else overlap["per_label"][label]
        scores = " | ".join(_fmt(s[k]) for s in (e, o) for k in ("precision", "recall", "f1"))
        lines.append(f"| {label} | {scores} | {e['n_a']} | {e['n_b']} |")
    areas = result["areas"]
    lines += [
        "",
        f"Primary area: kappa {_fmt(areas['primary_kappa'])}, raw agreement {_fmt(areas['primary_agreement'])}; "
        f"area sets: mean Jaccard {_fmt(areas['mean_jaccard'])}",
        "",
        "| area | kappa (presence) | paragraphs A | paragraphs B |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {area} | {_fmt(s['kappa'])} | {s['n_a']} | {s['n_b']} |"
        for area, s in areas["per_area"].items()
        if s["n_a"] or s["n_b"]
    ]
    return "\n".join(lines) + "\n"
