"""Throughput (`nlp bench`): characters per second of the whole predict path against the bare
forward pass of the NER model's encoder, at the pipeline's precision and at fp32, on the same
paragraphs in one run.

The ratio says how much of the predict time the transformer itself accounts for: the rest is
tokenisation, windowing, decoding, the area classifier and normalisation. The forward pass
sees the same character windows the tagger makes (so every character is encoded once, as in
the pipeline), in batches of the same size and length order, pre-tokenised, under
`torch.no_grad()`, with no post-processing. Each measurement follows a one-batch warm-up.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlp.config import PredictConfig
from nlp.ingest.documents import Document, read_documents
from nlp.model.precision import model_device
from nlp.predict import Predictors, load_predictors, predict_paragraphs

#: The bundled sample reports (shipped in the package, so a wheel has them), the default input.
SAMPLES = Path(__file__).resolve().parent / "resources" / "samples"


def bench_paragraphs(inputs: Sequence[Path], max_chars: int, n: int) -> list[dict]:
    """The first `n` paragraphs of the inputs (as predict reads them)."""
    paragraphs: list[dict] = []
    for doc in read_documents(inputs, max_chars):
        if isinstance(doc, Document):
            paragraphs += doc.predict_inputs()
        if len(paragraphs) >= n:
            break
    if not paragraphs:
        raise ValueError(f"no paragraph could be read from {', '.join(map(str, inputs))}")
    return paragraphs[:n]


def _encoder_batches(tagger: Any, texts: Sequence[str], batch_size: int) -> list[dict]:
    """Tokenised batches of the tagger's windows of `texts`, on the model's device."""
    from nlp.model.chars import encode_chars
    from nlp.model.hf import length_batches
    from nlp.model.windows import make_windows

    chunks = [t[s:e] for t in texts for s, e in make_windows(len(t), tagger.window_size, tagger.stride)]
    device = model_device(tagger.model)
    batches = []
    for idx in length_batches([len(c) for c in chunks], batch_size):
        enc = encode_chars(tagger.tokenizer, [chunks[i] for i in idx], tagger.max_length, padding=True, return_tensors="pt")
        batches.append({k: v.to(device) for k, v in enc.items()})
    return batches


def _timed(fn: Any, device: Any) -> float:
    """Wall seconds of fn(), waiting for queued GPU work on both sides."""
    import torch

    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    sync()
    start = time.perf_counter()
    fn()
    sync()
    return time.perf_counter() - start


def bench(
    cfg: PredictConfig, inputs: Sequence[Path] | None = None, n: int = 200, predictors: Predictors | None = None
) -> dict[str, Any]:
    """Pipeline and bare-forward throughput on the first `n` paragraphs of `inputs` (default:
    the bundled samples). The NER must be a transformer model (config ner.kind: model)."""
    import torch

    if cfg.ner.kind != "model":
        raise ValueError(f"nlp bench measures the NER model's encoder: it needs ner.kind: model, got {cfg.ner.kind!r}")
    paragraphs = bench_paragraphs(list(inputs or [SAMPLES]), cfg.max_paragraph_chars, n)
    predictors = predictors or load_predictors(cfg)
    tagger = predictors.tagger
    encoder = getattr(tagger.model, "base_model", tagger.model)  # onnx: the exported network as a whole
    device = model_device(encoder)
    texts = [p["text"] for p in paragraphs]
    n_chars = sum(map(len, texts))
    bs = cfg.batch_size
    batches = _encoder_batches(tagger, texts, bs)

    from nlp.model.precision import autocast
    from nlp.model.registry import load_tagger

    def forward(selected: Sequence[dict], model: Any = encoder, precision: str = tagger.precision) -> None:
        with torch.no_grad(), autocast(precision, device):
            for batch in selected:
                model(**batch)

    fp32_encoder = encoder
    if tagger.precision != "fp32":
        fp32_encoder = load_tagger("model", cfg.ner.path, device=cfg.device, precision="fp32").model.base_model
    predict_paragraphs(paragraphs[:bs], predictors, bs)  # warm-up
    pipeline_s = _timed(lambda: predict_paragraphs(paragraphs, predictors, bs), device)
    forward(batches[:1])  # warm-up
    forward_s = _timed(lambda: forward(batches), device)
    forward(batches[:1], fp32_encoder, "fp32")
    fp32_s = _timed(lambda: forward(batches, fp32_encoder, "fp32"), device)
    pipeline_cps, forward_cps, fp32_cps = n_chars / pipeline_s, n_chars / forward_s, n_chars / fp32_s
    stages = stage_seconds(paragraphs, predictors, bs, device)
    return {
        "precision": tagger.precision,
        "pipeline_chars_per_s": round(pipeline_cps, 1),
        "forward_chars_per_s": round(forward_cps, 1),
        "forward_fp32_chars_per_s": round(fp32_cps, 1),
        "ratio": round(pipeline_cps / forward_cps, 4),
        "ratio_to_fp32_forward": round(pipeline_cps / fp32_cps, 4),
        "n_paragraphs": len(paragraphs),
        "n_chars": n_chars,
        "batch_size": bs,
        "device": str(device),
        "torch_threads": torch.get_num_threads(),
        "stage_seconds": {name: round(sec, 3) for name, sec in stages.items()},
        "peak_memory_mb": round(_peak_memory_mb(), 1),
    }


def stage_seconds(paragraphs: Sequence[dict], predictors: Predictors, batch_size: int, device: Any) -> dict[str, float]:
    """Seconds of each stage of the predict path on `paragraphs`, each run on its own (so they
    add up to about the pipeline time, not exactly): the rules (hints and regions), the NER
    encoder on the windows (and their merge, nlp.model.windows.score_texts), BIO decoding, the area classifier, normalisation of the entities
    (measures, divisions) and writing the output files."""
    import tempfile

    from nlp.data import record_context
    from nlp.io import write_jsonl
    from nlp.model.windows import decode_texts, score_texts
    from nlp.predict.paragraphs import enriched_entity
    from nlp.tables import TARGET_COLUMNS, target_rows, write_csv

    tagger = predictors.tagger
    texts, sections, years, regions = record_context(paragraphs)
    times: dict[str, float] = {}
    start = time.perf_counter()
    rules = tagger._rules(texts, sections, years, regions)
    times["rules"] = time.perf_counter() - start
    hints = tagger._hint_ids(texts, rules)
    merged: list[Any] = []
    times["ner_encoder"] = _timed(lambda: merged.extend(score_texts(
        texts, lambda chunks, chunk_hints: tagger._score(chunks, chunk_hints, batch_size), len(tagger.labels),
        tagger.window_size, tagger.stride, hints)), device)
    start = time.perf_counter()
    found = tagger._finish(decode_texts(texts, merged, tagger.labels, tagger.min_lengths), rules)
    times["decoding"] = time.perf_counter() - start
    areas: list[Any] = []
    times["areas"] = _timed(lambda: areas.extend(predictors.classifier.predict(texts, batch_size=batch_size)), device)
    start = time.perf_counter()
    records = [{"id": p["id"], "doc_id": p["doc_id"], "text": p["text"], "areas": a,
                "entities": [enriched_entity(p, e) for e in ents]} for p, a, ents in zip(paragraphs, areas, found)]
    times["normalisation"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_jsonl(Path(tmp) / "paragraphs.jsonl", records)
        docs = [{"document": {"doc_id": p["doc_id"], "title": None, "region": None, "year": p.get("year")},
                 "paragraphs": [r]} for p, r in zip(paragraphs, records)]
        write_csv(Path(tmp) / "targets.csv", TARGET_COLUMNS, target_rows(docs))
        times["writing"] = time.perf_counter() - start
    return times


def _peak_memory_mb() -> float:
    """Peak resident memory of this process so far (MB; Linux reports KiB, macOS bytes)."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024
