"""YAML run configs, one schema per kind, validated on load.

A config file names its kind with the top-level key `task`: `ner`, `cls`, `tfidf` (training
and evaluation) or `predict` (batch inference). Each schema is a tree of dataclasses below; a
config is checked against it before any work starts, so that a typo or a missing file stops
the run at once with a `ConfigError` naming the file and the dotted key, e.g.
`configs/ner.yaml: training.epochs: expected int, got 'ten'`.

Overrides (`--set training.epochs=3`) address any key by its dotted path; the value is parsed
as a YAML scalar (`3` -> int, `true` -> bool, `[a, b]` -> list, `null` -> None).

Paths: relative paths are resolved against the current working directory (run commands from
the project root), not against the config file, and are stored absolute. Input paths (gold
folder, splits file, extra BIO files) must exist when the config is loaded. A model reference
(`model.name_or_path`) is an existing local folder, or else a Hugging Face hub id such as
`bert-base-chinese` (accepted without a network check, loading it needs a hub cache).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml

from nlp.spec import AREA_LABELS, ENTITY_LABELS


class ConfigError(ValueError):
    """A config that does not match its schema; the message names the file and the key."""


class _KeyError(ValueError):
    """Internal: a problem at a dotted key, turned into a ConfigError that names the file."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)


# Value kinds beyond plain Python types, checked by `_convert`.
InputFile = Annotated[Path, "file"]  # must be an existing file
InputDir = Annotated[Path, "dir"]  # must be an existing folder
ModelRef = Annotated[str, "model"]  # existing local folder or a hub id
Label = Annotated[str, "label"]  # one of spec.ENTITY_LABELS
Area = Annotated[str, "area"]  # one of spec.AREA_LABELS

DEFAULT_ENCODER = "models/encoder/envpos-albert"
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")


# --- training / evaluation schemas -------------------------------------------------------


@dataclass
class DataConfig:
    gold_dir: InputDir = Path("annotations/gold")
    splits: InputFile = Path("annotations/splits.yaml")


@dataclass
class NerDataConfig(DataConfig):
    extra_bio: list[InputFile] = field(default_factory=list)
    extra_bio_labels: dict[str, Label] = field(default_factory=lambda: {"LOC": "REGION"})
    extra_bio_max: int | None = None


@dataclass
class NerModelConfig:
    name_or_path: ModelRef = DEFAULT_ENCODER
    max_length: int = 256
    stride: int = 64
    hints: Literal["none", "rules"] = "none"
    regions: Literal["model", "rules"] = "model"


@dataclass
class ClsModelConfig:
    name_or_path: ModelRef = DEFAULT_ENCODER
    max_length: int = 256
    dropout: float = 0.1


@dataclass
class TfidfModelConfig:
    ngram_min: int = 1
    ngram_max: int = 3
    max_features: int | None = 200_000
    min_df: int = 1
    C: float = 4.0
    class_weight: Literal["balanced", "none"] = "balanced"


@dataclass(kw_only=True)
class TrainingConfig:
    output_dir: Path
    init: Literal["pretrained", "random"] = "pretrained"
    epochs: int = 4
    batch_size: int = 16
    eval_batch_size: int = 32
    learning_rate: float = 5e-5
    head_lr_scale: float = 1.0
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    seed: int = 42
    resume: bool = False
    logging_steps: int = 10
    device: Literal["auto", "cpu", "cuda"] = "auto"


@dataclass(kw_only=True)
class TfidfTrainingConfig:
    output_dir: Path
    seed: int = 42


@dataclass
class ThresholdConfig:
    grid: list[float] = field(default_factory=lambda: [round(0.05 * i, 2) for i in range(1, 19)])
    per_area: bool = True
    fixed: dict[Area, float] = field(default_factory=dict)


@dataclass
class BlendConfig:
    tfidf_config: InputFile | None = None
    weights: list[float] = field(default_factory=lambda: [0.0])


