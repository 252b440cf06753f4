from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nlp.annotate.convert import (
    FORMATS,
    LS_AREAS,
    LS_LABELS,
    LS_TEXT,
    convert_file,
    doccano_to_offsets,
    label_studio_config,
    labelstudio_to_offsets,
    offsets_to_doccano,
    offsets_to_labelstudio,
    read_records,
    write_records,
)
from nlp.annotate.validate import AnnotationError
from nlp.cli import main
from nlp.spec import AREA_LABELS, ENTITY_LABELS

RECORDS = [
    {
        "id": "hunan-2021-p0012",
        "text": "长沙机场改扩建工程开工，湖南全年地区生产总值增长6%以上[注]。",
        "entities": [
            {"start": 0, "end": 9, "label": "PROJECT"},
            {"start": 12, "end": 14, "label": "REGION"},
            {"start": 16, "end": 28, "label": "TARGET"},
        ],
        "areas": ["macro", "investment"],
        "doc_id": "hunan-2021",
        "reviewed": True,
        "annotator": "zhao",
    },
    {
        "id": "hunan-2021-p0013",
        "text": "各位代表：{现在} \\ 报告",
        "entities": [],
        "areas": ["other"],
        "doc_id": "hunan-2021",
        "reviewed": False,
        "annotator": "",
        "entities_annotated": False,
    },
]


def test_records_point_at_what_they_claim() -> None:
    text = RECORDS[0]["text"]
    assert [text[e["start"] : e["end"]] for e in RECORDS[0]["entities"]] == ["长沙机场改扩建工程", "湖南", "地区生产总值增长6%以上"]


@pytest.mark.parametrize(("src_fmt", "dst_fmt"), list(itertools.permutations(FORMATS, 2)))
def test_round_trip_between_every_pair(tmp_path: Path, src_fmt: str, dst_fmt: str) -> None:
    src, mid, back = tmp_path / "src", tmp_path / "mid", tmp_path / "back"
    write_records(RECORDS, src, src_fmt)
    assert convert_file(src, mid, from_fmt=src_fmt, to_fmt=dst_fmt) == len(RECORDS)
    convert_file(mid, back, from_fmt=dst_fmt, to_fmt=src_fmt)
    assert read_records(mid, dst_fmt) == RECORDS
    assert back.read_text(encoding="utf-8") == src.read_text(encoding="utf-8")


def test_gold_file_is_readable_markup(tmp_path: Path) -> None:
    write_records(RECORDS, tmp_path / "g.jsonl", "gold")
    first, second = (json.loads(line) for line in (tmp_path / "g.jsonl").read_text(encoding="utf-8").splitlines())
    assert first["markup"] == "[长沙机场改扩建工程]{PROJECT}开工，[湖南]{REGION}全年[地区生产总值增长6%以上]{TARGET}\\[注\\]。"
    assert second["markup"] == "各位代表：\\{现在\\} \\\\ 报告"
    assert "长沙" in (tmp_path / "g.jsonl").read_text(encoding="utf-8")  # not \u-escaped


def test_labelstudio_task_shape() -> None:
    task = offsets_to_labelstudio(RECORDS[0], task_id=7)
    assert task["id"] == 7
    assert task["data"] == {"text": RECORDS[0]["text"], "para_id": "hunan-2021-p0012", "doc_id": "hunan-2021", "reviewed": True, "annotator": "zhao"}
    [annotation] = task["annotations"]
    spans = [r for r in annotation["result"] if r["type"] == "labels"]
    assert spans[0] == {
        "value": {"start": 0, "end": 9, "text": "长沙机场改扩建工程", "labels": ["PROJECT"]},
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
    }
    [areas] = [r for r in annotation["result"] if r["type"] == "choices"]
    assert areas == {"value": {"choices": ["macro", "investment"]}, "from_name": "areas", "to_name": "text", "type": "choices"}


def test_labelstudio_predictions_are_accepted() -> None:
    task = offsets_to_labelstudio(RECORDS[0], task_id=1)
    task["predictions"] = task.pop("annotations")
    assert labelstudio_to_offsets(task) == RECORDS[0]


def test_labelstudio_cancelled_annotations_are_not_used() -> None:
    task = offsets_to_labelstudio(RECORDS[0], task_id=1)
    task["annotations"].append({"result": [], "was_cancelled": True})
    assert labelstudio_to_offsets(task) == RECORDS[0]


