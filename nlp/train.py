"""`nlp train`: fits the model a config describes on its train split, tuning on dev, and
saves it. Only the train and dev splits are read here; the test split is read by
`nlp evaluate` alone."""

from __future__ import annotations

import logging
from typing import Any

from nlp.config import AreasConfig, NerConfig, TfidfConfig, TrainConfig
from nlp.data import extra_bio_records, load_split_records, ner_records

log = logging.getLogger(__name__)


# --- nlp train -----------------------------------------------------------------------------


def train(cfg: TrainConfig) -> dict[str, Any]:
    """Trains the model a config describes on its train split (tuning on dev), saves it to
    `training.output_dir` and returns its dev metrics. Under torchrun or accelerate launch
    every process trains its share of each batch (the Trainer's DDP) and the first saves."""
    from transformers import set_seed

    from nlp.model.hf import is_main_process, world_size

    set_seed(cfg.training.seed)
    splits = load_split_records(cfg.data, ("train", "dev"))
    train_records, dev_records = splits["train"], splits["dev"]
    if isinstance(cfg, NerConfig):
        from nlp.model.ner import NerTagger

        model: Any = NerTagger()
        train_records = ner_records(train_records) + extra_bio_records(cfg.data, cfg.training.seed)
        dev_records = ner_records(dev_records)
    elif isinstance(cfg, AreasConfig):
        from nlp.model.areas_encoder import EncoderAreaClassifier

        model = EncoderAreaClassifier()
    elif isinstance(cfg, TfidfConfig):
        from nlp.model.areas_tfidf import TfidfAreaClassifier

        model = TfidfAreaClassifier()
    else:  # pragma: no cover - load_config only yields the kinds above
        raise TypeError(f"not a training config: {type(cfg).__name__}")
    if not train_records or not dev_records:
        what = "paragraphs with annotated entities" if isinstance(cfg, NerConfig) else "gold paragraphs"
        raise ValueError(
            f"{cfg.data.gold_dir}: the train and dev splits of {cfg.data.splits} must both hold {what} "
            f"(train: {len(train_records)}, dev: {len(dev_records)})"
        )
    if world_size() > 1:
        log.info("%d training processes: effective batch size %d × %d", world_size(), cfg.training.batch_size, world_size())
    metrics = model.fit(train_records, dev_records, cfg)
    if is_main_process():
        model.save(cfg.training.output_dir)
        log.info("saved %s model to %s", cfg.task, cfg.training.output_dir)
    return metrics
