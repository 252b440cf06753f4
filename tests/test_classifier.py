"""Area decision rule, dev threshold tuning, and the AreaClassifier contract of both models."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from nlp.config import ThresholdConfig, load_config
from nlp.model.areas import select_areas, tune_thresholds
from nlp.model.areas_encoder import EncoderAreaClassifier
from nlp.model.areas_tfidf import TfidfAreaClassifier
from nlp.model.hf import is_saved_model
from nlp.model.interfaces import AreaClassifier
from nlp.model.pooling import MeanPoolClassifier
from nlp.spec import AREA_LABELS, MAX_AREAS

N = len(AREA_LABELS)


def probs_rows(*rows: dict[int, float]) -> np.ndarray:
    out = np.full((len(rows), N), 0.01)
    for i, row in enumerate(rows):
        for area, p in row.items():
            out[i, area] = p
    return out


def test_select_areas_keeps_top_and_caps_at_max():
    probs = probs_rows({0: 0.2}, {1: 0.9, 2: 0.8, 3: 0.7, 4: 0.6}, {5: 0.6, 6: 0.4})
    chosen = select_areas(probs, np.full(N, 0.5))
    assert list(np.flatnonzero(chosen[0])) == [0]  # below threshold, still the primary
    assert chosen[1].sum() == MAX_AREAS and list(np.flatnonzero(chosen[1])) == [1, 2, 3]
    assert list(np.flatnonzero(chosen[2])) == [5]
    per_area = np.full(N, 0.5)
    per_area[6] = 0.3
    assert list(np.flatnonzero(select_areas(probs, per_area)[2])) == [5, 6]


def test_tune_thresholds_finds_the_separating_threshold():
    """Second areas score 0.4 when true and 0.2 when false: only a threshold in (0.2, 0.4] is perfect."""
    probs = probs_rows({0: 0.9, 1: 0.4}, {0: 0.9, 1: 0.2}, {2: 0.9, 3: 0.4}, {2: 0.9, 3: 0.2})
    y = probs_rows({0: 1, 1: 1}, {0: 1}, {2: 1, 3: 1}, {2: 1}).round()
    thresholds, score = tune_thresholds(probs, y, ThresholdConfig(grid=[0.1, 0.3, 0.5, 0.7], per_area=False))
    assert score == pytest.approx(1.0)
    assert np.all(thresholds == 0.3)


def test_per_area_tuning_and_fixed_thresholds():
    """Area 1 is separated at 0.3, area 3 only at 0.7: one global threshold cannot do both."""
    probs = probs_rows({0: 0.9, 1: 0.4}, {0: 0.9, 1: 0.2}, {2: 0.9, 3: 0.8}, {2: 0.9, 3: 0.6})
    y = probs_rows({0: 1, 1: 1}, {0: 1}, {2: 1, 3: 1}, {2: 1}).round()
    grid = [0.1, 0.3, 0.5, 0.7]
    _, global_score = tune_thresholds(probs, y, ThresholdConfig(grid=grid, per_area=False))
    thresholds, score = tune_thresholds(probs, y, ThresholdConfig(grid=grid, per_area=True))
    assert global_score < 1.0 and score == pytest.approx(1.0)
    assert thresholds[1] == 0.3 and thresholds[3] == 0.7
    fixed, _ = tune_thresholds(probs, y, ThresholdConfig(grid=grid, per_area=True, fixed={AREA_LABELS[3]: 0.95}))
    assert fixed[3] == 0.95


@pytest.fixture(scope="module")
def tiny_splits(project_root: Path):
    from nlp.data import load_split_records

    cfg = load_config(project_root / "tests/configs/tiny-tfidf.yaml")
    return cfg, load_split_records(cfg.data, ["train", "dev"])


def assert_area_contract(model, texts: list[str]) -> None:
    assert isinstance(model, AreaClassifier)
    probs = model.predict_proba(texts)
    assert probs.shape == (len(texts), N) and np.all((probs >= 0) & (probs <= 1))
    for row, areas in zip(probs, model.predict(texts, batch_size=2)):
        assert 1 <= len(areas) <= MAX_AREAS
        assert areas[0]["label"] == AREA_LABELS[int(np.argmax(row))]
        scores = [a["score"] for a in areas]
        assert scores == sorted(scores, reverse=True)


def test_tfidf_classifier_fit_save_load(tiny_splits, tmp_path):
    cfg, splits = tiny_splits
    model = TfidfAreaClassifier()
    metrics = model.fit(splits["train"], splits["dev"], cfg)
    assert 0.0 < metrics["tuned_macro_f1"] <= 1.0
    texts = [r["text"] for r in splits["dev"]]
    assert_area_contract(model, texts)
    model.save(tmp_path / "tfidf")
    assert is_saved_model(tmp_path / "tfidf")
    loaded = TfidfAreaClassifier.load(tmp_path / "tfidf")
    assert np.allclose(loaded.predict_proba(texts), model.predict_proba(texts))
    assert np.array_equal(loaded.thresholds, model.thresholds)
    with pytest.raises(ValueError, match="'tfidf' model, expected 'areas'"):
        EncoderAreaClassifier.load(tmp_path / "tfidf")


def test_area_model_contract_and_round_trip(tmp_path, encoder, caplog):
    from transformers import AutoModel, AutoTokenizer

    model = MeanPoolClassifier.from_encoder(AutoModel.from_pretrained(encoder), AREA_LABELS)
    thresholds = np.full(N, 0.5)
    area_model = EncoderAreaClassifier(model, AutoTokenizer.from_pretrained(encoder), max_length=16, thresholds=thresholds)
    texts = ["加强政府自身建设。", "全年地区生产总值增长8.5%左右。" * 5, "。"]
    assert_area_contract(area_model, texts)
    area_model.save(tmp_path / "areas")
    loaded = EncoderAreaClassifier.load(tmp_path / "areas", device="cpu")
    assert np.allclose(loaded.predict_proba(texts), area_model.predict_proba(texts), atol=1e-6)
    assert loaded.max_length == 16
    assert loaded.tfidf is None
    # a folder saved under the old kind name ("cls") still loads, with a warning
    info_path = tmp_path / "areas" / "nlp_model.json"
    info_path.write_text(info_path.read_text("utf-8").replace('"kind": "areas"', '"kind": "cls"'), "utf-8")
    with caplog.at_level(logging.WARNING, logger="nlp.model.hf"):
        EncoderAreaClassifier.load(tmp_path / "areas", device="cpu")
    assert "model kind 'cls' is deprecated" in caplog.text
    # padding must not move the mean: a text scores the same alone and next to a longer one
    alone = area_model.predict_proba(texts[:1])
    assert np.allclose(alone, area_model.predict_proba(texts)[:1], atol=1e-5)


def test_area_model_blends_tfidf_and_keeps_it_on_save(tiny_splits, tmp_path, encoder):
    from transformers import AutoModel, AutoTokenizer

    cfg, splits = tiny_splits
    tfidf = TfidfAreaClassifier()
    tfidf.fit(splits["train"], splits["dev"], cfg)
    encoder_only = EncoderAreaClassifier(MeanPoolClassifier.from_encoder(AutoModel.from_pretrained(encoder), AREA_LABELS),
                             AutoTokenizer.from_pretrained(encoder), max_length=16, device="cpu")
    blended = EncoderAreaClassifier(encoder_only.model, encoder_only.tokenizer, max_length=16, tfidf=tfidf, tfidf_weight=0.25)
    texts = [r["text"] for r in splits["dev"]]
    expected = 0.75 * encoder_only.predict_proba(texts) + 0.25 * tfidf.predict_proba(texts)
    assert np.allclose(blended.predict_proba(texts), expected, atol=1e-6)
    blended.save(tmp_path / "areas")
    loaded = EncoderAreaClassifier.load(tmp_path / "areas", device="cpu")
    assert loaded.tfidf_weight == 0.25
    assert np.allclose(loaded.predict_proba(texts), expected, atol=1e-5)
