"""`nlp export onnx`: the tiny NER and area networks exported, checked against PyTorch
(parity.json), then run by `nlp predict` under ONNX Runtime (`runtime.precision: onnx`) with
the spans and areas of the PyTorch run. Skipped where the onnx extra is not installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_predict import GUICHI, ROOT, make_tiny_models

from nlp.cli import main
from nlp.io import read_jsonl

pytest.importorskip("onnxruntime", reason="the onnx extra: pip install -e '.[onnx]'")
pytest.importorskip("onnxscript", reason="the onnx extra: pip install -e '.[onnx]'")


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    return make_tiny_models(tmp_path_factory.mktemp("onnx") / "models")


def predict_argv(models: dict[str, Path], out: Path, precision: str) -> list[str]:
    return ["predict", "--config", str(ROOT / "configs" / "predict.yaml"), "--set", f"ner.path={models['ner']}",
            "--set", f"areas.path={models['areas']}", "--set", "device=cpu", "--set", f"runtime.precision={precision}",
            "--input", str(GUICHI), "--output", str(out), "--no-progress"]


def predict(models: dict[str, Path], out: Path, precision: str) -> list[dict]:
    assert main(predict_argv(models, out, precision)) == 0
    return read_jsonl(out / "paragraphs.jsonl")


def test_export_then_predict_under_onnx_runtime(models, tmp_path, capsys):
    assert main(predict_argv(models, tmp_path / "early", "onnx")) == 2  # before the export: the command to run
    assert f"write it with `nlp export onnx --model {models['ner']}`" in capsys.readouterr().err
    for kind in ("ner", "areas"):
        capsys.readouterr()
        assert main(["export", "onnx", "--model", str(models[kind]), "--input", str(GUICHI), "-n", "40"]) == 0
        parity = json.loads(capsys.readouterr().out)
        assert parity == json.loads((models[kind] / "onnx" / "parity.json").read_text(encoding="utf-8"))
        assert parity["kind"] == kind and parity["n_texts"] == 40 and parity["identical_predictions"] is True
        assert 0 <= parity["max_abs_logit_diff"] < 1e-4
    torch_run, onnx_run = predict(models, tmp_path / "torch", "fp32"), predict(models, tmp_path / "onnx", "onnx")
    assert len(torch_run) == len(onnx_run) == 77
    for a, b in zip(torch_run, onnx_run):
        assert [(e["start"], e["end"], e["label"]) for e in a["entities"]] == [(e["start"], e["end"], e["label"]) for e in b["entities"]]
        assert [x["label"] for x in a["areas"]] == [x["label"] for x in b["areas"]]
        assert max(abs(x["score"] - y["score"]) for x, y in zip(a["areas"], b["areas"])) < 1e-4


def test_export_names_what_it_cannot_export(tmp_path, capsys):
    assert main(["export", "onnx", "--model", str(tmp_path)]) == 2
    assert "nlp_model.json" in capsys.readouterr().err
