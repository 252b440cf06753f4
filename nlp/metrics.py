"""Entity and policy-area scores: the one scorer that `nlp evaluate` reports and the models
use to pick their best epoch on dev, so that both read the same numbers.

Entities are scored at the entity level: "exact" (seqeval, strict IOB2: start, end and label
must all match) and "overlap" (a predicted span counts as correct when it overlaps a gold span
of the same label, and a gold span as found when a predicted span of its label overlaps it).
Areas are scored per area (P/R/F1 over the selected label sets), micro and macro, plus the
accuracy of the primary (first) area and the mean Jaccard similarity of the label sets.
Macro averages run over the labels that occur in the gold or the predictions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlp.data import Span, spans_to_bio
from nlp.spec import AREA_LABELS, ENTITY_LABELS


def _prf(hits_p: float, n_pred: float, hits_r: float, n_gold: float) -> dict[str, float]:
    precision = hits_p / n_pred if n_pred else 0.0
    recall = hits_r / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1), "support": int(n_gold)}


def _macro(per_label: dict[str, dict[str, float]], used: Sequence[str]) -> dict[str, float]:
    rows = [per_label[name] for name in used]
    mean = {k: float(np.mean([r[k] for r in rows])) if rows else 0.0 for k in ("precision", "recall", "f1")}
    return {**mean, "support": int(sum(r["support"] for r in rows))}


def exact_entity_scores(lengths: Sequence[int], gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]]) -> dict:
    """seqeval entity-level scores (strict IOB2) per label, micro and macro."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    y_true = [spans_to_bio(n, spans) for n, spans in zip(lengths, gold)]
    y_pred = [spans_to_bio(n, spans) for n, spans in zip(lengths, pred)]
    report = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    per_label = {
        name: {
            "precision": float(report[name]["precision"]) if name in report else 0.0,
            "recall": float(report[name]["recall"]) if name in report else 0.0,
            "f1": float(report[name]["f1-score"]) if name in report else 0.0,
            "support": int(report[name]["support"]) if name in report else 0,
        }
        for name in ENTITY_LABELS
    }
    micro = report["micro avg"]
    return {
        "labels": per_label,
        "micro": {"precision": float(micro["precision"]), "recall": float(micro["recall"]),
                  "f1": float(micro["f1-score"]), "support": int(micro["support"])},
        "macro": _macro(per_label, [name for name in ENTITY_LABELS if name in report]),
    }


def overlap_entity_scores(gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]]) -> dict:
    """Lenient scores: spans count as matched when they overlap a span of the same label."""
    counts = {name: np.zeros(4) for name in ENTITY_LABELS}  # pred hits, n pred, gold hits, n gold
    for gold_spans, pred_spans in zip(gold, pred):
        for spans, others, hit, total in ((pred_spans, gold_spans, 0, 1), (gold_spans, pred_spans, 2, 3)):
            for s, e, label in spans:
                counts.setdefault(label, np.zeros(4))
                counts[label][total] += 1
                counts[label][hit] += any(label == lo and s < eo and so < e for so, eo, lo in others)
    per_label = {name: _prf(*c) for name, c in counts.items()}
    used = [name for name, c in counts.items() if c[1] or c[3]]
    return {"labels": per_label, "micro": _prf(*sum(counts.values())), "macro": _macro(per_label, used)}


def entity_scores(lengths: Sequence[int], gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]]) -> dict:
    return {"exact": exact_entity_scores(lengths, gold, pred), "overlap": overlap_entity_scores(gold, pred)}


