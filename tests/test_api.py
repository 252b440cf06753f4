"""`nlp.load`: the Python API answers exactly what `nlp predict` writes for the same input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_predict import GUICHI, ROOT, make_tiny_models

import nlp
from nlp.config import load_config
from nlp.predict import predict_paths


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    return make_tiny_models(tmp_path_factory.mktemp("api") / "models")


def _predicted(models: dict[str, Path], inputs: list[Path], out: Path) -> list[dict]:
    cfg = load_config(ROOT / "configs" / "predict.yaml", [f"ner.path={models['ner']}", f"areas.path={models['areas']}",
                                                           "device=cpu"], tasks=("predict",))
    predict_paths(cfg, inputs, out, progress=False)
    return [json.loads(line) for line in (out / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()]


def test_paragraphs_and_reports_match_nlp_predict(models, tmp_path):
    reader = nlp.load(ner=models["ner"], areas=models["areas"], device="cpu")
    texts = ["今年全市地区生产总值增长6%左右，城镇新增就业1.2万人。", "推进甲乙高速建设。", "过去一年，粮食产量达到1.37万亿斤。"]
    segmented = tmp_path / "p.jsonl"
    segmented.write_text("".join(json.dumps({"id": f"p{i:04d}", "text": t}, ensure_ascii=False) + "\n"
                                 for i, t in enumerate(texts)), encoding="utf-8")
    expected = _predicted(models, [segmented], tmp_path / "seg")
    got = reader(texts)
    assert [r["id"] for r in got] == [r["id"] for r in expected]
    assert [(r["text"], r["areas"], r["entities"]) for r in got] == [(r["text"], r["areas"], r["entities"]) for r in expected]
    assert reader(texts[0])["entities"] == got[0]["entities"]

    report = _predicted(models, [GUICHI], tmp_path / "raw")
    assert reader.report(GUICHI.read_text(encoding="utf-8")) == report


def test_load_names_a_wrong_folder(models, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a model folder"):
        nlp.load(ner=tmp_path, areas=models["areas"])
    with pytest.raises(ValueError, match="expected one of"):
        nlp.load(ner=models["areas"], areas=models["areas"])
    reader = nlp.load(ner="rules", areas=models["areas"], device="cpu")
    with pytest.raises(TypeError, match="str"):
        reader([1, 2])


def _hub_cache(tmp_path: Path, repos: dict[str, Path], monkeypatch) -> None:
    """A Hugging Face hub cache (`models--owner--name/snapshots/REV`, `refs/main`) holding copies
    of local folders, with the hub offline: what a user has after `hf download owner/name`."""
    import shutil

    from huggingface_hub import constants

    cache = tmp_path / "hub"
    for repo, folder in repos.items():
        root = cache / f"models--{repo.replace('/', '--')}"
        shutil.copytree(folder, root / "snapshots" / ("0" * 40))
        (root / "refs").mkdir()
        (root / "refs" / "main").write_text("0" * 40)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


def test_hub_ids_work_like_folders(models, tmp_path, monkeypatch):
    _hub_cache(tmp_path, {"acme/gov-ner": models["ner"], "acme/gov-areas": models["areas"]}, monkeypatch)
    texts = ["今年全市地区生产总值增长6%左右。", "推进甲乙高速建设。"]
    local = nlp.load(ner=models["ner"], areas=models["areas"], device="cpu")(texts)
    assert nlp.load(ner="acme/gov-ner", areas="acme/gov-areas", device="cpu")(texts) == local

    cfg = load_config(ROOT / "configs" / "predict.yaml", ["ner.path=acme/gov-ner", "areas.path=acme/gov-areas",
                                                           "device=cpu"], tasks=("predict",))
    assert cfg.ner.path == "acme/gov-ner"
    predict_paths(cfg, [GUICHI], tmp_path / "hub-out", progress=False)
    from_hub = [json.loads(line) for line in (tmp_path / "hub-out" / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert from_hub == _predicted(models, [GUICHI], tmp_path / "local")

    with pytest.raises(FileNotFoundError, match="acme/missing: not a local folder, and the Hugging Face hub"):
        nlp.load(ner="acme/missing", areas="acme/gov-areas")
