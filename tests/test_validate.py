from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.annotate.splits import iter_gold_files, load_splits
from nlp.annotate.stats import format_stats, gold_stats
from nlp.annotate.validate import (
    AnnotationError,
    load_gold,
    load_offsets,
    load_paragraph_texts,
    validate_file,
    validate_files,
    validate_record,
)
from nlp.cli import main

TEXT = "全年地区生产总值增长8%，池州市新增就业850人。"


def gold(**changes: object) -> dict:
    rec = {
        "id": "chizhou-2021-p0007",
        "doc_id": "chizhou-2021",
        "areas": ["macro", "livelihood"],
        "markup": "全年[地区生产总值增长8%]{TARGET}，[池州市]{REGION}[新增就业850人]{TARGET}。",
        "reviewed": True,
        "annotator": "wang",
    }
    rec.update(changes)
    return rec


def offsets(**changes: object) -> dict:
    rec = {
        "id": "chizhou-2021-p0007",
        "text": TEXT,
        "entities": [{"start": 2, "end": 12, "label": "TARGET"}, {"start": 13, "end": 16, "label": "REGION"}],
        "areas": ["macro"],
    }
    rec.update(changes)
    return rec


def write(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_valid_records_pass() -> None:
    assert validate_record(gold(), where="g.jsonl:1", expected_text=TEXT) == []
    assert validate_record(offsets(), where="o.jsonl:1", expected_text=TEXT) == []
    assert validate_record(gold(markup=TEXT, entities_annotated=False), where="g.jsonl:1") == []


@pytest.mark.parametrize(
    ("record", "phrase"),
    [
        (gold(markup="全年[地区生产总值增长8%，池州市"), "bad markup: unclosed '['"),
        (gold(markup="[池州市]{CITY}"), "unknown label 'CITY'"),
        (gold(areas=[]), "0 areas"),
        (gold(areas=["macro", "industry", "rural", "urban"]), "4 areas"),
        (gold(areas=["economy"]), "unknown area 'economy'"),
        (gold(areas=["macro", "macro"]), "duplicate areas"),
        (gold(reviewed="yes"), "reviewed must be true or false"),
        (gold(doc_id="anqing-2021"), "does not belong to doc_id"),
        (gold(markup="[池州市]{REGION}", entities_annotated=False), "entities_annotated is false"),
        ({k: v for k, v in gold().items() if k != "annotator"}, "missing key 'annotator'"),
        (offsets(entities=[{"start": 2, "end": 12, "label": "TARGET"}, {"start": 10, "end": 16, "label": "REGION"}]), "entities overlap"),
        (offsets(entities=[{"start": 5, "end": 5, "label": "TARGET"}]), "empty or outside"),
        (offsets(entities=[{"start": 20, "end": 99, "label": "TARGET"}]), "empty or outside"),
        (offsets(entities=[{"start": 13, "end": 16, "label": "REGION", "text": "安庆市"}]), "claims '安庆市'"),
        (offsets(entities=[{"start": "13", "end": 16, "label": "REGION"}]), "must be integers"),
    ],
)
def test_bad_record_is_named_in_its_message(record: dict, phrase: str) -> None:
    problems = validate_record(record, where="gold/a.jsonl:3")
    assert problems, phrase
    assert any(phrase in p for p in problems), problems
    assert all(p.startswith("gold/a.jsonl:3 [id=chizhou-2021-p0007]: ") for p in problems)


def test_text_mismatch_points_at_first_difference() -> None:
    [problem] = validate_record(gold(), where="a.jsonl:1", expected_text=TEXT.replace("池州", "安庆"))
    assert "[id=chizhou-2021-p0007]" in problem
    assert "at character 13" in problem


def test_file_flags_duplicate_ids_bad_json_and_unknown_paragraphs(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", [gold(), gold(id="chizhou-2021-p0008"), gold()])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    problems = validate_file(path, paragraphs={"chizhou-2021-p0007": TEXT})
    assert f"{path}:3 [id=chizhou-2021-p0007]: duplicate id (first at {path}:1)" in problems
    assert f"{path}:2 [id=chizhou-2021-p0008]: id not found among the paragraphs" in problems
    assert any(p.startswith(f"{path}:4: invalid JSON") for p in problems)
    assert len(problems) == 3


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", [gold()])
    b = write(tmp_path / "b.jsonl", [gold()])
    assert validate_file(a) == [] and validate_file(b) == []
    assert validate_files([a, b]) == [f"{b}:1 [id=chizhou-2021-p0007]: duplicate id (first at {a}:1)"]


def test_load_gold_gives_offset_records(tmp_path: Path) -> None:
    [rec] = load_gold(write(tmp_path / "a.jsonl", [gold()]))
    assert rec["text"] == TEXT
    assert [TEXT[e["start"] : e["end"]] for e in rec["entities"]] == ["地区生产总值增长8%", "池州市", "新增就业850人"]
    assert rec["doc_id"] == "chizhou-2021" and rec["reviewed"] is True


def test_load_gold_lists_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", [gold(areas=[]), gold(id="chizhou-2021-p0009", markup="[x")])
    with pytest.raises(AnnotationError) as info:
        load_gold(path)
    assert len(info.value.problems) == 2
    assert "0 areas" in str(info.value) and "chizhou-2021-p0009" in str(info.value)


def test_loaders_insist_on_their_kind(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match="missing key 'markup'"):
        load_gold(write(tmp_path / "o.jsonl", [offsets()]))
    with pytest.raises(AnnotationError, match="missing key 'text'"):
        load_offsets(write(tmp_path / "g.jsonl", [gold()]))


def test_load_paragraph_texts(tmp_path: Path) -> None:
    path = write(tmp_path / "p.jsonl", [{"para_id": "d-p0001", "text": "甲"}, {"para_id": "d-p0001", "text": "乙"}])
    with pytest.raises(AnnotationError, match="duplicate para_id"):
        load_paragraph_texts(path)


def test_cli_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good").mkdir()
    write(tmp_path / "good" / "a.jsonl", [gold()])
    paragraphs = write(tmp_path / "paragraphs.jsonl", [{"para_id": "chizhou-2021-p0007", "text": TEXT}])
    assert main(["annotate", "validate", str(tmp_path / "good"), "--paragraphs", str(paragraphs)]) == 0
    bad = write(tmp_path / "bad.jsonl", [gold(areas=["economy"]), gold(id="chizhou-2021-p0008", markup="]")])
    assert main(["annotate", "validate", str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith(f"{bad}:1 [id=chizhou-2021-p0007]") and "unknown area" in out[0]
    assert out[1].startswith(f"{bad}:2 [id=chizhou-2021-p0008]") and "unmatched" in out[1]


# --- gold statistics (nlp.annotate.stats) ---------------------------------------------------

def make_gold_dir(root: Path) -> Path:
    """Two documents in two files (one nested), one areas-only paragraph."""
    (root / "batch2").mkdir(parents=True)
    write(root / "a.jsonl", [gold(), gold(id="chizhou-2021-p0008", markup="池州", areas=["other"], entities_annotated=False)])
    write(
        root / "batch2" / "b.jsonl",
        [gold(id="anqing-2021-p0001", doc_id="anqing-2021", markup="[安庆]{REGION}", areas=["macro"])],
    )
    return root


def test_gold_stats_per_split(tmp_path: Path) -> None:
    gold_dir = make_gold_dir(tmp_path / "annotations")
    assert [p.name for p in iter_gold_files(gold_dir)] == ["a.jsonl", "b.jsonl"]
    stats = gold_stats(gold_dir, {"train": ["chizhou-2021"], "dev": [], "test": ["anqing-2021", "unused"]})
    train, dev, test, every = stats["train"], stats["dev"], stats["test"], stats["all"]
    assert (train["paragraphs"], train["entity_paragraphs"], train["area_only_paragraphs"]) == (2, 1, 1)
    assert train["documents"] == 1 and every["documents"] == 2
    assert train["characters"] == len(TEXT) + 2
    assert train["entities"] == {"REGION": 1, "PROJECT": 0, "TARGET": 2, "ACHIEVED": 0}
    assert (train["areas"]["macro"], train["areas"]["livelihood"], train["areas"]["other"]) == (1, 1, 1)
    assert sum(dev["entities"].values()) == dev["paragraphs"] == 0
    assert test["entities"]["REGION"] == 1 and every["entities"]["REGION"] == 2
    assert every["paragraphs"] == train["paragraphs"] + test["paragraphs"]
    assert format_stats(stats).splitlines()[0] == "| | train | dev | test | all |"


def test_gold_stats_errors(tmp_path: Path) -> None:
    gold_dir = make_gold_dir(tmp_path / "annotations")
    with pytest.raises(AnnotationError, match=r"'anqing-2021' is in no split \(gold paragraphs anqing-2021-p0001\)"):
        gold_stats(gold_dir, {"train": ["chizhou-2021"]})
    with pytest.raises(AnnotationError, match="listed in split 'train' and again in 'test'"):
        gold_stats(gold_dir, {"train": ["chizhou-2021", "anqing-2021"], "test": ["anqing-2021"]})
    write(gold_dir / "batch2" / "c.jsonl", [gold()])
    with pytest.raises(AnnotationError, match="duplicate id"):
        gold_stats(gold_dir, {"train": ["chizhou-2021", "anqing-2021"]})


def test_cli_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold_dir = make_gold_dir(tmp_path / "annotations")
    (gold_dir / "splits.yaml").write_text("train: [chizhou-2021]\ndev: []\ntest: [anqing-2021]\n", encoding="utf-8")
    assert load_splits(gold_dir / "splits.yaml") == {"train": ["chizhou-2021"], "dev": [], "test": ["anqing-2021"]}
    args = ["annotate", "stats", "--gold-dir", str(gold_dir), "--splits", str(gold_dir / "splits.yaml")]
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["all"]["paragraphs"] == 3
    (gold_dir / "splits.yaml").write_text("train: chizhou-2021\n", encoding="utf-8")
    assert main(args) == 1
    assert "split 'train' must be a list" in capsys.readouterr().err
