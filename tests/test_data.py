"""Gold records per split, extra BIO data, BIO <-> spans, and one-label-per-character alignment."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.config import DataConfig, NerDataConfig
from nlp.data import bio_to_spans, extra_bio_records, load_split_records, ner_records, read_bio, spans_to_bio
from nlp.model.chars import align_labels, encode_chars, first_token_positions

TEXT = "全年 地区生产总值增长8.5%，\t2021年新增就业6717人。"


def span(text: str, part: str, label: str) -> tuple[int, int, str]:
    start = text.index(part)
    return (start, start + len(part), label)


SPANS = [span(TEXT, "地区生产总值增长8.5%", "TARGET"), span(TEXT, "新增就业6717人", "ACHIEVED")]


@pytest.fixture(scope="module")
def tokenizer(encoder):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(encoder)


@pytest.fixture()
def tiny_data(project_root: Path) -> DataConfig:
    gold = project_root / "tests/fixtures/tiny_gold"
    return DataConfig(gold_dir=gold, splits=gold / "splits.yaml")


def test_bio_round_trip_keeps_every_character():
    tags = spans_to_bio(len(TEXT), SPANS)
    assert len(tags) == len(TEXT)
    assert tags[TEXT.index("地")] == "B-TARGET" and tags[TEXT.index("%")] == "I-TARGET"
    assert tags[TEXT.index(" ")] == "O" and tags[TEXT.index("\t")] == "O"
    assert bio_to_spans(tags) == SPANS
    assert [TEXT[s:e] for s, e, _ in bio_to_spans(tags)] == ["地区生产总值增长8.5%", "新增就业6717人"]


def test_lenient_decoding_never_drops_a_tagged_character():
    tags = ["I-X", "I-X", "B-X", "I-Y", "O", "I-Y", "B-Y", "I-Y"]
    assert bio_to_spans(tags) == [(0, 2, "X"), (2, 3, "X"), (3, 4, "Y"), (5, 6, "Y"), (6, 8, "Y")]
    assert spans_to_bio(len(tags), bio_to_spans(tags)) == ["B-X", "I-X", "B-X", "B-Y", "O", "B-Y", "B-Y", "I-Y"]


def test_spans_to_bio_rejects_overlap_and_out_of_range():
    with pytest.raises(ValueError, match="overlaps"):
        spans_to_bio(10, [(0, 4, "A"), (3, 6, "B")])
    with pytest.raises(ValueError, match="outside"):
        spans_to_bio(5, [(3, 6, "A")])


def test_character_labels_survive_tokenisation(tokenizer):
    """Whitespace, digits, an unknown character and a zero-width space all keep one label each."""
    text = TEXT + "\u200b龘 x"
    tags = spans_to_bio(len(text), SPANS)
    label2id = {t: i for i, t in enumerate(sorted(set(tags)))}
    enc = encode_chars(tokenizer, [text], max_length=len(text) + 2)
    word_ids = enc.word_ids(0)
    labels = align_labels(word_ids, [label2id[t] for t in tags])
    assert labels[0] == -100 and labels[-1] == -100  # [CLS] and [SEP]
    recovered = [labels[p] for p in first_token_positions(word_ids)]
    assert recovered == [label2id[t] for t in tags]
    assert sum(label != -100 for label in labels) == len(text)


def test_encode_chars_refuses_silent_truncation(tokenizer):
    with pytest.raises(ValueError, match="does not fit max_length"):
        encode_chars(tokenizer, ["一二三四五六七八"], max_length=6)


def test_split_records_and_entity_filter(tiny_data):
    splits = load_split_records(tiny_data, ["train", "dev"])
    assert set(splits) == {"train", "dev"}
    assert {r["doc_id"] for r in splits["train"]} == {"synthetic-train"}
    assert len(splits["dev"]) == 8
    area_only = [r for r in splits["train"] if r.get("entities_annotated") is False]
    assert area_only and all(r["areas"] for r in area_only)
    kept = ner_records(splits["train"])
    assert len(kept) == len(splits["train"]) - len(area_only)
    for rec in splits["train"]:
        for ent in rec["entities"]:
            assert rec["text"][ent["start"]:ent["end"]]  # offsets point into the text


def test_gold_document_outside_every_split_is_an_error(tiny_data, tmp_path):
    splits = tmp_path / "splits.yaml"
    splits.write_text("train: [synthetic-train]\ndev: [synthetic-dev]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="synthetic-test"):
        load_split_records(DataConfig(gold_dir=tiny_data.gold_dir, splits=splits), ["train"])


def test_read_bio_maps_labels(tmp_path):
    path = tmp_path / "aux.bio"
    path.write_text("在 O\n安 B-LOC\n徽 I-LOC\n中\tB-ORG\n心\tI-ORG\n\n北 B-LOC\n京 I-LOC\n", encoding="utf-8")
    records = read_bio(path, {"LOC": "REGION"})
    assert [r["text"] for r in records] == ["在安徽中心", "北京"]
    assert records[0]["entities"] == [{"start": 1, "end": 3, "label": "REGION"}]  # ORG becomes O
    assert records[1]["entities"] == [{"start": 0, "end": 2, "label": "REGION"}]
    sampled = extra_bio_records(NerDataConfig(extra_bio=[path], extra_bio_max=1), seed=1)
    assert len(sampled) == 1 and sampled[0] in records


def test_read_bio_reports_bad_line(tmp_path):
    path = tmp_path / "bad.bio"
    path.write_text("安 B-LOC\n徽 LOC\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.bio:2"):
        read_bio(path, {"LOC": "REGION"})
