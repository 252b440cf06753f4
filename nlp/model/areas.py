"""The policy-area decision rule shared by every area classifier: the top-scoring area is
always selected (every paragraph has a primary area); further areas are added, by score, when
they reach their threshold, up to MAX_AREAS. The thresholds are tuned on the dev split only
(`tune_thresholds`). Kept apart from the classifiers so that the TF-IDF baseline never loads
the transformer one."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from nlp.config import ThresholdConfig
from nlp.metrics import macro_f1, multi_hot
from nlp.spec import AREA_LABELS, MAX_AREAS

log = logging.getLogger(__name__)


def select_areas(probs: np.ndarray, thresholds: Sequence[float] | np.ndarray) -> np.ndarray:
    """0/1 selection (n, n_areas): top area always, others at or above their threshold, at most
    MAX_AREAS by score."""
    probs = np.asarray(probs)
    order = np.argsort(-probs, axis=1, kind="stable")[:, :MAX_AREAS]
    ranked = np.take_along_axis(probs, order, axis=1)
    keep = ranked >= np.asarray(thresholds)[order]
    keep[:, 0] = True
    selected = np.zeros_like(probs, dtype=np.float32)
    np.put_along_axis(selected, order, keep.astype(np.float32), axis=1)
    return selected


def tune_thresholds(probs: np.ndarray, y_true: np.ndarray, cfg: ThresholdConfig) -> tuple[np.ndarray, float]:
    """Thresholds maximising dev macro-F1 under `select_areas`.

    First one global threshold from the grid (the first best on ties); then, if `per_area`,
    each area's threshold in turn is moved to the grid value that strictly improves macro-F1
    (one pass of coordinate ascent). Areas in `cfg.fixed` keep their given threshold."""
    fixed = {AREA_LABELS.index(area): value for area, value in cfg.fixed.items()}
    free = [i for i in range(len(AREA_LABELS)) if i not in fixed]

    def with_values(base: np.ndarray, index: list[int], value: float) -> np.ndarray:
        out = base.copy()
        out[index] = value
        return out

    def score(thresholds: np.ndarray) -> float:
        return macro_f1(y_true, select_areas(probs, thresholds))

    start = np.full(len(AREA_LABELS), 0.5)
    for i, value in fixed.items():
        start[i] = value
    candidates = [with_values(start, free, t) for t in cfg.grid]
    scores = [score(c) for c in candidates]
    best = candidates[int(np.argmax(scores))]
    best_score = max(scores)
    if cfg.per_area:
        for i in free:
            for t in cfg.grid:
                trial = with_values(best, [i], t)
                trial_score = score(trial)
                if trial_score > best_score:
                    best, best_score = trial, trial_score
    return best, best_score


class ThresholdedAreaClassifier:
    """`predict` on top of a subclass's `predict_proba` and tuned `thresholds`."""

    thresholds: np.ndarray

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 16) -> np.ndarray:
        raise NotImplementedError

    def predict(self, texts: Sequence[str], *, batch_size: int = 16) -> list[list[dict]]:
        """Selected areas per text as [{"label", "score"}], highest score first."""
        probs = self.predict_proba(texts, batch_size=batch_size)
        selected = select_areas(probs, self.thresholds)
        out = []
        for row, chosen in zip(probs, selected):
            idx = sorted(np.flatnonzero(chosen), key=lambda i: -row[i])
            out.append([{"label": AREA_LABELS[i], "score": round(float(row[i]), 4)} for i in idx])
        return out

    def tune(self, dev_records: Sequence[dict], cfg: ThresholdConfig, probs: np.ndarray | None = None) -> float:
        """Sets `thresholds` on the dev records (scored by `predict_proba` unless their `probs`
        are given); returns the dev macro-F1 they reach."""
        if probs is None:
            probs = self.predict_proba([r["text"] for r in dev_records])
        self.thresholds, dev_macro = tune_thresholds(probs, area_matrix(dev_records), cfg)
        log.info("dev macro-F1 with tuned thresholds: %.4f", dev_macro)
        return dev_macro


def area_matrix(records: Sequence[dict]) -> np.ndarray:
    """Multi-hot gold areas; a record without areas is an error (gold has 1-3 per paragraph)."""
    for rec in records:
        if not rec.get("areas"):
            raise ValueError(f"record {rec.get('id')!r} has no policy areas")
    return multi_hot([rec["areas"] for rec in records])


def thresholds_from_info(info: dict[str, Any]) -> np.ndarray:
    return np.array([info["thresholds"][area] for area in AREA_LABELS], dtype=float)
