"""Batch inference (`nlp predict`): reports or pre-segmented paragraphs -> policy areas,
entities and normalised targets per paragraph, plus CSV tables of targets, region mentions
and documents.

Inputs are whatever `nlp ingest` reads, or pre-segmented JSONL (`{"id", "text"}` per line,
optional `doc_id`, `section`, `title`, `region`, `year`), whose ids and texts are kept as they
are. Documents are predicted in groups: the group's paragraphs are sorted by length into
batches (less padding), and the results put back in input order. Each finished document is
checkpointed under `<output>/.predict-state/`, so that `--resume` after a crash predicts only
the documents not yet done; the final files are then rebuilt from the checkpoints in input
order, each written atomically (temporary file + os.replace). A document that cannot be read
or on which a predictor fails is reported in errors.jsonl and skipped.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.config import PredictConfig, to_dict
from nlp.data import record_context
from nlp.ingest import ingest
from nlp.ingest.decode import NotTextError, decode_bytes
from nlp.ingest.readers import InputError, iter_input_files, iter_jsonl_objects, row_hints
from nlp.io import atomic_writer, write_jsonl
from nlp.model.interfaces import AreaClassifier, EntityTagger
from nlp.spec import AREA_LABELS, ENTITY_LABELS, QUANTITY_LABELS

log = logging.getLogger(__name__)

STATE_DIR = ".predict-state"
#: Documents are predicted together until a group holds this many batches of paragraphs.
GROUP_BATCHES = 8
#: Keys of a raw-report JSONL record: such a file goes through ingestion, not as paragraphs.
RAW_TEXT_KEYS = ("content", "full_text")

TARGET_COLUMNS = (
    "doc_id", "title", "region", "year", "para_id", "label", "text", "start", "end", "indicator", "change",
    "values", "unit", "qualifier", "value_base", "unit_base", "percent_missing",
)
REGION_COLUMNS = ("doc_id", "para_id", "text", "start", "end", "code", "level", "parent")
DOCUMENT_COLUMNS = ("doc_id", "title", "region", "year", "n_paragraphs", *(f"share_{a}" for a in AREA_LABELS))


@dataclass
class Document:
    """One document to predict: metadata and its paragraphs {"id", "text", "section"}."""

    doc_id: str
    source: str
    paragraphs: list[dict]
    title: str | None = None
    region: str | None = None
    year: int | None = None

    def meta(self) -> dict:
        return {"doc_id": self.doc_id, "title": self.title, "region": self.region, "year": self.year}

    def predict_inputs(self) -> list[dict]:
        """Its paragraphs as `predict_paragraphs` takes them: with doc_id and report year."""
        return [{**p, "doc_id": self.doc_id, "year": self.year} for p in self.paragraphs]


@dataclass
class Failure:
    """An input or document skipped, with the reason (a line of errors.jsonl)."""

    source: str
    error: str
    doc_id: str | None = None

    def record(self) -> dict:
        return {"source": self.source, "doc_id": self.doc_id, "error": self.error}


@dataclass
class Predictors:
    """What a run predicts with: models or baselines, or test fakes, behind the interfaces."""

    tagger: EntityTagger
    classifier: AreaClassifier


@dataclass
class _Run:
    """Bookkeeping of one predict run."""

    done: dict[str, int] = field(default_factory=dict)  # checkpoint key -> paragraphs, input order
    failures: list[Failure] = field(default_factory=list)
    resumed: int = 0


# --- reading inputs ------------------------------------------------------------------------


def is_presegmented(path: Path) -> bool:
    """A .jsonl whose first record has `id` and `text` and no raw-report text key."""
    if path.suffix.lower() != ".jsonl":
        return False
    try:
        text, _ = decode_bytes(path.read_bytes(), str(path))
        first = next((line for line in text.split("\n") if line.strip()), "")
        record = json.loads(first)
    except (OSError, ValueError):
        return False  # ingestion reports the problem
    return isinstance(record, dict) and "id" in record and "text" in record and not any(k in record for k in RAW_TEXT_KEYS)


def read_presegmented(path: Path) -> Iterator[Document | Failure]:
    """Documents of a pre-segmented JSONL file: records grouped by `doc_id` (default: the
    record's own id), in order of first appearance; ids and texts are kept unchanged."""
    text, _ = decode_bytes(path.read_bytes(), str(path))
    docs: dict[str, Document] = {}
    ids: set[str] = set()
    for _line, where, rec in iter_jsonl_objects(path, text):
        try:
            if isinstance(rec, InputError):
                raise rec
            para = _presegmented_paragraph(rec, where, ids)
        except InputError as exc:
            yield Failure(where, str(exc))
            continue
        doc_id = str(rec.get("doc_id") or para["id"])
        if doc_id not in docs:
            docs[doc_id] = Document(doc_id, where, [], **row_hints(rec))
        docs[doc_id].paragraphs.append(para)
    yield from docs.values()


def _presegmented_paragraph(rec: Any, where: str, seen_ids: set[str]) -> dict:
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object")
    for key in ("id", "text"):
        if not isinstance(rec.get(key), str) or not rec[key]:
            raise InputError(f"{where}: `{key}` must be a non-empty string, got {rec.get(key)!r}")
    if rec["id"] in seen_ids:
        raise InputError(f"{where}: duplicate paragraph id {rec['id']!r}")
    seen_ids.add(rec["id"])
    return {"id": rec["id"], "text": rec["text"], "section": str(rec.get("section") or "")}


def read_documents(inputs: Iterable[Path], max_chars: int) -> Iterator[Document | Failure]:
    """Documents of the inputs in order; unreadable files, documents and duplicates (the same
    doc_id twice) come out as failures, in place."""
    seen: dict[str, str] = {}
    for path in inputs:
        for item in iter_input_files([Path(path)]):
            if isinstance(item, InputError):
                yield Failure(str(path), str(item))
                continue
            for doc in _read_file(item, max_chars):
                if isinstance(doc, Document) and doc.doc_id in seen:
                    msg = f"{doc.source}: doc_id {doc.doc_id!r} already read from {seen[doc.doc_id]}, skipped"
                    doc = Failure(doc.source, msg, doc.doc_id)
                elif isinstance(doc, Document):
                    seen[doc.doc_id] = doc.source
                yield doc


def _read_file(path: Path, max_chars: int) -> Iterator[Document | Failure]:
    if is_presegmented(path):
        try:
            yield from read_presegmented(path)
        except (NotTextError, OSError) as exc:
            yield Failure(str(path), str(exc))
        return
    result = ingest([path], max_chars)
    yield from (Failure(str(path), err) for err in result.errors)
    by_doc: dict[str, list[dict]] = {}
    for para in result.paragraphs:
        by_doc.setdefault(para["doc_id"], []).append({"id": para["para_id"], "text": para["text"], "section": para["section"]})
    for doc in result.documents:
        src = doc["source"]
        where = src["path"] + "".join(f":{src[k]}" for k in ("row", "line", "part") if k in src)
        yield Document(doc["doc_id"], where, by_doc[doc["doc_id"]], doc.get("title"), doc.get("region"), doc.get("year"))


# --- predicting ----------------------------------------------------------------------------


def load_predictors(cfg: PredictConfig) -> Predictors:
    """The tagger and classifier named by the config (models or baselines)."""
    from nlp.model.registry import load_area_classifier, load_tagger

    return Predictors(
        load_tagger(cfg.ner.kind, cfg.ner.path, device=cfg.device),
        load_area_classifier(cfg.cls.kind, cfg.cls.path, device=cfg.device),  # type: ignore[arg-type]
    )


def predict_paragraphs(
    paragraphs: Sequence[dict], predictors: Predictors, batch_size: int, progress: Any = None
) -> list[dict]:
    """Output records ({"id", "doc_id", "text", "areas", "entities"}) of `paragraphs` (dicts
    with "id", "doc_id", "text", optional "section", "year"), in their order. Texts go to the
    predictors in batches of similar length; `progress` (a tqdm bar) advances per batch."""
    texts = [p["text"] for p in paragraphs]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    areas: list[Any] = [None] * len(texts)
    entities: list[Any] = [None] * len(texts)
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        batch, sections, years = record_context([paragraphs[i] for i in idx])
        ents = predictors.tagger.predict(batch, sections=sections, years=years, batch_size=batch_size)
        ars = predictors.classifier.predict(batch, batch_size=batch_size)
        if len(ents) != len(batch) or len(ars) != len(batch):
            raise ValueError(f"a predictor returned {len(ents)} entity lists and {len(ars)} area lists for {len(batch)} texts")
        for i, e, a in zip(idx, ents, ars):
            entities[i], areas[i] = e, a
        if progress is not None:
            progress.update(len(idx))
    return [
        {"id": p["id"], "doc_id": p["doc_id"], "text": p["text"], "areas": _checked_areas(a, p["id"]),
         "entities": [_enriched_entity(p["text"], e, p["id"]) for e in ents]}
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


def _enriched_entity(text: str, ent: dict, para_id: str) -> dict:
    """The entity with its offsets checked and, for quantities and known regions, `normalized`."""
    from nlp.normalize import normalize_quantity
    from nlp.rules.gazetteer import lookup_region

    start, end, label = ent["start"], ent["end"], ent["label"]
    if label not in ENTITY_LABELS:
        raise ValueError(f"paragraph {para_id}: unknown entity label {label!r}")
    if not (0 <= start < end <= len(text)) or ent.get("text", text[start:end]) != text[start:end]:
        raise ValueError(f"paragraph {para_id}: entity {ent!r} does not match the text at [{start}, {end})")
    out = {"label": label, "start": start, "end": end, "text": text[start:end], "score": ent.get("score")}
    if label in QUANTITY_LABELS:
        out["normalized"] = normalize_quantity(out["text"])
    elif label == "REGION" and (region := lookup_region(out["text"])) is not None:
        out["normalized"] = region
    return out


def _predict_group(
    docs: list[Document], predictors: Predictors, batch_size: int, progress: Any
) -> Iterator[tuple[Document, list[dict] | Exception]]:
    """(document, its records or the exception that stopped it). A failing group is retried
    one document at a time, so that one bad document does not take its group with it."""
    paragraphs = [p for doc in docs for p in doc.predict_inputs()]
    before = progress.n
    try:
        records = predict_paragraphs(paragraphs, predictors, batch_size, progress)
    except Exception as exc:  # noqa: BLE001 - any predictor failure is reported per document
        progress.update(before - progress.n)
        if len(docs) == 1:
            log.debug("prediction failed on %s", docs[0].doc_id, exc_info=True)
            yield docs[0], exc
            return
        for doc in docs:
            yield from _predict_group([doc], predictors, batch_size, progress)
        return
    k = 0
    for doc in docs:
        yield doc, records[k : k + len(doc.paragraphs)]
        k += len(doc.paragraphs)


def _groups(docs: Sequence[Document], size: int) -> Iterator[list[Document]]:
    group: list[Document] = []
    n = 0
    for doc in docs:
        group.append(doc)
        n += len(doc.paragraphs)
        if n >= size:
            yield group
            group, n = [], 0
    if group:
        yield group


# --- checkpoints ---------------------------------------------------------------------------


def _state_key(doc: Document) -> str:
    """File name of a document's checkpoint: a hash of its id and paragraphs, so that a
    pre-segmented document whose text changed under the same id is predicted again."""
    digest = hashlib.sha1(doc.doc_id.encode("utf-8"))
    for para in doc.paragraphs:
        digest.update(json.dumps([para["id"], para["text"], para["section"]], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:24]


def _fingerprint(cfg: PredictConfig) -> dict:
    """What the predictions depend on: a resumed run must use the same."""
    plain = to_dict(cfg)
    return {k: plain[k] for k in ("ner", "cls", "max_paragraph_chars")}


def _open_state(output: Path, cfg: PredictConfig, resume: bool) -> Path:
    state = output / STATE_DIR
    manifest = state / "config.json"
    if resume and manifest.is_file():
        previous = json.loads(manifest.read_text(encoding="utf-8"))
        if previous != _fingerprint(cfg):
            raise ValueError(
                f"{output}: cannot resume, the earlier run used another predict config ({previous}); "
                "run without --resume or use another output folder"
            )
    elif state.exists():
        shutil.rmtree(state)
    (state / "docs").mkdir(parents=True, exist_ok=True)
    with atomic_writer(manifest) as fh:
        json.dump(_fingerprint(cfg), fh, ensure_ascii=False)
    return state


def _save_doc(state: Path, doc: Document, records: list[dict]) -> None:
    with atomic_writer(state / "docs" / f"{_state_key(doc)}.json") as fh:
        json.dump({"document": doc.meta(), "paragraphs": records}, fh, ensure_ascii=False)


def _load_docs(state: Path, keys: Sequence[str]) -> Iterator[dict]:
    for key in keys:
        yield json.loads((state / "docs" / f"{key}.json").read_text(encoding="utf-8"))


# --- output tables -------------------------------------------------------------------------


def _number_list(values: Sequence[float]) -> str:
    """`8.5;9` (lists of values in one CSV cell; whole numbers without `.0`)."""
    return ";".join(str(int(v)) if float(v).is_integer() else repr(float(v)) for v in values)


def target_rows(done: Iterable[dict]) -> Iterator[dict]:
    for item in done:
        for para in item["paragraphs"]:
            for ent in para["entities"]:
                if ent["label"] in QUANTITY_LABELS:
                    norm = ent["normalized"]
                    yield {
                        **item["document"], "para_id": para["id"],
                        **{k: ent[k] for k in ("label", "text", "start", "end")},
                        **{k: norm[k] for k in ("indicator", "change", "unit", "qualifier", "unit_base", "percent_missing")},
                        "values": _number_list(norm["values"]), "value_base": _number_list(norm["value_base"]),
                    }


def region_rows(done: Iterable[dict]) -> Iterator[dict]:
    for item in done:
        for para in item["paragraphs"]:
            for ent in para["entities"]:
                if ent["label"] == "REGION":
                    norm = ent.get("normalized") or {}
                    yield {"doc_id": para["doc_id"], "para_id": para["id"], **{k: ent[k] for k in ("text", "start", "end")},
                           "code": norm.get("code"), "level": norm.get("level"), "parent": norm.get("parent_name")}


def document_rows(done: Iterable[dict]) -> Iterator[dict]:
    """Per document: the share of its paragraphs whose primary (first) area is each area."""
    for item in done:
        primaries = [para["areas"][0]["label"] for para in item["paragraphs"]]
        n = len(primaries)
        shares = {f"share_{a}": round(primaries.count(a) / n, 4) for a in AREA_LABELS}
        yield {**item["document"], "n_paragraphs": n, **shares}


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict]) -> int:
    """Atomic CSV in UTF-8 with BOM (so that spreadsheet programs read the Chinese text);
    None becomes an empty cell. Returns the number of rows."""
    n = 0
    with atomic_writer(path, newline="") as fh:
        fh.write("\ufeff")
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def _write_outputs(output: Path, state: Path, run: _Run, formats: Sequence[str]) -> dict[str, int]:
    """Final files from the checkpoints, in input order; returns row counts per file."""
    counts: dict[str, int] = {}
    if "jsonl" in formats:
        write_jsonl(output / "paragraphs.jsonl", (para for item in _load_docs(state, run.done) for para in item["paragraphs"]))
        counts["paragraphs.jsonl"] = sum(run.done.values())
    if "csv" in formats:
        for name, columns, rows in (
            ("targets.csv", TARGET_COLUMNS, target_rows), ("regions.csv", REGION_COLUMNS, region_rows),
            ("documents.csv", DOCUMENT_COLUMNS, document_rows),
        ):
            counts[name] = write_csv(output / name, columns, rows(_load_docs(state, run.done)))
    write_jsonl(output / "errors.jsonl", (f.record() for f in run.failures))
    counts["errors.jsonl"] = len(run.failures)
    return counts


# --- the run -------------------------------------------------------------------------------


def predict_paths(
    cfg: PredictConfig, inputs: Sequence[Path], output: Path | None = None, resume: bool = False,
    predictors: Predictors | None = None, progress: bool = True,
) -> dict[str, Any]:
    """Predicts every document of `inputs` into `output` (default: the config's output.dir)
    and returns a summary: documents and paragraphs written, documents resumed from an earlier
    run, failures, row counts per file. `predictors` defaults to those the config names."""
    from tqdm import tqdm

    output = Path(output or cfg.output.dir)
    state = _open_state(output, cfg, resume)
    run = _Run()
    todo: list[Document] = []
    for item in read_documents(inputs, cfg.max_paragraph_chars):
        if isinstance(item, Failure):
            log.warning("skipped: %s", item.error)
            run.failures.append(item)
            continue
        key = _state_key(item)
        run.done[key] = len(item.paragraphs)
        if resume and (state / "docs" / f"{key}.json").is_file():
            run.resumed += 1
        else:
            todo.append(item)
    if todo:
        predictors = predictors or load_predictors(cfg)
    with tqdm(total=sum(len(d.paragraphs) for d in todo), unit="para", desc="predict", disable=not progress) as bar:
        for group in _groups(todo, GROUP_BATCHES * cfg.batch_size):
            for doc, result in _predict_group(group, predictors, cfg.batch_size, bar):  # type: ignore[arg-type]
                if isinstance(result, Exception):
                    log.warning("skipped document %s (%s): %s", doc.doc_id, doc.source, result)
                    run.failures.append(Failure(doc.source, f"{type(result).__name__}: {result}", doc.doc_id))
                    del run.done[_state_key(doc)]
                else:
                    _save_doc(state, doc, result)
    counts = _write_outputs(output, state, run, cfg.output.formats)
    return {
        "output": str(output),
        "documents": len(run.done),
        "paragraphs": sum(run.done.values()),
        "resumed": run.resumed,
        "errors": len(run.failures),
        "files": counts,
    }
