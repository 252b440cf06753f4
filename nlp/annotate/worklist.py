"""The annotation work list: which paragraphs go to annotators (a reproducible,
document-stratified sample) and how their answers become gold records.

The gold set needs policy areas for every paragraph of the seed reports and entities for a
sample of content paragraphs from every document in the plan (seeds, provincial, national).
Sampling is seeded and keyed on para ids, so re-running gives the same batches."""

from __future__ import annotations

import random
from collections import defaultdict

MIN_ENTITY_CHARS = 20


def sample_entity_paragraphs(paragraphs: list[dict], per_doc: dict[str, int], seed: int = 13) -> list[dict]:
    """Per document, `per_doc[doc_id]` random non-heading paragraphs of at least 20 chars
    (all of them when the document has fewer), in document order."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for p in paragraphs:
        if p["doc_id"] in per_doc and not p["is_heading"] and len(p["text"]) >= MIN_ENTITY_CHARS:
            by_doc[p["doc_id"]].append(p)
    missing = set(per_doc) - set(by_doc)
    if missing:
        raise ValueError(f"no paragraphs for documents {sorted(missing)}")
    chosen = []
    for doc_id, n in per_doc.items():
        pool = sorted(by_doc[doc_id], key=lambda p: p["para_id"])
        picked = random.Random(f"{seed}:{doc_id}").sample(pool, min(n, len(pool)))
        chosen += sorted(picked, key=lambda p: p["index"])
    return chosen


def batches(records: list[dict], size: int) -> list[list[dict]]:
    """Consecutive batches that never cut a document in two more than needed."""
    return [records[i : i + size] for i in range(0, len(records), size)]


def locate_spans(text: str, spans: list[list], where: str) -> list[dict]:
    """Annotators return spans as [span_text, LABEL] in reading order (copying offsets by hand
    is error-prone); each is found left to right after the previous one. When that first match
    is the wrong occurrence (中国 in 中国人民 after 发展中国家), the annotator adds its start
    offset as a third item, [span_text, LABEL, start], which must point at span_text. A span
    that cannot be found raises, naming the record, instead of being dropped."""
    entities, pos = [], 0
    for span in spans:
        span_text, label = span[0], span[1]
        if len(span) > 2:
            start = span[2]
            if start < pos or text[start : start + len(span_text)] != span_text:
                raise ValueError(f"{where}: span {span_text!r} ({label}) is not at offset {start} after offset {pos}")
        else:
            start = text.find(span_text, pos)
        if start < 0:
            raise ValueError(f"{where}: span {span_text!r} ({label}) not found after offset {pos}")
        entities.append({"start": start, "end": start + len(span_text), "label": label, "text": span_text})
        pos = start + len(span_text)
    return entities


def gold_record(paragraph: dict, areas: list[str], spans: list[list[str]] | None, annotator: str) -> dict:
    """An annotator's answer for one paragraph -> a gold record (inline markup). `spans=None`
    means only the areas were labelled for this paragraph."""
    from nlp.annotate.markup import render_markup

    entities = locate_spans(paragraph["text"], spans or [], paragraph["id"])
    record = {
        "id": paragraph["id"],
        "doc_id": paragraph["doc_id"],
        "areas": list(areas),
        "markup": render_markup(paragraph["text"], entities),
        "reviewed": True,
        "annotator": annotator,
    }
    if spans is None:
        record["entities_annotated"] = False
    return record


def add_context(records: list[dict], paragraphs: list[dict], documents: list[dict]) -> list[dict]:
    """Gold records with their paragraph's `section` path and their report's `year` and
    `region` (from `nlp ingest` output), the context that tells a target from a result and
    names the report's own place: the rules and the NER model's rule hints read it in
    training and evaluation as they do in `nlp predict`. A record whose paragraph is not in
    `paragraphs` is an error; a report without a known year or region lacks that key."""
    sections = {p["para_id"]: p["section"] for p in paragraphs}
    by_doc = {d["doc_id"]: d for d in documents}
    out = []
    for rec in records:
        if rec["id"] not in sections:
            raise ValueError(f"gold record {rec['id']}: paragraph not found in the ingested reports")
        context = {"section": sections[rec["id"]]}
        doc = by_doc.get(rec["doc_id"], {})
        context |= {key: doc[key] for key in ("year", "region") if doc.get(key) is not None}
        head = {k: rec[k] for k in ("id", "doc_id") if k in rec}
        out.append(head | context | {k: v for k, v in rec.items() if k not in head and k not in context})
    return out
