"""`nlp predict`: output schema and exact offsets, CSV tables, pre-segmented JSONL, bad
documents, resume and atomic outputs. Most tests run the real code path with small fake
predictors; one runs the tiny transformer models and one the baselines, through the CLI."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from nlp.cli import main
from nlp.config import OutputConfig, PredictAreasConfig, PredictConfig, PredictNerConfig
from nlp.ingest import ingest
from nlp.ingest.documents import is_presegmented
from nlp.io import atomic_writer, read_jsonl
from nlp.normalize.indicators import indicator_id
from nlp.normalize.measures import measures
from nlp.predict import Predictors, predict_paths
from nlp.rules.gazetteer import lookup_region
from nlp.spec import AREA_LABELS, ENTITY_LABELS, QUANTITY_LABELS
from nlp.tables import region_code

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "nlp" / "resources" / "samples"
GUICHI, JINAN, ANHUI = SAMPLES / "guichi-2021.txt", SAMPLES / "jinan-2020.txt", SAMPLES / "anhui-2026.csv"
TINY_GOLD = ROOT / "tests" / "fixtures" / "tiny_gold"
PARAGRAPH_KEYS = {"id", "doc_id", "text", "section", "areas", "entities"}


class Crash(BaseException):
    """Stands for the process dying (not an error a run recovers from)."""


class FakeTagger:
    """TARGET on `增长N%`, REGION on a few names. Records the texts it sees; raises
    RuntimeError on a text containing `fail_on`, and Crash on its call number `crash_at`."""

    PATTERNS = ((re.compile(r"增长[0-9０-９.]+[%％]"), "TARGET"), (re.compile("安徽省|池州市|贵池区|六安市|金安区"), "REGION"))

    def __init__(self, fail_on: str | None = None, crash_at: int | None = None) -> None:
        self.fail_on, self.crash_at = fail_on, crash_at
        self.texts: list[str] = []
        self.report_regions: list[str | None] = []
        self.calls = 0

    def predict(self, texts, *, sections=None, years=None, report_regions=None, batch_size=16):
        self.calls += 1
        if self.calls == self.crash_at:
            raise Crash()
        assert len(sections) == len(texts) and len(years) == len(texts) and len(report_regions) == len(texts)
        self.report_regions += report_regions
        if self.fail_on and any(self.fail_on in t for t in texts):
            raise RuntimeError("model exploded")
        self.texts += texts
        out = []
        for text in texts:
            spans = [(m.start(), m.end(), label) for pattern, label in self.PATTERNS for m in pattern.finditer(text)]
            out.append([{"start": s, "end": e, "label": lab, "text": text[s:e], "score": 0.9} for s, e, lab in sorted(spans)])
        return out


class FakeClassifier:
    """Two areas per text picked from its length, given lowest score first (predict sorts)."""

    def predict_proba(self, texts, *, batch_size=16):
        raise NotImplementedError

    def predict(self, texts, *, batch_size=16):
        return [[{"label": AREA_LABELS[len(t) % 7], "score": 0.3}, {"label": AREA_LABELS[7 + len(t) % 7], "score": 0.8}]
                for t in texts]


def fakes(**tagger_kwargs) -> Predictors:
    return Predictors(FakeTagger(**tagger_kwargs), FakeClassifier())


def make_cfg(tmp_path: Path, batch_size: int = 8, max_chars: int = 500) -> PredictConfig:
    """A predict config whose predictors the tests pass in (the model paths are not read)."""
    return PredictConfig(
        ner=PredictNerConfig(kind="rules", path=None), areas=PredictAreasConfig(kind="tfidf", path=tmp_path),
        batch_size=batch_size, max_paragraph_chars=max_chars, output=OutputConfig(formats=["jsonl", "csv"], dir=tmp_path / "out"),
    )


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def check_paragraphs(records: list[dict]) -> None:
    """The paragraphs.jsonl contract: keys, types, sorted areas, exact offsets, normalisation."""
    for rec in records:
        assert set(rec) == PARAGRAPH_KEYS
        assert all(isinstance(rec[k], str) for k in ("id", "doc_id", "text", "section"))
        scores = [a["score"] for a in rec["areas"]]
        assert 1 <= len(rec["areas"]) and scores == sorted(scores, reverse=True)
        assert all(a["label"] in AREA_LABELS and isinstance(a["score"], float) for a in rec["areas"])
        previous = None
        for ent in rec["entities"]:
            assert ent["label"] in ENTITY_LABELS
            assert isinstance(ent["start"], int) and isinstance(ent["end"], int)
            assert rec["text"][ent["start"] : ent["end"]] == ent["text"] != ""
            if ent["label"] in QUANTITY_LABELS:
                assert "normalized" not in ent
                own = measures(ent["text"])
                for m, o in zip(ent["measures"], own):  # an indicator from the span before (inherit_across_spans)
                    if m["indicator"] != o["indicator"]:
                        assert o["indicator"] is None and m["indicator_inherited"] and m["kind"] in ("growth", "comparison", "rank")
                        assert m["indicator"] == previous["measures"][-1]["indicator"] and previous["label"] == ent["label"]
                        o.update(indicator=m["indicator"], indicator_inherited=True)
                assert [{k: v for k, v in m.items() if k not in ("indicator_id", "period")} for m in ent["measures"]] == own
                previous = ent
                assert all(m["indicator_id"] == indicator_id(m["indicator"]) for m in ent["measures"])
                assert all(m["period"] is None or re.fullmatch(r"\d{4}(-\d{4})?", m["period"]) for m in ent["measures"])
            elif ent["label"] == "REGION":
                assert ent.get("normalized") == lookup_region(ent["text"])
            else:
                assert "normalized" not in ent


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("predict")
    summary = predict_paths(make_cfg(tmp), [GUICHI, ANHUI], tmp / "out", predictors=fakes(), progress=False)
    return summary, tmp / "out"


def test_output_schema_offsets_and_input_order(sample_run):
    summary, out = sample_run
    records = read_jsonl(out / "paragraphs.jsonl")
    expected = ingest([GUICHI, ANHUI], 500).paragraphs
    assert [r["id"] for r in records] == [p["para_id"] for p in expected]
    assert [r["text"] for r in records] == [p["text"] for p in expected]
    assert [r["doc_id"] for r in records] == [p["doc_id"] for p in expected]
    assert [r["section"] for r in records] == [p["section"] for p in expected]
    check_paragraphs(records)
    labels = Counter(e["label"] for r in records for e in r["entities"])
    assert labels["TARGET"] > 10 and labels["REGION"] > 5
    assert summary["documents"] == 2 and summary["paragraphs"] == len(records) and summary["errors"] == 0
    assert read_jsonl(out / "errors.jsonl") == []
    assert not list(out.glob(".*.tmp")) and not list(out.glob("*.tmp"))


def test_csv_tables_match_paragraphs(sample_run):
    _, out = sample_run
    records = read_jsonl(out / "paragraphs.jsonl")
    docs = {d["doc_id"]: d for d in ingest([GUICHI, ANHUI], 500).documents}

    quantities = [(r, e, m) for r in records for e in r["entities"] if e["label"] in QUANTITY_LABELS for m in e["measures"]]
    targets = read_csv(out / "targets.csv")
    assert len(targets) == len(quantities) >= sum(e["label"] in QUANTITY_LABELS for r in records for e in r["entities"])
    for row, (rec, ent, m) in zip(targets, quantities):
        doc = docs[rec["doc_id"]]
        assert (row["doc_id"], row["para_id"], row["label"], row["span_text"]) == (rec["doc_id"], rec["id"], ent["label"], ent["text"])
        assert (row["title"], row["region"], row["year"]) == (doc["title"], doc["region"], str(doc["year"]))
        assert row["region_code"] == (region_code(doc["region"]) or "")
        assert rec["text"][int(row["span_start"]) : int(row["span_end"])] == row["span_text"]
        assert row["span_text"][m["start"] : m["end"]] == row["measure_text"] != ""
        assert [float(v) for v in row["values"].split(";") if v] == m["values"]
        assert [float(v) for v in row["value_base"].split(";") if v] == m["value_base"]
        assert (row["value"], row["value_to"]) == tuple("" if v is None else str(v) for v in (m["value"], m["value_to"]))
        for key in ("indicator", "indicator_id", "kind", "change", "comparison", "unit", "qualifier", "period"):
            assert row[key] == (m[key] or ""), key

    mentions = [(r, e) for r in records for e in r["entities"] if e["label"] == "REGION"]
    regions = read_csv(out / "regions.csv")
    assert len(regions) == len(mentions)
    for row, (rec, ent) in zip(regions, mentions):
        found = lookup_region(ent["text"])
        assert (row["para_id"], row["text"], int(row["start"])) == (rec["id"], ent["text"], ent["start"])
        assert (row["name"], row["code"], row["level"]) == (found["name"], found["code"], found["level"])
        assert (row["parent"], row["parent_code"]) == (found["parent_name"] or "", found["parent_code"] or "")

    documents = read_csv(out / "documents.csv")
    assert [d["doc_id"] for d in documents] == list(docs)
    for row in documents:
        primaries = Counter(r["areas"][0]["label"] for r in records if r["doc_id"] == row["doc_id"])
        n = sum(primaries.values())
        assert int(row["n_paragraphs"]) == n == docs[row["doc_id"]]["n_paragraphs"]
        for area in AREA_LABELS:
            assert float(row[f"share_{area}"]) == pytest.approx(primaries[area] / n, abs=1e-4)


def test_the_tagger_reads_each_paragraph_with_its_report_region(tmp_path):
    predictors = fakes()
    predict_paths(make_cfg(tmp_path), [GUICHI, ANHUI], tmp_path / "out", predictors=predictors, progress=False)
    regions = {d["doc_id"]: d["region"] for d in read_csv(tmp_path / "out" / "documents.csv")}
    assert set(regions.values()) == {"池州市贵池区", "安徽省"}
    seen = Counter(zip(predictors.tagger.texts, predictors.tagger.report_regions))
    records = read_jsonl(tmp_path / "out" / "paragraphs.jsonl")
    assert seen == Counter((r["text"], regions[r["doc_id"]]) for r in records)


def test_presegmented_jsonl_keeps_ids_and_text(tmp_path):
    rows = [
        {"id": "A-1", "doc_id": "A", "text": "  全年地区生产总值增长６％，安徽省增长5%\u3000", "section": "一、目标", "year": 2021},
        {"id": "A-2", "doc_id": "A", "text": "【更多公文素材，微信：dadawk01】池州市"},
        {"id": "solo", "text": "贵池区 增长 3% 增长3%"},
    ]
    path = tmp_path / "paras.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert is_presegmented(path) and not is_presegmented(SAMPLES / "national-2025.jsonl")
    predictors = fakes()
    summary = predict_paths(make_cfg(tmp_path), [path], tmp_path / "out", predictors=predictors, progress=False)
    records = read_jsonl(tmp_path / "out" / "paragraphs.jsonl")
    assert [(r["id"], r["doc_id"], r["text"]) for r in records] == [(r["id"], r.get("doc_id", r["id"]), r["text"]) for r in rows]
    assert sorted(predictors.tagger.texts) == sorted(r["text"] for r in rows)
    check_paragraphs(records)
    assert [e["text"] for e in records[0]["entities"]] == ["增长６％", "安徽省", "增长5%"]
    assert summary["documents"] == 2
    assert [(d["doc_id"], d["n_paragraphs"], d["year"]) for d in read_csv(tmp_path / "out" / "documents.csv")] == [
        ("A", "2", "2021"), ("solo", "1", "")]


def test_bad_documents_are_reported_and_skipped(tmp_path):
    binary = tmp_path / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    pre = tmp_path / "pre.jsonl"
    pre.write_text(
        json.dumps({"id": "ok-1", "doc_id": "ok", "text": "安徽省增长5%"}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "bad-1", "doc_id": "bad", "text": "BOOM 增长1%"}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "bad-2", "doc_id": "bad", "text": "第二段"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    inputs = [GUICHI, binary, pre, tmp_path / "missing.txt"]
    # One group holds every document: the failing one must not take the others with it.
    cfg = make_cfg(tmp_path, batch_size=64)
    summary = predict_paths(cfg, inputs, tmp_path / "out", predictors=fakes(fail_on="BOOM"), progress=False)
    records = read_jsonl(tmp_path / "out" / "paragraphs.jsonl")
    assert [r["doc_id"] for r in records] == ["d007321776a77"] * 77 + ["ok"]
    errors = read_jsonl(tmp_path / "out" / "errors.jsonl")
    assert [e["source"] for e in errors] == [str(binary), f"{pre}:3", str(tmp_path / "missing.txt"), f"{pre}:2"]
    assert "invalid JSON" in errors[1]["error"] and "no such file" in errors[2]["error"]
    assert errors[3]["doc_id"] == "bad" and "model exploded" in errors[3]["error"]
    assert summary["documents"] == 2 and summary["errors"] == 4
    assert {d["doc_id"] for d in read_csv(tmp_path / "out" / "documents.csv")} == {"d007321776a77", "ok"}


def test_cli_exit_code_is_nonzero_only_when_nothing_was_predicted(tmp_path, capsys):
    binary = tmp_path / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    config = tmp_path / "predict.yaml"
    make_tfidf_model(tmp_path / "tfidf")
    config.write_text(f"task: predict\nner: {{kind: rules}}\nareas: {{kind: tfidf, path: {tmp_path / 'tfidf'}}}\n", encoding="utf-8")
    argv = ["predict", "--config", str(config), "--input", str(binary), "--output", str(tmp_path / "o"), "--no-progress"]
    assert main(argv) == 1
    assert "no document could be predicted" in capsys.readouterr().err
    assert len(read_jsonl(tmp_path / "o" / "errors.jsonl")) == 1
    assert main(["predict", "--config", str(config), "--set", "batch_size=0", "--input", str(binary)]) == 2
    assert "batch_size" in capsys.readouterr().err


def test_resume_predicts_only_documents_not_done(tmp_path):
    inputs = [GUICHI, JINAN, ANHUI]  # 77, 79 and 121 paragraphs: one group each at batch size 8
    cfg = make_cfg(tmp_path, batch_size=8)
    out = tmp_path / "out"
    first = fakes(crash_at=11)  # dies in the second document (batches 1-10 are the first one)
    with pytest.raises(Crash):
        predict_paths(cfg, inputs, out, predictors=first, progress=False)
    assert not (out / "paragraphs.jsonl").exists()

    docs = ingest(inputs, 500)
    by_doc = {d["doc_id"]: [p["text"] for p in docs.paragraphs if p["doc_id"] == d["doc_id"]] for d in docs.documents}
    second = fakes()
    summary = predict_paths(cfg, inputs, out, resume=True, predictors=second, progress=False)
    assert summary["resumed"] == 1 and summary["documents"] == 3
    assert sorted(second.tagger.texts) == sorted(t for d in docs.documents[1:] for t in by_doc[d["doc_id"]])

    fresh = fakes()
    predict_paths(cfg, inputs, tmp_path / "fresh", predictors=fresh, progress=False)
    for name in ("paragraphs.jsonl", "targets.csv", "regions.csv", "documents.csv"):
        assert (out / name).read_text(encoding="utf-8") == (tmp_path / "fresh" / name).read_text(encoding="utf-8")

    third = fakes()
    assert predict_paths(cfg, inputs, out, resume=True, predictors=third, progress=False)["resumed"] == 3
    assert third.tagger.calls == 0
    again = fakes()
    predict_paths(cfg, inputs, out, resume=False, predictors=again, progress=False)
    assert again.tagger.calls > 0  # without --resume everything is predicted again

    with pytest.raises(ValueError, match="cannot resume"):
        predict_paths(make_cfg(tmp_path, max_chars=300), inputs, out, resume=True, predictors=fakes(), progress=False)


def test_atomic_writer_leaves_old_file_on_failure(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_writer(path) as fh:
            fh.write("half a file")
            raise RuntimeError("disk full")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["targets.csv"]
    with atomic_writer(path) as fh:
        fh.write("new")
    assert path.read_text(encoding="utf-8") == "new"


# --- with the real model classes --------------------------------------------------------------


def make_tiny_models(root: Path) -> dict[str, Path]:
    """Untrained tiny NER and area models saved as `nlp train` saves them (random weights)."""
    from helpers import tiny_encoder
    from transformers import AutoModel, AutoModelForTokenClassification, AutoTokenizer

    from nlp.model.areas_encoder import EncoderAreaClassifier
    from nlp.model.ner import NerTagger
    from nlp.model.pooling import MeanPoolClassifier
    from nlp.spec import bio_labels

    encoder = tiny_encoder(root / "encoder")
    tokenizer = AutoTokenizer.from_pretrained(encoder)
    labels = bio_labels()
    ner = AutoModelForTokenClassification.from_pretrained(
        encoder, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={lab: i for i, lab in enumerate(labels)}
    )
    NerTagger(ner, tokenizer, max_length=64, stride=16, device="cpu").save(root / "ner")
    areas = MeanPoolClassifier.from_encoder(AutoModel.from_pretrained(encoder), AREA_LABELS)
    EncoderAreaClassifier(areas, tokenizer, max_length=64, device="cpu").save(root / "areas")
    return {"encoder": encoder, "ner": root / "ner", "areas": root / "areas"}


def test_tiny_models_through_the_cli(tmp_path, capsys):
    models = make_tiny_models(tmp_path / "models")
    out = tmp_path / "out"
    argv = ["predict", "--config", str(ROOT / "configs" / "predict.yaml"), "--set", f"ner.path={models['ner']}",
            "--set", f"areas.path={models['areas']}", "--set", "device=cpu", "--set", "batch_size=16",
            "--input", str(GUICHI), "--output", str(out), "--no-progress"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    records = read_jsonl(out / "paragraphs.jsonl")
    assert summary["paragraphs"] == len(records) == 77
    check_paragraphs(records)
    assert any(r["entities"] for r in records)  # random weights still tag something
    n_measures = sum(len(e["measures"]) for r in records for e in r["entities"] if e["label"] in QUANTITY_LABELS)
    assert len(read_csv(out / "targets.csv")) == n_measures


def make_tfidf_model(output_dir: Path) -> Path:
    """The TF-IDF baseline trained on the synthetic tiny gold set (about a second)."""
    from nlp.config import DataConfig, TfidfConfig, TfidfTrainingConfig
    from nlp.data import load_split_records
    from nlp.model.areas_tfidf import TfidfAreaClassifier

    data = DataConfig(gold_dir=TINY_GOLD, splits=TINY_GOLD / "splits.yaml")
    split = load_split_records(data, ["train", "dev"])
    tfidf = TfidfAreaClassifier()
    tfidf.fit(split["train"], split["dev"], TfidfConfig(data=data, training=TfidfTrainingConfig(output_dir=output_dir)))
    tfidf.save(output_dir)
    return output_dir


def test_baselines_through_the_same_path(tmp_path, capsys):
    make_tfidf_model(tmp_path / "tfidf")
    out = tmp_path / "out"
    argv = ["predict", "--config", str(ROOT / "configs" / "predict-baseline.yaml"), "--set", f"areas.path={tmp_path / 'tfidf'}",
            "--input", str(GUICHI), "--output", str(out), "--no-progress"]
    assert main(argv) == 0
    records = read_jsonl(out / "paragraphs.jsonl")
    check_paragraphs(records)
    assert {e["label"] for r in records for e in r["entities"]} >= {"REGION", "ACHIEVED"}
    assert read_csv(out / "targets.csv") and read_csv(out / "regions.csv")
