"""The config schemas, one tree of dataclasses per kind (`task`): `ner`, `areas`, `tfidf`
(training and evaluation) and `predict` (batch inference), with the checks across keys that
a type alone cannot express. Defaults here are the values the shipped configs use wherever
the README calls a setting the default."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from nlp.config.errors import ConfigError, _KeyError
from nlp.ingest.segment import MIN_MAX_CHARS

# Value kinds beyond plain Python types, checked by `_convert`.
InputFile = Annotated[Path, "file"]  # must be an existing file
InputDir = Annotated[Path, "dir"]  # must be an existing folder
ModelRef = Annotated[str, "model"]  # existing local folder or a hub id
Label = Annotated[str, "label"]  # one of spec.ENTITY_LABELS
Area = Annotated[str, "area"]  # one of spec.AREA_LABELS
# Numbers with bounds: a value outside them would crash, loop or silently do nothing mid-run.
Count = Annotated[int, ">0"]  # epochs, batch sizes, lengths, steps
NonNegative = Annotated[int, ">=0"]  # seeds (numpy refuses negative ones), "how many to list"
Rate = Annotated[float, ">0"]  # learning rates, regularisation strengths
Share = Annotated[float, "0..1"]  # ratios and probabilities

DEFAULT_ENCODER = "models/encoder/envpos-albert"
#: DEFAULT_ENCODER after `nlp encoder adapt` (masked-LM training on unlabelled reports), an option for model.name_or_path.
ADAPTED_ENCODER = "models/encoder/envpos-albert-adapted"

# --- training / evaluation schemas -------------------------------------------------------


@dataclass
class DataConfig:
    gold_dir: InputDir = Path("annotations/gold")
    splits: InputFile = Path("annotations/splits.yaml")


@dataclass
class NerDataConfig(DataConfig):
    extra_bio: list[InputFile] = field(default_factory=list)
    extra_bio_labels: dict[str, Label] = field(default_factory=lambda: {"LOC": "REGION"})
    extra_bio_max: Count | None = None
    context_dropout: Share = 0.5  # share of train paragraphs whose section and year the rules do not see


@dataclass
class NerModelConfig:
    name_or_path: ModelRef = DEFAULT_ENCODER
    max_length: Count = 256
    stride: NonNegative = 64
    hints: Literal["none", "rules"] = "rules"
    regions: Literal["model", "rules", "union"] = "union"
    undecided_hints: bool = True  # rule quantities with no tense cue get hint types of their own


@dataclass
class AreasModelConfig:
    name_or_path: ModelRef = DEFAULT_ENCODER
    max_length: Count = 256
    dropout: Share = 0.1


@dataclass
class TfidfModelConfig:
    ngram_min: Count = 1
    ngram_max: Count = 3
    max_features: Count | None = 200_000
    min_df: Count = 1
    C: Rate = 4.0
    class_weight: Literal["balanced", "none"] = "balanced"


@dataclass(kw_only=True)
class TrainingConfig:
    output_dir: Path
    init: Literal["pretrained", "random"] = "pretrained"
    epochs: Count = 4
    batch_size: Count = 16
    eval_batch_size: Count = 32
    learning_rate: Rate = 5e-5
    head_lr_scale: Rate = 1.0
    weight_decay: Annotated[float, ">=0"] = 0.01
    warmup_ratio: Share = 0.1
    seed: NonNegative = 42
    resume: bool = False
    logging_steps: Count = 10
    device: Literal["auto", "cpu", "cuda"] = "auto"


@dataclass(kw_only=True)
class TfidfTrainingConfig:
    output_dir: Path
    seed: NonNegative = 42


@dataclass
class ThresholdConfig:
    grid: list[float] = field(default_factory=lambda: [round(0.05 * i, 2) for i in range(1, 19)])
    per_area: bool = False
    fixed: dict[Area, float] = field(default_factory=dict)


@dataclass
class BlendConfig:
    tfidf_config: InputFile | None = None
    weights: list[float] = field(default_factory=lambda: [0.0])


@dataclass
class BaselineConfig:
    kind: Literal["rules", "tfidf", "model", "none"] = "none"
    path: ModelRef | None = None  # a folder written by `nlp train`, or its Hugging Face hub id


@dataclass
class EvaluationConfig:
    split: Literal["dev", "test"] = "test"
    output_dir: Path = Path("runs/eval")
    baseline: BaselineConfig = field(default_factory=BaselineConfig)
    worst_errors: NonNegative = 20


@dataclass
class RuntimeConfig:
    precision: Literal["auto", "fp32", "bf16", "int8", "onnx"] = "auto"  # of the encoders at inference (nlp.model.precision)


@dataclass
class NerEvaluationConfig(EvaluationConfig):
    context: Literal["with", "without", "both"] = "both"  # score with the section and year, without, or both


@dataclass(kw_only=True)
class NerConfig:
    task: Literal["ner"] = "ner"
    data: NerDataConfig = field(default_factory=NerDataConfig)
    model: NerModelConfig = field(default_factory=NerModelConfig)
    training: TrainingConfig
    evaluation: NerEvaluationConfig = field(default_factory=NerEvaluationConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)

    def check(self) -> None:
        _require_encoder(self.model.name_or_path)
        if self.model.stride >= self.model.max_length - 2 or self.model.stride < 0:
            raise _KeyError("model.stride", f"must be in [0, max_length - 2), got {self.model.stride}")
        _check_baseline(self.evaluation.baseline, ("rules", "model", "none"))


@dataclass(kw_only=True)
class AreasConfig:
    task: Literal["areas"] = "areas"
    data: DataConfig = field(default_factory=DataConfig)
    model: AreasModelConfig = field(default_factory=AreasModelConfig)
    training: TrainingConfig
    thresholds: ThresholdConfig = field(default_factory=ThresholdConfig)
    blend: BlendConfig = field(default_factory=BlendConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)

    def check(self) -> None:
        _require_encoder(self.model.name_or_path)
        _check_thresholds(self.thresholds)
        _check_baseline(self.evaluation.baseline, ("tfidf", "model", "none"))
        if not self.blend.weights or not all(0.0 <= w <= 1.0 for w in self.blend.weights):
            raise _KeyError("blend.weights", f"need one or more weights in [0, 1], got {self.blend.weights}")


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
    path: ModelRef | None = "models/ner"  # a folder written by `nlp train`, or its Hugging Face hub id


@dataclass
class PredictAreasConfig:
    kind: Literal["model", "tfidf"] = "model"
    path: ModelRef | None = "models/areas"


@dataclass
class OutputConfig:
    formats: list[Literal["jsonl", "csv"]] = field(default_factory=lambda: ["jsonl"])
    dir: Path = Path("outputs/predict")


@dataclass
class EngineConfig:
    """Where `nlp predict` runs: this process, or Ray Data actors (nlp.predict.ray_engine)."""

    kind: Literal["local", "ray"] = "local"
    address: str | None = None  # ray: None starts Ray on this machine; "auto" or ray://host:10001 joins a cluster
    actors: int = 2  # ray: predictor actors, each loads the models once
    cpus_per_actor: float = 1.0  # ray: CPU cores per actor (its torch threads)
    gpus_per_actor: float = 0.0  # ray: GPUs per actor (1 puts each actor on a GPU of its own)


@dataclass
class PredictConfig:
    task: Literal["predict"] = "predict"
    ner: PredictNerConfig = field(default_factory=PredictNerConfig)
    areas: PredictAreasConfig = field(default_factory=PredictAreasConfig)
    batch_size: int = 32
    max_paragraph_chars: int = 500
    decode_errors: Literal["strict", "replace"] = "strict"  # damaged UTF-8 in a .txt input: report it, or keep it (U+FFFD)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def check(self) -> None:
        """Model folders are inputs here: they must exist unless the rule tagger is used (a hub
        id is fetched, or found in the hub cache, when the models are loaded)."""
        if self.ner.kind == "model":
            _require_model(self.ner.path, "ner.path", "a trained NER model folder")
        _require_model(self.areas.path, "areas.path", "a trained area classifier folder")
        if self.batch_size < 1:
            raise _KeyError("batch_size", "must be >= 1")
        if self.max_paragraph_chars < MIN_MAX_CHARS:
            raise _KeyError("max_paragraph_chars", f"must be >= {MIN_MAX_CHARS}, got {self.max_paragraph_chars}")
        if self.engine.actors < 1:
            raise _KeyError("engine.actors", f"must be >= 1, got {self.engine.actors}")
        if self.engine.cpus_per_actor <= 0 or self.engine.gpus_per_actor < 0:
            raise _KeyError("engine.cpus_per_actor" if self.engine.cpus_per_actor <= 0 else "engine.gpus_per_actor",
                            "must be > 0 (CPUs) and >= 0 (GPUs)")


TrainConfig = NerConfig | AreasConfig | TfidfConfig
Config = NerConfig | AreasConfig | TfidfConfig | PredictConfig
SCHEMAS: dict[str, type] = {"ner": NerConfig, "areas": AreasConfig, "tfidf": TfidfConfig, "predict": PredictConfig}
TRAIN_TASKS = ("ner", "areas", "tfidf")

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


def _require_model(ref: str | None, key: str, what: str, make: str = "train it with `nlp train` or `nlp main`") -> None:
    """A model reference that is needed: a hub id, or a local folder that exists (the config
    loader returns local paths absolute, hub ids as written)."""
    if ref is None:
        raise _KeyError(key, f"{what} is needed")
    if Path(ref).is_absolute() and not Path(ref).is_dir():
        raise _KeyError(key, f"{what} is needed, but {ref} does not exist ({make}, or give a Hugging Face hub id)")


def _require_encoder(ref: str) -> None:
    make = "run `nlp encoder prepare` to prepare it" if ref.endswith(DEFAULT_ENCODER) else "no such folder"
    _require_model(ref, "model.name_or_path", "the encoder", make)


def require_existing(path: Path | None, key: str, what: str, source: str = "config") -> Path:
    """Checks a path that is only needed by a later stage (e.g. the baseline model that
    evaluation reads), with the same message format as a load-time error."""
    try:
        _require_existing(path, key, what)
    except _KeyError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return typing.cast(Path, path)


def require_model(ref: str | None, key: str, what: str, source: str = "config") -> str:
    """Checks a model reference that only a later stage needs (the baseline that evaluation
    reads): a hub id, or a local folder that exists; errors as at load time."""
    try:
        _require_model(ref, key, what)
    except _KeyError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return typing.cast(str, ref)
