"""The Ray engine of `nlp predict` (`--engine ray`, the `ray` extra): the input files are
read in Ray Data tasks, one per file, and the documents predicted by a pool of actors, each of
which loads the models once (CPUs and GPUs per actor from `engine.*`).

The driver keeps what must be sequential to give the local engine's outputs byte for byte:
the duplicate check across files, the groups of documents (the same batches, so the same
floating-point sums), checkpoints and final files. Results come back to the driver, so the
output folder needs no shared filesystem; the workers must have this package and the model
folders (at the same paths) installed."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from nlp.config import PredictConfig
from nlp.ingest.documents import Document, Failure, input_files, read_file, unique_documents
from nlp.ingest.readers import TextInput
from nlp.predict.paragraphs import Predictors, Result, document_groups, load_predictors, predict_group

log = logging.getLogger(__name__)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ValueError("engine.kind: ray needs the ray package: pip install -e \".[ray]\"") from None
    return ray


class RayEngine:
    """Reads and predicts on a Ray cluster: the one at `engine.address`, one already started
    in this process (ray.init), or else a Ray instance on this machine, shut down at close."""

    def __init__(self, cfg: PredictConfig, predictors: Predictors | None = None) -> None:
        ray = _ray()
        self.cfg, self.predictors = cfg, predictors
        if predictors is None:  # a damaged model folder is named before the cluster starts
            _check_model_folders(cfg)
        self._started = not ray.is_initialized()
        if self._started:
            ray.init(address=cfg.engine.address, include_dashboard=False, logging_level=logging.WARNING)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the run's own bar counts paragraphs
        context.print_on_execution_start = False

    def close(self) -> None:
        if self._started:
            _ray().shutdown()

    def documents(self, inputs: Sequence[Path | TextInput]) -> Iterator[Document | Failure]:
        ray = _ray()
        files = list(input_files(inputs))
        paths = [str(f) for f in files if isinstance(f, Path)]
        read = {}
        if paths:
            ds = ray.data.from_items([{"index": i, "path": p} for i, p in enumerate(paths)], override_num_blocks=len(paths))
            ds = ds.map(_read_row, fn_kwargs={"max_chars": self.cfg.max_paragraph_chars, "errors": self.cfg.decode_errors})
            read = {row["index"]: pickle.loads(row["items"]) for row in ds.iter_rows()}
        items: list[Document | Failure] = []
        k = 0
        for file in files:
            if isinstance(file, Failure):
                items.append(file)
            elif isinstance(file, TextInput):  # in memory already: read here, not shipped to a task
                items += read_file(file, self.cfg.max_paragraph_chars, self.cfg.decode_errors)
            else:
                items += read[k]
                k += 1
        return unique_documents(items)

    def predict(self, docs: Sequence[Document], progress: Any) -> Iterator[tuple[Document, Result]]:
        ray = _ray()
        groups = list(document_groups(docs, self.cfg.batch_size))
        if not groups:
            return
        engine = self.cfg.engine
        ds = ray.data.from_items([{"group": g, "docs": pickle.dumps(group)} for g, group in enumerate(groups)],
                                 override_num_blocks=len(groups))
        ds = ds.map(
            _PredictActor, compute=ray.data.ActorPoolStrategy(size=engine.actors),
            fn_constructor_kwargs={"cfg": self.cfg, "predictors": self.predictors},
            num_cpus=engine.cpus_per_actor, num_gpus=engine.gpus_per_actor or None,
        )
        arrived: dict[int, list[tuple[int, Result]]] = {}
        g = 0
        for row in ds.iter_rows():  # in completion order; yielded in group order
            results = pickle.loads(row["results"])
            progress.update(sum(len(groups[row["group"]][i].paragraphs) for i, _ in results))
            arrived[row["group"]] = results
            while g in arrived:
                for i, result in arrived.pop(g):
                    yield groups[g][i], result
                g += 1


def _check_model_folders(cfg: PredictConfig) -> None:
    """The local engine loads its models before reading; the actors load theirs later, so
    their weights are checked here, where they exist (a cluster may hold them elsewhere)."""
    from nlp.model.registry import check_weights

    for kind, path in ((cfg.ner.kind, cfg.ner.path), (cfg.areas.kind, cfg.areas.path)):
        if kind == "model" and path is not None and Path(path).is_dir():
            check_weights(Path(path))


def _read_row(row: dict, max_chars: int, errors: str) -> dict:
    """A Ray Data task: one input file -> its documents and failures (pickled)."""
    return {"index": row["index"], "items": pickle.dumps(list(read_file(Path(row["path"]), max_chars, errors)))}


class _PredictActor:
    """A Ray Data actor: loads the predictors once, then predicts one group per row."""

    def __init__(self, cfg: PredictConfig, predictors: Predictors | None) -> None:
        import torch

        torch.set_num_threads(max(1, int(cfg.engine.cpus_per_actor)))
        self.batch_size = cfg.batch_size
        self.predictors = predictors or load_predictors(cfg)

    def __call__(self, row: dict) -> dict:
        docs = pickle.loads(row["docs"])
        index = {id(doc): i for i, doc in enumerate(docs)}
        results = [(index[id(doc)], result) for doc, result in predict_group(docs, self.predictors, self.batch_size)]
        return {"group": row["group"], "results": pickle.dumps(results)}
