from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from nlp.annotate.agreement import cohen_kappa, format_agreement, score_agreement
from nlp.annotate.convert import write_records
from nlp.cli import main

TEXT = "合肥市今年地区生产总值增长百分之八以上，新建项目若干。"


def rec(pid: str, spans: list[tuple[int, int, str]], areas: list[str], **extra: object) -> dict:
    entities = [{"start": s, "end": e, "label": label} for s, e, label in spans]
    return {"id": f"doc-p{pid}", "text": TEXT, "entities": entities, "areas": areas, **extra}


# Hand-made disagreement; expected numbers worked out in the test below.
SET_A = [
    rec("0001", [(0, 2, "REGION"), (5, 12, "TARGET")], ["macro"]),
    rec("0002", [(0, 4, "PROJECT"), (6, 8, "REGION")], ["investment", "urban"]),
    rec("0003", [(2, 9, "ACHIEVED")], ["industry"]),
    rec("0004", [(0, 3, "TARGET"), (3, 6, "TARGET")], ["macro", "livelihood"]),
    rec("0005", [], ["other"], entities_annotated=False),
]
SET_B = [
    rec("0001", [(0, 2, "REGION"), (5, 10, "TARGET")], ["macro"]),
    rec("0002", [(0, 4, "PROJECT"), (10, 14, "PROJECT")], ["urban", "investment"]),
    rec("0003", [(0, 2, "REGION"), (2, 9, "ACHIEVED")], ["industry", "innovation"]),
    rec("0004", [(1, 5, "TARGET")], ["macro"]),
    rec("0005", [(0, 3, "REGION")], ["other"]),
]


def prf(result: dict, mode: str, label: str) -> tuple:
    scores = result["entities"][mode]["micro" if label == "micro" else "per_label"]
    scores = scores if label == "micro" else scores[label]
    return tuple(None if scores[k] is None else round(scores[k], 6) for k in ("precision", "recall", "f1"))


def test_identical_sets_agree_perfectly() -> None:
    result = score_agreement(SET_A, [dict(r) for r in SET_A])
    for mode in ("exact", "overlap"):
        assert prf(result, mode, "micro") == (1.0, 1.0, 1.0)
    assert result["areas"]["primary_kappa"] == 1.0
    assert result["areas"]["mean_jaccard"] == 1.0
    assert result["areas"]["per_area"]["macro"]["kappa"] == 1.0


def test_known_disagreement() -> None:
    result = score_agreement(SET_A, SET_B)
    assert (result["paragraphs"], result["entity_paragraphs"]) == (5, 4)  # p0005 is areas-only in A
    # exact: REGION 1 of 2/2, TARGET 0 of 3/2, PROJECT 1 of 1/2, ACHIEVED 1 of 1/1; micro 3 of 7/7
    assert prf(result, "exact", "REGION") == (0.5, 0.5, 0.5)
    assert prf(result, "exact", "TARGET") == (0.0, 0.0, 0.0)
    assert prf(result, "exact", "PROJECT") == (0.5, 1.0, round(2 / 3, 6))
    assert prf(result, "exact", "ACHIEVED") == (1.0, 1.0, 1.0)
    assert prf(result, "exact", "micro") == (round(3 / 7, 6),) * 3
    # overlap: TARGET p0001 [5,12)~[5,10); p0004 B [1,5) overlaps both A spans but matches once
    assert prf(result, "overlap", "TARGET") == (1.0, round(2 / 3, 6), 0.8)
    assert prf(result, "overlap", "REGION") == (0.5, 0.5, 0.5)
    assert prf(result, "overlap", "micro") == (round(5 / 7, 6),) * 3
    assert result["entities"]["overlap"]["micro"]["matched"] == 5
    areas = result["areas"]
    # primary: 4 of 5 agree; chance = (2*2 macro + 1*1 industry + 1*1 other) / 25 = 6/25
    assert areas["primary_agreement"] == 0.8
    assert areas["primary_kappa"] == pytest.approx((0.8 - 6 / 25) / (1 - 6 / 25))
    assert areas["mean_jaccard"] == pytest.approx((1 + 1 + 0.5 + 0.5 + 1) / 5)
    per_area = areas["per_area"]
    assert per_area["macro"]["kappa"] == 1.0 and per_area["investment"]["kappa"] == 1.0
    assert per_area["innovation"] == {"kappa": 0.0, "n_a": 0, "n_b": 1}
    assert per_area["rural"]["kappa"] is None


def test_kappa_matches_sklearn() -> None:
    from sklearn.metrics import cohen_kappa_score

    rng = random.Random(3)
    for _ in range(20):
        a = [rng.choice("abcd") for _ in range(30)]
        b = [x if rng.random() < 0.6 else rng.choice("abcd") for x in a]
        assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_different_paragraph_sets_are_named() -> None:
    with pytest.raises(ValueError, match=r"missing from B: \[doc-p0005\]; missing from A: \[doc-p0009\]"):
        score_agreement(SET_A, SET_B[:4] + [rec("0009", [], ["other"])])


def test_different_texts_are_named() -> None:
    changed = [*SET_B[:2], {**SET_B[2], "text": TEXT[:-1] + "！"}, *SET_B[3:]]
    with pytest.raises(ValueError, match="texts differ .*doc-p0003"):
        score_agreement(SET_A, changed)


def test_invalid_records_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown label 'PERSON'"):
        score_agreement(SET_A, [rec("0001", [(0, 2, "PERSON")], ["macro"]), *SET_B[1:]])


def test_format_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = format_agreement(score_agreement(SET_A, SET_B))
    assert "| TARGET | 0.000 | 0.000 | 0.000 | 1.000 | 0.667 | 0.800 | 3 | 2 |" in table
    assert "| rural |" not in table and "| innovation | 0.000 | 0 | 1 |" in table
    write_records(SET_A, tmp_path / "a.jsonl", "gold")
    write_records(SET_B, tmp_path / "b.jsonl", "gold")
    assert main(["annotate", "agreement", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]) == 0
    assert capsys.readouterr().out.strip() == table.strip()
    assert main(["annotate", "agreement", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["areas"]["mean_jaccard"] == pytest.approx(0.8)
