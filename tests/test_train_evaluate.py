"""End to end on the synthetic tiny gold set: `nlp train` then `nlp evaluate` for NER (vs the
rules) and areas (vs TF-IDF), through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.cli import main
from nlp.spec import AREA_LABELS, ENTITY_LABELS


@pytest.fixture(autouse=True)
def _at_project_root(project_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project_root)


def summary(out: str) -> dict:
    """The JSON summary a command prints last (the Trainer's progress lines come before it)."""
    return json.loads(out[out.rindex('{\n  "task"'):])


def read_report(folder: Path) -> tuple[dict, str]:
    for name in ("metrics.json", "report.md", "errors.jsonl"):
        assert (folder / name).is_file(), name
    return json.loads((folder / "metrics.json").read_text(encoding="utf-8")), (folder / "report.md").read_text("utf-8")


def test_ner_train_and_evaluate(encoder, tmp_path, capsys):
    extra = tmp_path / "aux.bio"
    extra.write_text("在 O\n示 B-LOC\n例 I-LOC\n\n", encoding="utf-8")
    common = ["--config", "tests/configs/tiny-ner.yaml", "--set", f"model.name_or_path={encoder}",
              "--set", f"training.output_dir={tmp_path / 'ner'}"]
    assert main(["train", *common, "--set", f"data.extra_bio=[{extra}]"]) == 0
    assert summary(capsys.readouterr().out)["dev"]["f1"] >= 0.0
    info = json.loads((tmp_path / "ner/nlp_model.json").read_text("utf-8"))
    assert info["hints"] == "rules" and info["min_span_length"]["REGION"] == 2  # gold ones: 3 chars; 示例 from extra_bio
    assert info["hint_labels"][-2:] == ["B-QUANTITY", "I-QUANTITY"]  # undecided tense (model.undecided_hints)
    card = (tmp_path / "ner/README.md").read_text("utf-8")
    assert "pipeline_tag: token-classification" in card and "| f1 | " in card and f"**Base encoder**: `{encoder}`" in card
    assert "does not give what `nlp predict` gives" in card and "Commit " in card
    assert json.loads((tmp_path / "ner/config.json").read_text("utf-8"))["type_vocab_size"] == len(info["hint_labels"])
    assert main(["evaluate", *common, "--output", str(tmp_path / "eval")]) == 0

    metrics, report = read_report(tmp_path / "eval")
    assert metrics["split"] == "test" and metrics["n_paragraphs"] == 7  # one test paragraph is areas-only
    for system in ("model", "baseline"):
        scores = metrics[system]["metrics"]
        assert set(scores) == {"exact", "overlap", "context", "without_context"} and scores["context"] == "with"
        assert set(scores["exact"]["labels"]) == set(ENTITY_LABELS)
        assert scores["exact"]["micro"]["support"] == scores["without_context"]["exact"]["micro"]["support"] == 27
        assert scores["overlap"]["micro"]["f1"] >= scores["exact"]["micro"]["f1"]
    assert metrics["baseline"]["kind"] == "rules"
    assert "| label | support | model P | model R | model F1 | baseline P |" in report
    assert "micro avg" in report and "overlap match" in report and "without section and year" in report
    assert metrics["provenance"]["seed"] == info["config"]["training"]["seed"]
    assert metrics["provenance"]["packages"]["torch"] and "training seed" in report
    errors = [json.loads(line) for line in (tmp_path / "eval/errors.jsonl").read_text("utf-8").splitlines()]
    assert 0 < len(errors) <= 20
    assert all(e["context"].count("【") == 1 for e in errors)
    assert (tmp_path / "eval/f1_by_label.png").stat().st_size > 1000


def test_area_train_and_evaluate_against_tfidf(encoder, tmp_path, capsys):
    tfidf = ["--config", "tests/configs/tiny-tfidf.yaml", "--set", f"training.output_dir={tmp_path / 'tfidf'}"]
    assert main(["train", *tfidf]) == 0
    common = ["--config", "tests/configs/tiny-areas.yaml", "--set", f"model.name_or_path={encoder}",
              "--set", f"training.output_dir={tmp_path / 'areas'}",
              "--set", f"evaluation.baseline.path={tmp_path / 'tfidf'}"]
    assert main(["train", *common, "--set", "training.epochs=1"]) == 0
    info = json.loads((tmp_path / "areas/nlp_model.json").read_text("utf-8"))
    assert info["kind"] == "areas" and set(info["thresholds"]) == set(AREA_LABELS)
    card = (tmp_path / "areas/README.md").read_text("utf-8")
    assert "trust_remote_code=True" in card and (tmp_path / "areas/pooling.py").is_file()
    assert info["config"]["training"]["epochs"] == 1
    assert info["tfidf_weight"] in (0.0, 0.5, 1.0)
    dev = info["dev_metrics"]  # weight 0 is in the grid: the blend never scores below the encoder
    assert dev["tuned_macro_f1"] >= dev["encoder_tuned_macro_f1"]
    capsys.readouterr()
    assert main(["evaluate", *common, "--split", "dev", "--set", f"evaluation.output_dir={tmp_path / 'eval'}"]) == 0
    assert summary(capsys.readouterr().out)["split"] == "dev"

    metrics, report = read_report(tmp_path / "eval")
    assert metrics["split"] == "dev" and metrics["n_paragraphs"] == 8
    for system in ("model", "baseline"):
        scores = metrics[system]["metrics"]
        assert {"areas", "micro", "macro", "primary_accuracy", "mean_jaccard"} <= set(scores)
        assert 0.0 <= scores["primary_accuracy"] <= 1.0
    assert metrics["baseline"]["kind"] == "tfidf"
    assert "primary_accuracy" in report and "macro avg" in report
    for plot in ("f1_by_area.png", "primary_confusion.png"):
        assert (tmp_path / "eval" / plot).stat().st_size > 1000


def test_cli_reports_config_errors(tmp_path, capsys):
    assert main(["train", "--config", "tests/configs/tiny-ner.yaml", "--set", "training.epochs=ten"]) == 2
    assert "training.epochs: expected int, got 'ten'" in capsys.readouterr().err
    missing = ["--config", "tests/configs/tiny-areas.yaml", "--set", "model.name_or_path=org/enc",
               "--set", f"training.output_dir={tmp_path / 'none'}"]
    assert main(["evaluate", *missing]) == 2
    assert "training.output_dir" in capsys.readouterr().err


def test_ner_trains_under_torchrun_with_two_cpu_processes(encoder, tmp_path, capsys):
    """The Trainer's DDP (gloo on CPU): one model folder, one log, one summary; its dev
    scores, gathered from both processes, are those `nlp evaluate` gives the saved model."""
    import subprocess
    import sys

    common = ["--config", "tests/configs/tiny-ner.yaml", "--set", f"model.name_or_path={encoder}",
              "--set", f"training.output_dir={tmp_path / 'ner'}", "--set", "training.epochs=1"]
    run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                          "-m", "nlp", "train", *common], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.count('"task": "ner"') == 1
    dev = summary(run.stdout)["dev"]
    logs = [json.loads(line) for line in (tmp_path / "ner" / "log.jsonl").read_text("utf-8").splitlines()]
    assert [entry["step"] for entry in logs if "eval_f1" in entry] == [3]  # 39 train windows, batches of 8 × 2
    info = json.loads((tmp_path / "ner" / "nlp_model.json").read_text("utf-8"))
    assert info["training_processes"] == 2
    assert main(["evaluate", *common, "--set", "evaluation.split=dev", "--output", str(tmp_path / "eval")]) == 0
    model = summary(capsys.readouterr().out)["model"]
    assert (model["exact_f1"], model["overlap_f1"]) == (round(dev["f1"], 4), round(dev["overlap_f1"], 4))
