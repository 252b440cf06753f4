"""Domain-adaptive pretraining: more masked-language-model training of an encoder on the
unlabelled work reports, before the NER and area models are fine-tuned from it.

The corpus the project ships (`annotations/unlabelled/reports.jsonl.gz`) is written by
`build_corpus` from the raw reports of `../shared/corpus`, without two kinds of document:
- the reserved reports, by which the product is judged from outside (`is_reserved`): they are
  never read into training in any form;
- the reports of the dev and test splits (any document holding `HELD_OUT_MATCHES` of their
  gold paragraphs), so that dev and test stay reports the encoder has never seen.
`adapt_encoder` then trains the base encoder's MLM objective on fixed-length chunks of those
texts and saves the encoder alone as a Hugging Face folder (the MLM head is dropped), for
`model.name_or_path` of a NER or area config. The shipped configs keep the base encoder: over
three seeds the adapted one moved NER dev F1 by less than the seed spread (README)."""

from __future__ import annotations

import gzip
import json
import logging
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Provincial reports of 2026 and State Council reports kept out of every use (README, issue 16).
RESERVED_PROVINCES_2026 = ("河北", "湖南", "黑龙江", "陕西")
RESERVED_NATIONAL_YEARS = (2007, 2011)
#: A raw document with this many of the dev/test gold paragraphs is one of their reports.
HELD_OUT_MATCHES = 3
#: Gold paragraphs shorter than this (headings, greetings) are too common to identify a report.
MIN_MATCH_CHARS = 20
#: Written last into an adapted folder; its presence marks a complete one.
MARKER = "adapted.json"


class AdaptError(ValueError):
    """The corpus or the folders of an adaptation run are not usable (message names the path)."""


@dataclass(frozen=True)
class AdaptSettings:
    """The MLM run: chunks of `chunk_chars` characters, 15% of tokens masked."""

    epochs: float = 1.0
    learning_rate: float = 1e-4
    batch_size: int = 32
    chunk_chars: int = 126
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    mlm_probability: float = 0.15
    seed: int = 42


def is_reserved(source: str, region: str | None, year: int | None) -> bool:
    """Whether a document is one of the reserved reports: a 2026 report of a reserved province,
    or a State Council report of a reserved year (the national JSONL of the shared corpus)."""
    if year == 2026 and region and any(region.startswith(p) for p in RESERVED_PROVINCES_2026):
        return True
    return "state_council" in source and year in RESERVED_NATIONAL_YEARS


def reserved_file(path: Path) -> bool:
    """A provincial-2026 file named after a reserved province: skipped before it is read."""
    return path.name.startswith("2026_") and any(f"_{p}" in path.name for p in RESERVED_PROVINCES_2026)


