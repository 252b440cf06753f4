"""Character-level NER tagger: a token-classification head on a pretrained encoder, trained
with the Hugging Face Trainer in the manner of `run_ner.py` (one label per character).

Paragraphs longer than the encoder input are cut into overlapping windows for training,
dev evaluation and prediction alike (see nlp.model.windows), so dev scores are paragraph-level
entity scores of exactly what `predict` returns.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.config import NerConfig, to_dict
from nlp.data import align_labels, encode_chars, entity_spans, first_token_positions, spans_to_bio
from nlp.evaluate import entity_scores
from nlp.model.windows import Window, decode_entities, make_windows, merge_windows, tag_texts
from nlp.spec import bio_labels
from nlp.train import build_model, length_batches, read_model_info, run_trainer, torch_device, write_model_info

log = logging.getLogger(__name__)

KIND = "ner"


class NerTagger:
    """EntityTagger backed by AutoModelForTokenClassification over BIO character tags."""

    def __init__(
        self, model: Any = None, tokenizer: Any = None, *, max_length: int = 256, stride: int = 64,
        info: dict[str, Any] | None = None, device: str = "auto",
    ) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.max_length, self.stride = max_length, stride
        self.labels = list(model.config.id2label[i] for i in range(model.config.num_labels)) if model else bio_labels()
        self.info = info or {}
        self.device = device
        if model is not None:
            self.model.to(torch_device(device)).eval()

    @property
    def window_size(self) -> int:
        """Characters per window: the input length less the special tokens."""
        return self.max_length - self.tokenizer.num_special_tokens_to_add()

    # --- training ---------------------------------------------------------------------------

    def fit(self, train_records: Sequence[dict], dev_records: Sequence[dict], cfg: NerConfig) -> dict[str, float]:
        """Trains on train_records, picks the epoch with the best dev entity micro-F1, and
        returns that epoch's dev metrics."""
        from transformers import AutoModelForTokenClassification, AutoTokenizer, DataCollatorForTokenClassification

        self.max_length, self.stride = cfg.model.max_length, cfg.model.stride
        self.tokenizer = AutoTokenizer.from_pretrained(cfg.model.name_or_path)
        self.labels = bio_labels()
        model = build_model(
            AutoModelForTokenClassification, cfg.model.name_or_path, cfg.training.init, cfg.training.seed,
            num_labels=len(self.labels), id2label=dict(enumerate(self.labels)),
            label2id={label: i for i, label in enumerate(self.labels)},
        )
        train_ds, _ = self._dataset(train_records)
        dev_ds, dev_plans = self._dataset(dev_records)
        log.info("NER data: %d train windows, %d dev windows", len(train_ds), len(dev_ds))

        def compute_metrics(eval_pred: Any) -> dict[str, float]:
            return self._dev_metrics(eval_pred.predictions, eval_pred.label_ids, dev_records, dev_plans)

        trainer, metrics = run_trainer(
            model=model, training=cfg.training, train_dataset=train_ds, eval_dataset=dev_ds,
            data_collator=DataCollatorForTokenClassification(self.tokenizer),
            compute_metrics=compute_metrics, metric="f1",
            preprocess_logits_for_metrics=lambda logits, labels: logits.softmax(-1),
        )
        self.model = trainer.model.eval()
        self.info = {"config": to_dict(cfg), "dev_metrics": metrics}
        return metrics

    def _dataset(self, records: Sequence[dict]) -> tuple[Any, list[list[Window]]]:
        """Tokenised windows of the records (one row per window) and each record's windows."""
        from datasets import Dataset

        label2id = {label: i for i, label in enumerate(self.labels)}
        plans, texts, tags = [], [], []
        for rec in records:
            text = rec["text"]
            tag_ids = [label2id[t] for t in spans_to_bio(len(text), entity_spans(rec))]
            plans.append(make_windows(len(text), self.window_size, self.stride))
            texts += [text[s:e] for s, e in plans[-1]]
            tags += [tag_ids[s:e] for s, e in plans[-1]]

        def tokenize(batch: dict[str, list]) -> dict[str, list]:
            enc = encode_chars(self.tokenizer, batch["text"], self.max_length)
            labels = [align_labels(enc.word_ids(i), ids) for i, ids in enumerate(batch["tags"])]
            return {**enc, "labels": labels}

        dataset = Dataset.from_dict({"text": texts, "tags": tags})
        return dataset.map(tokenize, batched=True, remove_columns=["text", "tags"]), plans

    def _dev_metrics(
        self, probs: np.ndarray, label_ids: np.ndarray, records: Sequence[dict], plans: list[list[Window]]
    ) -> dict[str, float]:
        """Paragraph-level entity scores: window probabilities are merged and decoded as
        `predict` does it."""
        pred_spans, k = [], 0
        for rec, plan in zip(records, plans):
            rows = [probs[k + j][label_ids[k + j] != -100] for j in range(len(plan))]
            k += len(plan)
            merged = merge_windows(len(rec["text"]), plan, rows)
            entities = decode_entities(rec["text"], merged, self.labels)
            pred_spans.append([(e["start"], e["end"], e["label"]) for e in entities])
        scores = entity_scores([len(r["text"]) for r in records], [entity_spans(r) for r in records], pred_spans)
        exact, overlap = scores["exact"], scores["overlap"]
        flat = {key: exact["micro"][key] for key in ("precision", "recall", "f1")}
        flat |= {"macro_f1": exact["macro"]["f1"], "overlap_f1": overlap["micro"]["f1"]}
        flat |= {f"{label}_f1": s["f1"] for label, s in exact["labels"].items()}
        return flat

    # --- inference --------------------------------------------------------------------------

    def predict(
        self, texts: Sequence[str], *, sections: Sequence[str] | None = None,
        years: Sequence[int | None] | None = None, batch_size: int = 16,
    ) -> list[list[dict]]:
        """Entity dicts per text; `sections`/`years` are not used by the model."""
        return tag_texts(
            list(texts), lambda chunks: self._score(chunks, batch_size), self.labels, self.window_size, self.stride
        )

    def _score(self, chunks: list[str], batch_size: int) -> list[np.ndarray]:
        """Per-character softmax probabilities of each window (read at its first sub-token)."""
        import torch

        out: list[np.ndarray] = [np.empty(0)] * len(chunks)
        device = next(self.model.parameters()).device
        for batch in length_batches([len(c) for c in chunks], batch_size):
            texts = [chunks[i] for i in batch]
            enc = encode_chars(self.tokenizer, texts, self.max_length, padding=True, return_tensors="pt")
            with torch.inference_mode():
                logits = self.model(**{k: v.to(device) for k, v in enc.items()}).logits
            probs = torch.softmax(logits.float(), dim=-1).cpu().numpy()
            for row, i in enumerate(batch):
                out[i] = probs[row, first_token_positions(enc.word_ids(row))]
        return out

    # --- persistence ------------------------------------------------------------------------

    def save(self, output_dir: Path) -> None:
        """Hugging Face model + tokenizer files and nlp_model.json."""
        output_dir = Path(output_dir)
        self.model.save_pretrained(output_dir)
        self.tokenizer.save_pretrained(output_dir)
        write_model_info(
            output_dir, KIND, labels=self.labels, max_length=self.max_length, stride=self.stride, **self.info
        )

    @classmethod
    def load(cls, model_dir: Path, device: str = "auto") -> NerTagger:
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        info = read_model_info(model_dir, KIND)
        model = AutoModelForTokenClassification.from_pretrained(model_dir)
        tagger = cls(
            model, AutoTokenizer.from_pretrained(model_dir), max_length=info["max_length"], stride=info["stride"],
            info={k: info[k] for k in ("config", "dev_metrics") if k in info}, device=device,
        )
        if tagger.labels != info["labels"]:
            raise ValueError(f"{model_dir}: model labels {tagger.labels} differ from nlp_model.json {info['labels']}")
        return tagger
