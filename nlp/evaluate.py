"""`nlp evaluate`: a trained model and its baseline on the same gold split, side by side, scored
by nlp.metrics, with the worst errors of the model.

Outputs in the evaluation folder: metrics.json, report.md, errors.jsonl and PNG plots.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlp.config import AreasConfig, NerConfig, TfidfConfig, TrainConfig, require_existing, require_model
from nlp.data import entity_spans, load_split_records, ner_records, record_context
from nlp.metrics import area_scores, entity_scores
from nlp.model.hf import saved_model_info
from nlp.model.registry import load_area_classifier, load_tagger, model_folder
from nlp.provenance import provenance
from nlp.spec import AREA_LABELS, ENTITY_LABELS

log = logging.getLogger(__name__)

CONTEXT_CHARS = 20


# --- nlp evaluate --------------------------------------------------------------------------


def evaluate(
    cfg: TrainConfig, split: str | None = None, output_dir: Path | None = None, *, source: str = "config"
) -> dict[str, Any]:
    """Scores the config's trained model and its baseline on `split` (default: the config's
    evaluation.split) and writes metrics.json, report.md, errors.jsonl and plots to
    `output_dir` (default: evaluation.output_dir). Returns the metrics."""
    split = split or cfg.evaluation.split
    output_dir = Path(output_dir or cfg.evaluation.output_dir)
    model_kind = {NerConfig: "model", AreasConfig: "model", TfidfConfig: "tfidf"}[type(cfg)]
    systems = {"model": (model_kind, require_existing(cfg.training.output_dir, "training.output_dir",
                                                      "the trained model (run `nlp train` first)", source))}
    baseline = cfg.evaluation.baseline
    if baseline.kind in ("model", "tfidf"):
        what = "the baseline model"
        systems["baseline"] = (baseline.kind, model_folder(require_model(baseline.path, "evaluation.baseline.path", what, source)))
    elif baseline.kind == "rules":
        systems["baseline"] = ("rules", None)
    records = load_split_records(cfg.data, [split])[split]
    precision = cfg.runtime.precision if isinstance(cfg, (NerConfig, AreasConfig)) else "fp32"
    if isinstance(cfg, NerConfig):
        records = ner_records(records)
    if not records:
        what = "paragraphs with annotated entities" if isinstance(cfg, NerConfig) else "gold paragraphs"
        raise ValueError(f"{cfg.data.gold_dir}: split {split!r} of {cfg.data.splits} holds no {what} to evaluate")
    output_dir.mkdir(parents=True, exist_ok=True)
    from nlp import plots

    if isinstance(cfg, NerConfig):
        results, errors = _evaluate_ner(records, systems, cfg.evaluation.context, precision)
        per_label = {name: {k: v["exact"]["labels"][k]["f1"] for k in ENTITY_LABELS} for name, v in results.items()}
        plot_files = [plots.f1_bars(per_label, output_dir / "f1_by_label.png", f"Entity F1 (exact) on {split}")]
    else:
        results, errors, primaries = _evaluate_areas(records, systems, precision)
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
    metrics["provenance"] = provenance(seed=_training_seed(systems["model"][1]), precision=precision)
    (output_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with (output_dir / "errors.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in errors)
    (output_dir / "report.md").write_text(
        _report(metrics, errors, [p.name for p in plot_files]), encoding="utf-8"
    )
    log.info("evaluation of %s on %s written to %s", cfg.task, split, output_dir)
    return metrics


def _training_seed(model_dir: Path | None) -> int | None:
    """The training seed recorded in a model folder's nlp_model.json, if any."""
    info = saved_model_info(model_dir) or {}
    return info.get("config", {}).get("training", {}).get("seed")


def _evaluate_ner(
    records: list[dict], systems: dict[str, tuple[str, Path | None]], context: str = "with", precision: str = "fp32"
) -> tuple[dict, list[dict]]:
    """Entity scores per system. With `context` "with" the taggers see each paragraph's
    section path, report year and report region, with "without" they see the bare text (as a
    pre-segmented input without those fields gives it), with "both" the scores without context are added
    under `without_context`. The errors listed are the model's in the first mode."""
    texts, sections, years, regions = record_context(records)
    modes = {"with": (sections, years, regions), "without": ([""] * len(texts), [None] * len(texts), [None] * len(texts))}
    chosen = ["with", "without"] if context == "both" else [context]
    gold = [entity_spans(r) for r in records]
    results, predictions = {}, {}
    for name, (kind, path) in systems.items():
        tagger = load_tagger(kind, path, precision=precision)
        for mode in chosen:
            found = tagger.predict(texts, sections=modes[mode][0], years=modes[mode][1], report_regions=modes[mode][2])
            spans = [[(e["start"], e["end"], e["label"]) for e in ents] for ents in found]
            scores = entity_scores([len(t) for t in texts], gold, spans)
            if name not in results:
                results[name], predictions[name] = scores, found
            else:
                results[name]["without_context"] = scores
        results[name]["context"] = chosen[0]
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


def _evaluate_areas(
    records: list[dict], systems: dict[str, tuple[str, Path | None]], precision: str = "fp32"
) -> tuple[dict, list[dict], dict]:
    texts = [r["text"] for r in records]
    gold = [list(r["areas"]) for r in records]
    results, predicted, primaries = {}, {}, {}
    for name, (kind, path) in systems.items():
        output = load_area_classifier(kind, path, precision=precision).predict(texts)  # type: ignore[arg-type]
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


def _provenance_line(prov: dict[str, Any]) -> str:
    packages = ", ".join(f"{k} {v}" for k, v in prov["packages"].items() if v)
    return (f"Commit {prov['commit'] or 'unknown'}, {prov['date']}, training seed {prov['seed']}, "
            f"precision {prov.get('precision', 'fp32')}; {packages}.")


def _report(metrics: dict, errors: list[dict], plot_names: list[str]) -> str:
    names = [n for n in ("model", "baseline") if metrics.get(n)]
    systems = ", ".join(f"{n}: {metrics[n]['kind']} ({metrics[n]['path'] or 'built in'})" for n in names)
    out = [f"# Evaluation of `{metrics['task']}` on the {metrics['split']} split", "",
           f"{metrics['n_paragraphs']} paragraphs. Systems: {systems}.", "", _provenance_line(metrics["provenance"]), ""]
    if metrics["task"] == "ner":
        given = "with" if metrics["model"]["metrics"].get("context", "with") == "with" else "without"
        for mode in ("exact", "overlap"):
            scores = [metrics[n]["metrics"][mode] for n in names]
            out += [f"## Entities, {mode} match ({given} section and year)", "",
                    _side_by_side(names, scores, "labels", ENTITY_LABELS), ""]
        if all("without_context" in metrics[n]["metrics"] for n in names):
            scores = [metrics[n]["metrics"]["without_context"]["exact"] for n in names]
            out += ["## Entities, exact match, without section and year (bare paragraphs)", "",
                    _side_by_side(names, scores, "labels", ENTITY_LABELS), ""]
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