def build_corpus(inputs: Sequence[Path], held_out_texts: Iterable[str], output: Path,
                 max_chars: int = 10**8) -> dict[str, Any]:
    """Reads the raw reports of `inputs` (files or folders, as `nlp ingest` reads them), drops
    reserved and held-out documents, writes the rest to `output` (gzip JSONL, one document per
    line: doc_id, source, region, year, text with its paragraphs joined by newlines) and
    returns a summary (documents kept and dropped, with why)."""
    from nlp.ingest.documents import Document, Failure, input_files, read_documents

    held = {t for t in held_out_texts if len(t) >= MIN_MATCH_CHARS}
    files, failures, skipped = [], [], []
    for item in input_files(inputs):
        if isinstance(item, Failure):
            failures.append(item.record())
        elif reserved_file(item):
            skipped.append(str(item))
        else:
            files.append(item)
    kept, dropped = [], []
    for doc in read_documents(files, max_chars):
        if not isinstance(doc, Document):
            failures.append(doc.record())
            continue
        meta = {"doc_id": doc.doc_id, "source": doc.source, "region": doc.region, "year": doc.year}
        if is_reserved(doc.source, doc.region, doc.year):
            dropped.append({**meta, "why": "reserved"})
        elif sum(p["text"] in held for p in doc.paragraphs) >= HELD_OUT_MATCHES:
            dropped.append({**meta, "why": "dev/test report"})
        else:
            kept.append({**meta, "text": "\n".join(p["text"] for p in doc.paragraphs)})
    if not kept:
        raise AdaptError(f"{', '.join(map(str, inputs))}: no report left for the corpus")
    output.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in kept).encode("utf-8")
    with open(output, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as handle:
        handle.write(lines)  # no name or time in the header: the same reports give the same bytes
    return {"documents": len(kept), "chars": sum(len(r["text"]) for r in kept), "dropped": dropped,
            "failures": failures, "reserved_files": skipped}


def read_corpus(path: Path) -> list[str]:
    """The document texts of a corpus file; a bad line is an error naming the file and line."""
    texts = []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                try:
                    texts.append(json.loads(line)["text"])
                except (ValueError, KeyError, TypeError) as exc:
                    raise AdaptError(f"{path}:{number}: not a corpus record with a text ({exc})") from None
    except (OSError, EOFError) as exc:
        raise AdaptError(f"{path}: unreadable corpus file ({exc})") from None
    if not texts:
        raise AdaptError(f"{path}: the corpus is empty")
    return texts


def chunk_texts(texts: Iterable[str], chunk_chars: int) -> list[str]:
    """Consecutive pieces of `chunk_chars` characters of each text (line breaks dropped, as
    paragraphs reach the models one at a time); a last piece under a sixth of that is dropped."""
    chunks = []
    for text in texts:
        flat = text.replace("\n", "")
        chunks += [flat[i:i + chunk_chars] for i in range(0, len(flat), chunk_chars)]
    return [c for c in chunks if len(c) * 6 >= chunk_chars]


def adapted_info(folder: Path) -> dict[str, Any] | None:
    marker = Path(folder) / MARKER
    return json.loads(marker.read_text(encoding="utf-8")) if marker.is_file() else None


def adapt_encoder(base: Path, corpus: Path, output: Path, settings: AdaptSettings = AdaptSettings(), *,
                  device: str = "auto", force: bool = False) -> Path:
    """MLM-trains the encoder folder `base` on `corpus` and writes the encoder to `output`.

    A complete output made from the same base weights, corpus and settings is left alone (unless
    `force`), so calling it again is cheap."""
    import torch
    from datasets import Dataset
    from transformers import (
        AutoModelForMaskedLM,
        AutoTokenizer,
        DataCollatorForLanguageModeling,
        Trainer,
        TrainingArguments,
    )

    from nlp.model.encoder import sha256_file
    from nlp.model.hf import device_kwargs

    base, corpus, output = Path(base), Path(corpus), Path(output)
    if not (base / "config.json").is_file():
        raise AdaptError(f"{base}: no encoder folder (config.json missing); run `nlp encoder prepare` first")
    if not corpus.is_file():
        raise AdaptError(f"{corpus}: no such corpus file (`nlp encoder corpus` writes one)")
    weights = sorted(base.glob("*.safetensors")) + sorted(base.glob("*.bin"))
    wanted = {"base": base.name, "base_sha256": [sha256_file(p) for p in weights], "corpus_sha256": sha256_file(corpus),
              "settings": settings.__dict__}
    info = adapted_info(output)
    if info and not force and all(info.get(k) == v for k, v in wanted.items()):
        log.info("%s: already adapted from %s on this corpus", output, base)
        return output
    if info is None and output.is_dir() and any(output.iterdir()):  # never delete what adapt did not write
        raise AdaptError(f"{output}: a folder not written by `nlp encoder adapt`; choose another output folder")
    chunks = chunk_texts(read_corpus(corpus), settings.chunk_chars)
    tokenizer = AutoTokenizer.from_pretrained(base)
    torch.manual_seed(settings.seed)
    model = AutoModelForMaskedLM.from_pretrained(base)  # the MLM head starts new
    dataset = Dataset.from_dict({"text": chunks}).map(
        lambda b: tokenizer(b["text"], truncation=True, max_length=settings.chunk_chars + 2),
        batched=True, remove_columns=["text"])
    staging = output.with_name(output.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    args = TrainingArguments(
        output_dir=str(staging / "checkpoints"), num_train_epochs=settings.epochs,
        per_device_train_batch_size=settings.batch_size, learning_rate=settings.learning_rate,
        weight_decay=settings.weight_decay, warmup_steps=settings.warmup_ratio, lr_scheduler_type="linear",
        save_strategy="no", logging_steps=20, seed=settings.seed, data_seed=settings.seed, report_to="none",
        disable_tqdm=False, dataloader_pin_memory=False, **device_kwargs(device),
    )
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=settings.mlm_probability)
    trainer = Trainer(model=model, args=args, train_dataset=dataset, data_collator=collator)
    result = trainer.train()
    encoder = getattr(trainer.model, trainer.model.base_model_prefix)
    encoder.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    shutil.rmtree(staging / "checkpoints", ignore_errors=True)
    credit = base / "README.md"
    (staging / "README.md").write_text(
        (credit.read_text(encoding="utf-8") + "\n" if credit.is_file() else "")
        + f"## Domain adaptation\n\nThen trained further as a masked language model by `nlp encoder adapt` on "
          f"{len(chunks)} chunks of {settings.chunk_chars} characters of unlabelled government work reports "
          f"({corpus.name}, sha256 {wanted['corpus_sha256'][:12]}), {settings.epochs} epoch(s), learning rate "
          f"{settings.learning_rate}; mean training loss {result.training_loss:.3f}.\n", encoding="utf-8")
    if (base / "LICENSE").is_file():
        shutil.copyfile(base / "LICENSE", staging / "LICENSE")
    (staging / MARKER).write_text(json.dumps(
        {**wanted, "chunks": len(chunks), "train_loss": result.training_loss}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8")
    shutil.rmtree(output, ignore_errors=True)
    staging.rename(output)
    return output
