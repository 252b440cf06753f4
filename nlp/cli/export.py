"""`nlp export onnx --model DIR [--input PATH...] [-n N]`: the NER or area network of a
trained model folder as ONNX (`DIR/onnx/model.onnx`), checked against PyTorch on sample
paragraphs; `runtime.precision: onnx` then runs it under ONNX Runtime."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(subparsers, name: str, help_text: str) -> None:
    p = subparsers.add_parser(name, help=help_text, description=__doc__)
    formats = p.add_subparsers(dest="format", metavar="FORMAT", required=True)
    onnx = formats.add_parser(
        "onnx", help="write DIR/onnx/model.onnx and DIR/onnx/parity.json",
        description="Exports the network (token ids -> logits, batch and length dynamic) with "
                    "torch.onnx (the onnx extra: pip install -e \".[onnx]\"), then runs PyTorch and "
                    "ONNX Runtime on the first N paragraphs of the inputs: the largest logit "
                    "difference and whether the predictions are identical go to parity.json.")
    onnx.add_argument("--model", "-m", type=Path, required=True, help="a NER or area model folder written by nlp train")
    onnx.add_argument("--input", "-i", type=Path, nargs="+", dest="inputs",
                      help="reports or paragraphs to check on (default: the bundled samples)")
    onnx.add_argument("-n", type=int, default=64, help="paragraphs to check on (default 64)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nlp.bench import SAMPLES, bench_paragraphs
    from nlp.export import export_onnx

    try:
        import onnxruntime  # noqa: F401
        import onnxscript  # noqa: F401
    except ImportError:
        raise ValueError("nlp export onnx needs the onnx extra: pip install -e \".[onnx]\"") from None
    paragraphs = bench_paragraphs(list(args.inputs or [SAMPLES]), 500, args.n)
    parity = export_onnx(args.model, [p["text"] for p in paragraphs])
    print(json.dumps(parity, ensure_ascii=False, indent=2))
    return 0 if parity["identical_predictions"] else 1
