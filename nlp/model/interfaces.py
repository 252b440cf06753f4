"""The two predictor interfaces that `nlp predict`, `nlp evaluate` and `nlp bench` program
against. Transformer models and the baselines (rules, TF-IDF + LR) implement the same
methods, so every command runs either through one code path."""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable


@runtime_checkable
class EntityTagger(Protocol):
    """Tags REGION/PROJECT/TARGET/ACHIEVED spans in paragraphs.

    `predict` returns, per input text, entity dicts {"start", "end", "label", "text", "score"}
    sorted by start, non-overlapping, with text == input[start:end]. `sections`/`years` are
    optional context (the rule tagger uses them to tell targets from results), as is
    `report_regions` (each paragraph's report region, whose short form is then a place)."""

    def predict(
        self,
        texts: Sequence[str],
        *,
        sections: Sequence[str] | None = None,
        years: Sequence[int | None] | None = None,
        report_regions: Sequence[str | None] | None = None,
        batch_size: int = 16,
    ) -> list[list[dict]]: ...


@runtime_checkable
class AreaClassifier(Protocol):
    """Scores the 14 policy areas of paragraphs.

    `predict` returns, per text, the selected areas as [{"label", "score"}] sorted by score,
    always at least one (the top-scoring area is the primary one) and at most MAX_AREAS.
    `predict_proba` returns an (n, len(AREA_LABELS)) array of scores in AREA_LABELS order."""

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 16): ...

    def predict(self, texts: Sequence[str], *, batch_size: int = 16) -> list[list[dict]]: ...
