"""`nlp bench` on the tiny model: it runs and reports positive throughputs with every key
(no timing assertions: speeds depend on the machine)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_predict import GUICHI, ROOT, make_tiny_models

from nlp.bench import bench
from nlp.cli import main
from nlp.config import load_config
from nlp.ingest import ingest

KEYS = {"precision", "pipeline_chars_per_s", "forward_chars_per_s", "forward_fp32_chars_per_s", "ratio",
        "ratio_to_fp32_forward", "n_paragraphs", "n_chars", "batch_size", "device", "torch_threads", "stage_seconds",
        "peak_memory_mb"}
STAGES = ["rules", "ner_encoder", "decoding", "areas", "normalisation", "writing"]


@pytest.fixture(scope="module")
def overrides(tmp_path_factory) -> list[str]:
    models = make_tiny_models(tmp_path_factory.mktemp("bench") / "models")
    return [f"ner.path={models['ner']}", f"areas.path={models['areas']}", "device=cpu", "batch_size=4"]


def test_bench_reports_positive_throughputs(overrides):
    cfg = load_config(ROOT / "configs" / "predict.yaml", overrides, tasks=("predict",))
    result = bench(cfg, [GUICHI], n=12)
    assert set(result) == KEYS
    paragraphs = ingest([GUICHI], cfg.max_paragraph_chars).paragraphs[:12]
    assert result["n_paragraphs"] == 12 and result["n_chars"] == sum(len(p["text"]) for p in paragraphs)
    assert result["pipeline_chars_per_s"] > 0 and result["forward_chars_per_s"] > 0 and result["ratio"] > 0
    assert result["batch_size"] == 4 and result["device"] == "cpu" and result["torch_threads"] >= 1
    assert result["precision"] in ("fp32", "bf16")  # auto
    assert list(result["stage_seconds"]) == STAGES and all(v >= 0 for v in result["stage_seconds"].values())
    assert result["peak_memory_mb"] > 10


def test_bench_at_int8_times_the_fp32_forward_too(overrides):
    cfg = load_config(ROOT / "configs" / "predict.yaml", [*overrides, "runtime.precision=int8"], tasks=("predict",))
    result = bench(cfg, [GUICHI], n=6)
    assert result["precision"] == "int8" and result["forward_fp32_chars_per_s"] > 0 and result["ratio_to_fp32_forward"] > 0


def test_bench_cli_prints_json_and_plots_the_stages(overrides, capsys, tmp_path):
    argv = ["bench", "--config", str(ROOT / "configs" / "predict.yaml"), "--input", str(GUICHI), "--n", "5",
            "--plot", str(tmp_path / "stages.png")]
    assert main(argv + [a for o in overrides for a in ("--set", o)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == KEYS | {"plot"} and result["n_paragraphs"] == 5
    assert (tmp_path / "stages.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bench_needs_a_transformer_tagger(tmp_path: Path, capsys):
    cfg = load_config(ROOT / "configs" / "predict-baseline.yaml", [f"areas.path={tmp_path}"], tasks=("predict",))
    with pytest.raises(ValueError, match="ner.kind: model"):
        bench(cfg, [GUICHI], n=3)
    argv = ["bench", "--config", str(ROOT / "configs" / "predict-baseline.yaml"), "--set", f"areas.path={tmp_path}"]
    assert main(argv) == 2
    assert "ner.kind: model" in capsys.readouterr().err
