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

PRECISIONS = ("auto", "fp32", "bf16", "int8")


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
    if precision == "int8" and device.type != "cpu":
        raise ValueError("runtime.precision: int8 (dynamic quantisation) runs on the CPU only; use bf16 or fp32 on a GPU")
    return precision


def place_model(model: Any, device: Any, precision: str) -> tuple[Any, str]:
    """(the model on `device` in eval mode, ready to run at `precision`; that precision
    resolved), for every encoder-backed predictor."""
    model.to(device).eval()
    resolved = resolve_precision(precision, device)
    return prepare_model(model, resolved), resolved


def prepare_model(model: Any, precision: str) -> Any:
    """The model to run at a resolved `precision`: int8 gets its Linear layers quantised
    (weights int8, activations quantised on the fly); fp32 and bf16 keep the model as is."""
    if precision != "int8":
        return model
    import warnings

    import torch

    with warnings.catch_warnings():  # torch.ao.quantization announces its move to torchao
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def autocast(precision: str, device: Any) -> contextlib.AbstractContextManager:
    """The context a forward pass runs in: bf16 autocast, or nothing."""
    if precision != "bf16":
        return contextlib.nullcontext()
    import torch

    return torch.autocast(device.type, dtype=torch.bfloat16)
