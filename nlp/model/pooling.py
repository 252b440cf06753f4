"""The area model's network: a pretrained encoder with a linear multi-label head over the mean
of its token vectors (not the [CLS] pooler: the embedded default encoder was trained as a
tagger, so its [CLS] vector carries no sentence meaning). Saved as the encoder's Hugging Face
files plus the head in `area_head.safetensors`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

HEAD_FILE = "area_head.safetensors"


class MeanPoolClassifier(torch.nn.Module):
    """Encoder + dropout + linear layer over the attention-masked mean of the last hidden
    states; multi-label logits, with a BCE loss when `labels` are given (Trainer-compatible)."""

    def __init__(self, encoder: Any, num_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(encoder.config.hidden_size, num_labels)

    def forward(
        self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None, labels: Any = None
    ) -> Any:
        from transformers.modeling_outputs import SequenceClassifierOutput

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
        from safetensors.torch import save_file

        self.encoder.save_pretrained(output_dir)
        save_file({k: v.contiguous() for k, v in self.head.state_dict().items()}, str(Path(output_dir) / HEAD_FILE))

    @classmethod
    def load(cls, model_dir: Path, num_labels: int) -> MeanPoolClassifier:
        from safetensors.torch import load_file
        from transformers import AutoModel

        model = cls(AutoModel.from_pretrained(model_dir), num_labels)
        model.head.load_state_dict(load_file(str(Path(model_dir) / HEAD_FILE)))
        return model.eval()
