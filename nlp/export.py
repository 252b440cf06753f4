"""`nlp export onnx`: the network of a trained NER or area model folder as ONNX
(`onnx/model.onnx` in the folder; batch and sequence length dynamic, torch.onnx with the
dynamo exporter), checked on sample texts against PyTorch: the largest logit difference and
whether the predictor's outputs are identical, written to `onnx/parity.json`. nlp.model.onnx
runs the export (`runtime.precision: onnx`)."""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nlp.model.onnx import PARITY_FILE, onnx_path, use_onnx

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_onnx(model_dir: Path, texts: Sequence[str], opset: int = 18) -> dict[str, Any]:
    """Exports the network of a NER or area model folder to `onnx/model.onnx` (batch and
    sequence length dynamic), then checks it on `texts`: the largest absolute logit
    difference to PyTorch fp32, and whether the predictor's outputs (spans and labels, or
    areas) are the same with either forward. Returns that check, also written to parity.json."""
    from nlp.model.hf import read_model_info, saved_model_info
    from nlp.model.registry import load_area_classifier, load_tagger

    model_dir = Path(model_dir)
    kind = (saved_model_info(model_dir) or {}).get("kind")
    if kind not in ("ner", "areas"):
        read_model_info(model_dir, "ner")  # names the folder: no nlp_model.json, or another kind
        raise ValueError(f"{model_dir}: holds a {kind!r} model; only ner and areas models have a network to export")
    texts = [t for t in texts if t]
    if not texts:
        raise ValueError("nlp export onnx needs sample texts to check the export on")
    load = load_tagger if kind == "ner" else load_area_classifier
    torch_side = load("model", model_dir, device="cpu")
    network = torch_side.model
    example = _encode(torch_side, kind, texts[:2])
    out = onnx_path(model_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("sequence", max=512)
    with torch.no_grad(), _quiet_exporter():
        torch.onnx.export(
            _Logits(network).eval(), tuple(example[name] for name in INPUTS), str(out), input_names=list(INPUTS),
            output_names=["logits"], dynamic_shapes={name: {0: batch, 1: seq} for name in INPUTS},
            opset_version=opset, dynamo=True, verbose=False,
        )
    onnx_side = use_onnx(copy.copy(torch_side), model_dir)  # the same predictor, its network swapped
    diff = 0.0
    for start in range(0, len(texts), 16):
        enc = _encode(torch_side, kind, texts[start : start + 16])
        with torch.no_grad():
            reference = network(**enc).logits.float().numpy()
        diff = max(diff, float(np.abs(onnx_side.model(**enc).logits.numpy() - reference).max()))
    same = _outputs(torch_side, kind, texts) == _outputs(onnx_side, kind, texts)
    parity = {"kind": kind, "file": str(out), "opset": opset, "n_texts": len(texts),
              "max_abs_logit_diff": diff, "identical_predictions": same}
    (out.parent / PARITY_FILE).write_text(json.dumps(parity, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return parity


@contextlib.contextmanager
def _quiet_exporter() -> Iterator[None]:
    """The exporter's pass-by-pass INFO logs and shape-naming warnings are not for users."""
    loggers = [logging.getLogger(name) for name in ("onnx_ir", "onnxscript", "torch.onnx")]
    levels = [lg.level for lg in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lg in loggers:
            lg.setLevel(logging.WARNING)
        try:
            yield
        finally:
            for lg, level in zip(loggers, levels):
                lg.setLevel(level)


class _Logits(torch.nn.Module):
    """The network as a module of (input_ids, attention_mask, token_type_ids) -> logits."""

    def __init__(self, network: Any) -> None:
        super().__init__()
        self.network = network

    def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
        return self.network(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits


def _encode(predictor: Any, kind: str, texts: Sequence[str]) -> dict[str, Any]:
    """The tensors the predictor feeds its network (characters as tokens for the NER)."""
    from nlp.model.chars import encode_chars

    if kind == "ner":
        enc = encode_chars(predictor.tokenizer, [t[: predictor.window_size] for t in texts], predictor.max_length,
                           padding=True, return_tensors="pt")
    else:
        enc = predictor.tokenizer(list(texts), truncation=True, max_length=predictor.max_length, padding=True,
                                  return_tensors="pt")
    if "token_type_ids" not in enc:
        enc["token_type_ids"] = torch.zeros_like(enc["input_ids"])
    return {name: enc[name] for name in INPUTS}


def _outputs(predictor: Any, kind: str, texts: Sequence[str]) -> list:
    """What the parity check compares: spans and labels, or the selected areas in order."""
    if kind == "ner":
        return [[(e["start"], e["end"], e["label"]) for e in ents] for ents in predictor.predict(texts)]
    return [[a["label"] for a in areas] for areas in predictor.predict(texts)]
