"""Scoring (`nlp evaluate`): a trained model and its baseline on the same gold split, side by
side, with the metrics the models also use for dev selection.

NER is scored at the entity level: "exact" (seqeval, strict IOB2: start, end and label must
all match) and "overlap" (a predicted span counts as correct when it overlaps a gold span of
the same label, and a gold span as found when a predicted span of its label overlaps it).
Areas are scored per area (P/R/F1 over the selected label sets), micro and macro, plus the
accuracy of the primary (first) area and the mean Jaccard similarity of the label sets.
Macro averages run over the labels that occur in the gold or the predictions of the split.

Outputs in the evaluation folder: metrics.json, report.md, errors.jsonl and PNG plots.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.config import ClsConfig, NerConfig, TfidfConfig, TrainConfig, require_existing
from nlp.data import Span, entity_spans, load_split_records, ner_records, record_context, spans_to_bio
from nlp.spec import AREA_LABELS, ENTITY_LABELS

log = logging.getLogger(__name__)

CONTEXT_CHARS = 20


# --- metrics -------------------------------------------------------------------------------


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


# --- loading models by kind ---------------------------------------------------------------


def load_tagger(kind: str, path: Path | None = None, device: str = "auto") -> Any:
    """An EntityTagger: "rules" (no path) or "model" (a folder written by `nlp train`)."""
    if kind == "rules":
        from nlp.model.baselines import RuleTagger

        return RuleTagger()
    if kind == "model":
        from nlp.model.ner import NerTagger

        return NerTagger.load(Path(path), device=device)  # type: ignore[arg-type]
    raise ValueError(f"unknown entity tagger kind {kind!r} (expected rules or model)")


def load_area_classifier(kind: str, path: Path, device: str = "auto") -> Any:
    """An AreaClassifier: "model" (transformer) or "tfidf", from a folder written by `nlp train`."""
    if kind == "model":
        from nlp.model.classifier import AreaModel

        return AreaModel.load(Path(path), device=device)
    if kind == "tfidf":
        from nlp.model.baselines import TfidfAreaClassifier

        return TfidfAreaClassifier.load(Path(path))
    raise ValueError(f"unknown area classifier kind {kind!r} (expected model or tfidf)")


# --- nlp evaluate --------------------------------------------------------------------------


def evaluate(
    cfg: TrainConfig, split: str | None = None, output_dir: Path | None = None, *, source: str = "config"
) -> dict[str, Any]:
    """Scores the config's trained model and its baseline on `split` (default: the config's
    evaluation.split) and writes metrics.json, report.md, errors.jsonl and plots to
    `output_dir` (default: evaluation.output_dir). Returns the metrics."""
    split = split or cfg.evaluation.split
    output_dir = Path(output_dir or cfg.evaluation.output_dir)
    model_kind = {NerConfig: "model", ClsConfig: "model", TfidfConfig: "tfidf"}[type(cfg)]
    systems = {"model": (model_kind, require_existing(cfg.training.output_dir, "training.output_dir",
                                                      "the trained model (run `nlp train` first)", source))}
    baseline = cfg.evaluation.baseline
    if baseline.kind in ("model", "tfidf"):
        what = "the baseline model (train it with `nlp train`)"
        systems["baseline"] = (baseline.kind, require_existing(baseline.path, "evaluation.baseline.path", what, source))
    elif baseline.kind == "rules":
        systems["baseline"] = ("rules", None)
    records = load_split_records(cfg.data, [split])[split]
    if isinstance(cfg, NerConfig):
        records = ner_records(records)
    if not records:
        what = "paragraphs with annotated entities" if isinstance(cfg, NerConfig) else "gold paragraphs"
        raise ValueError(f"{cfg.data.gold_dir}: split {split!r} of {cfg.data.splits} holds no {what} to evaluate")
    output_dir.mkdir(parents=True, exist_ok=True)
    from nlp import plots

    if isinstance(cfg, NerConfig):
        results, errors = _evaluate_ner(records, systems)
        per_label = {name: {k: v["exact"]["labels"][k]["f1"] for k in ENTITY_LABELS} for name, v in results.items()}
        plot_files = [plots.f1_bars(per_label, output_dir / "f1_by_label.png", f"Entity F1 (exact) on {split}")]
    else:
        results, errors, primaries = _evaluate_areas(records, systems)
        per_area = {name: {k: v["areas"][k]["f1"] for k in AREA_LABELS} for name, v in results.items()}
        plot_files = [
            plots.f1_bars(per_area, output_dir / "f1_by_area.png", f"Policy-area F1 on {split}"),
            plots.confusion_matrices(primaries, AREA_LABELS, output_dir / "primary_confusion.png"),
        ]
    errors = errors[: cfg.evaluation.worst_errors]
    metrics = {
        "task": cfg.task,
        "split": split,
        "n_paragraphs": len(records),
        **{name: {"kind": kind, "path": str(path) if path else None, "metrics": results[name]}
           for name, (kind, path) in systems.items()},
    }
    metrics.setdefault("baseline", None)
    (output_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with (output_dir / "errors.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in errors)
    (output_dir / "report.md").write_text(
        _report(metrics, errors, [p.name for p in plot_files]), encoding="utf-8"
    )
    log.info("evaluation of %s on %s written to %s", cfg.task, split, output_dir)
    return metrics


def _evaluate_ner(records: list[dict], systems: dict[str, tuple[str, Path | None]]) -> tuple[dict, list[dict]]:
    texts, sections, years = record_context(records)
    gold = [entity_spans(r) for r in records]
    results, predictions = {}, {}
    for name, (kind, path) in systems.items():
        predictions[name] = load_tagger(kind, path).predict(texts, sections=sections, years=years)
        spans = [[(e["start"], e["end"], e["label"]) for e in ents] for ents in predictions[name]]
        results[name] = entity_scores([len(t) for t in texts], gold, spans)
    return results, entity_errors(records, predictions["model"])


def entity_errors(records: Sequence[dict], predictions: Sequence[Sequence[dict]]) -> list[dict]:
    """Span errors, worst first: wrong label (same span), missed, spurious, boundary (overlaps
    a gold span of the same label); confident mistakes and long spans first within a type."""
    order = {"wrong_label": 0, "missed": 1, "spurious": 2, "boundary": 3}
    errors = []
    for rec, preds in zip(records, predictions):
        text = rec["text"]
        gold = {(s, e): label for s, e, label in entity_spans(rec)}
        pred = {(p["start"], p["end"]): p for p in preds}
        for (s, e), p in pred.items():
            if gold.get((s, e)) == p["label"]:
                continue
            if (s, e) in gold:
                kind, gold_label = "wrong_label", gold[(s, e)]
            elif any(p["label"] == gl and s < ge and gs < e for (gs, ge), gl in gold.items()):
                kind, gold_label = "boundary", p["label"]
            else:
                kind, gold_label = "spurious", None
            errors.append(_error(rec, text, s, e, kind, gold_label, p["label"], p.get("score")))
        for (s, e), label in gold.items():
            found = (s, e) in pred or any(
                p["label"] == label and s < pe and ps < e for (ps, pe), p in pred.items()
            )
            if not found:
                errors.append(_error(rec, text, s, e, "missed", label, None, None))
    return sorted(errors, key=lambda x: (order[x["type"]], -(x["score"] or 1.0), -(x["end"] - x["start"]), x["id"]))


def _error(
    rec: dict, text: str, s: int, e: int, kind: str, gold: str | None, pred: str | None, score: float | None
) -> dict:
    left, right = text[max(0, s - CONTEXT_CHARS) : s], text[e : e + CONTEXT_CHARS]
    return {"id": rec["id"], "type": kind, "start": s, "end": e, "text": text[s:e], "gold": gold,
            "predicted": pred, "score": score, "context": f"{left}【{text[s:e]}】{right}"}


def _evaluate_areas(records: list[dict], systems: dict[str, tuple[str, Path | None]]) -> tuple[dict, list[dict], dict]:
    texts = [r["text"] for r in records]
    gold = [list(r["areas"]) for r in records]
    results, predicted, primaries = {}, {}, {}
    for name, (kind, path) in systems.items():
        output = load_area_classifier(kind, path).predict(texts)  # type: ignore[arg-type]
        predicted[name] = [[a["label"] for a in areas] for areas in output]
        results[name] = area_scores(gold, predicted[name])
        primaries[name] = ([g[0] for g in gold], [p[0] for p in predicted[name]])
    return results, area_errors(records, predicted["model"]), primaries


def area_errors(records: Sequence[dict], predicted: Sequence[Sequence[str]]) -> list[dict]:
    """Paragraphs whose predicted areas differ from the gold ones, lowest Jaccard first."""
    errors = []
    for rec, pred in zip(records, predicted):
        gold = list(rec["areas"])
        jaccard = len(set(gold) & set(pred)) / len(set(gold) | set(pred))
        if jaccard < 1 or gold[0] != pred[0]:
            errors.append({"id": rec["id"], "jaccard": round(jaccard, 3), "gold": gold, "predicted": list(pred),
                           "primary_correct": gold[0] == pred[0], "text": rec["text"]})
    return sorted(errors, key=lambda x: (x["jaccard"], x["primary_correct"], x["id"]))


# --- report.md -----------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    text = "–" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _side_by_side(names: list[str], scores: list[dict], key: str, labels: Sequence[str]) -> str:
    """Per-label table (support, then P/R/F1 of each system) with micro and macro rows;
    `scores[i][key][label]` holds system i's scores of a label."""
    header = ["label", "support"] + [f"{n} {m}" for n in names for m in ("P", "R", "F1")]
    rows = [(label, [s[key][label] for s in scores]) for label in labels]
    rows += [(f"{avg} avg", [s[avg] for s in scores]) for avg in ("micro", "macro")]
    return _table(header, [[name, cells[0]["support"]] + [c[m] for c in cells for m in ("precision", "recall", "f1")]
                           for name, cells in rows])


