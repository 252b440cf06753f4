"""A batch as users run it: 1,000 documents in every input format, 5% of them broken in each way
that once lost data silently or aborted runs (issue 12). The run must give the 950 good
documents' outputs and one error line per bad item, nothing else lost; a run killed with
SIGKILL at random points and resumed must write the files of an uninterrupted run."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_engines import sample_lines
from test_predict import ROOT, fakes, make_cfg

from nlp.io import read_jsonl
from nlp.predict import STATE_DIR, predict_paths

#: Good documents per input kind; the pre-segmented files hold PRESEG_FILES x PRESEG_GOOD of them.
TXT_UTF8, TXT_GB18030, TXT_BIG5, TXT_UTF16 = 275, 50, 20, 20
CSV_FILES, CSV_GOOD = 4, 25
JSONL_FILES, JSONL_GOOD = 4, 25
PRESEG_FILES, PRESEG_GOOD = 16, 24
GOOD = TXT_UTF8 + TXT_GB18030 + TXT_BIG5 + TXT_UTF16 + CSV_FILES * CSV_GOOD + 1 + JSONL_FILES * JSONL_GOOD \
    + PRESEG_FILES * PRESEG_GOOD
#: Bad items: whole files (NUL bytes, damaged UTF-8, empty, random bytes), a CSV row whose quote
#: never closes, a cut line of a raw-report JSONL, and one bad line in each pre-segmented file.
BAD_FILES = {"nul": 8, "cut-utf8": 8, "empty": 6, "binary": 4}
BAD = sum(BAD_FILES.values()) + CSV_FILES + JSONL_FILES + PRESEG_FILES
#: The pre-segmented files' bad lines, four of each kind.
BAD_LINES = (b"{not json", '{"id": "x", "text": "增长"}'.encode("gbk"), b"\xff\xff", b'{"id": "x", "text": "\\ud800 lone"}')
BIG5_REPORT = "{k}縣二零二四年政府工作報告\n過去一年，全縣地區生產總值增長{k}%，城鎮新增就業{k}千人，糧食產量穩定。\n今年的主要預期目標是：地區生產總值增長6%左右，居民收入同步增長。\n"


def make_batch(folder: Path) -> dict[str, object]:
    """Writes the batch; returns what a correct run must give: the number of documents, the
    error sources (file, or file:line), the ids of the pre-segmented lines kept."""
    folder.mkdir(parents=True)
    # Body lines only: a salutation (各位代表) starts a report's body, so the lines before it would be dropped.
    lines = [line for line in sample_lines() if "各位代表" not in line and "本作品" not in line]
    counter = iter(range(10**6))

    def report() -> tuple[str, str]:
        k = next(counter)
        body = "\n".join(lines[(3 * k + i) % len(lines)] for i in range(3))
        return f"第{k}县2024年政府工作报告", f"第{k}县：{body}"  # k inside a paragraph: distinct doc_ids

    for k in range(TXT_UTF8):
        title, body = report()
        (folder / f"utf8-{k:03d}.txt").write_text(f"{title}\n{body}\n", encoding="utf-8")
    for k in range(TXT_GB18030):
        title, body = report()
        (folder / f"gb-{k:03d}.txt").write_bytes(f"{title}\n{body}\n".encode("gb18030"))
    for k in range(TXT_BIG5):
        (folder / f"big5-{k:03d}.txt").write_bytes(BIG5_REPORT.format(k=k).encode("big5"))
    for k in range(TXT_UTF16):
        title, body = report()
        (folder / f"utf16-{k:03d}.txt").write_bytes(f"{title}\n{body}\n".encode("utf-16-le"))  # no BOM
    errors: list[str] = []
    for f in range(CSV_FILES):
        path = folder / f"table-{f}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["title", "year", "full_text"])
            for _ in range(CSV_GOOD):
                writer.writerow([*report()[:1], 2024, report()[1]])
        with path.open("a", encoding="utf-8", newline="") as fh:  # last row: its quote never closes
            fh.write('"未闭合的报告",2024,"2024年政府工作报告。全年地区生产总值增长5%。\n')
        errors.append(path.name)
    big = "2024年政府工作报告。" + "".join(f"第{k}项：全年地区生产总值增长5%。" for k in range(9000))  # > 131,072 chars
    (folder / "one-big-cell.csv").write_text(f'title,full_text\n大报告,"{big}"\n', encoding="utf-8")
    for f in range(JSONL_FILES):
        records = [json.dumps({"title": t, "year": 2024, "content": b}, ensure_ascii=False) for t, b in
                   (report() for _ in range(JSONL_GOOD))]
        records.insert(5 + f, '{"title": "cut record", "content": "全年地区生产')
        (folder / f"reports-{f}.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
        errors.append(f"reports-{f}.jsonl:{6 + f}")
    kept_ids = []
    for f in range(PRESEG_FILES):
        bad_at = 0 if BAD_LINES[f % 4] == b"{not json" else 3 + f  # a malformed first line too
        rows = [json.dumps({"id": f"s{f}-p{k}", "text": f"第{f}组第{k}段：地区生产总值增长{k}%。"}, ensure_ascii=False).encode()
                for k in range(PRESEG_GOOD)]
        kept_ids += [f"s{f}-p{k}" for k in range(PRESEG_GOOD)]
        rows.insert(bad_at, BAD_LINES[f % 4])
        (folder / f"paragraphs-{f:02d}.jsonl").write_bytes(b"\n".join(rows) + b"\n")
        errors.append(f"paragraphs-{f:02d}.jsonl:{bad_at + 1}")
    rng = random.Random(0)
    bad_content = {"nul": lambda k: "政府工作报告\n".encode() + b"\x00\x01\x02" * 50,
                   "cut-utf8": lambda k: f"第{k}县政府工作报告\n全年地区生产总值增长".encode() + b"\xe5\xa2",
                   "empty": lambda k: b"", "binary": lambda k: bytes(rng.randrange(256) for _ in range(300))}
    for kind, n in BAD_FILES.items():
        for k in range(n):
            (folder / f"bad-{kind}-{k}.txt").write_bytes(bad_content[kind](k))
            errors.append(f"bad-{kind}-{k}.txt")
    return {"documents": GOOD, "errors": sorted(errors), "kept_ids": kept_ids}


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("batch") / "in"
    return folder, make_batch(folder)


def test_a_thousand_documents_with_fifty_broken_lose_only_the_broken(batch, tmp_path):
    folder, expected = batch
    assert (GOOD, BAD) == (950, 50)
    summary = predict_paths(make_cfg(tmp_path), [folder], tmp_path / "out", predictors=fakes(), progress=False)
    assert (summary["documents"], summary["errors"]) == (GOOD, BAD)
    errors = read_jsonl(tmp_path / "out" / "errors.jsonl")
    # One line per bad item, naming its file, and its line where it is one line of a file (in the
    # source, or for a raw-report JSONL line, in the message).
    named = sorted(Path(e["source"]).name if ":" in Path(e["source"]).name or e["source"].endswith(".txt")
                   or e["source"].endswith(".csv") else Path(e["error"].split(": ")[0]).name for e in errors)
    assert named == expected["errors"]
    records = read_jsonl(tmp_path / "out" / "paragraphs.jsonl")
    assert len({r["doc_id"] for r in records}) == GOOD
    assert {r["id"] for r in records} >= set(expected["kept_ids"])  # pre-segmented ids kept, not re-hashed
    big5 = [r["text"] for r in records if "全縣地區生產總值" in r["text"]]
    assert len([t for t in big5 if "全縣地區生產總值" in t]) == TXT_BIG5  # Big5 read as Big5, not mojibake
    with open(tmp_path / "out" / "documents.csv", encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == GOOD


@pytest.fixture(scope="module")
def tfidf_model(tmp_path_factory) -> Path:
    """The rule tagger's partner for a fast real run: a TF-IDF area model of the tiny gold."""
    from nlp.config import load_config
    from nlp.train import train

    out = tmp_path_factory.mktemp("tfidf") / "model"
    train(load_config(ROOT / "tests/configs/tiny-tfidf.yaml", [f"training.output_dir={out}"]))
    return out


