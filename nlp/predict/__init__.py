"""Batch inference (`nlp predict`): reports or pre-segmented paragraphs -> policy areas,
entities and normalised targets per paragraph, plus the CSV tables of nlp.tables.

`paragraphs` is what is predicted per batch and group of documents, `run` the bookkeeping of
a run (checkpoints, resume, final files), `local` and `ray_engine` the engines that read and
predict: this process, or Ray Data actors on a cluster, with byte-identical outputs."""

from nlp.predict.paragraphs import Predictors, load_predictors, predict_paragraphs
from nlp.predict.run import MANIFEST, STATE_DIR, predict_paths, predict_stream

__all__ = ["MANIFEST", "STATE_DIR", "Predictors", "load_predictors", "predict_paragraphs", "predict_paths", "predict_stream"]
