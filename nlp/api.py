"""The Python API: `nlp.load(...)` gives a `Reader` whose answers are exactly the paragraph
records `nlp predict` writes to paragraphs.jsonl (areas, entities with offsets, measures of
targets and results, normalised regions), for a paragraph, a list of them, or a whole report.

    import nlp
    reader = nlp.load(ner="models/ner", areas="models/areas")
    reader("今年全市地区生产总值增长6%左右。")["entities"]
    reader.report(open("report.txt", encoding="utf-8").read())   # ingestion, then every paragraph
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import overload

from nlp.predict import Predictors, predict_paragraphs


class Reader:
    """Loaded models and the settings of a predict config; stateless between calls."""

    def __init__(self, predictors: Predictors, *, batch_size: int = 32, max_paragraph_chars: int = 500) -> None:
        self.predictors, self.batch_size, self.max_paragraph_chars = predictors, batch_size, max_paragraph_chars

    @overload
    def __call__(self, texts: str, *, section: str | None = None, year: int | None = None) -> dict: ...

    @overload
    def __call__(self, texts: Sequence[str], *, section: str | None = None, year: int | None = None) -> list[dict]: ...

    def __call__(self, texts: str | Sequence[str], *, section: str | None = None, year: int | None = None) -> dict | list[dict]:
        """The record of one paragraph (a str) or of each of a list, read as a pre-segmented
        input of `{"id": "p0000", "text": …}` lines; `section` (heading path) and `year` (the
        report's) tell targets from results where the text does not."""
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        if not all(isinstance(t, str) for t in items):
            raise TypeError("texts: expected a str or a list of str")
        paragraphs = [{"id": f"p{i:04d}", "doc_id": "", "text": t, "section": section, "year": year}
                      for i, t in enumerate(items)]
        records = predict_paragraphs(paragraphs, self.predictors, self.batch_size)
        return records[0] if single else records

    def report(self, text: str, source: str = "<text>") -> list[dict]:
        """The records of every paragraph of a raw report text, as `nlp predict` gives them for
        a .txt file holding it (ingestion: cleaning, segmentation, sections, report year)."""
        from nlp.ingest.documents import ingested_document
        from nlp.ingest.pipeline import ingest_unit
        from nlp.ingest.readers import SourceUnit

        document = ingested_document(*ingest_unit(SourceUnit(text, {"path": source}), self.max_paragraph_chars))
        return predict_paragraphs(document.predict_inputs(), self.predictors, self.batch_size)


def _kind(path: Path, expected: dict[str, str]) -> str:
    """The loader kind of a saved model folder, from its nlp_model.json."""
    from nlp.model.hf import MODEL_INFO, saved_model_info

    info = saved_model_info(path)
    if info is None:
        raise FileNotFoundError(f"{path}: not a model folder written by `nlp train` (no {MODEL_INFO})")
    kind = info.get("kind")
    if kind not in expected:
        raise ValueError(f"{path}: holds a {kind!r} model, expected one of {sorted(expected)}")
    return expected[kind]


def load(
    ner: str | Path = "models/ner", areas: str | Path = "models/areas", *, device: str = "auto",
    precision: str = "auto", batch_size: int = 32, max_paragraph_chars: int = 500,
) -> Reader:
    """A Reader over the NER model folder `ner` (or "rules" for the rule tagger) and the area
    model folder `areas` (a transformer or TF-IDF folder written by `nlp train`); either may
    be a Hugging Face hub id, read from the hub cache or downloaded."""
    from nlp.model.registry import load_area_classifier, load_tagger, model_folder

    if str(ner) == "rules":
        tagger = load_tagger("rules")
    else:
        folder = model_folder(ner)
        tagger = load_tagger(_kind(folder, {"ner": "model"}), folder, device=device, precision=precision)
    folder = model_folder(areas)
    kind = _kind(folder, {"areas": "model", "cls": "model", "tfidf": "tfidf"})
    classifier = load_area_classifier(kind, folder, device=device, precision=precision)
    return Reader(Predictors(tagger, classifier), batch_size=batch_size, max_paragraph_chars=max_paragraph_chars)
