"""The local engine of `nlp predict`: this process reads the inputs and predicts the
documents group after group with one set of predictors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.config import PredictConfig
from nlp.ingest.documents import Document, Failure, read_documents
from nlp.ingest.readers import TextInput
from nlp.predict.paragraphs import Predictors, Result, document_groups, predict_group


@dataclass
class LocalEngine:
    """Reads and predicts in this process."""

    cfg: PredictConfig
    predictors: Predictors

    def documents(self, inputs: Sequence[Path | TextInput]) -> Iterator[Document | Failure]:
        return read_documents(inputs, self.cfg.max_paragraph_chars, self.cfg.decode_errors)

    def predict(self, docs: Sequence[Document], progress: Any) -> Iterator[tuple[Document, Result]]:
        for group in document_groups(docs, self.cfg.batch_size):
            yield from predict_group(group, self.predictors, self.cfg.batch_size, progress)

    def close(self) -> None:
        """Nothing to free: the predictors go with the engine."""