def test_kill_9_at_random_points_then_resume_gives_the_same_files_ten_times(batch, tfidf_model, tmp_path):
    """10 of 10 trials: `nlp predict` (rules + TF-IDF, part of the batch, real processes)
    killed with SIGKILL after a random share of an uninterrupted run's time, then resumed,
    writes byte for byte the files of the uninterrupted run."""
    folder, _ = batch
    inputs = sorted(folder.glob("utf8-0[0-4]*.txt")) + sorted(folder.glob("paragraphs-0[0-3].jsonl")) \
        + sorted(folder.glob("bad-*-0.txt")) + [folder / "table-0.csv", folder / "reports-0.jsonl"]
    base = [sys.executable, "-m", "nlp", "predict", "--config", str(ROOT / "configs" / "predict-baseline.yaml"),
            "--set", f"areas.path={tfidf_model}", "--set", "batch_size=4", "--input", *map(str, inputs), "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.time()
    subprocess.run([*base, "--output", str(tmp_path / "ref")], check=True, capture_output=True, env=env)
    took = time.time() - start
    rng = random.Random(12)
    killed = 0
    for trial in range(10):
        out = tmp_path / f"trial-{trial}"
        victim = subprocess.Popen([*base, "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(rng.uniform(0.3, 1.0) * took)
        victim.send_signal(signal.SIGKILL)
        killed += victim.wait() == -signal.SIGKILL
        subprocess.run([*base, "--output", str(out), "--resume"], check=True, capture_output=True, env=env)
        for name in ("paragraphs.jsonl", "targets.csv", "regions.csv", "documents.csv", "errors.jsonl"):
            assert (out / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), (trial, name)
        assert not list(out.glob("*.tmp")) and not list((out / STATE_DIR).glob("**/*.tmp"))
    assert killed >= 5, f"only {killed} of 10 runs were still running when killed"
