"""The run of `nlp predict`, whatever the engine: documents in, checkpoints, final files out.

An engine (nlp.predict.local, nlp.predict.ray_engine) reads the inputs into documents and
predicts them; this module keeps the books. Each finished document is checkpointed under
`<output>/.predict-state/`, so that `--resume` after a crash predicts only the documents not
yet done; the final files are then rebuilt from the checkpoints in input order, each written
atomically (temporary file + os.replace). A document that cannot be read or on which a
predictor fails is reported in errors.jsonl and skipped. Both engines predict the same
groups of documents, so that their outputs are byte-identical. `predict_stream` (`--output -`)
writes the paragraph records to a stream instead, as each document is done, with no folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from nlp.config import PredictConfig, to_dict
from nlp.ingest.documents import Document, Failure
from nlp.ingest.readers import TextInput
from nlp.io import atomic_writer, dump_jsonl, write_jsonl
from nlp.predict.paragraphs import Predictors, Result
from nlp.render import HTML_DIR
from nlp.tables import DOCUMENT_COLUMNS, REGION_COLUMNS, TARGET_COLUMNS, document_rows, region_rows, target_rows, write_csv
from nlp.tracking import read_targets, several_years, track

log = logging.getLogger(__name__)

STATE_DIR = ".predict-state"


class Engine(Protocol):
    """Where the reading and predicting happen (this process, or a Ray cluster)."""

    def documents(self, inputs: Sequence[Path | TextInput]) -> Iterator[Document | Failure]:
        """Documents and failures of the inputs, in input order."""

    def predict(self, docs: Sequence[Document], progress: Any) -> Iterator[tuple[Document, Result]]:
        """Each document with its result, in the order of `docs`; `progress` counts paragraphs."""

    def close(self) -> None:
        """Frees what the engine started."""


@dataclass
class _Run:
    """Bookkeeping of one predict run."""

    done: dict[str, int] = field(default_factory=dict)  # checkpoint key -> paragraphs, input order
    failures: list[Failure] = field(default_factory=list)
    resumed: int = 0


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
    for leftover in (state / "docs").glob(".*.tmp"):  # a checkpoint being written when the run was killed
        leftover.unlink()
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
    a format not written now, temporary files of a killed run, its HTML view), then writes run.json: commit,
    date, packages and, per file, its rows and sha256, so that a folder's files can be checked
    to belong to one run. Written last: a folder without it is an unfinished run."""
    from nlp.provenance import provenance

    for name in OUTPUT_FILES:
        if name not in counts:
            (output / name).unlink(missing_ok=True)
    for leftover in output.glob(".*.tmp"):  # atomic_writer's temporaries of a killed run
        leftover.unlink(missing_ok=True)
    shutil.rmtree(output / HTML_DIR, ignore_errors=True)  # pages of an earlier run's predictions (--html writes anew)
    files = {name: {"rows": rows, "sha256": hashlib.sha256((output / name).read_bytes()).hexdigest()}
             for name, rows in counts.items()}
    with atomic_writer(output / MANIFEST) as fh:
        json.dump({**provenance(), "files": files}, fh, ensure_ascii=False, indent=2)


# --- the run -------------------------------------------------------------------------------


def make_engine(cfg: PredictConfig, predictors: Predictors | None = None) -> Engine:
    """The engine the config names (`engine.kind`). The local engine loads its predictors
    here, so that a bad model folder is reported before any input is read and before the
    output folder is created; Ray actors load theirs (or get `predictors`, for tests)."""
    if cfg.engine.kind == "ray":
        from nlp.predict.ray_engine import RayEngine

        return RayEngine(cfg, predictors)
    from nlp.predict.local import LocalEngine
    from nlp.predict.paragraphs import load_predictors

    return LocalEngine(cfg, predictors or load_predictors(cfg))


def predict_paths(
    cfg: PredictConfig, inputs: Sequence[Path | TextInput], output: Path | None = None, resume: bool = False,
    predictors: Predictors | None = None, progress: bool = True,
) -> dict[str, Any]:
    """Predicts every document of `inputs` into `output` (default: the config's output.dir)
    with the engine of `cfg.engine` and returns a summary: documents and paragraphs written,
    documents resumed from an earlier run, failures, row counts per file. `predictors`
    defaults to those the config names."""
    engine = make_engine(cfg, predictors)
    try:
        output = Path(output or cfg.output.dir)
        state = _open_state(output, cfg, resume)
        (output / MANIFEST).unlink(missing_ok=True)  # the folder is an unfinished run until the end
        run = _Run()
        todo: list[Document] = []
        for item in _documents(engine, inputs, run):
            key = _state_key(item)
            run.done[key] = len(item.paragraphs)
            if resume and _readable_checkpoint(state / "docs" / f"{key}.json"):
                run.resumed += 1
            else:
                todo.append(item)
        for doc, records in _predicted(engine, todo, run, progress):
            if records is None:
                del run.done[_state_key(doc)]
            else:
                _save_doc(state, doc, records)
    finally:
        engine.close()
    counts = _write_outputs(output, state, run, cfg.output.formats)
    return {
        "output": str(output),
        "documents": len(run.done),
        "paragraphs": sum(run.done.values()),
        "resumed": run.resumed,
        "errors": len(run.failures),
        "files": counts,
    }


def predict_stream(
    cfg: PredictConfig, inputs: Sequence[Path | TextInput], out: TextIO, predictors: Predictors | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Predicts every document of `inputs` and writes its paragraph records to `out` as JSON
    lines as soon as it is done, the lines paragraphs.jsonl of predict_paths would hold; no
    folder, checkpoint or table is written (so no resume). Returns the summary, the failures
    (errors.jsonl's records) in it."""
    engine = make_engine(cfg, predictors)
    run = _Run()
    try:
        docs = list(_documents(engine, inputs, run))
        for doc, records in _predicted(engine, docs, run, progress):
            if records is not None:
                run.done[doc.doc_id] = dump_jsonl(records, out)
                out.flush()
    finally:
        engine.close()
    return {
        "output": "<stdout>",
        "documents": len(run.done),
        "paragraphs": sum(run.done.values()),
        "errors": len(run.failures),
        "failures": [f.record() for f in run.failures],
    }


def _documents(engine: Engine, inputs: Sequence[Path | TextInput], run: _Run) -> Iterator[Document]:
    """The documents of the inputs; an input or document that cannot be read is logged and
    kept in `run.failures`."""
    for item in engine.documents(inputs):
        if isinstance(item, Failure):
            log.warning("skipped: %s", item.error)
            run.failures.append(item)
        else:
            yield item


def _predicted(engine: Engine, docs: list[Document], run: _Run, progress: bool) -> Iterator[tuple[Document, list[dict] | None]]:
    """Each document with its records, in order, under a progress bar of paragraphs; None for a
    document a predictor failed on (logged and kept in `run.failures`)."""
    from tqdm import tqdm

    with tqdm(total=sum(len(d.paragraphs) for d in docs), unit="para", desc="predict", disable=not progress) as bar:
        for doc, result in engine.predict(docs, bar):
            if isinstance(result, str):
                log.warning("skipped document %s (%s): %s", doc.doc_id, doc.source, result)
                run.failures.append(Failure(doc.source, result, doc.doc_id))
                yield doc, None
            else:
                yield doc, result