def _report(metrics: dict, errors: list[dict], plot_names: list[str]) -> str:
    names = [n for n in ("model", "baseline") if metrics.get(n)]
    systems = ", ".join(f"{n}: {metrics[n]['kind']} ({metrics[n]['path'] or 'built in'})" for n in names)
    out = [f"# Evaluation of `{metrics['task']}` on the {metrics['split']} split", "",
           f"{metrics['n_paragraphs']} paragraphs. Systems: {systems}.", ""]
    if metrics["task"] == "ner":
        for mode in ("exact", "overlap"):
            scores = [metrics[n]["metrics"][mode] for n in names]
            out += [f"## Entities, {mode} match", "", _side_by_side(names, scores, "labels", ENTITY_LABELS), ""]
    else:
        summary = [[key] + [metrics[n]["metrics"][key] for n in names] for key in ("primary_accuracy", "mean_jaccard")]
        summary += [[f"{avg} F1"] + [metrics[n]["metrics"][avg]["f1"] for n in names] for avg in ("micro", "macro")]
        out += ["## Policy areas", "", _table(["metric", *names], summary), "",
                _side_by_side(names, [metrics[n]["metrics"] for n in names], "areas", AREA_LABELS), ""]
    out += ["## Plots", ""] + [f"![{name}]({name})" for name in plot_names] + [""]
    out += [f"## {len(errors)} worst errors of the model", ""]
    if metrics["task"] == "ner":
        rows = [[e["id"], e["type"], e["gold"], e["predicted"], e["score"], e["context"]] for e in errors]
        out.append(_table(["paragraph", "error", "gold", "predicted", "score", "context (±20 chars)"], rows))
    else:
        rows = [[e["id"], e["jaccard"], ", ".join(e["gold"]), ", ".join(e["predicted"]), e["text"][:120]]
                for e in errors]
        out.append(_table(["paragraph", "Jaccard", "gold", "predicted", "text (first 120 chars)"], rows))
    return "\n".join(out) + "\n"

