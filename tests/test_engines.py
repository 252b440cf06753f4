"""Scale-out: `nlp predict --engine ray` gives the local engine's files byte for byte (the
samples and a 100-document batch with 5 corrupt documents, resume across engines), on a
2-CPU Ray instance this module starts (loopback only). Skipped where ray is not installed
(CI installs it). Training under torchrun: tests/test_train_evaluate.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_predict import ROOT, SAMPLES, make_tiny_models

from nlp.cli import main
from nlp.io import read_jsonl
from nlp.predict.run import MANIFEST, OUTPUT_FILES

ray = pytest.importorskip("ray", reason="the Ray engine needs the ray extra: pip install -e '.[ray]'")

N_GOOD, CORRUPT = 95, 5


@pytest.fixture(scope="module")
def cluster():
    """A local 2-CPU Ray instance (loopback only), shut down after the module."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    return make_tiny_models(tmp_path_factory.mktemp("engines") / "models")


def sample_lines() -> list[str]:
    """Body lines of the shipped samples, to build distinct small reports from."""
    lines = [line for name in ("guichi-2021.txt", "jinan-2020.txt")
             for line in (SAMPLES / name).read_text(encoding="utf-8").splitlines()[4:]]
    national = json.loads((SAMPLES / "national-2025.jsonl").read_text(encoding="utf-8").splitlines()[0])["content"]
    return [line for line in lines + national.splitlines() if len(line.strip()) > 10]


def make_batch(folder: Path) -> Path:
    """95 good reports (60 .txt files, 35 records of one raw-report .jsonl) and 5 corrupt
    documents: NUL bytes, damaged UTF-8, a Word .doc saved as .txt, an empty file, a bad JSON line."""
    folder.mkdir(parents=True)
    lines = sample_lines()
    assert len(lines) >= 2 * N_GOOD + 3
    reports = [(f"第{k}县2024年政府工作报告", "\n".join(lines[2 * k : 2 * k + 3])) for k in range(N_GOOD)]
    for k, (title, body) in enumerate(reports[:60]):
        (folder / f"county-{k:03d}.txt").write_text(f"{title}\n{body}\n", encoding="utf-8")
    records = [json.dumps({"title": t, "year": 2024, "content": b}, ensure_ascii=False) for t, b in reports[60:]]
    records.insert(7, '{"title": "cut record", "content": "全年地区生产')
    (folder / "counties.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    (folder / "bad-nul.txt").write_bytes("政府工作报告\n".encode() + b"\x00\x01\x02" * 50)
    (folder / "bad-utf8.txt").write_bytes("政府工作报告\n全年地区生产总值增长".encode() + b"\xe5\xa2")
    (folder / "bad-word.txt").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)  # a .doc saved as .txt
    (folder / "bad-empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    return sorted(SAMPLES.iterdir()) + [make_batch(tmp_path_factory.mktemp("batch") / "batch")]


def predict(models: dict[str, Path], inputs: list[Path], out: Path, *extra: str) -> dict:
    argv = ["predict", "--config", str(ROOT / "configs" / "predict.yaml"), "--set", f"ner.path={models['ner']}",
            "--set", f"areas.path={models['areas']}", "--set", "device=cpu", "--set", "batch_size=16",
            "--input", *map(str, inputs), "--output", str(out), "--no-progress", *extra]
    assert main(argv) == 0
    return json.loads(Path(out / MANIFEST).read_text(encoding="utf-8"))["files"]


@pytest.fixture(scope="module")
def local_run(models, inputs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    predict(models, inputs, out)
    return out


def assert_same_files(a: Path, b: Path) -> None:
    written = [name for name in OUTPUT_FILES if (a / name).exists()]
    assert written == [name for name in OUTPUT_FILES if (b / name).exists()]
    for name in written:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_ray_engine_gives_the_local_files_byte_for_byte(cluster, models, inputs, local_run, tmp_path, capsys):
    capsys.readouterr()
    files = predict(models, inputs, tmp_path / "ray", "--engine", "ray")
    summary = json.loads(capsys.readouterr().out)
    assert summary["documents"] == 4 + N_GOOD and summary["errors"] == CORRUPT
    assert_same_files(local_run, tmp_path / "ray")
    assert files == json.loads((local_run / MANIFEST).read_text(encoding="utf-8"))["files"]
    errors = read_jsonl(tmp_path / "ray" / "errors.jsonl")
    assert sorted(Path(e["source"]).name.split(":")[0] for e in errors) == [
        "bad-empty.txt", "bad-nul.txt", "bad-utf8.txt", "bad-word.txt", "counties.jsonl"]


def test_ray_engine_resumes_what_the_local_engine_left(cluster, models, inputs, local_run, tmp_path, capsys):
    """The same checkpoint layout: a local run over the samples, then a Ray run over every
    input with --resume, predicts only the batch and ends with the full local run's files."""
    predict(models, inputs[:-1], tmp_path / "out")
    capsys.readouterr()
    predict(models, inputs, tmp_path / "out", "--engine", "ray", "--resume")
    assert json.loads(capsys.readouterr().out)["resumed"] == 4
    assert_same_files(local_run, tmp_path / "out")


@pytest.mark.parametrize(("extra", "named"), [
    (["--set", "engine.actors=0"], "engine.actors"),
    (["--set", "engine.cpus_per_actor=0"], "engine.cpus_per_actor"),
    (["--engine", "local", "--address", "auto"], "--address"),
])
def test_bad_engine_settings_are_named(models, tmp_path, capsys, extra, named):
    argv = ["predict", "--config", str(ROOT / "configs" / "predict.yaml"), "--set", f"ner.path={models['ner']}",
            "--set", f"areas.path={models['areas']}", "--input", str(SAMPLES), "--output", str(tmp_path / "out"), *extra]
    assert main(argv) == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
