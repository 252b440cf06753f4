"""Bad inputs and crashes: each case once lost data silently, hung or crashed the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_predict import GUICHI, fakes, make_cfg, read_csv

from nlp.cli import main
from nlp.config import ConfigError, load_config
from nlp.ingest import ingest
from nlp.io import atomic_writer
from nlp.predict import STATE_DIR, predict_paths
from nlp.tables import spreadsheet_safe, write_csv

REPORT = "2021年政府工作报告\n一、2020年工作回顾\n全年地区生产总值增长5%，城镇新增就业1万人。\n"


@pytest.mark.parametrize("limit", [-5, 0, 1, 2, 19])
def test_a_paragraph_limit_that_cannot_work_stops_before_reading(tmp_path: Path, limit: int, capsys) -> None:
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    with pytest.raises(ValueError, match="at least 20"):
        ingest([tmp_path / "a.txt"], limit)
    assert main(["ingest", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "--max-chars", str(limit)]) == 2
    assert "--max-chars" in capsys.readouterr().err
    config = tmp_path / "p.yaml"
    config.write_text(f"task: predict\nner: {{kind: rules}}\nareas: {{kind: tfidf, path: {tmp_path}}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_paragraph_chars: must be >= 20"):
        load_config(config, [f"max_paragraph_chars={limit}"])


def test_the_smallest_limit_still_ends() -> None:
    from nlp.ingest.mapped import MappedText
    from nlp.ingest.segment import segment

    paragraphs = segment(MappedText.from_raw("甲" * 95 + "。"), 20)
    assert [len(p.text) for p in paragraphs] == [20, 20, 20, 20, 16]


def test_csv_with_an_unclosed_quote_is_reported_not_merged(tmp_path: Path) -> None:
    rows = ['title,full_text', 'A,"2021年政府工作报告。甲地增长5%。"', 'B,"2021年政府工作报告。乙地增长6%。',
            'C,"2021年政府工作报告。丙地增长7%。"', 'D,"2021年政府工作报告。丁地增长8%。"']
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = ingest([tmp_path / "r.csv"])
    assert len(result.documents) == 1  # row A; B's quote does not close, so B, C and D are not guessed at
    [error] = result.errors
    assert "r.csv: line" in error and "malformed CSV" in error
    assert all("丙地" not in p["text"] for p in result.paragraphs)  # C is not swallowed into B


def test_a_whole_report_in_one_csv_cell_is_read(tmp_path: Path) -> None:
    text = "2021年政府工作报告。" + "全年地区生产总值增长5%。" * 12000  # about 156,000 characters
    (tmp_path / "big.csv").write_text(f'title,full_text\nBig,"{text}"\n', encoding="utf-8")
    result = ingest([tmp_path / "big.csv"])
    assert result.errors == [] and len(result.documents) == 1


def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path: Path) -> None:
    assert spreadsheet_safe("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [spreadsheet_safe(v) for v in ("@SUM(A1)", "+cmd", "-x", "\tx")] == ["'@SUM(A1)", "'+cmd", "'-x", "'\tx"]
    assert [spreadsheet_safe(v) for v in ("-1.5", "-2;3", "8.5", -2.0, None, "标题")] == ["-1.5", "-2;3", "8.5", -2.0, None, "标题"]
    write_csv(tmp_path / "t.csv", ["title", "value"], [{"title": "=1+1", "value": -3.0}])
    assert read_csv(tmp_path / "t.csv") == [{"title": "'=1+1", "value": "-3.0"}]


def test_an_empty_checkpoint_is_predicted_again_on_resume(tmp_path: Path, caplog) -> None:
    cfg = make_cfg(tmp_path)
    predict_paths(cfg, [GUICHI], tmp_path / "out", predictors=fakes(), progress=False)
    before = (tmp_path / "out" / "paragraphs.jsonl").read_bytes()
    [checkpoint] = (tmp_path / "out" / STATE_DIR / "docs").glob("*.json")
    checkpoint.write_bytes(b"")  # what a power loss leaves
    summary = predict_paths(cfg, [GUICHI], tmp_path / "out", resume=True, predictors=fakes(), progress=False)
    assert summary["resumed"] == 0 and summary["documents"] == 1
    assert "unreadable" in caplog.text and checkpoint.name in caplog.text
    assert (tmp_path / "out" / "paragraphs.jsonl").read_bytes() == before
    assert json.loads(checkpoint.read_text(encoding="utf-8"))["paragraphs"]


def test_atomic_writer_syncs_before_it_renames(tmp_path: Path, monkeypatch) -> None:
    import os

    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    with atomic_writer(tmp_path / "f.txt") as fh:
        fh.write("x")
    assert calls == ["fsync", "replace"] and (tmp_path / "f.txt").read_text() == "x"


def test_ingest_prints_each_error_once(tmp_path: Path, capsys) -> None:
    (tmp_path / "good.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 50)
    assert main(["ingest", str(tmp_path), "-o", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert err.count("bad.txt") == 1, err


def test_a_pickled_tfidf_folder_is_refused_not_unpickled(tmp_path: Path, capsys) -> None:
    """A model.joblib (what old versions saved, or a crafted folder) would run code when loaded."""
    import pickle

    from nlp.model.areas_tfidf import TfidfAreaClassifier

    folder = tmp_path / "evil"
    folder.mkdir()
    (folder / "nlp_model.json").write_text(json.dumps({"kind": "tfidf", "labels": [], "thresholds": {}}), encoding="utf-8")
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    (folder / "model.joblib").write_bytes(pickle.dumps(Payload()))
    with pytest.raises(ValueError, match="pickle can run code"):
        TfidfAreaClassifier.load(folder)
    argv = ["predict", "--config", "configs/predict-baseline.yaml", "--set", f"areas.path={folder}",
            "--input", str(GUICHI), "--output", str(tmp_path / "out"), "--no-progress"]
    assert main(argv) == 2
    assert "pickle can run code" in capsys.readouterr().err
    assert not marker.exists()


def _presegmented(tmp_path: Path, bad: dict[int, bytes], n: int = 20) -> Path:
    lines = [json.dumps({"id": f"p{k}", "text": f"第{k}段：地区生产总值增长{k}%。"}, ensure_ascii=False).encode("utf-8")
             for k in range(n)]
    for k, raw in bad.items():
        lines[k] = raw
    path = tmp_path / "paras.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.mark.parametrize("bad", [
    {0: b"{not json"},                                              # a malformed first line
    {3: "{\"id\": \"p3\", \"text\": \"增长\"}".encode("gbk")},       # a GBK line
    {5: b"\xff\xff"},                                               # two 0xFF bytes
    {7: b'{"id": "p7", "text": "\\ud800 lone"}'},                   # a lone surrogate escape
    {2: b"\x00\x01binary", 9: b"[1, 2]"},                           # binary, not an object
])
def test_one_bad_line_costs_one_record_of_a_presegmented_file(tmp_path: Path, bad: dict[int, bytes]) -> None:
    path = _presegmented(tmp_path, bad)
    summary = predict_paths(make_cfg(tmp_path), [path], tmp_path / "out", predictors=fakes(), progress=False)
    assert summary["documents"] == 20 - len(bad) and summary["errors"] == len(bad)
    records = [json.loads(line) for line in (tmp_path / "out" / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [f"p{k}" for k in range(20) if k not in bad]  # ids kept, not hashed
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(e["source"] for e in errors) == sorted(f"{path}:{k + 1}" for k in bad)


@pytest.mark.parametrize(("argv", "named"), [
    (["baseline", "{tmp}/missing.jsonl", "-o", "{tmp}/o.jsonl"], "missing.jsonl: No such file"),
    (["baseline", "{tmp}/bin.jsonl", "-o", "{tmp}/o.jsonl"], "bin.jsonl:1"),
    (["baseline", "{tmp}/paras.jsonl", "-o", "{tmp}"], "{tmp}"),
    (["train", "--config", "{tmp}"], "is a folder, not a config file"),
    (["evaluate", "--config", "{tmp}/bin.jsonl"], "bin.jsonl: invalid YAML"),
    (["annotate", "stats", "--gold-dir", "{tmp}/none", "--splits", "{tmp}/none.yaml"], "none"),
    (["annotate", "stats", "--gold-dir", "{tmp}", "--splits", "{tmp}/bad.yaml"], "bad.yaml: invalid YAML"),
    (["ingest", "{tmp}/paras.jsonl", "-o", "{tmp}/bin.jsonl"], "bin.jsonl"),
])
def test_expected_errors_are_one_line_naming_the_file(tmp_path: Path, capsys, argv: list[str], named: str) -> None:
    (tmp_path / "bin.jsonl").write_bytes(b"\x00\x01\x02")
    (tmp_path / "paras.jsonl").write_text('{"para_id": "p1", "text": "增长5%"}\n', encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("train: [a\n", encoding="utf-8")
    code = main([a.format(tmp=tmp_path) for a in argv])
    err = capsys.readouterr().err
    assert code in (1, 2)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert named.format(tmp=tmp_path) in err


# --- encodings ----------------------------------------------------------------------------

CJK_REPORT = "过去一年，全区地区生产总值增长百分之三点三，一般公共预算收入稳定增长，民生福祉持续改善。\n" * 5


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_bomless_utf16_with_almost_no_ascii_is_read(encoding):
    from nlp.ingest.decode import decode_bytes

    assert decode_bytes(CJK_REPORT.encode(encoding), "r.txt") == (CJK_REPORT, encoding)


def test_big5_is_read_as_big5_not_gbk_mojibake():
    from nlp.ingest.decode import decode_bytes

    traditional = "過去一年，全區地區生產總值增長百分之三點三，財政收入穩定增長，民生福祉持續改善。\n" * 5
    assert decode_bytes(traditional.encode("big5"), "r.txt") == (traditional, "big5")
    assert decode_bytes(CJK_REPORT.encode("gbk"), "r.txt") == (CJK_REPORT, "gb18030")


def test_damaged_utf8_is_reported_with_its_byte_offset():
    from nlp.ingest.decode import NotTextError, decode_bytes

    data = CJK_REPORT.encode("utf-8")
    cut = data[:-2]  # the newline and the last byte of 。 gone
    with pytest.raises(NotTextError, match=rf"r.txt: UTF-8 cut inside a character at the end \(byte {len(cut) - 2} of {len(cut)}\)"):
        decode_bytes(cut, "r.txt")
    damaged = bytearray(data)
    damaged[300] = 0xFF  # the second byte of the character at 299
    with pytest.raises(NotTextError, match=r"r.txt: UTF-8 with \d invalid byte sequences?, the first at byte 299 of"):
        decode_bytes(bytes(damaged), "r.txt")


@pytest.mark.parametrize(("name", "content", "fmt"), [
    ("report.doc", "\xd0\xcf\x11\xe0", "Word (.doc)"),
    ("report.txt", "\xd0\xcf\x11\xe0", "an OLE document (Word .doc, Excel)"),
    ("report.txt", "PK\x03\x04", "a ZIP archive (Word .docx, Excel)"),
    ("sheet.xlsx", "PK\x03\x04", "Excel"),
    ("notes.rtf", "{\\rtf1\\ansi", "RTF"),
])
def test_legacy_word_excel_and_rtf_are_named_not_ingested(tmp_path, name, content, fmt):
    """(PDF, web pages and .docx are read: tests/test_formats.py.)"""
    (tmp_path / name).write_bytes(content.encode("latin-1"))
    (tmp_path / "ok.txt").write_text("池州市2021年政府工作报告\n过去一年，地区生产总值增长5%。", encoding="utf-8")
    result = ingest([tmp_path / name, tmp_path / "ok.txt"])
    assert len(result.documents) == 1
    assert any(name in e and f"{fmt} is not read" in e for e in result.errors)


@pytest.mark.parametrize(("files", "message"), [
    ({"model.safetensors": b"\x10\x00"}, "model.safetensors: unreadable weights, the file is damaged or truncated"),
    ({"pytorch_model.bin": b"\x80\x04cos\nsystem\n."}, "pytorch_model.bin: pickled weights are not loaded"),
])
def test_bad_model_folder_is_named_before_inputs_are_read(tmp_path, files, message):
    from nlp.config import PredictNerConfig

    model = tmp_path / "ner"
    model.mkdir()
    for name, data in files.items():
        (model / name).write_bytes(data)
    (model / "nlp_model.json").write_text('{"kind": "ner"}', encoding="utf-8")
    cfg = make_cfg(tmp_path)
    cfg.ner = PredictNerConfig(kind="model", path=model)
    with pytest.raises(ValueError, match=message):
        predict_paths(cfg, [tmp_path / "not-read.txt"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_version_help_and_verbose_after_the_command(capsys):
    from nlp import __version__
    from nlp.cli import build_parser

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"nlp {__version__}"
    parser = build_parser()
    assert parser.description.endswith(".")
    assert parser.parse_args(["ingest", "x.txt", "-o", "out", "-v"]).verbose is True
    assert parser.parse_args(["-v", "ingest", "x.txt", "-o", "out"]).verbose is True
    assert parser.parse_args(["ingest", "x.txt", "-o", "out"]).verbose is False


def test_no_progress_silences_the_model_loading_bars_too(tmp_path, capfd):
    from test_predict import ROOT, make_tiny_models

    models = make_tiny_models(tmp_path / "models")
    capfd.readouterr()
    argv = ["predict", "--config", str(ROOT / "configs" / "predict.yaml"), "--set", f"ner.path={models['ner']}",
            "--set", f"areas.path={models['areas']}", "--set", "device=cpu", "--input", str(GUICHI),
            "--output", str(tmp_path / "out"), "--no-progress"]
    try:
        assert main(argv) == 0
    finally:
        from transformers.utils import logging as hf_logging

        hf_logging.enable_progress_bar()
    err = capfd.readouterr().err
    assert "Loading weights" not in err and "para/s" not in err


def test_reused_output_folder_holds_one_run_and_its_manifest(tmp_path):
    import hashlib

    from nlp.predict import MANIFEST

    out = tmp_path / "out"
    cfg = make_cfg(tmp_path)
    predict_paths(cfg, [GUICHI], out, predictors=fakes(), progress=False)
    first = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(first["files"]) == {"paragraphs.jsonl", "targets.csv", "regions.csv", "documents.csv", "errors.jsonl"}
    assert first["commit"] is None or len(first["commit"]) >= 40
    (out / ".targets.csv.abc123.tmp").write_text("half a file", encoding="utf-8")  # what kill -9 leaves
    cfg.output.formats = ["csv"]
    predict_paths(cfg, [GUICHI], out, predictors=fakes(), progress=False)
    assert not (out / "paragraphs.jsonl").exists() and not (out / ".targets.csv.abc123.tmp").exists()
    second = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert "paragraphs.jsonl" not in second["files"]
    for name, entry in second["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"]


def test_errors_replace_keeps_damaged_utf8_and_says_so(tmp_path, caplog):
    data = bytearray(("池州市2021年政府工作报告\n" + CJK_REPORT).encode("utf-8"))
    data[100] = 0xFF
    path = tmp_path / "r.txt"
    path.write_bytes(bytes(data))
    strict = ingest([path])
    assert not strict.documents and "--errors replace" in strict.errors[0]
    with caplog.at_level("WARNING"):
        kept = ingest([path], errors="replace")
    assert len(kept.documents) == 1 and "replaced by U+FFFD" in kept.documents[0]["source"]["encoding"]
    assert "r.txt: read as utf-8" in caplog.text
    assert sum(p["text"].count("\ufffd") for p in kept.paragraphs) >= 1
    assert main(["ingest", str(path), "-o", str(tmp_path / "out"), "--errors", "replace"]) == 0


def test_predict_decode_errors_replace_is_a_config_key(tmp_path):
    data = bytearray(("池州市2021年政府工作报告\n" + CJK_REPORT).encode("utf-8"))
    data[100] = 0xFF
    (tmp_path / "r.txt").write_bytes(bytes(data))
    cfg = make_cfg(tmp_path)
    strict = predict_paths(cfg, [tmp_path / "r.txt"], tmp_path / "a", predictors=fakes(), progress=False)
    assert strict["documents"] == 0 and strict["errors"] == 1
    cfg.decode_errors = "replace"
    kept = predict_paths(cfg, [tmp_path / "r.txt"], tmp_path / "b", predictors=fakes(), progress=False)
    assert kept["documents"] == 1 and kept["errors"] == 0


def test_kill_9_then_resume_gives_the_same_files(tmp_path):
    """A predict process killed with SIGKILL mid-run, then resumed, writes the same files
    byte for byte as a run that was never interrupted."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from test_predict import JINAN, ROOT, make_tiny_models

    models = make_tiny_models(tmp_path / "models")
    base = [sys.executable, "-m", "nlp", "predict", "--config", str(ROOT / "configs" / "predict.yaml"),
            "--set", f"ner.path={models['ner']}", "--set", f"areas.path={models['areas']}", "--set", "device=cpu",
            "--set", "batch_size=4", "--input", str(GUICHI), str(JINAN), "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([*base, "--output", str(tmp_path / "ref")], check=True, capture_output=True, env=env)
    victim = subprocess.Popen([*base, "--output", str(tmp_path / "out")], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env)
    docs = tmp_path / "out" / STATE_DIR / "docs"
    deadline = time.time() + 120
    while victim.poll() is None and time.time() < deadline and not list(docs.glob("*.json")):
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    if victim.wait() != -signal.SIGKILL:
        pytest.skip("the run finished before it could be killed")
    assert not (tmp_path / "out" / "paragraphs.jsonl").exists()
    subprocess.run([*base, "--output", str(tmp_path / "out"), "--resume"], check=True, capture_output=True, env=env)
    for name in ("paragraphs.jsonl", "targets.csv", "regions.csv", "documents.csv", "errors.jsonl"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name
