"""Saved model folders in plain transformers: the right classes, labels and tokenisation."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from test_predict import make_tiny_models

from nlp.spec import AREA_LABELS, bio_labels

TEXTS = ["今年全市地区生产总值增长6%左右。", "推进乡村振兴，建设宜居宜业和美乡村，城镇新增就业1200人。"]


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    return make_tiny_models(tmp_path_factory.mktemp("hf") / "models")


def _project_scores(folder: Path) -> np.ndarray:
    from nlp.model.areas_encoder import EncoderAreaClassifier

    return EncoderAreaClassifier.load(folder, device="cpu", precision="fp32")._encoder_proba(TEXTS, 4)


def test_area_folder_loads_as_a_sequence_classifier_with_its_labels(models):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    import nlp.model.pooling  # noqa: F401 - registers the class, as the card says

    model = AutoModelForSequenceClassification.from_pretrained(models["areas"]).eval()
    assert type(model).__name__ == "MeanPoolClassifier"
    assert [model.config.id2label[i] for i in range(len(AREA_LABELS))] == list(AREA_LABELS)
    assert model.config.problem_type == "multi_label_classification"
    tokenizer = AutoTokenizer.from_pretrained(models["areas"])
    with torch.no_grad():
        scores = torch.sigmoid(model(**tokenizer(TEXTS, padding=True, return_tensors="pt")).logits).numpy()
    expected = _project_scores(models["areas"])
    assert np.allclose(scores, expected, atol=1e-5)
    classify = pipeline("text-classification", model=str(models["areas"]), top_k=None, device="cpu")
    first = {row["label"]: row["score"] for row in classify(TEXTS[:1])[0]}
    assert np.allclose([first[a] for a in AREA_LABELS], expected[0], atol=1e-5)


def test_plain_transformers_needs_remote_code_for_the_area_folder_and_then_gets_it_right(models):
    """In a process that never imports the project: no silent random head, and with
    trust_remote_code the folder's own pooling.py gives the project's scores."""
    code = textwrap.dedent(f"""
        import json, sys, torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        folder = {str(models['areas'])!r}
        try:
            AutoModelForSequenceClassification.from_pretrained(folder)
            refused = False
        except ValueError:
            refused = True
        model = AutoModelForSequenceClassification.from_pretrained(folder, trust_remote_code=True).eval()
        tok = AutoTokenizer.from_pretrained(folder)
        with torch.no_grad():
            scores = torch.sigmoid(model(**tok({TEXTS!r}, padding=True, return_tensors="pt")).logits).tolist()
        print("RESULT", json.dumps({{"refused": refused, "nlp": "nlp" in sys.modules, "labels": model.config.num_labels,
                          "scores": scores}}))
    """)
    env_out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/", timeout=300,
                             stdin=subprocess.DEVNULL)
    assert env_out.returncode == 0, env_out.stderr[-2000:]
    result = json.loads(env_out.stdout.split("RESULT ", 1)[1])  # transformers prompts on stdout before
    assert result["refused"] and not result["nlp"] and result["labels"] == len(AREA_LABELS)
    assert np.allclose(result["scores"], _project_scores(models["areas"]), atol=1e-5)


def test_area_folder_of_the_earlier_layout_still_loads(models, tmp_path):
    """Folders saved before the area network became a transformers class: the encoder's own
    config.json and the head in area_head.safetensors."""
    from safetensors.torch import save_file

    from nlp.model.pooling import LEGACY_HEAD_FILE, MeanPoolClassifier

    model = MeanPoolClassifier.load(models["areas"], AREA_LABELS)
    old = tmp_path / "old"
    model.encoder.save_pretrained(old)
    save_file({k: v.contiguous() for k, v in model.head.state_dict().items()}, str(old / LEGACY_HEAD_FILE))
    for name in ("nlp_model.json", "tokenizer.json", "tokenizer_config.json"):
        (old / name).write_bytes((models["areas"] / name).read_bytes())
    assert np.allclose(_project_scores(old), _project_scores(models["areas"]), atol=1e-6)


def test_ner_folder_tokenises_one_character_per_token(models):
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    tokenizer = AutoTokenizer.from_pretrained(models["ner"])
    assert tokenizer.tokenize("增长1200亿元") == ["增", "长", "1", "2", "0", "0", "亿", "元"]
    model = AutoModelForTokenClassification.from_pretrained(models["ner"])
    assert [model.config.id2label[i] for i in range(model.config.num_labels)] == bio_labels()
    tagged = pipeline("token-classification", model=str(models["ner"]), device="cpu")(TEXTS[0])
    assert all(TEXTS[0][t["start"]:t["end"]] == t["word"] and t["end"] - t["start"] == 1 for t in tagged)


def test_a_new_area_classifier_draws_its_head_as_a_plain_linear_layer_does(models):
    """The README's area figures were trained with torch's Linear initialisation and the random
    stream it leaves; the transformers class must not re-draw the head (post_init)."""
    from transformers import AutoModel

    from nlp.model.pooling import MeanPoolClassifier

    encoder = AutoModel.from_pretrained(models["encoder"])
    torch.manual_seed(0)
    plain, after_plain = torch.nn.Linear(encoder.config.hidden_size, len(AREA_LABELS)), torch.rand(3)
    torch.manual_seed(0)
    model, after_model = MeanPoolClassifier.from_encoder(encoder, AREA_LABELS), torch.rand(3)
    assert torch.equal(model.head.weight, plain.weight) and torch.equal(model.head.bias, plain.bias)
    assert torch.equal(after_model, after_plain)
