"""Hugging Face plumbing shared by the NER and area models: the Trainer set-up (checkpoints,
resume, per-epoch evaluation, JSONL log), encoder loading (pretrained or random init), the
optimiser with a faster head, the device, and the `nlp_model.json` that marks a saved model
folder. One home for it, so that the models never import the `nlp train` command."""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from nlp._version import __version__
from nlp.config import TrainingConfig
from nlp.model.card import write_model_card
from nlp.provenance import provenance

log = logging.getLogger(__name__)

MODEL_INFO = "nlp_model.json"
LOG_FILE = "log.jsonl"
CHECKPOINTS = "checkpoints"
#: Model kinds under their old names, read with a warning for one release.
DEPRECATED_KINDS = {"cls": "areas"}


# --- processes ---------------------------------------------------------------------------


def world_size() -> int:
    """Training processes of this run: 1, or N under `torchrun --nproc_per_node N` or
    `accelerate launch` (both set WORLD_SIZE and RANK; the Trainer then runs DDP)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main_process() -> bool:
    """Whether this process writes what a run writes once (model folder, log, summary)."""
    return int(os.environ.get("RANK", "0")) == 0


# --- nlp_model.json ------------------------------------------------------------------------


def write_model_info(output_dir: Path, kind: str, **info: Any) -> Path:
    """Writes nlp_model.json (kind, labels, thresholds, config, dev metrics...) into a model
    folder, and the model card (README.md) made from it."""
    path = Path(output_dir) / MODEL_INFO
    created = _dt.datetime.now().isoformat(timespec="seconds")
    payload = {"kind": kind, "nlp_version": __version__, "created": created, "provenance": provenance(),
               "training_processes": world_size()}
    payload.update(info)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_model_card(Path(output_dir), payload)
    return path


def saved_model_info(model_dir: Path | None) -> dict[str, Any] | None:
    """nlp_model.json of a model folder as it is, or None when the folder has none."""
    path = Path(model_dir or "") / MODEL_INFO
    return json.loads(path.read_text(encoding="utf-8")) if model_dir is not None and path.is_file() else None


def read_model_info(model_dir: Path, kind: str) -> dict[str, Any]:
    """nlp_model.json of a model folder, which must hold a model of `kind`."""
    path = Path(model_dir) / MODEL_INFO
    info = saved_model_info(model_dir)
    if info is None:
        raise FileNotFoundError(f"{model_dir}: not a trained model folder (no {MODEL_INFO})")
    if DEPRECATED_KINDS.get(info.get("kind")) == kind:
        log.warning("%s: model kind %r is deprecated (now %r); save the model again to update it", path, info["kind"], kind)
        info["kind"] = kind
    if info.get("kind") != kind:
        raise ValueError(f"{path}: holds a {info.get('kind')!r} model, expected {kind!r}")
    return info


def is_saved_model(path: Path) -> bool:
    """A trained model folder is recognised by the `nlp_model.json` it carries (kind, labels,
    thresholds, training config), written next to the Hugging Face files."""
    return (Path(path) / MODEL_INFO).is_file()


# --- Hugging Face pieces shared by the NER and area models ---------------------------------


def build_model(auto_class: Any, name_or_path: str, init: str, seed: int, **config_kwargs: Any) -> Any:
    """`auto_class` model from an encoder: its pretrained weights, or (init="random") the same
    architecture freshly initialised, to measure what pretraining is worth."""
    from transformers import AutoConfig, set_seed

    set_seed(seed)
    if init == "pretrained":
        return auto_class.from_pretrained(name_or_path, **config_kwargs)
    return auto_class.from_config(AutoConfig.from_pretrained(name_or_path, **config_kwargs))


def head_scaled_adamw(model: Any, new_params: Iterable[Any], training: TrainingConfig) -> Any:
    """AdamW with the freshly initialised parameters (`new_params`: a task head, hint
    embeddings) at `training.head_lr_scale` times the learning rate of the pretrained rest:
    a small pretrained encoder wants a low rate, a random head a high one."""
    import torch

    new = list(new_params)
    new_ids = {id(p) for p in new}
    rest = [p for p in model.parameters() if id(p) not in new_ids]
    return torch.optim.AdamW(
        [
            {"params": rest, "lr": training.learning_rate},
            {"params": new, "lr": training.learning_rate * training.head_lr_scale},
        ],
        lr=training.learning_rate, weight_decay=training.weight_decay,
    )


def device_kwargs(device: str) -> dict[str, Any]:
    """TrainingArguments for the configured device ("auto" lets the Trainer pick)."""
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise RuntimeError("training.device is 'cuda' but no CUDA device is available")
    return {"use_cpu": device == "cpu"}


def torch_device(device: str) -> Any:
    """torch.device for inference: "auto" takes CUDA when available."""
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(device)


def length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (less padding at inference)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def jsonl_log_callback(path: Path) -> Any:
    """A TrainerCallback appending every Trainer log (losses, per-epoch dev metrics) to `path`,
    next to the console output, so that a run can be inspected or plotted afterwards; under
    DDP only the first process writes (every process sees the same, reduced, logs)."""
    from transformers import TrainerCallback

    class JsonlLog(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any) -> None:
            if logs and state.is_world_process_zero:
                with path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"step": state.global_step, **logs}, ensure_ascii=False) + "\n")

    return JsonlLog()


def run_trainer(
    *,
    model: Any,
    training: TrainingConfig,
    train_dataset: Any,
    eval_dataset: Any,
    data_collator: Any,
    compute_metrics: Callable[[Any], dict[str, float]],
    metric: str,
    preprocess_logits_for_metrics: Callable | None = None,
    optimizer: Any = None,
) -> tuple[Any, dict[str, float]]:
    """Trains with evaluation and a checkpoint every epoch, keeps the best epoch by dev
    `metric`, and resumes from the last checkpoint when `training.resume` is set. `optimizer`
    replaces the Trainer's AdamW (the linear warm-up schedule is still built around it).

    Returns the trainer (holding the best model) and the best epoch's dev metrics."""
    from transformers import Trainer, TrainingArguments
    from transformers.trainer_utils import get_last_checkpoint

    output_dir = Path(training.output_dir)
    checkpoints = output_dir / CHECKPOINTS
    log_path = output_dir / LOG_FILE
    last = get_last_checkpoint(str(checkpoints)) if checkpoints.is_dir() else None
    resume = bool(training.resume and last)
    if training.resume and not last:
        log.info("training.resume is set but %s holds no checkpoint: training from scratch", checkpoints)
    if not resume and is_main_process():  # under DDP the other processes leave the folder alone
        if checkpoints.exists():
            log.info("removing checkpoints of an earlier run in %s (training.resume is false)", checkpoints)
            shutil.rmtree(checkpoints)
        output_dir.mkdir(parents=True, exist_ok=True)
        log_path.write_text("", encoding="utf-8")
    args = TrainingArguments(
        output_dir=str(checkpoints),
        num_train_epochs=training.epochs,
        per_device_train_batch_size=training.batch_size,
        per_device_eval_batch_size=training.eval_batch_size,
        learning_rate=training.learning_rate,
        weight_decay=training.weight_decay,
        warmup_steps=training.warmup_ratio,
        # not group_by_length: in transformers 5 it also reorders the eval set, and dev windows
        # must come back in plan order to be merged per paragraph
        train_sampling_strategy="random",
        eval_strategy="epoch",
        save_strategy="epoch",
        logging_strategy="steps",
        logging_steps=training.logging_steps,
        save_total_limit=1,
        load_best_model_at_end=True,
        metric_for_best_model=metric,
        greater_is_better=True,
        seed=training.seed,
        data_seed=training.seed,
        report_to="none",
        disable_tqdm=False,
        dataloader_pin_memory=False,
        **device_kwargs(training.device),
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        data_collator=data_collator,
        compute_metrics=compute_metrics,
        preprocess_logits_for_metrics=preprocess_logits_for_metrics,
        callbacks=[jsonl_log_callback(log_path)],
        optimizers=(optimizer, None),
    )
    trainer.train(resume_from_checkpoint=True if resume else None)
    # The Trainer keeps the first epoch with the highest metric; report that epoch's dev scores.
    evals = [entry for entry in trainer.state.log_history if f"eval_{metric}" in entry]
    best = max(evals, key=lambda entry: entry[f"eval_{metric}"])
    scores = {k.removeprefix("eval_"): v for k, v in best.items()
              if k.startswith("eval_") and not k.endswith(("runtime", "per_second"))}
    return trainer, {"epoch": best["epoch"], **scores}
