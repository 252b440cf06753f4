"""YAML run configs, one schema per kind, validated on load: the errors (`errors`), the
schemas (`schema`) and loading with `--set` overrides (`load`)."""

from nlp.config.errors import ConfigError
from nlp.config.load import load_config, parse_override, to_dict
from nlp.config.schema import (
    ADAPTED_ENCODER,
    DEFAULT_ENCODER,
    SCHEMAS,
    TRAIN_TASKS,
    AreasConfig,
    AreasModelConfig,
    BaselineConfig,
    BlendConfig,
    Config,
    DataConfig,
    EvaluationConfig,
    NerConfig,
    NerDataConfig,
    NerModelConfig,
    OutputConfig,
    PredictAreasConfig,
    PredictConfig,
    PredictNerConfig,
    TfidfConfig,
    TfidfModelConfig,
    TfidfTrainingConfig,
    ThresholdConfig,
    TrainConfig,
    TrainingConfig,
    require_existing,
    require_model,
)

__all__ = [
    "ADAPTED_ENCODER", "DEFAULT_ENCODER", "SCHEMAS", "TRAIN_TASKS", "AreasConfig", "AreasModelConfig", "BaselineConfig", "BlendConfig",
    "Config", "ConfigError", "DataConfig", "EvaluationConfig", "NerConfig", "NerDataConfig", "NerModelConfig",
    "OutputConfig", "PredictAreasConfig", "PredictConfig", "PredictNerConfig", "TfidfConfig", "TfidfModelConfig",
    "TfidfTrainingConfig", "ThresholdConfig", "TrainConfig", "TrainingConfig", "load_config", "parse_override",
    "require_existing", "require_model", "to_dict",
]
