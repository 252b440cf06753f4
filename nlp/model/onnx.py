"""The forward pass of a NER or area network under ONNX Runtime (`runtime.precision: onnx`),
for CPU servers that run ONNX Runtime rather than PyTorch. Only the network is exported
(token ids -> logits, by nlp.export); windows, hints, BIO decoding, thresholds and the TF-IDF
blend stay in Python, so a predictor reads the same either way. The export sits in the model
folder: `onnx/model.onnx`, with `onnx/parity.json` from the export's check."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

ONNX_DIR = "onnx"
ONNX_FILE = "model.onnx"
PARITY_FILE = "parity.json"


def onnx_path(model_dir: Path) -> Path:
    return Path(model_dir) / ONNX_DIR / ONNX_FILE


class OnnxForward:
    """Stands in for the torch network of a predictor: called with the tokenizer's tensors,
    returns an object with `.logits` (a CPU tensor), as the Hugging Face model does."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        import onnxruntime as ort
        import torch

        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no ONNX export of this model; write it with "
                                    f"`nlp export onnx --model {path.parent.parent}`")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.device = torch.device("cpu")

    def __call__(self, **enc: Any) -> SimpleNamespace:
        import torch

        feed = {name: _int64(enc[name] if name in enc else np.zeros_like(_int64(enc["input_ids"]))) for name in self.inputs}
        return SimpleNamespace(logits=torch.from_numpy(self.session.run(None, feed)[0]))


def _int64(value: Any) -> np.ndarray:
    return np.asarray(value.cpu().numpy() if hasattr(value, "cpu") else value, dtype=np.int64)


def use_onnx(predictor: Any, model_dir: Path) -> Any:
    """The predictor with its network replaced by the model folder's ONNX export."""
    predictor.model, predictor.precision = OnnxForward(onnx_path(model_dir)), "onnx"
    return predictor
