"""What every engine of `nlp predict` runs on its documents: the predictors behind their
interfaces, a batch of paragraphs -> output records (areas, entities with checked offsets and
normalised measures), and a group of documents -> one result per document, so that one bad
document does not take its group with it."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from nlp.config import PredictConfig
from nlp.data import record_context
from nlp.ingest.documents import Document
from nlp.model.interfaces import AreaClassifier, EntityTagger
from nlp.spec import AREA_LABELS, ENTITY_LABELS, QUANTITY_LABELS

log = logging.getLogger(__name__)

#: Documents are predicted together until a group holds this many batches of paragraphs.
GROUP_BATCHES = 8

#: A document's result: its output records, or the message of the error that stopped it.
Result = list[dict] | str


@dataclass
class Predictors:
    """What a run predicts with: models or baselines, or test fakes, behind the interfaces."""

    tagger: EntityTagger
    classifier: AreaClassifier


def load_predictors(cfg: PredictConfig) -> Predictors:
    """The tagger and classifier named by the config (models or baselines)."""
    from nlp.model.registry import load_area_classifier, load_tagger

    return Predictors(
        load_tagger(cfg.ner.kind, cfg.ner.path, device=cfg.device, precision=cfg.runtime.precision),
        load_area_classifier(cfg.areas.kind, cfg.areas.path, device=cfg.device, precision=cfg.runtime.precision),  # type: ignore[arg-type]
    )


def predict_paragraphs(
    paragraphs: Sequence[dict], predictors: Predictors, batch_size: int, progress: Any = None
) -> list[dict]:
    """Output records ({"id", "doc_id", "text", "section", "areas", "entities"}) of `paragraphs`
    (dicts with "id", "doc_id", "text", optional "section", "year"), in their order; the section
    (heading path, "" when unknown) is kept so that a reader of paragraphs.jsonl (`nlp render`)
    can show the report's structure. Texts go to the predictors in batches of similar length;
    `progress` (a tqdm bar) advances per batch."""
    from nlp.normalize.measures import inherit_across_spans

    texts = [p["text"] for p in paragraphs]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    areas: list[Any] = [None] * len(texts)
    entities: list[Any] = [None] * len(texts)
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        batch, sections, years, regions = record_context([paragraphs[i] for i in idx])
        ents = predictors.tagger.predict(batch, sections=sections, years=years, report_regions=regions,
                                         batch_size=batch_size)
        ars = predictors.classifier.predict(batch, batch_size=batch_size)
        if len(ents) != len(batch) or len(ars) != len(batch):
            raise ValueError(f"a predictor returned {len(ents)} entity lists and {len(ars)} area lists for {len(batch)} texts")
        for i, e, a in zip(idx, ents, ars):
            entities[i], areas[i] = e, a
        if progress is not None:
            progress.update(len(idx))
    return [
        {"id": p["id"], "doc_id": p["doc_id"], "text": p["text"], "section": p.get("section") or "",
         "areas": _checked_areas(a, p["id"]),
         "entities": inherit_across_spans(p["text"], [enriched_entity(p, e) for e in ents])}
        for p, a, ents in zip(paragraphs, areas, entities)
    ]


def _checked_areas(areas: Sequence[dict], para_id: str) -> list[dict]:
    """Areas sorted by score (primary first); an empty or unknown selection is an error."""
    if not areas:
        raise ValueError(f"paragraph {para_id}: the area classifier selected no area")
    for a in areas:
        if a.get("label") not in AREA_LABELS:
            raise ValueError(f"paragraph {para_id}: unknown policy area {a.get('label')!r}")
    return [{"label": a["label"], "score": float(a["score"])} for a in sorted(areas, key=lambda a: -a["score"])]


def enriched_entity(para: dict, ent: dict) -> dict:
    """The entity of paragraph `para` with its offsets checked; a quantity gets its `measures`
    (read with the report year and section), a known region its division as `normalized`."""
    from nlp.normalize.measures import span_measures
    from nlp.rules.gazetteer import lookup_region

    text, para_id = para["text"], para["id"]
    start, end, label = ent["start"], ent["end"], ent["label"]
    if label not in ENTITY_LABELS:
        raise ValueError(f"paragraph {para_id}: unknown entity label {label!r}")
    if not (0 <= start < end <= len(text)) or ent.get("text", text[start:end]) != text[start:end]:
        raise ValueError(f"paragraph {para_id}: entity {ent!r} does not match the text at [{start}, {end})")
    out = {"label": label, "start": start, "end": end, "text": text[start:end], "score": ent.get("score")}
    if label in QUANTITY_LABELS:
        out["measures"] = span_measures(out["text"], label, para.get("year"), text[:start], para.get("section") or "")
    elif label == "REGION" and (region := lookup_region(out["text"])) is not None:
        out["normalized"] = region
    return out


def predict_group(
    docs: list[Document], predictors: Predictors, batch_size: int, progress: Any = None
) -> Iterator[tuple[Document, Result]]:
    """(document, its records or the message of the error that stopped it). A failing group
    is retried one document at a time; `progress` (a tqdm bar or None) advances per batch."""
    paragraphs = [p for doc in docs for p in doc.predict_inputs()]
    before = progress.n if progress is not None else 0
    try:
        records = predict_paragraphs(paragraphs, predictors, batch_size, progress)
    except Exception as exc:  # noqa: BLE001 - any predictor failure is reported per document
        if progress is not None:
            progress.update(before - progress.n)
        if len(docs) == 1:
            log.debug("prediction failed on %s", docs[0].doc_id, exc_info=True)
            yield docs[0], f"{type(exc).__name__}: {exc}"
            return
        for doc in docs:
            yield from predict_group([doc], predictors, batch_size, progress)
        return
    k = 0
    for doc in docs:
        yield doc, records[k : k + len(doc.paragraphs)]
        k += len(doc.paragraphs)


def document_groups(docs: Sequence[Document], batch_size: int) -> Iterator[list[Document]]:
    """The documents in order, in groups of about GROUP_BATCHES batches of paragraphs: every
    engine predicts the same groups, so that the batches, and the outputs, are the same."""
    group: list[Document] = []
    n = 0
    for doc in docs:
        group.append(doc)
        n += len(doc.paragraphs)
        if n >= GROUP_BATCHES * batch_size:
            yield group
            group, n = [], 0
    if group:
        yield group
