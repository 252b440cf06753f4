"""NerTagger on a tiny random encoder: the EntityTagger contract, save/load, resume, init."""

from __future__ import annotations

import json

import pytest
import torch

from nlp.config import load_config
from nlp.model.hf import is_saved_model
from nlp.model.interfaces import EntityTagger
from nlp.model.ner import NerTagger
from nlp.spec import ENTITY_LABELS, bio_labels

TEXTS = [
    "全年地区生产总值增长8.5%左右，城镇新增就业850人。",
    "推进 甲乙高速 建设。" * 12,  # longer than one window
    "",
    "2021年",
]


@pytest.fixture(scope="module")
def untrained(encoder) -> NerTagger:
    """A tagger with a random head: its spans are arbitrary, so every contract is exercised."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    labels = bio_labels()
    model = AutoModelForTokenClassification.from_pretrained(
        encoder, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={t: i for i, t in enumerate(labels)}
    )
    return NerTagger(model, AutoTokenizer.from_pretrained(encoder), max_length=24, stride=6, device="cpu")


def test_predict_honours_the_entity_tagger_contract(untrained):
    assert isinstance(untrained, EntityTagger)
    out = untrained.predict(TEXTS, batch_size=3)
    assert len(out) == len(TEXTS) and out[2] == []
    assert sum(map(len, out)) > 0
    for text, entities in zip(TEXTS, out):
        ends = [0]
        for ent in entities:
            assert set(ent) == {"start", "end", "label", "text", "score"}
            assert ent["label"] in ENTITY_LABELS
            assert ent["start"] >= ends[-1] and ent["end"] > ent["start"]  # sorted, no overlap
            assert text[ent["start"]:ent["end"]] == ent["text"]
            assert 0.0 < ent["score"] <= 1.0
            ends.append(ent["end"])
    assert out == untrained.predict(TEXTS, batch_size=1)  # batching does not change results


def test_save_load_round_trip(untrained, tmp_path):
    untrained.save(tmp_path / "ner")
    assert is_saved_model(tmp_path / "ner")
    loaded = NerTagger.load(tmp_path / "ner", device="cpu")
    assert (loaded.max_length, loaded.stride, loaded.labels) == (24, 6, bio_labels())
    assert loaded.min_lengths == {}
    assert loaded.predict(TEXTS) == untrained.predict(TEXTS)
    with pytest.raises(FileNotFoundError, match="nlp_model.json"):
        NerTagger.load(tmp_path)


def test_training_resumes_from_last_checkpoint(encoder, tmp_path, project_root, monkeypatch):
    from nlp.train import train

    monkeypatch.chdir(project_root)
    out = tmp_path / "ner"
    base = [f"model.name_or_path={encoder}", f"training.output_dir={out}"]
    first = train(load_config("tests/configs/tiny-ner.yaml", base + ["training.epochs=1"]))
    assert {"f1", "precision", "recall", "overlap_f1", "REGION_f1", "epoch"} <= set(first)
    assert (out / "checkpoints").is_dir() and is_saved_model(out)

    train(load_config("tests/configs/tiny-ner.yaml", base + ["training.epochs=2", "training.resume=true"]))
    log = [json.loads(line) for line in (out / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    eval_epochs = [entry["epoch"] for entry in log if "eval_f1" in entry]
    assert eval_epochs == [1.0, 2.0]  # epoch 1 was not trained again
    assert [e for e in log if "loss" in e][0]["step"] < [e for e in log if "loss" in e][-1]["step"]

    train(load_config("tests/configs/tiny-ner.yaml", base + ["training.epochs=1"]))  # resume: false starts over
    log = (out / "log.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["epoch"] for line in log if "eval_f1" in line] == [1.0]


def test_random_init_keeps_architecture_not_weights(encoder):
    from transformers import AutoModel, AutoModelForTokenClassification

    from nlp.model.hf import build_model

    reference = AutoModel.from_pretrained(encoder).embeddings.word_embeddings.weight
    pretrained = build_model(AutoModelForTokenClassification, str(encoder), "pretrained", 1, num_labels=9)
    random = build_model(AutoModelForTokenClassification, str(encoder), "random", 1, num_labels=9)
    assert pretrained.bert.embeddings.word_embeddings.weight.equal(reference)
    assert random.bert.embeddings.word_embeddings.weight.shape == reference.shape
    assert not random.bert.embeddings.word_embeddings.weight.equal(reference)


def test_rule_hints_ride_on_token_types_and_survive_save_load(encoder, tmp_path):
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from nlp.model.hints import hint_ids, widen_token_types
    from nlp.rules.tagger import RuleTagger

    labels = bio_labels()
    model = AutoModelForTokenClassification.from_pretrained(
        encoder, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={t: i for i, t in enumerate(labels)}
    )
    widen_token_types(model, len(labels))
    table = model.base_model.embeddings.token_type_embeddings.weight
    assert table.shape[0] == len(labels) == model.config.type_vocab_size
    assert all(table[i].equal(table[0]) for i in range(len(labels)))  # hints start neutral
    tagger = NerTagger(model, AutoTokenizer.from_pretrained(encoder), max_length=24, stride=6, hints="rules",
                       device="cpu")
    text = "推进池州市江南产业集中区建设，地区生产总值增长8%。" * 3  # several windows
    [hints] = hint_ids([text], RuleTagger().predict([text]), labels)
    assert len(hints) == len(text) and any(hints)  # the rules found something: hints are not all O
    with torch.no_grad():  # make the hints matter, then check they reach the model at predict
        table[1:] += 3.0 * torch.randn(table[1:].shape, generator=torch.Generator().manual_seed(0))
    with_hints = tagger.predict([text])
    tagger.hints = "none"
    assert tagger.predict([text]) != with_hints
    tagger.hints = "rules"
    tagger.save(tmp_path / "ner")
    loaded = NerTagger.load(tmp_path / "ner", device="cpu")
    assert loaded.hints == "rules" and loaded.predict([text]) == with_hints
    for ent in with_hints[0]:
        assert text[ent["start"]:ent["end"]] == ent["text"]


def test_take_rule_regions_swaps_region_spans_and_keeps_spans_flat():
    from nlp.model.hints import take_rule_regions

    model = [{"start": 0, "end": 1, "label": "REGION"}, {"start": 2, "end": 9, "label": "PROJECT"},
             {"start": 12, "end": 20, "label": "TARGET"}]
    rules = [{"start": 0, "end": 3, "label": "REGION"}, {"start": 4, "end": 6, "label": "REGION"},
             {"start": 10, "end": 12, "label": "REGION"}, {"start": 12, "end": 20, "label": "ACHIEVED"}]
    out = take_rule_regions(model, rules)
    # the model's REGION goes; rule regions inside the model's PROJECT are left out; other rule labels are ignored
    assert [(e["start"], e["end"], e["label"]) for e in out] == [(2, 9, "PROJECT"), (10, 12, "REGION"), (12, 20, "TARGET")]


def test_union_regions_adds_model_regions_the_rules_miss():
    from nlp.model.hints import union_regions

    model = [{"start": 0, "end": 2, "label": "REGION"}, {"start": 3, "end": 4, "label": "REGION"},
             {"start": 5, "end": 8, "label": "REGION"}, {"start": 9, "end": 15, "label": "PROJECT"},
             {"start": 16, "end": 20, "label": "TARGET"}]
    rules = [{"start": 1, "end": 3, "label": "REGION"}, {"start": 10, "end": 12, "label": "REGION"},
             {"start": 16, "end": 20, "label": "ACHIEVED"}]
    out = union_regions(model, rules)
    # the rule REGION wins over the model's it overlaps (0-2), a one-character model REGION (3-4) is a
    # fragment, the model's 5-8 is added; a rule REGION inside the model's PROJECT stays out
    assert [(e["start"], e["end"], e["label"]) for e in out] == [
        (1, 3, "REGION"), (5, 8, "REGION"), (9, 15, "PROJECT"), (16, 20, "TARGET")]


@pytest.mark.parametrize("mode", ["rules", "union"])
def test_regions_from_rules_at_predict_and_after_save_load(untrained, tmp_path, mode):
    from nlp.rules.tagger import RuleTagger

    text = "推进池州市江南产业集中区建设，贵池区地区生产总值增长8%。" * 3
    rule_regions = {(e["start"], e["end"]) for e in RuleTagger().predict([text])[0] if e["label"] == "REGION"}
    assert rule_regions  # the gazetteer finds 池州市 / 贵池区
    [bare] = untrained.predict([text])
    untrained.regions = mode
    try:
        [found] = untrained.predict([text])
        untrained.save(tmp_path / "ner")
    finally:
        untrained.regions = "model"
    others = [e for e in found if e["label"] != "REGION"]
    regions = {(e["start"], e["end"]) for e in found if e["label"] == "REGION"}
    from_rules = {r for r in rule_regions if not any(e["start"] < r[1] and r[0] < e["end"] for e in others)}
    from_model = {(e["start"], e["end"]) for e in bare if e["label"] == "REGION"} - from_rules
    assert from_rules <= regions <= from_rules | (from_model if mode == "union" else set())
    assert all(text[e["start"]:e["end"]] == e["text"] for e in found)
    loaded = NerTagger.load(tmp_path / "ner", device="cpu")
    assert loaded.regions == mode and loaded.predict([text]) == [found]


def test_the_report_region_reaches_the_rules_at_predict(untrained, monkeypatch):
    from nlp.rules.tagger import RuleTagger

    text = "宝兴熊猫文化享誉全国，宝兴路改造完成。"
    untrained.regions = "rules"
    try:
        [[own]] = [[e for e in ents if e["label"] == "REGION"] for ents in untrained._rules([text], None, None, ["宝兴县"])]
        assert (own["start"], own["end"]) == (0, 2)
        assert not any(e["label"] == "REGION" for e in untrained._rules([text], None, None, None)[0])
        seen = []
        rule_predict = RuleTagger.predict
        monkeypatch.setattr(RuleTagger, "predict", lambda self, texts, **kw: seen.append(kw) or rule_predict(self, texts, **kw))
        untrained.predict([text], years=[2021], report_regions=["宝兴县"])
    finally:
        untrained.regions = "model"
    assert seen[0]["report_regions"] == ["宝兴县"] and seen[0]["years"] == [2021]


def test_hints_need_token_type_embeddings():
    from types import SimpleNamespace

    from nlp.model.hints import widen_token_types

    fake = SimpleNamespace(base_model=SimpleNamespace(embeddings=SimpleNamespace()), config=SimpleNamespace())
    with pytest.raises(ValueError, match="model.hints"):
        widen_token_types(fake, 9)



def test_rule_hints_read_the_section_and_year():
    from nlp.model.hints import hint_ids
    from nlp.rules.tagger import RuleTagger

    labels = bio_labels()
    text = "地区生产总值增长8%。"
    plan, review = hint_ids([text, text], RuleTagger().predict([text, text], sections=["二、2021年工作安排", "一、2020年工作回顾"], years=[2021, 2021]), labels)
    assert [labels[i] for i in plan][:2] == ["B-TARGET", "I-TARGET"]
    assert [labels[i] for i in review][:2] == ["B-ACHIEVED", "I-ACHIEVED"]
    assert labels[plan[-1]] == "O" and len(plan) == len(text)


def test_shortest_spans_per_label():
    from nlp.model.ner import shortest_spans

    records = [{"entities": [{"start": 0, "end": 3, "label": "REGION"}, {"start": 4, "end": 12, "label": "TARGET"}]},
               {"entities": [{"start": 2, "end": 4, "label": "REGION"}]}, {"entities": []}]
    assert shortest_spans(records) == {"REGION": 2, "TARGET": 8}


def test_undecided_tense_has_hint_types_of_its_own():
    from nlp.model.hints import hint_ids, hint_labels
    from nlp.rules.tagger import RuleTagger

    text, cued = "地区生产总值增长8%。", "力争地区生产总值增长8%。"
    bare, with_cue, planned = RuleTagger().predict([text, cued, text], sections=["", "", "二、2021年工作安排"])
    assert [e["tense_cue"] for e in bare + with_cue + planned] == [False, True, True]
    vocabulary = hint_labels(bio_labels(), undecided=True)
    assert vocabulary[-2:] == ["B-QUANTITY", "I-QUANTITY"]
    ids = hint_ids([text, cued, text], [bare, with_cue, planned], vocabulary)
    assert [vocabulary[i] for i in ids[0][:2]] == ["B-QUANTITY", "I-QUANTITY"]
    assert vocabulary[ids[1][2]] == "B-TARGET" and vocabulary[ids[2][0]] == "B-TARGET"
    # a vocabulary without the extra types (models saved before them) keeps the rules' label
    old = hint_ids([text], [bare], bio_labels())[0]
    assert bio_labels()[old[0]] == "B-ACHIEVED"


def test_drop_context_hides_section_year_and_region_of_a_seeded_share():
    from nlp.model.ner import drop_context

    texts, sections, years = [f"t{i}" for i in range(10)], [f"s{i}" for i in range(10)], list(range(10))
    regions = [f"r{i}" for i in range(10)]
    _, kept_sections, kept_years, kept_regions = drop_context((texts, sections, years, regions), 0.3, seed=1)
    dropped = [i for i, s in enumerate(kept_sections) if s == ""]
    assert len(dropped) == 3 and all(kept_years[i] is None and kept_regions[i] is None for i in dropped)
    assert all(kept_sections[i] == sections[i] and kept_years[i] == i and kept_regions[i] == regions[i]
               for i in range(10) if i not in dropped)
    assert drop_context((texts, sections, years, regions), 0.3, seed=1)[1] == kept_sections
    assert drop_context((texts, sections, years, regions), 0.0, seed=1)[1] == sections


def test_context_dropout_must_be_a_share():
    from nlp.config import ConfigError

    with pytest.raises(ConfigError, match="data.context_dropout"):
        load_config("tests/configs/tiny-ner.yaml", overrides=["data.context_dropout=1.5"])


@pytest.mark.parametrize("precision", ["fp32", "bf16", "int8"])
def test_reduced_precision_keeps_the_contract_and_nearly_the_scores(untrained, tmp_path, precision):
    untrained.save(tmp_path / "m")
    reference = NerTagger.load(tmp_path / "m", device="cpu")
    reduced = NerTagger.load(tmp_path / "m", device="cpu", precision=precision)
    assert reduced.precision == precision
    chunks = ["全年地区生产总值增长8.5%左右", "推进甲乙高速建设"]
    ref, low = reference._score(chunks, None, 8), reduced._score(chunks, None, 8)
    assert all(a.shape == b.shape for a, b in zip(ref, low))
    assert max(float(abs(a - b).max()) for a, b in zip(ref, low)) < (1e-6 if precision == "fp32" else 0.1)
    for ents, text in zip(reduced.predict(TEXTS), TEXTS):
        assert all(text[e["start"]:e["end"]] == e["text"] for e in ents)


def test_auto_precision_is_bf16_only_on_native_hardware(monkeypatch):
    import nlp.model.precision as precision

    cpu = torch.device("cpu")
    monkeypatch.setattr(precision, "_cpu_flags", lambda: frozenset({"avx2", "fma"}))
    assert precision.resolve_precision("auto", cpu) == "fp32"
    monkeypatch.setattr(precision, "_cpu_flags", lambda: frozenset({"avx2", "amx_bf16"}))
    assert precision.resolve_precision("auto", cpu) == "bf16"
    with pytest.raises(ValueError, match="runtime.precision"):
        precision.resolve_precision("fp8", cpu)
    with pytest.raises(ValueError, match="CPU only"):
        precision.resolve_precision("int8", torch.device("cuda"))
