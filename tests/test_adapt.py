"""Domain-adaptive pretraining (nlp.model.adapt, `nlp encoder corpus|adapt`): the corpus leaves
out reserved and held-out reports, the adapted folder loads as an encoder and is reused."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from nlp.model.adapt import (
    AdaptError,
    AdaptSettings,
    adapt_encoder,
    adapted_info,
    build_corpus,
    chunk_texts,
    is_reserved,
    read_corpus,
    reserved_file,
)

HELD = "本段是留出报告的一个段落，用来认出这份报告的文字。"


def _report(path: Path, title: str, paragraphs: list[str]) -> Path:
    path.write_text("\n".join([title, *paragraphs]) + "\n", encoding="utf-8")
    return path


def test_reserved_reports_are_recognised():
    assert is_reserved("x/provincial-2026/2026_河北省.csv:2", "河北省", 2026)
    assert is_reserved("x/national/state_council_reports.jsonl:17", "中华人民共和国", 2007)
    assert not is_reserved("x/national/state_council_reports.jsonl:3", "中华人民共和国", 2008)
    assert not is_reserved("x/provincial-2026/2026_河南省.csv:2", "河南省", 2026)
    assert not is_reserved("x/seeds/004.txt:6", "湖南省", 2021)  # only the 2026 provincial report is reserved
    assert reserved_file(Path("2026_黑龙江省_政府工作报告.csv")) and not reserved_file(Path("2026_江西省_政府工作报告.csv"))


def test_build_corpus_leaves_out_reserved_and_held_out_reports(tmp_path):
    body = [f"第{i}段：全年地区生产总值增长百分之五左右，城镇新增就业一万人以上，粮食总产稳定。" for i in range(5)]
    kept = _report(tmp_path / "a.txt", "某县2021年政府工作报告", body)
    held = _report(tmp_path / "b.txt", "某市2021年政府工作报告", [HELD + str(i) for i in range(4)] + body[:1])
    (tmp_path / "2026_陕西省_政府工作报告.csv").write_text("not read", encoding="utf-8")
    out = tmp_path / "corpus" / "reports.jsonl.gz"
    summary = build_corpus([kept, held, tmp_path / "2026_陕西省_政府工作报告.csv"], [HELD + str(i) for i in range(4)], out)
    assert summary["documents"] == 1 and [d["why"] for d in summary["dropped"]] == ["dev/test report"]
    assert summary["reserved_files"] == [str(tmp_path / "2026_陕西省_政府工作报告.csv")]
    texts = read_corpus(out)
    assert len(texts) == 1 and all(p in texts[0] for p in body) and HELD not in texts[0]
    first = out.read_bytes()
    build_corpus([kept, held], [HELD + str(i) for i in range(4)], out)
    assert out.read_bytes() == first  # no time stamp in the gzip header


def test_read_corpus_names_the_bad_line(tmp_path):
    path = tmp_path / "bad.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"text": "好"}) + "\n" + "{not json\n")
    with pytest.raises(AdaptError, match=r"bad.jsonl.gz:2"):
        read_corpus(path)


def test_chunks_cover_the_text_and_drop_line_breaks():
    chunks = chunk_texts(["一二三四五六\n七八九十", "短"], 4)
    assert chunks == ["一二三四", "五六七八", "九十", "短"]
    assert chunk_texts(["甲" * 13], 12) == ["甲" * 12]  # a last piece under a sixth is dropped


def test_adapt_writes_a_loadable_encoder_and_reuses_it(tmp_path, encoder):
    from transformers import AutoModel

    corpus = tmp_path / "c.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as handle:
        for i in range(8):
            handle.write(json.dumps({"text": "全年地区生产总值增长左右城镇新增就业人粮食总产稳定在万吨" * 3}) + "\n")
    out = tmp_path / "adapted"
    settings = AdaptSettings(epochs=1, batch_size=4, chunk_chars=30)
    adapt_encoder(encoder, corpus, out, settings, device="cpu")
    info = adapted_info(out)
    assert info["chunks"] == 24 and info["train_loss"] > 0
    base, adapted = AutoModel.from_pretrained(encoder), AutoModel.from_pretrained(out)
    assert type(adapted) is type(base) and set(adapted.state_dict()) == set(base.state_dict())
    assert any(not (a == b).all() for a, b in zip(adapted.state_dict().values(), base.state_dict().values()))
    stamp = (out / "model.safetensors").stat().st_mtime_ns
    adapt_encoder(encoder, corpus, out, settings, device="cpu")
    assert (out / "model.safetensors").stat().st_mtime_ns == stamp  # same base, corpus, settings: reused
    with pytest.raises(AdaptError, match="nlp encoder prepare"):
        adapt_encoder(tmp_path / "missing", corpus, tmp_path / "x", settings)
    with pytest.raises(AdaptError, match="no such corpus"):
        adapt_encoder(encoder, tmp_path / "none.jsonl.gz", tmp_path / "x", settings)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(AdaptError, match="not written by"):
        adapt_encoder(encoder, corpus, tmp_path / "mine", settings)
    assert (tmp_path / "mine" / "notes.txt").is_file()


def test_shipped_corpus_has_no_reserved_or_held_out_report(project_root):
    """The corpus file in annotations/ (used by `nlp main`) holds none of the reserved reports
    and none of the dev/test gold paragraphs."""
    from nlp.config import DataConfig
    from nlp.data import load_split_records

    path = project_root / "annotations" / "unlabelled" / "reports.jsonl.gz"
    records = [json.loads(line) for line in gzip.open(path, "rt", encoding="utf-8")]
    assert records and not any(is_reserved(r["source"], r["region"], r["year"]) for r in records)
    assert not any(reserved_file(Path(r["source"].split(":")[0])) for r in records)
    data = DataConfig(gold_dir=project_root / "annotations" / "gold", splits=project_root / "annotations" / "splits.yaml")
    held = {r["text"] for rs in load_split_records(data, ["dev", "test"]).values() for r in rs if len(r["text"]) >= 20}
    text = "\n".join(r["text"] for r in records)
    assert sum(p in text for p in held) <= len(held) // 50  # boilerplate lines may recur across reports


def test_cli_errors_name_the_path_without_a_traceback(tmp_path, capsys, caplog):
    from nlp.cli import main

    assert main(["encoder", "adapt", "--base", str(tmp_path / "none"), "--corpus", str(tmp_path / "c.gz"),
                 "--output", str(tmp_path / "out")]) == 1
    assert main(["encoder", "corpus", "--input", str(tmp_path / "absent"), "--output", str(tmp_path / "c.gz")]) == 1
    assert "none" in caplog.text and "absent" in caplog.text and "Traceback" not in capsys.readouterr().err


def test_model_card_names_the_adaptation():
    from nlp.model.card import model_card

    adapted = model_card({"kind": "ner", "config": {"model": {"name_or_path": "../models/encoder/envpos-albert-adapted"}}})
    base = model_card({"kind": "ner", "config": {"model": {"name_or_path": "../models/encoder/envpos-albert"}}})
    assert "nlp encoder adapt" in adapted and "envpos 0.82" in adapted and "license: apache-2.0" in adapted
    assert "nlp encoder adapt" not in base and "envpos 0.82" in base
