"""Batch inference (`nlp predict`): reports or pre-segmented paragraphs -> policy areas,
entities and normalised targets per paragraph, plus the CSV tables of nlp.tables.

Inputs are read by nlp.ingest.documents. Documents are predicted in groups: the group's
paragraphs are sorted by length into batches (less padding), and the results put back in
input order. Each finished document is
checkpointed under `<output>/.predict-state/`, so that `--resume` after a crash predicts only
the documents not yet done; the final files are then rebuilt from the checkpoints in input
order, each written atomically (temporary file + os.replace). A document that cannot be read
or on which a predictor fails is reported in errors.jsonl and skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.config import PredictConfig, to_dict
from nlp.data import record_context
from nlp.ingest.documents import Document, Failure, read_documents
from nlp.io import atomic_writer, write_jsonl
from nlp.model.interfaces import AreaClassifier, EntityTagger
from nlp.spec import AREA_LABELS, ENTITY_LABELS, QUANTITY_LABELS
from nlp.tables import DOCUMENT_COLUMNS, REGION_COLUMNS, TARGET_COLUMNS, document_rows, region_rows, target_rows, write_csv
from nlp.tracking import read_targets, several_years, track

log = logging.getLogger(__name__)

STATE_DIR = ".predict-state"
#: Documents are predicted together until a group holds this many batches of paragraphs.
GROUP_BATCHES = 8


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


# --- predicting ----------------------------------------------------------------------------


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
         "entities": [_enriched_entity(p, e) for e in ents]}
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


def _enriched_entity(para: dict, ent: dict) -> dict:
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
    return {k: plain[k] for k in ("ner", "areas", "max_paragraph_chars")}


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


def _readable_checkpoint(path: Path) -> bool:
    """Whether a document's checkpoint can be resumed from; an empty or cut one (what a power
    loss can leave) is reported and the document predicted again."""
    if not path.is_file():
        return False
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        log.warning("checkpoint %s is unreadable (%s): predicting its document again", path, exc)
        path.unlink(missing_ok=True)
        return False
    return True


def _load_docs(state: Path, keys: Sequence[str]) -> Iterator[dict]:
    for key in keys:
        yield json.loads((state / "docs" / f"{key}.json").read_text(encoding="utf-8"))


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
    if "csv" in formats and several_years(read_targets(output / "targets.csv")):
        counts["tracking.csv"] = track(output)["tracking.csv"]
    else:  # a tracking table of an earlier run into this folder would not match these outputs
        (output / "tracking.csv").unlink(missing_ok=True)
        shutil.rmtree(output / "tracking", ignore_errors=True)
    _finish_folder(output, counts)
    return counts


#: Every table a run can write: one that this run did not write is an earlier run's, removed.
OUTPUT_FILES = ("paragraphs.jsonl", "targets.csv", "regions.csv", "documents.csv", "errors.jsonl", "tracking.csv")
MANIFEST = "run.json"


def _finish_folder(output: Path, counts: dict[str, int]) -> None:
    """Removes what an earlier run into `output` left that this one did not replace (tables of
    a format not written now, temporary files of a killed run), then writes run.json: commit,
    date, packages and, per file, its rows and sha256, so that a folder's files can be checked
    to belong to one run. Written last: a folder without it is an unfinished run."""
    from nlp.provenance import provenance

    for name in OUTPUT_FILES:
        if name not in counts:
            (output / name).unlink(missing_ok=True)
    for leftover in output.glob(".*.tmp"):  # atomic_writer's temporaries of a killed run
        leftover.unlink(missing_ok=True)
    files = {name: {"rows": rows, "sha256": hashlib.sha256((output / name).read_bytes()).hexdigest()}
             for name, rows in counts.items()}
    with atomic_writer(output / MANIFEST) as fh:
        json.dump({**provenance(), "files": files}, fh, ensure_ascii=False, indent=2)


# --- the run -------------------------------------------------------------------------------


def predict_paths(
    cfg: PredictConfig, inputs: Sequence[Path], output: Path | None = None, resume: bool = False,
    predictors: Predictors | None = None, progress: bool = True,
) -> dict[str, Any]:
    """Predicts every document of `inputs` into `output` (default: the config's output.dir)
    and returns a summary: documents and paragraphs written, documents resumed from an earlier
    run, failures, row counts per file. `predictors` defaults to those the config names; they
    are loaded first, so that a bad model folder is reported before any input is read and
    before the output folder is created."""
    from tqdm import tqdm

    predictors = predictors or load_predictors(cfg)
    output = Path(output or cfg.output.dir)
    state = _open_state(output, cfg, resume)
    (output / MANIFEST).unlink(missing_ok=True)  # the folder is an unfinished run until the end
    run = _Run()
    todo: list[Document] = []
    for item in read_documents(inputs, cfg.max_paragraph_chars, cfg.decode_errors):
        if isinstance(item, Failure):
            log.warning("skipped: %s", item.error)
            run.failures.append(item)
            continue
        key = _state_key(item)
        run.done[key] = len(item.paragraphs)
        if resume and _readable_checkpoint(state / "docs" / f"{key}.json"):
            run.resumed += 1
        else:
            todo.append(item)
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
