"""The project as a user installs it: a wheel in a venv outside the repository, run from a folder
that is not a clone; the CLI's global flags; the notebooks' default folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_predict import GUICHI, ROOT, make_tiny_models

from nlp.cli import build_parser
from nlp.config import load_config


def run(exe: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> Path:
    """A venv holding the project's wheel (its dependencies from this environment's packages)."""
    tmp = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(ROOT),
                            "-w", str(tmp / "dist")], capture_output=True, text=True, timeout=600)
    if build.returncode:
        pytest.skip(f"cannot build a wheel here: {build.stderr.strip()[-300:]}")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(tmp / "venv")], check=True, timeout=300)
    (wheel,) = (tmp / "dist").glob("*.whl")
    subprocess.run([str(tmp / "venv/bin/pip"), "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    return tmp / "venv/bin"


def test_installed_wheel_runs_outside_the_repository(wheel_venv, tmp_path):
    """From a folder that is not a clone: `nlp predict --config <path>` with paths relative to the
    config file, the Python API, `nlp bench` on the samples shipped in the package, and clear
    one-line errors where a command needs a clone's files."""
    models = make_tiny_models(tmp_path / "project" / "models")
    configs = tmp_path / "project" / "configs"
    configs.mkdir()
    config = configs / "predict.yaml"
    config.write_text("task: predict\nner: {kind: model, path: ../models/ner}\nareas: {kind: model, path: ../models/areas}\n"
                      "device: cpu\noutput: {formats: [jsonl, csv], dir: ../outputs/run}\n", encoding="utf-8")
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    imported = run(wheel_venv / "python", ["-c", "import nlp; print(nlp.__file__)"], cwd)
    assert Path(imported.stdout.strip()).is_relative_to(wheel_venv.parent), imported.stdout  # the wheel, not the checkout

    done = run(wheel_venv / "nlp", ["predict", "--config", str(config), "--input", str(GUICHI), "-q"], cwd)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["output"] == str(tmp_path / "project" / "outputs" / "run")
    written = [json.loads(line) for line in (tmp_path / "project/outputs/run/paragraphs.jsonl").read_text("utf-8").splitlines()]
    assert written and "Loading weights" not in done.stderr and "predict:" not in done.stderr  # -q: no bars

    api = ("import json, sys, nlp\nreader = nlp.load(ner=sys.argv[1], areas=sys.argv[2])\n"
           "print(json.dumps(reader(sys.argv[3], section=None, year=None), ensure_ascii=False))")
    text = written[0]["text"]
    by_api = run(wheel_venv / "python", ["-c", api, str(models["ner"]), str(models["areas"]), text], cwd)
    assert by_api.returncode == 0, by_api.stderr
    assert json.loads(by_api.stdout)["text"] == text

    bench = run(wheel_venv / "nlp", ["bench", "--config", str(config), "--n", "5", "-q"], cwd)
    assert bench.returncode == 0 and json.loads(bench.stdout)["n_paragraphs"] == 5, bench.stderr

    for args, says in ((["main"], "runs in a clone of the project"), (["annotate", "stats"], "no such gold folder")):
        failed = run(wheel_venv / "nlp", args, cwd)
        assert failed.returncode != 0 and says in failed.stderr and "Traceback" not in failed.stderr, failed.stderr
        assert not (cwd / "models").exists()  # nothing written before the check


def test_quiet_and_verbose_anywhere():
    parser = build_parser()
    for argv in (["-q", "ingest", "x.txt", "-o", "out"], ["ingest", "x.txt", "-o", "out", "-q"]):
        assert parser.parse_args(argv).quiet is True
    assert parser.parse_args(["ingest", "x.txt", "-o", "out"]).quiet is False
    with pytest.raises(SystemExit):
        from nlp.cli import main

        main(["-q", "ingest", "x.txt", "-o", "out", "-v"])


@pytest.mark.parametrize(("notebook", "variable", "config", "key"), [
    ("explore_predictions.ipynb", "NLP_PREDICT_DIR", "predict.yaml", lambda c: c.output.dir),
    ("error_analysis.ipynb", "NLP_EVAL_DIR", "ner.yaml", lambda c: c.evaluation.output_dir),
])
def test_notebook_defaults_are_where_the_configs_write(notebook, variable, config, key):
    """A notebook opened with no environment variable reads the folder the shipped config writes."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text("utf-8"))["cells"]
    source = "".join(line for cell in cells for line in cell["source"])
    default = source.split(f'os.environ.get("{variable}", "')[1].split('"')[0]
    # Hub ids stand in for the models, which a checkout has only after `nlp main`.
    hubs = ["model.name_or_path=some-org/enc"] if config == "ner.yaml" else ["ner.path=org/ner", "areas.path=org/areas"]
    cfg = load_config(ROOT / "configs" / config, hubs)
    assert ROOT / default == key(cfg)
