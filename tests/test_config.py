"""Config loading: every schema violation stops the run with the file and dotted key named."""

from __future__ import annotations

import logging
import os
import typing
from pathlib import Path
from typing import Annotated

import pytest
import yaml

from nlp.config import (
    SCHEMAS,
    TRAIN_TASKS,
    AreasConfig,
    ConfigError,
    NerConfig,
    NerModelConfig,
    PredictConfig,
    load_config,
    parse_override,
)

GOLD_REL = "tests/fixtures/tiny_gold"
GOLD = str(Path(__file__).resolve().parents[1] / GOLD_REL)  # configs here are written outside the project


@pytest.fixture(autouse=True)
def _at_project_root(project_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project_root)


def write(tmp_path: Path, data: dict, name: str = "cfg.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def ner_dict(**sections) -> dict:
    base = {
        "task": "ner",
        "data": {"gold_dir": GOLD, "splits": f"{GOLD}/splits.yaml"},
        "model": {"name_or_path": "bert-base-chinese", "max_length": 64, "stride": 8},
        "training": {"output_dir": "runs/x", "epochs": 2},
    }
    for key, value in sections.items():
        base[key] = {**base.get(key, {}), **value}
    return base


def error_of(path: Path, overrides: list[str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path, overrides or [])
    return str(info.value)


def test_valid_config_loads_with_types_and_absolute_paths(tmp_path, project_root):
    cfg = load_config(write(tmp_path, ner_dict()))
    assert isinstance(cfg, NerConfig)
    assert cfg.training.epochs == 2 and isinstance(cfg.training.learning_rate, float)
    assert cfg.data.gold_dir == project_root / GOLD_REL
    assert cfg.model.name_or_path == "bert-base-chinese"  # a hub id needs no local folder
    assert cfg.evaluation.baseline.kind == "none"


def test_relative_paths_resolve_against_the_config_file_and_set_against_the_cwd(tmp_path, project_root, monkeypatch):
    """A config works from any directory: what the file says is relative to the file; a `--set`
    value, like a path typed on a command line, and a schema default are relative to the cwd."""
    folder = tmp_path / "project" / "configs"
    folder.mkdir(parents=True)
    gold = os.path.relpath(project_root / GOLD_REL, folder)
    path = write(folder, ner_dict(data={"gold_dir": gold, "splits": f"{gold}/splits.yaml"}, training={"output_dir": "../runs/x"}))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cfg = load_config(path)
    assert cfg.data.gold_dir == project_root / GOLD_REL and cfg.data.splits == project_root / GOLD_REL / "splits.yaml"
    assert cfg.training.output_dir == tmp_path / "project" / "runs" / "x"  # `..` folded
    assert load_config(path, ["training.output_dir=out"]).training.output_dir == elsewhere / "out"
    monkeypatch.chdir(project_root)
    assert load_config(path, [f"data.gold_dir={GOLD_REL}"]).data.gold_dir == project_root / GOLD_REL
    del_gold = ner_dict(training={"output_dir": "x"})
    del del_gold["data"]  # the default annotations/gold: the project's own, from its root
    assert load_config(write(folder, del_gold, "defaults.yaml")).data.gold_dir == project_root / "annotations/gold"


def test_model_references_are_folders_or_hub_ids(tmp_path, project_root):
    """A hub-id-shaped value is a hub id unless it names a local folder, starts under models/
    or under an existing folder; a local path is returned absolute, a missing one that is
    needed is an error naming the key."""
    (tmp_path / "models" / "ner").mkdir(parents=True)
    predict = {"task": "predict", "ner": {"kind": "model", "path": "models/ner"}, "areas": {"kind": "model", "path": "hfl/rbt3"}}
    cfg = load_config(write(tmp_path, predict))
    assert (cfg.ner.path, cfg.areas.path) == (str(tmp_path / "models" / "ner"), "hfl/rbt3")
    missing = error_of(write(tmp_path, {**predict, "ner": {"kind": "model", "path": "models/other"}}))
    assert "ner.path: a trained NER model folder is needed, but" in missing and str(tmp_path / "models" / "other") in missing
    assert "areas.path" in error_of(write(tmp_path, {**predict, "areas": {"kind": "model", "path": "./areas"}}))
    rules = load_config(write(tmp_path, {**predict, "ner": {"kind": "rules", "path": "models/absent"}}))
    assert rules.ner.path == str(tmp_path / "models" / "absent")  # not needed by the rule tagger: no error


def test_unknown_key_names_dotted_key_and_file(tmp_path):
    path = write(tmp_path, ner_dict(training={"epochz": 3}))
    message = error_of(path)
    assert message.startswith(str(path)) and "training.epochz: unknown key" in message


def test_wrong_type_names_key_and_value(tmp_path):
    path = write(tmp_path, ner_dict(training={"epochs": "ten"}))
    assert error_of(path) == f"{path}: training.epochs: expected int, got 'ten'"
    assert "training.resume: expected bool" in error_of(write(tmp_path, ner_dict(training={"resume": 1})))
    assert "training.init: expected one of" in error_of(write(tmp_path, ner_dict(training={"init": "warm"})))


def test_missing_input_file_and_folder(tmp_path):
    assert "data.splits: file not found" in error_of(write(tmp_path, ner_dict(data={"splits": "nope.yaml"})))
    assert "data.gold_dir: folder not found" in error_of(write(tmp_path, ner_dict(data={"gold_dir": "no/dir"})))
    message = error_of(write(tmp_path, ner_dict(model={"name_or_path": "./models/missing"})))
    assert "model.name_or_path: the encoder is needed, but" in message and str(tmp_path / "models" / "missing") in message


def test_missing_required_key(tmp_path):
    data = ner_dict()
    del data["training"]["output_dir"]
    assert "training.output_dir: required key is missing" in error_of(write(tmp_path, data))


def test_unknown_label_and_area(tmp_path):
    message = error_of(write(tmp_path, ner_dict(data={"extra_bio_labels": {"LOC": "CITY"}})))
    assert "data.extra_bio_labels.LOC: unknown entity label 'CITY'" in message
    areas = {**ner_dict(thresholds={"fixed": {"economy": 0.5}}), "task": "areas"}
    del areas["model"]["stride"]
    assert "thresholds.fixed: unknown policy area 'economy'" in error_of(write(tmp_path, areas))


def test_cross_field_checks(tmp_path):
    assert "model.stride" in error_of(write(tmp_path, ner_dict(model={"stride": 62})))
    assert "model.hints: expected one of" in error_of(write(tmp_path, ner_dict(model={"hints": "gazetteer"})))
    assert "model.regions: expected one of" in error_of(write(tmp_path, ner_dict(model={"regions": "gazetteer"})))
    cls = {**ner_dict(), "task": "areas", "model": {"name_or_path": "bert-base-chinese"}}
    assert "blend.weights: need one or more weights in [0, 1]" in error_of(
        write(tmp_path, {**cls, "blend": {"weights": [0.5, 1.5]}})
    )
    assert "blend.tfidf_config: file not found" in error_of(
        write(tmp_path, {**cls, "blend": {"tfidf_config": "configs/nope.yaml"}})
    )
    message = error_of(write(tmp_path, {**cls, "blend": {"tfidf_config": str(Path(GOLD).parents[1] / "configs/tiny-ner.yaml")}}))
    assert "blend.tfidf_config: " in message and "needs a config of task tfidf" in message
    assert load_config(write(tmp_path, cls)).blend.tfidf_config is None  # encoder only by default
    message = error_of(write(tmp_path, ner_dict(evaluation={"baseline": {"kind": "tfidf"}})))
    assert "evaluation.baseline.kind" in message


@pytest.mark.parametrize(
    ("item", "keys", "value"),
    [
        ("training.epochs=3", ["training", "epochs"], 3),
        ("training.learning_rate=0.0001", ["training", "learning_rate"], 0.0001),
        ("training.resume=true", ["training", "resume"], True),
        ("data.extra_bio=[a.bio, b.bio]", ["data", "extra_bio"], ["a.bio", "b.bio"]),
        ("evaluation.baseline.path=null", ["evaluation", "baseline", "path"], None),
        ("model.name_or_path=x=y", ["model", "name_or_path"], "x=y"),
    ],
)
def test_parse_override(item, keys, value):
    assert parse_override(item) == (keys, value)


def test_overrides_apply_before_validation(tmp_path):
    path = write(tmp_path, ner_dict(training={"epochs": "ten"}))
    cfg = load_config(path, ["training.epochs=5", "training.learning_rate=1e-4", "evaluation.baseline={kind: rules}"])
    assert cfg.training.epochs == 5
    assert cfg.training.learning_rate == pytest.approx(1e-4)  # YAML reads 1e-4 as a string
    assert cfg.evaluation.baseline.kind == "rules"
    assert "training.epocs: unknown key" in error_of(path, ["training.epocs=1"])
    assert "training.epochs: expected int, got 'x'" in error_of(path, ["training.epochs=x"])
    assert "expected dotted.key=value" in error_of(path, ["training.epochs"])


def test_task_selects_schema_and_can_be_restricted(tmp_path):
    assert "task: expected one of" in error_of(write(tmp_path, {**ner_dict(), "task": "pos"}))
    with pytest.raises(ConfigError, match="task: this command needs"):
        predict = {"task": "predict", "ner": {"kind": "rules"}, "areas": {"kind": "tfidf", "path": GOLD}}
        load_config(write(tmp_path, predict), tasks=TRAIN_TASKS)


def test_predict_schema(tmp_path):
    path = write(tmp_path, {"task": "predict", "ner": {"kind": "rules"}, "areas": {"kind": "tfidf", "path": GOLD},
                            "output": {"formats": ["jsonl", "csv"]}})
    cfg = load_config(path, tasks=("predict",))
    assert isinstance(cfg, PredictConfig)
    assert (cfg.max_paragraph_chars, cfg.device, cfg.output.formats) == (500, "auto", ["jsonl", "csv"])
    assert "areas.path" in error_of(path, ["areas.path=models/none"])
    assert "ner.path" in error_of(path, ["ner.kind=model", "ner.path=models/none"])
    assert "output.formats[0]: expected one of" in error_of(path, ["output.formats=[xml]"])


def test_shipped_configs_are_valid(project_root):
    """The default configs parse (the encoder folder is replaced by a hub id: it is prepared later)."""
    hub = ["model.name_or_path=some-org/some-encoder"]
    assert isinstance(load_config(project_root / "configs/ner.yaml", hub), NerConfig)
    assert isinstance(load_config(project_root / "configs/areas.yaml", hub), AreasConfig)
    assert load_config(project_root / "configs/tfidf.yaml").task == "tfidf"
    for name in ("tiny-ner", "tiny-areas", "tiny-tfidf"):
        assert load_config(project_root / f"tests/configs/{name}.yaml").task in TRAIN_TASKS


def test_schema_defaults_are_the_shipped_defaults(project_root):
    """The README calls model.hints: rules and model.regions: union the default: a config that
    leaves them out gets the same model as configs/ner.yaml."""
    shipped = yaml.safe_load((project_root / "configs/ner.yaml").read_text(encoding="utf-8"))["model"]
    assert (NerModelConfig().hints, NerModelConfig().regions) == (shipped["hints"], shipped["regions"]) == ("rules", "union")


def test_old_area_names_load_with_a_warning(tmp_path, caplog):
    old = {**ner_dict(), "task": "cls", "model": {"name_or_path": "bert-base-chinese"}}
    with caplog.at_level(logging.WARNING, logger="nlp.config"):
        assert isinstance(load_config(write(tmp_path, old)), AreasConfig)
    assert "task 'cls' is deprecated" in caplog.text
    caplog.clear()
    predict = {"task": "predict", "ner": {"kind": "rules"}, "cls": {"kind": "tfidf", "path": GOLD}}
    with caplog.at_level(logging.WARNING, logger="nlp.config"):
        cfg = load_config(write(tmp_path, predict), [f"cls.path={GOLD}"])
    assert cfg.areas.kind == "tfidf" and "predict key 'cls' is deprecated" in caplog.text
    both = {**predict, "areas": {"kind": "tfidf", "path": GOLD}}
    assert "give only `areas`" in error_of(write(tmp_path, both))


def _leaf_keys(cls: type, prefix: str = "") -> list[tuple[str, object]]:
    import dataclasses
    import typing

    hints = typing.get_type_hints(cls, include_extras=True)
    out = []
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            out += _leaf_keys(hints[f.name], f"{prefix}{f.name}.")
        elif f.name != "task":
            out.append((f"{prefix}{f.name}", hints[f.name]))
    return out


SHIPPED = {"ner": ("ner.yaml", ["model.name_or_path=org/enc"]), "areas": ("areas.yaml", ["model.name_or_path=org/enc"]),
           "tfidf": ("tfidf.yaml", []), "predict": ("predict-baseline.yaml", ["areas.path=org/areas"])}


@pytest.mark.parametrize(("task", "key"), [(t, k) for t, cls in SCHEMAS.items() for k, _ in _leaf_keys(cls)])
def test_every_key_names_itself_when_its_value_is_wrong(project_root, task, key):
    """The audit of issue 12, as a test: every leaf key of every schema, given a value of the
    wrong shape, and every bounded number given -5, stops the load with the key named."""
    name, fixes = SHIPPED[task]
    hint = dict(_leaf_keys(SCHEMAS[task]))[key]
    bounded = typing.get_origin(hint) is Annotated and typing.get_args(hint)[1] in (">0", ">=0", "0..1")
    for value in ["[1, 2]"] + (["-5"] if bounded else []):
        with pytest.raises(ConfigError) as info:
            load_config(project_root / "configs" / name, [*fixes, f"{key}={value}"])
        assert f": {key}" in str(info.value), (value, str(info.value))
