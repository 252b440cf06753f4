"""The notebooks run end to end (nbclient, kernel python3) on outputs made by the real code
paths: `predict_paths` with fake predictors, and `nlp.evaluate.evaluate` of the tiny NER model
and of the TF-IDF baseline on the synthetic gold set. So they never rot silently."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_predict import ANHUI, GUICHI, ROOT, TINY_GOLD, fakes, make_cfg, make_tfidf_model, make_tiny_models

from nlp.config import load_config
from nlp.evaluate import evaluate
from nlp.predict import predict_paths

NOTEBOOKS = ROOT / "notebooks"


def execute(name: str, workdir: Path):
    """The executed notebook; a failing cell raises CellExecutionError with its traceback."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from jupyter_client.kernelspec import KernelSpecManager

    if "python3" not in KernelSpecManager().find_kernel_specs():
        pytest.skip("no python3 Jupyter kernel installed (pip install ipykernel)")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    return nb


def outputs(nb) -> tuple[str, set[str]]:
    """All printed text and the MIME types of all rich outputs."""
    text, kinds = [], set()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text.append(out.get("text", ""))
            kinds |= set(out.get("data", {}))
    return "".join(text), kinds


def test_explore_predictions(tmp_path, monkeypatch):
    out = tmp_path / "predict"
    summary = predict_paths(make_cfg(tmp_path), [GUICHI, ANHUI], out, predictors=fakes(), progress=False)
    monkeypatch.setenv("NLP_PREDICT_DIR", str(out))
    text, kinds = outputs(execute("explore_predictions.ipynb", tmp_path))
    assert f"2 documents, {summary['paragraphs']} paragraphs" in text
    assert {"image/png", "text/html"} <= kinds


@pytest.mark.parametrize("task", ["ner", "tfidf"])
def test_error_analysis(task, tmp_path, monkeypatch):
    eval_dir = tmp_path / "eval"
    config = {"task": task, "data": {"gold_dir": str(TINY_GOLD), "splits": str(TINY_GOLD / "splits.yaml")},
              "evaluation": {"output_dir": str(eval_dir)}}
    if task == "ner":
        models = make_tiny_models(tmp_path / "models")
        config |= {"model": {"name_or_path": str(models["encoder"]), "max_length": 64, "stride": 16},
                   "training": {"output_dir": str(models["ner"])}}
        config["evaluation"]["baseline"] = {"kind": "rules"}
    else:
        config["training"] = {"output_dir": str(make_tfidf_model(tmp_path / "tfidf"))}
    (tmp_path / "eval.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    metrics = evaluate(load_config(tmp_path / "eval.yaml"))
    monkeypatch.setenv("NLP_EVAL_DIR", str(eval_dir))
    text, kinds = outputs(execute("error_analysis.ipynb", tmp_path))
    assert f"task {task}, split test, {metrics['n_paragraphs']} paragraphs" in text
    assert {"image/png", "text/html"} <= kinds
