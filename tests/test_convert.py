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
    LS_PRIMARY,
    LS_SECONDARY,
    LS_TEXT,
    convert_file,
    doccano_to_offsets,
    label_studio_config,
    labelstudio_to_offsets,
    offsets_to_doccano,
    offsets_to_doccano_intent,
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
    """Unedited exports: every record comes back as it went in (the unreviewed one travels to
    Label Studio as a prediction, so it is read back with include_predictions)."""
    src, mid, back = tmp_path / "src", tmp_path / "mid", tmp_path / "back"
    write_records(RECORDS, src, src_fmt)
    assert convert_file(src, mid, from_fmt=src_fmt, to_fmt=dst_fmt, include_predictions=True) == len(RECORDS)
    convert_file(mid, back, from_fmt=dst_fmt, to_fmt=src_fmt, include_predictions=True)
    assert read_records(mid, dst_fmt, include_predictions=True) == RECORDS
    assert back.read_text(encoding="utf-8") == src.read_text(encoding="utf-8")


def test_gold_file_is_readable_markup(tmp_path: Path) -> None:
    write_records(RECORDS, tmp_path / "g.jsonl", "gold")
    first, second = (json.loads(line) for line in (tmp_path / "g.jsonl").read_text(encoding="utf-8").splitlines())
    assert first["markup"] == "[长沙机场改扩建工程]{PROJECT}开工，[湖南]{REGION}全年[地区生产总值增长6%以上]{TARGET}\\[注\\]。"
    assert second["markup"] == "各位代表：\\{现在\\} \\\\ 报告"
    assert "长沙" in (tmp_path / "g.jsonl").read_text(encoding="utf-8")  # not \u-escaped


def test_labelstudio_task_shape() -> None:
    """Reviewed gold goes in as an annotation, a pre-annotation as a prediction (LS does not
    count it as done); the primary area has a single-choice control of its own; the record's
    annotator is renamed, since LS's JSON_MIN export writes its user under `annotator`."""
    task = offsets_to_labelstudio(RECORDS[0], task_id=7)
    assert task["id"] == 7 and "predictions" not in task
    assert task["data"] == {"text": RECORDS[0]["text"], "para_id": "hunan-2021-p0012", "doc_id": "hunan-2021", "reviewed": True,
                            "gold_annotator": "zhao"}
    [annotation] = task["annotations"]
    spans = [r for r in annotation["result"] if r["type"] == "labels"]
    assert spans[0] == {
        "value": {"start": 0, "end": 9, "text": "长沙机场改扩建工程", "labels": ["PROJECT"]},
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
    }
    choices = {r["from_name"]: r["value"]["choices"] for r in annotation["result"] if r["type"] == "choices"}
    assert choices == {LS_PRIMARY: ["macro"], LS_SECONDARY: ["investment"]}
    pre = offsets_to_labelstudio(RECORDS[1], task_id=8)
    assert "annotations" not in pre and pre["predictions"][0]["model_version"] == "nlp-preannotation"
    assert "annotations" in offsets_to_labelstudio(RECORDS[1], task_id=8, as_="annotations")


def test_labelstudio_predictions_are_read_only_on_request() -> None:
    task = offsets_to_labelstudio(RECORDS[0], task_id=1, as_="predictions")
    assert labelstudio_to_offsets(task) is None  # nobody annotated it: not gold
    assert labelstudio_to_offsets(task, include_predictions=True) == RECORDS[0]
    exported = {**offsets_to_labelstudio(RECORDS[0], task_id=1), "predictions": [17, 18]}  # LS exports prediction ids
    assert labelstudio_to_offsets(exported) == RECORDS[0]


def test_labelstudio_latest_non_cancelled_annotation_wins() -> None:
    task = offsets_to_labelstudio(RECORDS[0], task_id=1)
    [first] = task["annotations"]
    first["updated_at"] = "2026-11-01T10:00:00Z"
    later = json.loads(json.dumps(first))
    later["updated_at"] = "2026-11-02T09:00:00Z"
    later["result"] = [r for r in later["result"] if r["type"] == "choices" or r["value"]["labels"] != ["REGION"]]
    cancelled = {**json.loads(json.dumps(first)), "result": [], "was_cancelled": True, "updated_at": "2026-11-03T00:00:00Z"}
    task["annotations"] = [later, first, cancelled]
    assert [e["label"] for e in labelstudio_to_offsets(task)["entities"]] == ["PROJECT", "TARGET"]