@dataclass
class BaselineConfig:
    kind: Literal["rules", "tfidf", "model", "none"] = "none"
    path: Path | None = None


@dataclass
class EvaluationConfig:
    split: Literal["dev", "test"] = "test"
    output_dir: Path = Path("runs/eval")
    baseline: BaselineConfig = field(default_factory=BaselineConfig)
    worst_errors: int = 20


@dataclass(kw_only=True)
class NerConfig:
    task: Literal["ner"] = "ner"
    data: NerDataConfig = field(default_factory=NerDataConfig)
    model: NerModelConfig = field(default_factory=NerModelConfig)
    training: TrainingConfig
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)

    def check(self) -> None:
        if self.model.stride >= self.model.max_length - 2 or self.model.stride < 0:
            raise _KeyError("model.stride", f"must be in [0, max_length - 2), got {self.model.stride}")
        _check_baseline(self.evaluation.baseline, ("rules", "model", "none"))


@dataclass(kw_only=True)
class ClsConfig:
    task: Literal["cls"] = "cls"
    data: DataConfig = field(default_factory=DataConfig)
    model: ClsModelConfig = field(default_factory=ClsModelConfig)
    training: TrainingConfig
    thresholds: ThresholdConfig = field(default_factory=ThresholdConfig)
    blend: BlendConfig = field(default_factory=BlendConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)

    def check(self) -> None:
        _check_thresholds(self.thresholds)
        _check_baseline(self.evaluation.baseline, ("tfidf", "model", "none"))
        if not self.blend.weights or not all(0.0 <= w <= 1.0 for w in self.blend.weights):
            raise _KeyError("blend.weights", f"need one or more weights in [0, 1], got {self.blend.weights}")
        if self.blend.tfidf_config is not None:  # checked now, not after the encoder has trained
            try:
                load_config(self.blend.tfidf_config, tasks=("tfidf",))
            except ConfigError as exc:
                raise _KeyError("blend.tfidf_config", str(exc)) from None


@dataclass(kw_only=True)
class TfidfConfig:
    task: Literal["tfidf"] = "tfidf"
    data: DataConfig = field(default_factory=DataConfig)
    model: TfidfModelConfig = field(default_factory=TfidfModelConfig)
    training: TfidfTrainingConfig
    thresholds: ThresholdConfig = field(default_factory=ThresholdConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)

    def check(self) -> None:
        if not 1 <= self.model.ngram_min <= self.model.ngram_max:
            raise _KeyError("model.ngram_max", "need 1 <= ngram_min <= ngram_max")
        _check_thresholds(self.thresholds)
        _check_baseline(self.evaluation.baseline, ("tfidf", "model", "none"))


# --- predict schema ------------------------------------------------------------------------


@dataclass
class PredictNerConfig:
    kind: Literal["model", "rules"] = "model"
    path: Path | None = Path("models/ner")


@dataclass
class PredictClsConfig:
    kind: Literal["model", "tfidf"] = "model"
    path: Path | None = Path("models/cls")


@dataclass
class OutputConfig:
    formats: list[Literal["jsonl", "csv"]] = field(default_factory=lambda: ["jsonl"])
    dir: Path = Path("outputs/predict")


@dataclass
class PredictConfig:
    task: Literal["predict"] = "predict"
    ner: PredictNerConfig = field(default_factory=PredictNerConfig)
    cls: PredictClsConfig = field(default_factory=PredictClsConfig)
    batch_size: int = 32
    max_paragraph_chars: int = 500
    device: Literal["auto", "cpu", "cuda"] = "auto"
    output: OutputConfig = field(default_factory=OutputConfig)

    def check(self) -> None:
        """Model folders are inputs here: they must exist unless the rule tagger is used."""
        if self.ner.kind == "model":
            _require_existing(self.ner.path, "ner.path", "a trained NER model folder")
        _require_existing(self.cls.path, "cls.path", "a trained area classifier folder")
        if self.batch_size < 1 or self.max_paragraph_chars < 1:
            raise _KeyError("batch_size" if self.batch_size < 1 else "max_paragraph_chars", "must be >= 1")


