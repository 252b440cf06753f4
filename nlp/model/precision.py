"""Reduced-precision inference (`runtime.precision`): fp32, bf16 autocast, or int8 dynamic
quantisation of the Linear layers, for the NER and area encoders alike.

`auto` takes bf16 only where the hardware computes it natively (a CUDA GPU with bf16, or a CPU
with AMX-BF16 or AVX512-BF16) and fp32 elsewhere: on a CPU without them bf16 is emulated and
slower than fp32 (the README has the figures). int8 is never chosen by `auto`: it changes the
numbers more, so it is an explicit choice whose accuracy is measured in the README."""

from __future__ import annotations

import contextlib
from functools import cache
from pathlib import Path
from typing import Any

PRECISIONS = ("auto", "fp32", "bf16", "int8", "onnx")


@cache
def _cpu_flags() -> frozenset[str]:
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.is_file():
        return frozenset()
    for line in cpuinfo.read_text(errors="replace").splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def native_bf16(device: Any) -> bool:
    """Whether `device` (a torch.device) computes bf16 in hardware."""
    import torch

    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    return bool({"amx_bf16", "avx512_bf16"} & _cpu_flags())


def resolve_precision(precision: str, device: Any) -> str:
    """The precision `precision` means on `device`: "auto" becomes bf16 or fp32."""
    if precision not in PRECISIONS:
        raise ValueError(f"runtime.precision: expected one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    if precision in ("int8", "onnx") and device.type != "cpu":
        raise ValueError(f"runtime.precision: {precision} runs on the CPU only; use bf16 or fp32 on a GPU")
    return precision


def place_model(model: Any, device: Any, precision: str) -> tuple[Any, str]:
    """(the model on `device` in eval mode, ready to run at `precision`; that precision
    resolved), for every encoder-backed predictor."""
    model.to(device).eval()
    resolved = resolve_precision(precision, device)
    return prepare_model(model, resolved), resolved


def prepare_model(model: Any, precision: str) -> Any:
    """The model to run at a resolved `precision`: int8 gets its Linear layers quantised
    (weights int8, activations quantised on the fly); fp32 and bf16 keep the model as is.
    onnx replaces the network by its export, which only a model folder has (load_predictor)."""
    if precision == "onnx":
        raise ValueError("runtime.precision: onnx runs a model folder's ONNX export: load the model from its folder")
    if precision != "int8":
        return model
    import warnings

    import torch

    with warnings.catch_warnings():  # torch.ao.quantization announces its move to torchao
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def load_predictor(cls: Any, model_dir: Path, precision: str, **kwargs: Any) -> Any:
    """`cls(**kwargs)` (a NerTagger or EncoderAreaClassifier loaded from `model_dir`) at
    `precision`; onnx builds it in fp32 on the CPU (device auto or cpu), then swaps in the
    folder's ONNX export."""
    if precision != "onnx":
        return cls(precision=precision, **kwargs)
    if kwargs.get("device", "auto") not in ("auto", "cpu"):
        raise ValueError(f"runtime.precision: onnx runs on the CPU only, not on device {kwargs['device']!r}")
    from nlp.model.onnx import use_onnx

    return use_onnx(cls(precision="fp32", **{**kwargs, "device": "cpu"}), model_dir)


def model_device(model: Any) -> Any:
    """The torch.device a network (torch, quantised or its ONNX stand-in) takes inputs on."""
    device = getattr(model, "device", None)
    return device if device is not None else next(model.parameters()).device


def autocast(precision: str, device: Any) -> contextlib.AbstractContextManager:
    """The context a forward pass runs in: bf16 autocast, or nothing."""
    if precision != "bf16":
        return contextlib.nullcontext()
    import torch

    return torch.autocast(device.type, dtype=torch.bfloat16)
