"""Policy-area classifier on a pretrained encoder: a multi-label sigmoid head trained with the
Hugging Face Trainer, under the decision rule of nlp.model.areas.

Long paragraphs are truncated to `model.max_length` tokens: the opening of a paragraph
usually states its topic, and areas are a paragraph-level judgement, so no windowing is done.

With `blend.tfidf_config` set, the model also fits a character n-gram TF-IDF classifier on
the same train split and averages its probabilities in, with the TF-IDF share chosen from
`blend.weights` on dev together with the thresholds: the encoder and the n-grams make
different mistakes (an ensemble; the encoder-only dev score is kept in `dev_metrics`).

The network is nlp.model.pooling.MeanPoolClassifier (the mean of the token vectors, which
did better on dev than the [CLS] head of AutoModelForSequenceClassification; see the README).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.config import AreasConfig, to_dict
from nlp.metrics import macro_f1
from nlp.model import hf
from nlp.model.areas import ThresholdedAreaClassifier, area_matrix, select_areas, thresholds_from_info, tune_thresholds
from nlp.model.precision import autocast, load_predictor, model_device, place_model
from nlp.spec import AREA_LABELS

log = logging.getLogger(__name__)

KIND = "areas"
TFIDF_DIR = "tfidf"  # the blended TF-IDF classifier, inside the model folder


# --- transformer classifier ----------------------------------------------------------------


class EncoderAreaClassifier(ThresholdedAreaClassifier):
    """AreaClassifier backed by nlp.model.pooling.MeanPoolClassifier (multi-label, sigmoid)."""

    def __init__(
        self, model: Any = None, tokenizer: Any = None, *, max_length: int = 256,
        thresholds: np.ndarray | None = None, info: dict[str, Any] | None = None, device: str = "auto",
        tfidf: Any = None, tfidf_weight: float = 0.0, precision: str = "fp32",
    ) -> None:
        self.model, self.tokenizer, self.max_length = model, tokenizer, max_length
        self.tfidf, self.tfidf_weight = tfidf, tfidf_weight
        self.thresholds = np.full(len(AREA_LABELS), 0.5) if thresholds is None else thresholds
        self.info = info or {}
        self.precision = "fp32"
        if model is not None:
            self.model, self.precision = place_model(model, hf.torch_device(device), precision)

    def fit(self, train_records: Sequence[dict], dev_records: Sequence[dict], cfg: AreasConfig) -> dict[str, float]:
        """Trains (best epoch by dev macro-F1 at threshold 0.5), fits the blended TF-IDF model if
        configured, then tunes the blend weight and the thresholds on dev."""
        from transformers import AutoModel, AutoTokenizer, DataCollatorWithPadding

        self.max_length = cfg.model.max_length
        self.tokenizer = AutoTokenizer.from_pretrained(cfg.model.name_or_path)
        from nlp.model.pooling import MeanPoolClassifier

        encoder = hf.build_model(AutoModel, cfg.model.name_or_path, cfg.training.init, cfg.training.seed)
        model = MeanPoolClassifier.from_encoder(encoder, AREA_LABELS, cfg.model.dropout)
        optimizer = hf.head_scaled_adamw(model, model.head.parameters(), cfg.training)
        default = np.full(len(AREA_LABELS), 0.5)

        def compute_metrics(eval_pred: Any) -> dict[str, float]:
            probs = 1 / (1 + np.exp(-eval_pred.predictions))
            return {"macro_f1": macro_f1(eval_pred.label_ids, select_areas(probs, default))}

        trainer, metrics = hf.run_trainer(
            model=model, training=cfg.training, train_dataset=self._dataset(train_records),
            eval_dataset=self._dataset(dev_records), data_collator=DataCollatorWithPadding(self.tokenizer),
            compute_metrics=compute_metrics, metric="macro_f1", optimizer=optimizer,
        )
        self.model = trainer.model.eval()
        self.tfidf, self.tfidf_weight = None, 0.0
        dev_probs = self._encoder_proba([r["text"] for r in dev_records], 16)
        metrics["encoder_tuned_macro_f1"] = tuned = self.tune(dev_records, cfg.thresholds, dev_probs)
        if cfg.blend.tfidf_config is not None:
            tuned = self._fit_blend(train_records, dev_records, dev_probs, cfg)
        self.info = {"config": to_dict(cfg), "dev_metrics": {**metrics, "tuned_macro_f1": tuned}}
        return self.info["dev_metrics"]

    def _fit_blend(
        self, train_records: Sequence[dict], dev_records: Sequence[dict], encoder_probs: np.ndarray, cfg: AreasConfig
    ) -> float:
        """Fits the TF-IDF classifier of `blend.tfidf_config` on train, then keeps the weight of
        `blend.weights` (first best on ties) and thresholds with the best dev macro-F1, given
        the encoder's dev scores `encoder_probs`."""
        from nlp.config import load_config
        from nlp.model.areas_tfidf import TfidfAreaClassifier

        tfidf = TfidfAreaClassifier()
        tfidf.fit(train_records, dev_records, load_config(cfg.blend.tfidf_config, tasks=("tfidf",)))
        y_dev, tfidf_probs = area_matrix(dev_records), tfidf.predict_proba([r["text"] for r in dev_records])
        best = None
        for weight in cfg.blend.weights:
            thresholds, score = tune_thresholds(
                (1 - weight) * encoder_probs + weight * tfidf_probs, y_dev, cfg.thresholds
            )
            log.info("blend: TF-IDF weight %.2f -> dev macro-F1 %.4f", weight, score)
            if best is None or score > best[0]:
                best = (score, weight, thresholds)
        score, self.tfidf_weight, self.thresholds = best
        self.tfidf = tfidf
        return score

    def _dataset(self, records: Sequence[dict]) -> Any:
        from datasets import Dataset

        def tokenize(batch: dict[str, list]) -> dict[str, list]:
            return dict(self.tokenizer(batch["text"], truncation=True, max_length=self.max_length))

        data = {"text": [r["text"] for r in records], "labels": area_matrix(records).tolist()}
        return Dataset.from_dict(data).map(tokenize, batched=True, remove_columns=["text"])

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 16) -> np.ndarray:
        """(n, len(AREA_LABELS)) scores in AREA_LABELS order: the encoder's sigmoid outputs,
        blended with the TF-IDF probabilities when the model has a TF-IDF part."""
        probs = self._encoder_proba(texts, batch_size)
        if self.tfidf is not None and self.tfidf_weight > 0:
            probs = (1 - self.tfidf_weight) * probs + self.tfidf_weight * self.tfidf.predict_proba(texts)
        return probs

    def _encoder_proba(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        import torch

        out = np.zeros((len(texts), len(AREA_LABELS)), dtype=np.float32)
        device = model_device(self.model)
        for batch in hf.length_batches([len(t) for t in texts], batch_size):
            enc = self.tokenizer([texts[i] for i in batch], truncation=True, max_length=self.max_length,
                                 padding=True, return_tensors="pt")
            with torch.inference_mode(), autocast(self.precision, device):
                logits = self.model(**{k: v.to(device) for k, v in enc.items()}).logits
            out[batch] = torch.sigmoid(logits.float()).cpu().numpy()
        return out

    def save(self, output_dir: Path) -> None:
        """Encoder + head + tokenizer files, the blended TF-IDF model in `tfidf/` if any, and
        nlp_model.json (with the thresholds and the blend weight)."""
        output_dir = Path(output_dir)
        self.model.save(output_dir)
        self.tokenizer.save_pretrained(output_dir)
        if self.tfidf is not None:
            self.tfidf.save(output_dir / TFIDF_DIR)
        hf.write_model_info(output_dir, KIND, labels=list(AREA_LABELS), max_length=self.max_length,
                         thresholds=dict(zip(AREA_LABELS, map(float, self.thresholds))),
                         tfidf_weight=self.tfidf_weight if self.tfidf is not None else 0.0, **self.info)

    @classmethod
    def load(cls, model_dir: Path, device: str = "auto", precision: str = "fp32") -> EncoderAreaClassifier:
        from transformers import AutoTokenizer

        from nlp.model.areas_tfidf import TfidfAreaClassifier
        from nlp.model.pooling import MeanPoolClassifier

        info = hf.read_model_info(model_dir, KIND)
        if tuple(info["labels"]) != AREA_LABELS:
            raise ValueError(f"{model_dir}: trained for areas {info['labels']}, expected {list(AREA_LABELS)}")
        weight = info.get("tfidf_weight", 0.0)
        return load_predictor(
            cls, model_dir, precision, model=MeanPoolClassifier.load(model_dir, AREA_LABELS),
            tokenizer=AutoTokenizer.from_pretrained(model_dir), max_length=info["max_length"],
            thresholds=thresholds_from_info(info), info={k: info[k] for k in ("config", "dev_metrics") if k in info},
            device=device, tfidf=TfidfAreaClassifier.load(Path(model_dir) / TFIDF_DIR) if weight else None,
            tfidf_weight=weight,
        )