TrainConfig = NerConfig | ClsConfig | TfidfConfig
Config = NerConfig | ClsConfig | TfidfConfig | PredictConfig
SCHEMAS: dict[str, type] = {"ner": NerConfig, "cls": ClsConfig, "tfidf": TfidfConfig, "predict": PredictConfig}


def _check_baseline(baseline: BaselineConfig, kinds: tuple[str, ...]) -> None:
    if baseline.kind not in kinds:
        message = f"expected one of {list(kinds)} for this task, got {baseline.kind!r}"
        raise _KeyError("evaluation.baseline.kind", message)
    if baseline.kind in ("tfidf", "model") and baseline.path is None:
        raise _KeyError("evaluation.baseline.path", f"required when the baseline kind is {baseline.kind!r}")


def _check_thresholds(thresholds: ThresholdConfig) -> None:
    values = {"thresholds.grid": thresholds.grid, **{f"thresholds.fixed.{k}": [v] for k, v in thresholds.fixed.items()}}
    for key, grid in values.items():
        if not grid or not all(0.0 < t < 1.0 for t in grid):
            raise _KeyError(key, f"thresholds must lie strictly between 0 and 1, got {grid}")


def _require_existing(path: Path | None, key: str, what: str) -> None:
    if path is None or not path.exists():
        raise _KeyError(key, f"{what} is needed, but {path} does not exist")


def require_existing(path: Path | None, key: str, what: str, source: str = "config") -> Path:
    """Checks a path that is only needed by a later stage (e.g. the baseline model that
    evaluation reads), with the same message format as a load-time error."""
    try:
        _require_existing(path, key, what)
    except _KeyError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return typing.cast(Path, path)


# --- loading -------------------------------------------------------------------------------


TRAIN_TASKS = ("ner", "cls", "tfidf")


def load_config(
    path: str | Path, overrides: Sequence[str] = (), *, tasks: Sequence[str] | None = None
) -> Config:
    """Config of the YAML file at `path` with `overrides` ("dotted.key=value") applied.

    `tasks`, when given, are the kinds the caller accepts (e.g. TRAIN_TASKS or ("predict",));
    a file of another kind is an error. Raises ConfigError (naming the file and dotted key)."""
    source = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: config file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: invalid YAML: {exc}") from None
    raw = {} if raw is None else raw
    try:
        if not isinstance(raw, dict):
            raise _KeyError("", f"expected a mapping at the top level, got {type(raw).__name__}")
        for item in overrides:
            _apply_override(raw, item)
        kind = raw.get("task")
        if kind not in SCHEMAS:
            raise _KeyError("task", f"expected one of {list(SCHEMAS)}, got {kind!r}")
        if tasks is not None and kind not in tasks:
            raise _KeyError("task", f"this command needs a config of task {' or '.join(tasks)}, got {kind!r}")
        config = _build(SCHEMAS[kind], raw, "")
        config.check()
    except _KeyError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return config


def parse_override(item: str) -> tuple[list[str], Any]:
    """("a.b.c=value") -> (["a", "b", "c"], value parsed as a YAML scalar or flow collection)."""
    key, sep, value = item.partition("=")
    if not sep or not key.strip() or any(not part for part in key.strip().split(".")):
        raise _KeyError(f"--set {item}", "expected dotted.key=value")
    try:
        parsed = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError as exc:
        raise _KeyError(f"--set {item}", f"value is not valid YAML: {exc}") from None
    return key.strip().split("."), parsed