@pytest.mark.parametrize(
    ("mutate", "phrase"),
    [
        (lambda t: t["annotations"].append(t["annotations"][0]), "found 2"),
        (lambda t: t.update(annotations=[]), "found 0"),
        (lambda t: t["annotations"][0]["result"][0]["value"].update(text="长沙"), "claims '长沙'"),
        (lambda t: t["annotations"][0]["result"][0]["value"].update(labels=["PROJECT", "REGION"]), "2 labels"),
        (lambda t: t["annotations"][0]["result"][0].update(type="rectanglelabels"), "unexpected result"),
        (lambda t: t["data"].pop("para_id"), "para_id"),
    ],
)
def test_labelstudio_import_rejects_bad_tasks(tmp_path: Path, mutate, phrase: str) -> None:
    task = offsets_to_labelstudio(RECORDS[0], task_id=3)
    mutate(task)
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    with pytest.raises(AnnotationError, match=phrase) as info:
        read_records(path, "labelstudio")
    assert "task 3" in str(info.value)


def test_labelstudio_bad_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ls.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(AnnotationError, match=rf"{path.name}: 1 problem.*\n.*invalid JSON"):
        read_records(path, "labelstudio")


def test_labelstudio_import_validates_against_spec(tmp_path: Path) -> None:
    task = offsets_to_labelstudio(RECORDS[0], task_id=1)
    task["annotations"][0]["result"][-1]["value"]["choices"] = []
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"task 1 \[id=hunan-2021-p0012\]: 0 areas"):
        read_records(path, "labelstudio")


def test_doccano_row_shape_and_aliases() -> None:
    row = offsets_to_doccano(RECORDS[0])
    assert row["label"] == [[0, 9, "PROJECT"], [12, 14, "REGION"], [16, 28, "TARGET"]]
    assert row["cats"] == ["macro", "investment"] and row["para_id"] == "hunan-2021-p0012"
    row["areas"] = row.pop("cats")
    row["id"] = 41  # doccano's own row number
    assert doccano_to_offsets(row) == RECORDS[0]
    row["cats"] = ["macro"]
    with pytest.raises(ValueError, match="both 'cats' and 'areas'"):
        doccano_to_offsets(row)


def test_doccano_import_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    rows = [offsets_to_doccano(r) for r in RECORDS]
    rows[1]["label"] = [[0, 2, "PERSON"]]
    rows[1]["entities_annotated"] = True
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(AnnotationError, match=rf"{path.name}:2 \[id=hunan-2021-p0013\]: .*unknown label 'PERSON'"):
        read_records(path, "doccano")


def test_pass_through_keys_may_not_overwrite_converted_ones() -> None:
    with pytest.raises(ValueError, match="clash"):
        offsets_to_doccano({**RECORDS[0], "cats": ["x"]})


def test_write_refuses_invalid_records(tmp_path: Path) -> None:
    bad = {**RECORDS[0], "areas": ["macro", "economy"]}
    with pytest.raises(AnnotationError, match="unknown area 'economy'"):
        write_records([bad], tmp_path / "x.jsonl", "offsets")
    assert not (tmp_path / "x.jsonl").exists()


def test_label_studio_config_matches_converter() -> None:
    root = ET.fromstring(label_studio_config())
    [labels] = root.iter("Labels")
    [choices] = root.iter("Choices")
    [text] = root.iter("Text")
    assert [e.get("value") for e in labels] == list(ENTITY_LABELS)
    assert [e.get("value") for e in choices] == list(AREA_LABELS)
    assert (labels.get("name"), choices.get("name"), text.get("name")) == (LS_LABELS, LS_AREAS, LS_TEXT)
    assert labels.get("toName") == choices.get("toName") == LS_TEXT
    assert choices.get("choice") == "multiple"


def test_cli_convert_and_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_records(RECORDS, tmp_path / "g.jsonl", "gold")
    args = ["annotate", "convert", "--from", "gold", "--to", "labelstudio", str(tmp_path / "g.jsonl"), str(tmp_path / "ls.json")]
    assert main(args) == 0
    assert read_records(tmp_path / "ls.json", "labelstudio") == RECORDS
    assert main(["annotate", "convert", "--from", "doccano", "--to", "gold", str(tmp_path / "none.jsonl"), str(tmp_path / "o")]) == 1
    capsys.readouterr()
    assert main(["annotate", "ls-config"]) == 0
    assert ET.fromstring(capsys.readouterr().out).tag == "View"