def _edited(task: dict, primary: str, secondary: list[str]) -> dict:
    """What LS exports after an annotator changed the areas: a fresh annotation whose
    multiple-choice ticks are listed in config order."""
    result = [r for r in task["annotations"][0]["result"] if r["type"] == "labels"]
    result.append({"value": {"choices": [primary]}, "from_name": LS_PRIMARY, "to_name": LS_TEXT, "type": "choices"})
    ordered = [a for a in AREA_LABELS if a in secondary]
    result.append({"value": {"choices": ordered}, "from_name": LS_SECONDARY, "to_name": LS_TEXT, "type": "choices"})
    return {**task, "annotations": [{"id": 99, "completed_by": 1, "result": result, "was_cancelled": False}]}


def test_labelstudio_edited_export_keeps_primary_first() -> None:
    task = _edited(offsets_to_labelstudio(RECORDS[0], task_id=1), "investment", ["ecology", "macro", "investment"])
    record = labelstudio_to_offsets(task)
    assert record["areas"][0] == "investment" and sorted(record["areas"][1:]) == ["ecology", "macro"]
    assert record["annotator"] == "zhao"  # the record's own field, not LS's user


def test_labelstudio_json_min_export_is_read() -> None:
    """JSON_MIN: one flat row per annotation, controls as top-level keys, LS's user under
    `annotator` (the record's own annotator comes back from `gold_annotator`)."""
    row = {"text": RECORDS[0]["text"], "para_id": "hunan-2021-p0012", "doc_id": "hunan-2021", "reviewed": True,
           "gold_annotator": "zhao", "id": 5, "annotator": "ls-user@example.org", "annotation_id": 12,
           "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:05:00Z", "lead_time": 31.5,
           LS_LABELS: [{"start": 0, "end": 9, "text": "长沙机场改扩建工程", "labels": ["PROJECT"]},
                       {"start": 12, "end": 14, "text": "湖南", "labels": ["REGION"]},
                       {"start": 16, "end": 28, "text": "地区生产总值增长6%以上", "labels": ["TARGET"]}],
           LS_PRIMARY: "macro", LS_SECONDARY: "investment"}
    assert labelstudio_to_offsets(row) == RECORDS[0]
    assert labelstudio_to_offsets({**row, LS_SECONDARY: {"choices": ["investment", "ecology"]}})["areas"] == \
        ["macro", "investment", "ecology"]


def test_labelstudio_old_single_areas_control_is_still_read() -> None:
    task = offsets_to_labelstudio(RECORDS[0], task_id=1)
    result = [r for r in task["annotations"][0]["result"] if r["type"] == "labels"]
    result.append({"value": {"choices": ["macro", "investment"]}, "from_name": LS_AREAS, "to_name": LS_TEXT, "type": "choices"})
    task["annotations"][0]["result"] = result
    assert labelstudio_to_offsets(task) == RECORDS[0]