def multi_hot(area_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """(n, len(AREA_LABELS)) 0/1 matrix; an unknown area is an error."""
    index = {area: i for i, area in enumerate(AREA_LABELS)}
    out = np.zeros((len(area_lists), len(AREA_LABELS)), dtype=np.float32)
    for row, areas in enumerate(area_lists):
        for area in areas:
            if area not in index:
                raise ValueError(f"unknown policy area {area!r} (expected one of {', '.join(AREA_LABELS)})")
            out[row, index[area]] = 1
    return out


def _area_counts(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Per area: true positives, predicted count, gold count."""
    return np.stack([(y_true * y_pred).sum(0), y_pred.sum(0), y_true.sum(0)], axis=1)


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Macro F1 over the areas present in the gold or the predictions: the same number as
    area_scores' macro F1, computed directly on 0/1 matrices for threshold tuning."""
    counts = _area_counts(y_true, y_pred)
    used = counts[:, 1] + counts[:, 2] > 0
    f1 = 2 * counts[:, 0] / np.maximum(counts[:, 1] + counts[:, 2], 1)
    return float(f1[used].mean()) if used.any() else 0.0


def area_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict:
    """Per-area P/R/F1, micro and macro F1, primary-area accuracy and mean Jaccard."""
    y_true, y_pred = multi_hot(gold), multi_hot(pred)
    counts = _area_counts(y_true, y_pred)
    per_area = {area: _prf(tp, n_pred, tp, n_gold) for area, (tp, n_pred, n_gold) in zip(AREA_LABELS, counts)}
    used = [area for area, c in zip(AREA_LABELS, counts) if c[1] or c[2]]
    union = np.maximum(y_true, y_pred).sum(1)
    jaccard = (y_true * y_pred).sum(1) / np.maximum(union, 1)
    return {
        "areas": per_area,
        "micro": _prf(counts[:, 0].sum(), counts[:, 1].sum(), counts[:, 0].sum(), counts[:, 2].sum()),
        "macro": _macro(per_area, used),
        "primary_accuracy": float(np.mean([bool(p) and p[0] == g[0] for g, p in zip(gold, pred)])) if gold else 0.0,
        "mean_jaccard": float(jaccard.mean()) if len(jaccard) else 0.0,
    }


def measure_scores(path: str | Path) -> dict[str, float]:
    """Share of hand-written measures (annotations/measures/*.jsonl) that nlp.normalize.measures
    reads right: all of indicator, values, unit and qualifier, compared in order per span."""
    from nlp.io import read_jsonl
    from nlp.normalize.measures import measures

    records = list(read_jsonl(Path(path)))
    return _measure_match([r["measures"] for r in records], [measures(r["span"]) for r in records])


def measure_agreement(path: str | Path, other: str | Path) -> dict[str, float]:
    """The scores of `measure_scores` between two annotators' hand-written measures of the same
    spans (`other` read as the answers to `path`): how far people agree, the ceiling of the check."""
    from nlp.io import read_jsonl

    first, second = list(read_jsonl(Path(path))), list(read_jsonl(Path(other)))
    if [(r["para_id"], r["span"]) for r in first] != [(r["para_id"], r["span"]) for r in second]:
        raise ValueError(f"{path} and {other} do not hold the same spans in the same order")
    return _measure_match([r["measures"] for r in first], [r["measures"] for r in second])


def _measure_match(expected: Sequence[Sequence[dict]], found: Sequence[Sequence[dict]]) -> dict[str, float]:
    """Per-field and all-field shares of the `expected` measures of each span that the `found`
    ones match in order; an empty indicator or unit equals a missing one."""
    fields = ("indicator", "values", "unit", "qualifier")
    right = {f: 0 for f in fields}
    whole = total = predicted = 0
    for wanted, got_all in zip(expected, found):
        predicted += len(got_all)
        for k, want in enumerate(wanted):
            total += 1
            got = got_all[k] if k < len(got_all) else None
            ok = {f: got is not None and (_same_numbers(got[f], want[f]) if f == "values" else (got[f] or None) == (want[f] or None))
                  for f in fields}
            whole += all(ok.values())
            for f in fields:
                right[f] += ok[f]
    return {"measures": total, "predicted": predicted, "all_fields": whole / total if total else 0.0,
            **{f: right[f] / total if total else 0.0 for f in fields}}


def _same_numbers(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) < 1e-9 for x, y in zip(a, b))
