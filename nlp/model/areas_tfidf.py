"""The policy-area baseline: character n-gram TF-IDF + one-vs-rest logistic regression, an
AreaClassifier with the same decision rule and dev-tuned thresholds as the encoder one (and
the TF-IDF part of the encoder's ensemble).

A saved model is data, not code: the n-gram vocabulary and settings as JSON, the idf weights
and the regression coefficients as safetensors. Nothing is unpickled on load, so a model
folder from elsewhere cannot run code (an old `model.joblib` folder is refused, with a note
to retrain)."""

from __future__ import annotations

import json
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
VOCAB_FILE = "tfidf_vocabulary.json"
WEIGHTS_FILE = "tfidf_weights.safetensors"
PICKLE_FILE = "model.joblib"  # what versions before 0.2 saved


class TfidfAreaClassifier(ThresholdedAreaClassifier):
    """AreaClassifier: char n-gram TF-IDF + one logistic regression per area.

    `vocabulary` (n-grams in feature order), `ngram_range`, `idf`, `coef` (areas x features)
    and `intercept` are all it needs to predict: the fitted sklearn objects are not kept."""

    def __init__(self, vocabulary: Sequence[str] = (), ngram_range: tuple[int, int] = (1, 3),
                 idf: np.ndarray | None = None, coef: np.ndarray | None = None, intercept: np.ndarray | None = None,
                 thresholds: np.ndarray | None = None, info: dict[str, Any] | None = None) -> None:
        self.vocabulary, self.ngram_range = list(vocabulary), tuple(ngram_range)
        self.idf, self.coef, self.intercept = idf, coef, intercept
        self.thresholds = np.full(len(AREA_LABELS), 0.5) if thresholds is None else thresholds
        self.info = info or {}
        self._vectorizer: Any = None

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
        names = vectorizer.get_feature_names_out()
        coef = np.zeros((len(AREA_LABELS), len(names)), dtype=np.float64)
        intercept = np.full(len(AREA_LABELS), -np.inf)  # an area never seen in training scores 0
        for k, estimator in enumerate(classifier.estimators_):
            if hasattr(estimator, "coef_"):
                coef[k], intercept[k] = estimator.coef_[0], estimator.intercept_[0]
        self.vocabulary, self.ngram_range = [str(n) for n in names], (m.ngram_min, m.ngram_max)
        self.idf, self.coef, self.intercept, self._vectorizer = vectorizer.idf_, coef, intercept, None
        dev_macro = self.tune(dev_records, cfg.thresholds)
        self.info = {"config": to_dict(cfg), "dev_metrics": {"tuned_macro_f1": dev_macro}}
        return self.info["dev_metrics"]

    def _features(self, texts: Sequence[str]) -> Any:
        """TF-IDF rows of the texts, from the vocabulary and idf alone."""
        if self._vectorizer is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True,
                                               vocabulary={n: i for i, n in enumerate(self.vocabulary)})
            self._vectorizer.idf_ = self.idf
        return self._vectorizer.transform(list(texts))

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 16) -> np.ndarray:
        """(n, len(AREA_LABELS)) probabilities; an area unseen in training scores 0."""
        logits = np.asarray(self._features(texts) @ self.coef.T) + self.intercept
        with np.errstate(over="ignore"):
            return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)

    def save(self, output_dir: Path) -> None:
        """The vocabulary (JSON), idf and coefficients (safetensors) and nlp_model.json with the
        thresholds."""
        from safetensors.numpy import save_file

        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / VOCAB_FILE).write_text(json.dumps(
            {"ngram_range": list(self.ngram_range), "vocabulary": self.vocabulary}, ensure_ascii=False), encoding="utf-8")
        save_file({"idf": np.asarray(self.idf, dtype=np.float64), "coef": self.coef, "intercept": self.intercept},
                  str(output_dir / WEIGHTS_FILE))
        write_model_info(output_dir, TFIDF_KIND, labels=list(AREA_LABELS),
                         thresholds=dict(zip(AREA_LABELS, map(float, self.thresholds))), **self.info)

    @classmethod
    def load(cls, model_dir: Path) -> TfidfAreaClassifier:
        from safetensors.numpy import load_file

        model_dir = Path(model_dir)
        info = read_model_info(model_dir, TFIDF_KIND)
        if not (model_dir / WEIGHTS_FILE).is_file():
            old = " It holds a pickled model.joblib of an older version, which is not loaded: a pickle can run code." \
                if (model_dir / PICKLE_FILE).is_file() else ""
            raise ValueError(f"{model_dir}: no {WEIGHTS_FILE}.{old} Train it again: nlp train --config configs/tfidf.yaml")
        try:
            meta = json.loads((model_dir / VOCAB_FILE).read_text(encoding="utf-8"))
            weights = load_file(str(model_dir / WEIGHTS_FILE))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{model_dir}: unreadable TF-IDF model files ({exc})") from None
        return cls(meta["vocabulary"], tuple(meta["ngram_range"]), weights["idf"], weights["coef"], weights["intercept"],
                   thresholds_from_info(info), {k: info[k] for k in ("config", "dev_metrics") if k in info})