def _apply_override(raw: dict, item: str) -> None:
    keys, value = parse_override(item)
    node = raw
    for depth, part in enumerate(keys[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise _KeyError(".".join(keys[: depth + 1]), f"is not a section, cannot set {'.'.join(keys)}")
        node = child
    node[keys[-1]] = value


def _build(cls: type, raw: Any, prefix: str) -> Any:
    """Instance of dataclass `cls` from mapping `raw`; unknown keys and wrong types raise."""
    if not isinstance(raw, dict):
        raise _KeyError(prefix.rstrip("."), f"expected a mapping, got {raw!r}")
    hints = typing.get_type_hints(cls, include_extras=True)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in raw:
        if key not in names:
            raise _KeyError(f"{prefix}{key}", f"unknown key (expected one of: {', '.join(names)})")
    values = {}
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if f.name in raw:
            value = raw[f.name]
        elif dataclasses.is_dataclass(hints[f.name]):
            value = {}  # a missing section: its own defaults apply
        elif f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            # Defaults go through the same checks as given values (a default input path must exist).
            value = _plain(f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default)
        else:
            raise _KeyError(key, "required key is missing")
        values[f.name] = _convert(value, hints[f.name], key)
    return cls(**values)


def _convert(value: Any, hint: Any, key: str) -> Any:
    """`value` checked against type `hint`, with paths resolved and checked."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        return _convert_special(_convert(value, args[0], key), args[1], key)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, f"{key}.")
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(value, inner, key)
    if origin is Literal:
        if value not in args:
            raise _KeyError(key, f"expected one of {list(args)}, got {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise _KeyError(key, f"expected a list, got {value!r}")
        return [_convert(v, args[0], f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _KeyError(key, f"expected a mapping, got {value!r}")
        return {_convert(k, args[0], key): _convert(v, args[1], f"{key}.{k}") for k, v in value.items()}
    return _convert_plain(value, hint, key)


def _convert_plain(value: Any, hint: type, key: str) -> Any:
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        # PyYAML reads 5e-5 (no dot) as a string: accept numeric strings for floats only.
        float: isinstance(value, (int, float)) and not isinstance(value, bool) or _is_float_text(value),
        str: isinstance(value, str),
        Path: isinstance(value, str) and bool(value),
    }[hint]
    if not ok:
        raise _KeyError(key, f"expected {'path' if hint is Path else hint.__name__}, got {value!r}")
    if hint is float:
        return float(value)
    if hint is Path:
        return _resolve(value)
    return value


def _is_float_text(value: Any) -> bool:
    try:
        return isinstance(value, str) and float(value) is not None
    except ValueError:
        return False


def _resolve(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path.cwd() / path


def _convert_special(value: Any, kind: str, key: str) -> Any:
    if kind == "file" and not value.is_file():
        raise _KeyError(key, f"file not found: {value}")
    if kind == "dir" and not value.is_dir():
        raise _KeyError(key, f"folder not found: {value}")
    if kind == "label" and value not in ENTITY_LABELS:
        raise _KeyError(key, f"unknown entity label {value!r} (expected one of: {', '.join(ENTITY_LABELS)})")
    if kind == "area" and value not in AREA_LABELS:
        raise _KeyError(key, f"unknown policy area {value!r} (expected one of: {', '.join(AREA_LABELS)})")
    if kind == "model":
        return _model_ref(value, key)
    return value


def _model_ref(value: str, key: str) -> str:
    """A local folder (returned absolute) or a hub id; a path-like string that names no folder
    is an error, since it cannot be a hub id either."""
    local = _resolve(value)
    if local.is_dir():
        return str(local)
    if _HUB_ID.fullmatch(value) and not value.startswith("."):
        return value
    hint = " (run `nlp encoder` to prepare it)" if value == DEFAULT_ENCODER else f" (and {value!r} is not a hub id)"
    raise _KeyError(key, f"model folder not found: {local}{hint}")


def to_dict(config: Config) -> dict[str, Any]:
    """Plain, JSON-serialisable form (paths as strings) for nlp_model.json and reports."""
    return _plain(dataclasses.asdict(config))


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
