"""Model cards: the README.md of every saved model folder (Hugging Face's convention), written
from the folder's nlp_model.json so that what a folder holds, how it was trained, its dev
figures and what plain transformers does not do with it travel with the weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nlp.config import ADAPTED_ENCODER, DEFAULT_ENCODER

WHAT = {
    "ner": ("token-classification", "Character-level NER for Chinese government work reports: REGION, PROJECT, "
            "TARGET (a quantitative goal) and ACHIEVED (a quantitative result), BIO tags, one character per token."),
    "areas": ("text-classification", "Policy areas of a paragraph of a Chinese government work report: 1-3 of 14 "
              "areas (multi-label), primary area first."),
    "tfidf": ("text-classification", "Policy areas by character n-gram TF-IDF + logistic regression (the baseline)."),
}
PLAIN_TRANSFORMERS = {
    "ner": ("`AutoModelForTokenClassification.from_pretrained(FOLDER)` loads the weights and the 9 BIO labels, and the "
            "saved tokenizer is character-level (one token per character, as in training), so `pipeline("
            "\"token-classification\", model=FOLDER, aggregation_strategy=\"simple\")` runs the network as trained. It "
            "does not give what `nlp predict` gives: it feeds no rule hints (the token types carry the rule tagger's "
            "tags; a pipeline sends type 0, \"no hint\", everywhere), does no valid-BIO (Viterbi) decoding or span "
            "tidying, and takes no REGION spans from the gazetteer. For those, use the project: "
            "`nlp.load(ner=FOLDER, areas=…)`."),
    "areas": ("`AutoModelForSequenceClassification.from_pretrained(FOLDER, trust_remote_code=True)` loads the classifier "
              "(`pooling.py` in this folder: the mean of the encoder's token vectors and a linear head) with its 14 "
              "labels and `problem_type` multi-label; after `import nlp.model.pooling` (the project) no remote code is needed, and "
              "without `trust_remote_code` plain transformers refuses the folder rather than attaching a random head. "
              "`pipeline(\"text-classification\", model=FOLDER, trust_remote_code=True, top_k=None)` gives the "
              "network's sigmoid scores; `nlp predict` also blends in the TF-IDF model of `tfidf/` (weight and "
              "per-area thresholds in nlp_model.json) and returns 1-3 areas, primary first: use "
              "`nlp.load(…, areas=FOLDER)` for that."),
    "tfidf": "Not a transformers model: JSON vocabulary and safetensors weights, loaded by the project only.",
}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4f}"
    return str(value)


def _names(base: Any, folder: str) -> bool:
    """Whether the model reference `base` is the project's encoder folder `folder` (at any root)."""
    return base is not None and Path(str(base)).as_posix().endswith(Path(folder).as_posix())


def model_card(info: dict[str, Any]) -> str:
    """The README.md text of a model folder whose nlp_model.json is `info`."""
    kind = info["kind"]
    task, what = WHAT.get(kind, ("other", kind))
    config = info.get("config") or {}
    base = (config.get("model") or {}).get("name_or_path")
    adapted_base = _names(base, ADAPTED_ENCODER)
    default_base = adapted_base or _names(base, DEFAULT_ENCODER)
    training = config.get("training") or {}
    prov = info.get("provenance") or {}
    lines = ["---", "language: zh", f"license: {'apache-2.0' if default_base or base is None else 'other'}",
             f"pipeline_tag: {task}", "tags: [chinese, government-work-reports, gov-report-nlp]", "---", "",
             f"# gov-report-nlp `{kind}` model", "", what, ""]
    if base is not None:
        credit = "."
        if default_base:
            credit = (" — the 4-layer Chinese ALBERT shipped in the PyPI package envpos 0.82 (Apache-2.0, by Bi Huaibin), "
                      "prepared by `nlp encoder prepare`")
            credit += (", then trained further as a masked language model on unlabelled work reports by "
                       "`nlp encoder adapt`." if adapted_base else ".")
        lines += [f"**Base encoder**: `{base}`{credit}", ""]
    data = config.get("data") or {}
    if data:
        lines += [f"**Training data**: the project's gold annotations (`{data.get('gold_dir')}`, split file "
                  f"`{data.get('splits')}`), trained on the train split, the epoch chosen on dev; the test split is "
                  "scored by `nlp evaluate` only (figures in the project README).", ""]
    if training:
        keys = ("epochs", "batch_size", "learning_rate", "head_lr_scale", "seed", "init")
        lines += ["**Training settings**: " + ", ".join(f"{k} {training[k]}" for k in keys if k in training) + ".", ""]
    metrics = info.get("dev_metrics") or {}
    if metrics:
        lines += ["## Dev figures", "", "| metric | value |", "|---|---:|"]
        lines += [f"| {k} | {_fmt(v)} |" for k, v in metrics.items() if isinstance(v, (int, float)) and not k.startswith("eval_")]
        lines.append("")
    lines += ["## Labels", "", ", ".join(f"`{label}`" for label in info.get("labels", [])), "",
              "## Use", "", "```python", "import nlp", "",
              f"reader = nlp.load(ner=\"models/ner\", areas=\"models/areas\")  # this folder as `{'ner' if kind == 'ner' else 'areas'}`",
              "reader(\"今年全市地区生产总值增长6%左右。\")", "```", "", PLAIN_TRANSFORMERS.get(kind, ""), ""]
    if prov:
        packages = ", ".join(f"{k} {v}" for k, v in (prov.get("packages") or {}).items() if v)
        lines += ["## Provenance", "", f"Commit {prov.get('commit') or 'unknown'}, {prov.get('date')}; {packages}.", ""]
    return "\n".join(lines)


def write_model_card(output_dir: Path, info: dict[str, Any]) -> Path:
    path = Path(output_dir) / "README.md"
    path.write_text(model_card(info), encoding="utf-8")
    return path
