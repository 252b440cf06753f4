"""The policy-area baseline: character n-gram TF-IDF + one-vs-rest logistic regression, an
AreaClassifier with the same decision rule and dev-tuned thresholds as the encoder one (and
the TF-IDF part of the encoder's ensemble)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.config import TfidfConfig, to_dict
from nlp.model.areas import ThresholdedAreaClassifier, area_matrix, thresholds_from_info
from nlp.model.hf import read_model_info, write_model_info
from nlp.spec import AREA_LABELS

log = logging.getLogger(__name__)

TFIDF_KIND = "tfidf"
TFIDF_FILE = "model.joblib"


class TfidfAreaClassifier(ThresholdedAreaClassifier):
    """AreaClassifier: char n-gram TF-IDF + OneVsRest(LogisticRegression)."""

    def __init__(self, pipeline: dict[str, Any] | None = None, thresholds: np.ndarray | None = None,
                 info: dict[str, Any] | None = None) -> None:
        self.pipeline = pipeline or {}
        self.thresholds = np.full(len(AREA_LABELS), 0.5) if thresholds is None else thresholds
        self.info = info or {}

    def fit(self, train_records: Sequence[dict], dev_records: Sequence[dict], cfg: TfidfConfig) -> dict[str, float]:
        """Fits on train, tunes thresholds on dev; returns the dev macro-F1."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        m = cfg.model
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(m.ngram_min, m.ngram_max),
                                     max_features=m.max_features, min_df=m.min_df, sublinear_tf=True)
        classifier = OneVsRestClassifier(LogisticRegression(
            C=m.C, class_weight=None if m.class_weight == "none" else m.class_weight,
            max_iter=2000, random_state=cfg.training.seed,
        ))
        features = vectorizer.fit_transform([r["text"] for r in train_records])
        y = area_matrix(train_records)
        unseen = [area for area, n in zip(AREA_LABELS, y.sum(0)) if n == 0]
        if unseen:
            log.warning("areas without training paragraphs, always scored 0: %s", ", ".join(unseen))
        with warnings.catch_warnings():  # sklearn's warning about those areas, said above
            warnings.filterwarnings("ignore", message="Label not 1 is present", category=UserWarning)
            classifier.fit(features, y)
        self.pipeline = {"vectorizer": vectorizer, "classifier": classifier}
        dev_macro = self.tune(dev_records, cfg.thresholds)
        self.info = {"config": to_dict(cfg), "dev_metrics": {"tuned_macro_f1": dev_macro}}
        return self.info["dev_metrics"]

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 16) -> np.ndarray:
        """(n, len(AREA_LABELS)) probabilities; an area unseen in training scores 0."""
        features = self.pipeline["vectorizer"].transform(list(texts))
        return np.asarray(self.pipeline["classifier"].predict_proba(features), dtype=np.float32)

    def save(self, output_dir: Path) -> None:
        """model.joblib (vectorizer + classifier; load only files you trust: it is a pickle)
        and nlp_model.json with the thresholds."""
        import joblib

        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.pipeline, output_dir / TFIDF_FILE)
        write_model_info(output_dir, TFIDF_KIND, labels=list(AREA_LABELS),
                         thresholds=dict(zip(AREA_LABELS, map(float, self.thresholds))), **self.info)

    @classmethod
    def load(cls, model_dir: Path) -> TfidfAreaClassifier:
        import joblib

        info = read_model_info(model_dir, TFIDF_KIND)
        return cls(joblib.load(Path(model_dir) / TFIDF_FILE), thresholds_from_info(info),
                   {k: info[k] for k in ("config", "dev_metrics") if k in info})