@pytest.mark.parametrize(
    ("mutate", "phrase"),
    [
        (lambda t: t["annotations"][0]["result"][0]["value"].update(text="长沙"), "claims '长沙'"),
        (lambda t: t["annotations"][0]["result"][0]["value"].update(labels=["PROJECT", "REGION"]), "2 labels"),
        (lambda t: t["annotations"][0]["result"][0].update(type="rectanglelabels"), "unexpected result"),
        (lambda t: t["data"].pop("para_id"), "para_id"),
        (lambda t: t["annotations"][0]["result"].pop(-2), "no 'primary_area'"),
        (lambda t: t["annotations"][0]["result"][-2]["value"].update(choices=["macro", "rural"]), "needs one choice"),
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


def test_labelstudio_unannotated_tasks_are_left_out_and_counted(tmp_path: Path, caplog) -> None:
    path = tmp_path / "ls.json"
    tasks = [offsets_to_labelstudio(RECORDS[0], task_id=1), offsets_to_labelstudio(RECORDS[1], task_id=2)]
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    with caplog.at_level("WARNING", logger="nlp.annotate.convert"):
        assert read_records(path, "labelstudio") == RECORDS[:1]
    assert "1 task(s) not annotated" in caplog.text


def test_labelstudio_bad_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ls.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(AnnotationError, match=rf"{path.name}: 1 problem.*\n.*invalid JSON"):
        read_records(path, "labelstudio")


def test_labelstudio_import_validates_against_spec(tmp_path: Path) -> None:
    task = offsets_to_labelstudio(RECORDS[0], task_id=1)
    task["annotations"][0]["result"] = [r for r in task["annotations"][0]["result"] if r["type"] == "labels"]
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"task 1 \[id=hunan-2021-p0012\]: 0 areas"):
        read_records(path, "labelstudio")


def test_doccano_rows_of_both_project_types() -> None:
    """Sequence labelling: spans under `label`, areas as the metadata key `areas`; intent +
    slots: spans under `entities`, areas under `cats`. Either export reads back."""
    seq = offsets_to_doccano(RECORDS[0])
    assert seq["label"] == [[0, 9, "PROJECT"], [12, 14, "REGION"], [16, 28, "TARGET"]]
    assert seq["areas"] == ["macro", "investment"] and "cats" not in seq and seq["para_id"] == "hunan-2021-p0012"
    intent = offsets_to_doccano_intent(RECORDS[0])
    assert intent["entities"] == seq["label"] and intent["cats"] == ["macro", "investment"] and "label" not in intent
    # What doccano exports: its own row id and comments, and (newer versions) spans as objects.
    assert doccano_to_offsets({**seq, "id": 41, "Comments": []}) == RECORDS[0]
    objects = [{"id": k, "label": lab, "start_offset": s, "end_offset": e} for k, (s, e, lab) in enumerate(intent["entities"])]
    assert doccano_to_offsets({**intent, "id": 41, "entities": objects}) == RECORDS[0]


def test_doccano_export_without_areas_is_an_error() -> None:
    seq = offsets_to_doccano(RECORDS[0])
    del seq["areas"]
    with pytest.raises(ValueError, match="no areas"):
        doccano_to_offsets(seq)
    with pytest.raises(ValueError, match="both 'cats' and 'areas'"):
        doccano_to_offsets({**offsets_to_doccano(RECORDS[0]), "cats": ["macro"]})


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
        offsets_to_doccano_intent({**RECORDS[0], "cats": ["x"]})


def test_write_refuses_invalid_records(tmp_path: Path) -> None:
    bad = {**RECORDS[0], "areas": ["macro", "economy"]}
    with pytest.raises(AnnotationError, match="unknown area 'economy'"):
        write_records([bad], tmp_path / "x.jsonl", "offsets")
    assert not (tmp_path / "x.jsonl").exists()


def test_label_studio_config_matches_converter() -> None:
    root = ET.fromstring(label_studio_config())
    [labels] = root.iter("Labels")
    primary, secondary = root.iter("Choices")
    [text] = root.iter("Text")
    assert [e.get("value") for e in labels] == list(ENTITY_LABELS)
    assert [e.get("value") for e in primary] == [e.get("value") for e in secondary] == list(AREA_LABELS)
    assert (labels.get("name"), primary.get("name"), secondary.get("name"), text.get("name")) == (LS_LABELS, LS_PRIMARY, LS_SECONDARY, LS_TEXT)
    assert labels.get("toName") == primary.get("toName") == secondary.get("toName") == LS_TEXT
    assert (primary.get("choice"), primary.get("required"), secondary.get("choice")) == ("single", "true", "multiple")


def test_cli_convert_and_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_records(RECORDS, tmp_path / "g.jsonl", "gold")
    args = ["annotate", "convert", "--from", "gold", "--to", "labelstudio", str(tmp_path / "g.jsonl"), str(tmp_path / "ls.json")]
    assert main([*args, "--as", "annotations"]) == 0
    assert read_records(tmp_path / "ls.json", "labelstudio") == RECORDS
    assert main(["annotate", "convert", "--from", "doccano", "--to", "gold", str(tmp_path / "none.jsonl"), str(tmp_path / "o")]) == 1
    capsys.readouterr()
    assert main(["annotate", "ls-config"]) == 0
    assert ET.fromstring(capsys.readouterr().out).tag == "View"
