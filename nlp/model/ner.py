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
from nlp.data import Context, entity_spans, record_context, spans_to_bio
from nlp.metrics import entity_scores
from nlp.model import hf
from nlp.model.chars import align_labels, encode_chars, first_token_positions, save_char_level
from nlp.model.hints import hint_ids, hint_labels, take_rule_regions, token_hints, union_regions, widen_token_types
from nlp.model.precision import autocast, load_predictor, model_device, place_model
from nlp.model.windows import Window, decode_texts, make_windows, merge_windows, tag_texts
from nlp.rules.tagger import RuleTagger
from nlp.spec import bio_labels

log = logging.getLogger(__name__)

KIND = "ner"

#: How `model.regions` merges the decoded REGION spans with the rules' ("model": not at all).
_REGION_MERGES = {"rules": take_rule_regions, "union": union_regions}


def shortest_spans(records: Sequence[dict]) -> dict[str, int]:
    """Length of the shortest span of each label in `records` (the training data): predicted
    spans shorter than that are fragments, not entities (see decode_texts)."""
    shortest: dict[str, int] = {}
    for rec in records:
        for start, end, label in entity_spans(rec):
            shortest[label] = min(shortest.get(label, end - start), end - start)
    return shortest


def drop_context(context: Context, share: float, seed: int) -> Context:
    """`record_context` output with the section, year and region of a `share` of the
    paragraphs (chosen with `seed`) removed, so that training also sees paragraphs as a bare
    input gives them: the hints then carry only the tense cues of the text itself."""
    import random

    texts, sections, years, regions = context
    dropped = set(random.Random(seed).sample(range(len(texts)), round(share * len(texts))))
    return (texts, [("" if i in dropped else s) for i, s in enumerate(sections)],
            [(None if i in dropped else y) for i, y in enumerate(years)],
            [(None if i in dropped else r) for i, r in enumerate(regions)])


