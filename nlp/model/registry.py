"""Loading a saved predictor by kind: the entity tagger or area classifier a config names
(a trained model folder, or a baseline), for `nlp evaluate`, `nlp predict` and `nlp bench`."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def load_tagger(kind: str, path: Path | None = None, device: str = "auto") -> Any:
    """An EntityTagger: "rules" (no path) or "model" (a folder written by `nlp train`)."""
    if kind == "rules":
        from nlp.rules.tagger import RuleTagger

        return RuleTagger()
    if kind == "model":
        from nlp.model.ner import NerTagger

        return NerTagger.load(Path(path), device=device)  # type: ignore[arg-type]
    raise ValueError(f"unknown entity tagger kind {kind!r} (expected rules or model)")


def load_area_classifier(kind: str, path: Path, device: str = "auto") -> Any:
    """An AreaClassifier: "model" (transformer) or "tfidf", from a folder written by `nlp train`."""
    if kind == "model":
        from nlp.model.areas_encoder import EncoderAreaClassifier

        return EncoderAreaClassifier.load(Path(path), device=device)
    if kind == "tfidf":
        from nlp.model.areas_tfidf import TfidfAreaClassifier

        return TfidfAreaClassifier.load(Path(path))
    raise ValueError(f"unknown area classifier kind {kind!r} (expected model or tfidf)")
