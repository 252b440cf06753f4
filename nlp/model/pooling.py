"""The area model's network as a Hugging Face model of its own: a pretrained encoder with a
linear multi-label head over the mean of its token vectors (not the [CLS] pooler: the embedded
default encoder was trained as a tagger, so its [CLS] vector carries no sentence meaning).

This file imports only torch and transformers, because a saved area folder carries a copy of
it (`pooling.py`, named by the `auto_map` of its config.json): plain transformers then loads
the folder with `AutoModelForSequenceClassification.from_pretrained(folder,
trust_remote_code=True)` and gets this class with its 14 labels. Once this module is imported
(`import nlp.model.pooling`; `nlp.load` does it), `register()` makes the same call work
without remote code. Folders saved before this class
(the encoder's own config.json and the head in `area_head.safetensors`) still load."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import torch
from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification, PretrainedConfig, PreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput

MODEL_TYPE = "gov-report-areas"
LEGACY_HEAD_FILE = "area_head.safetensors"
#: What a saved folder's config.json names for trust_remote_code: the copy of this file in it.
AUTO_MAP = {"AutoConfig": "pooling.MeanPoolConfig", "AutoModelForSequenceClassification": "pooling.MeanPoolClassifier"}


class MeanPoolConfig(PretrainedConfig):
    """The encoder's config (`encoder`, a dict with its `model_type`), the labels and the dropout
    of the head; `problem_type` multi-label, so pipelines apply a sigmoid, not a softmax."""

    model_type = MODEL_TYPE
    has_no_defaults_at_init = False

    def __init__(self, encoder: dict[str, Any] | None = None, dropout: float = 0.1, **kwargs: Any) -> None:
        kwargs.setdefault("problem_type", "multi_label_classification")
        kwargs.setdefault("auto_map", AUTO_MAP)
        super().__init__(**kwargs)
        self.encoder = dict(encoder or {})
        self.dropout = dropout

    def encoder_config(self) -> PretrainedConfig:
        settings = dict(self.encoder)
        return AutoConfig.for_model(settings.pop("model_type"), **settings)


class MeanPoolClassifier(PreTrainedModel):
    """Encoder + dropout + linear layer over the attention-masked mean of the last hidden
    states; multi-label logits, with a BCE loss when `labels` are given (Trainer-compatible)."""

    config_class = MeanPoolConfig
    base_model_prefix = "encoder"

    def __init__(self, config: MeanPoolConfig, encoder: Any = None) -> None:
        super().__init__(config)
        self.encoder = encoder if encoder is not None else AutoModel.from_config(config.encoder_config())
        self.dropout = torch.nn.Dropout(config.dropout)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, config.num_labels)
        self.post_init()

    @classmethod
    def from_encoder(cls, encoder: Any, labels: list[str] | tuple[str, ...], dropout: float = 0.1) -> MeanPoolClassifier:
        """A new classifier (random head) around a loaded encoder, e.g. a pretrained one."""
        config = MeanPoolConfig(encoder=encoder.config.to_dict(), dropout=dropout,
                                id2label=dict(enumerate(labels)), label2id={lab: i for i, lab in enumerate(labels)})
        return cls(config, encoder)

    def _init_weights(self, module: Any) -> None:
        """Nothing: the head keeps torch's own Linear initialisation (and the random stream
        stays as it was before this class was a transformers model, so a seed trains the same
        model), the encoder its pretrained or configured weights; a saved folder holds them all."""

    def forward(
        self, input_ids: Any, attention_mask: Any = None, token_type_ids: Any = None, labels: Any = None, **_: Any
    ) -> SequenceClassifierOutput:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        logits = self.head(self.dropout(pooled))
        loss = None
        if labels is not None:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
        return SequenceClassifierOutput(loss=loss, logits=logits)

    def save(self, output_dir: Path) -> None:
        """save_pretrained, plus this file, which the config's `auto_map` names for plain transformers."""
        self.save_pretrained(output_dir)
        shutil.copyfile(__file__, Path(output_dir) / "pooling.py")

    @classmethod
    def load(cls, model_dir: Path, labels: list[str] | tuple[str, ...]) -> MeanPoolClassifier:
        """The classifier of a saved area folder, either layout."""
        model_dir = Path(model_dir)
        if (model_dir / LEGACY_HEAD_FILE).is_file():
            from safetensors.torch import load_file

            model = cls.from_encoder(AutoModel.from_pretrained(model_dir), labels)
            model.head.load_state_dict(load_file(str(model_dir / LEGACY_HEAD_FILE)))
        else:
            model = cls.from_pretrained(model_dir)
        return model.eval()


def register() -> None:
    """Makes Auto classes load area folders without trust_remote_code (the project is the code)."""
    try:
        AutoConfig.register(MODEL_TYPE, MeanPoolConfig)
    except ValueError:  # registered already
        return
    AutoModelForSequenceClassification.register(MeanPoolConfig, MeanPoolClassifier)


register()