class NerTagger:
    """EntityTagger backed by AutoModelForTokenClassification over BIO character tags."""

    def __init__(
        self, model: Any = None, tokenizer: Any = None, *, max_length: int = 256, stride: int = 64,
        hints: str = "none", regions: str = "model", min_lengths: dict[str, int] | None = None,
        info: dict[str, Any] | None = None, device: str = "auto", hint_vocabulary: Sequence[str] | None = None,
        precision: str = "fp32",
    ) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.max_length, self.stride, self.hints, self.regions = max_length, stride, hints, regions
        self.min_lengths = min_lengths or {}
        self.labels = list(model.config.id2label[i] for i in range(model.config.num_labels)) if model else bio_labels()
        self.hint_vocabulary = list(hint_vocabulary or self.labels)
        self.info = info or {}
        self.device, self.precision = device, "fp32"
        if model is not None:
            self.model, self.precision = place_model(model, hf.torch_device(device), precision)

    @property
    def window_size(self) -> int:
        """Characters per window: the input length less the special tokens."""
        return self.max_length - self.tokenizer.num_special_tokens_to_add()

    # --- training ---------------------------------------------------------------------------

    def fit(self, train_records: Sequence[dict], dev_records: Sequence[dict], cfg: NerConfig) -> dict[str, float]:
        """Trains on train_records, picks the epoch with the best dev entity micro-F1, and
        returns that epoch's dev metrics."""
        from transformers import AutoModelForTokenClassification, AutoTokenizer, DataCollatorForTokenClassification

        self.max_length, self.stride, self.hints = cfg.model.max_length, cfg.model.stride, cfg.model.hints
        self.regions = cfg.model.regions
        self.min_lengths = shortest_spans(train_records)
        self.tokenizer = AutoTokenizer.from_pretrained(cfg.model.name_or_path)
        self.labels = bio_labels()
        self.hint_vocabulary = hint_labels(self.labels, cfg.model.undecided_hints)
        model = hf.build_model(
            AutoModelForTokenClassification, cfg.model.name_or_path, cfg.training.init, cfg.training.seed,
            num_labels=len(self.labels), id2label=dict(enumerate(self.labels)),
            label2id={label: i for i, label in enumerate(self.labels)},
        )
        base = model.base_model_prefix
        new_params = [p for name, p in model.named_parameters() if not name.startswith(f"{base}.")]  # the head
        if self.hints != "none":
            new_params += widen_token_types(model, len(self.hint_vocabulary)).parameters()
        dev_rules = self._rules(*record_context(dev_records))
        train_rules = self._rules(*drop_context(record_context(train_records), cfg.data.context_dropout, cfg.training.seed))
        train_ds, _ = self._dataset(train_records, train_rules)
        dev_ds, dev_plans = self._dataset(dev_records, dev_rules)
        log.info("NER data: %d train windows, %d dev windows", len(train_ds), len(dev_ds))

        def compute_metrics(eval_pred: Any) -> dict[str, float]:
            return self._dev_metrics(eval_pred.predictions, eval_pred.label_ids, dev_records, dev_plans, dev_rules)

        trainer, metrics = hf.run_trainer(
            model=model, training=cfg.training, train_dataset=train_ds, eval_dataset=dev_ds,
            data_collator=DataCollatorForTokenClassification(self.tokenizer),
            compute_metrics=compute_metrics, metric="f1",
            preprocess_logits_for_metrics=lambda logits, labels: logits.softmax(-1),
            optimizer=hf.head_scaled_adamw(model, new_params, cfg.training),
        )
        self.model = trainer.model.eval()
        self.info = {"config": to_dict(cfg), "dev_metrics": metrics}
        return metrics

    def _dataset(
        self, records: Sequence[dict], rules: list[list[dict]] | None
    ) -> tuple[Any, list[list[Window]]]:
        """Tokenised windows of the records (one row per window) and each record's windows;
        `rules` are the records' rule entities (see `_rules`), the source of the hints."""
        from datasets import Dataset

        label2id = {label: i for i, label in enumerate(self.labels)}
        all_hints = self._hint_ids([rec["text"] for rec in records], rules)
        plans, texts, tags, hints = [], [], [], []
        for k, rec in enumerate(records):
            text = rec["text"]
            tag_ids = [label2id[t] for t in spans_to_bio(len(text), entity_spans(rec))]
            plans.append(make_windows(len(text), self.window_size, self.stride))
            texts += [text[s:e] for s, e in plans[-1]]
            tags += [tag_ids[s:e] for s, e in plans[-1]]
            if all_hints is not None:
                hints += [all_hints[k][s:e] for s, e in plans[-1]]

        def tokenize(batch: dict[str, list]) -> dict[str, list]:
            enc = encode_chars(self.tokenizer, batch["text"], self.max_length)
            word_ids = [enc.word_ids(i) for i in range(len(batch["text"]))]
            out = {**enc, "labels": [align_labels(w, ids) for w, ids in zip(word_ids, batch["tags"])]}
            if "hints" in batch:
                out["token_type_ids"] = [token_hints(w, h) for w, h in zip(word_ids, batch["hints"])]
            return out

        columns = {"text": texts, "tags": tags} | ({"hints": hints} if all_hints is not None else {})
        dataset = Dataset.from_dict(columns)
        return dataset.map(tokenize, batched=True, remove_columns=list(columns)), plans

    def _hint_ids(self, texts: Sequence[str], rules: list[list[dict]] | None) -> list[list[int]] | None:
        """Per-character hint ids of the texts from their rule entities, None without hints."""
        return hint_ids(texts, rules, self.hint_vocabulary) if self.hints == "rules" and rules is not None else None

    def _rules(
        self, texts: Sequence[str], sections: Sequence[str | None] | None, years: Sequence[int | None] | None,
        report_regions: Sequence[str | None] | None = None,
    ) -> list[list[dict]] | None:
        """The rule entities that hints or `regions: rules|union` need, None when neither does."""
        needed = self.hints == "rules" or self.regions in _REGION_MERGES
        if not needed:
            return None
        return RuleTagger().predict(texts, sections=sections, years=years, report_regions=report_regions)

    def _finish(self, found: list[list[dict]], rules: list[list[dict]] | None) -> list[list[dict]]:
        """Decoded entities with their REGION spans merged with the rules' as `regions` says."""
        merge = _REGION_MERGES.get(self.regions)
        if merge is None or rules is None:
            return found
        return [merge(ents, rule_ents) for ents, rule_ents in zip(found, rules)]

    def _dev_metrics(
        self, probs: np.ndarray, label_ids: np.ndarray, records: Sequence[dict], plans: list[list[Window]],
        rules: list[list[dict]] | None = None,
    ) -> dict[str, float]:
        """Paragraph-level entity scores: window probabilities are merged and decoded as
        `predict` does it."""
        merged, k = [], 0
        for rec, plan in zip(records, plans):
            rows = [probs[k + j][label_ids[k + j] != -100] for j in range(len(plan))]
            k += len(plan)
            merged.append(merge_windows(len(rec["text"]), plan, rows))
        decoded = decode_texts([rec["text"] for rec in records], merged, self.labels, self.min_lengths)
        pred_spans = [[(e["start"], e["end"], e["label"]) for e in ents] for ents in self._finish(decoded, rules)]
        scores = entity_scores([len(r["text"]) for r in records], [entity_spans(r) for r in records], pred_spans)
        exact, overlap = scores["exact"], scores["overlap"]
        flat = {key: exact["micro"][key] for key in ("precision", "recall", "f1")}
        flat |= {"macro_f1": exact["macro"]["f1"], "overlap_f1": overlap["micro"]["f1"]}
        flat |= {f"{label}_f1": s["f1"] for label, s in exact["labels"].items()}
        return flat

    # --- inference --------------------------------------------------------------------------

    def predict(
        self, texts: Sequence[str], *, sections: Sequence[str] | None = None,
        years: Sequence[int | None] | None = None, report_regions: Sequence[str | None] | None = None,
        batch_size: int = 16,
    ) -> list[list[dict]]:
        """Entity dicts per text; `sections`/`years`/`report_regions` (section paths, report
        years and regions) reach the model through the rules only (hints, and REGION spans with
        `regions: rules|union`)."""
        texts = list(texts)
        rules = self._rules(texts, sections, years, report_regions)
        found = tag_texts(
            texts, lambda chunks, hints: self._score(chunks, hints, batch_size), self.labels, self.window_size,
            self.stride, hints=self._hint_ids(texts, rules), min_lengths=self.min_lengths,
        )
        return self._finish(found, rules)

    def _score(self, chunks: list[str], hints: list[list[int]] | None, batch_size: int) -> list[np.ndarray]:
        """Per-character softmax probabilities of each window (read at its first sub-token)."""
        import torch

        out: list[np.ndarray] = [np.empty(0)] * len(chunks)
        device = model_device(self.model)
        for batch in hf.length_batches([len(c) for c in chunks], batch_size):
            texts = [chunks[i] for i in batch]
            enc = encode_chars(self.tokenizer, texts, self.max_length, padding=True, return_tensors="pt")
            if hints is not None:
                enc["token_type_ids"] = torch.tensor(
                    [token_hints(enc.word_ids(row), hints[i]) for row, i in enumerate(batch)]
                )
            with torch.inference_mode(), autocast(self.precision, device):
                logits = self.model(**{k: v.to(device) for k, v in enc.items()}).logits
            probs = torch.softmax(logits.float(), dim=-1).cpu().numpy()
            for row, i in enumerate(batch):
                out[i] = probs[row, first_token_positions(enc.word_ids(row))]
        return out

    # --- persistence ------------------------------------------------------------------------

    def save(self, output_dir: Path) -> None:
        """Hugging Face model + tokenizer files (the tokenizer character-level, see
        nlp.model.chars.save_char_level) and nlp_model.json."""
        output_dir = Path(output_dir)
        self.model.save_pretrained(output_dir)
        save_char_level(self.tokenizer, output_dir)
        hf.write_model_info(
            output_dir, KIND, labels=self.labels, max_length=self.max_length, stride=self.stride, hints=self.hints,
            regions=self.regions, min_span_length=self.min_lengths, hint_labels=self.hint_vocabulary, **self.info
        )

    @classmethod
    def load(cls, model_dir: Path, device: str = "auto", precision: str = "fp32") -> NerTagger:
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        info = hf.read_model_info(model_dir, KIND)
        model = AutoModelForTokenClassification.from_pretrained(model_dir)
        tagger = load_predictor(
            cls, model_dir, precision, model=model, tokenizer=AutoTokenizer.from_pretrained(model_dir),
            max_length=info["max_length"], stride=info["stride"], hints=info.get("hints", "none"),
            regions=info.get("regions", "model"), min_lengths=info.get("min_span_length"),
            info={k: info[k] for k in ("config", "dev_metrics") if k in info}, device=device,
            hint_vocabulary=info.get("hint_labels"),
        )
        if tagger.labels != info["labels"]:
            raise ValueError(f"{model_dir}: model labels {tagger.labels} differ from nlp_model.json {info['labels']}")
        return tagger
