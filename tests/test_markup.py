from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.annotate.markup import (
    MarkupError,
    doc_id_of,
    gold_to_offsets,
    offsets_to_gold,
    parse_markup,
    render_markup,
)
from nlp.annotate.worklist import locate_spans
from nlp.spec import ENTITY_LABELS

# Characters that stress the format: markup syntax, backslashes, CJK, digits, punctuation.
_CHARS = st.one_of(
    st.sampled_from(list("[]{}\\")),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from(list("0123456789.%，。、（）()")),
    st.characters(codec="utf-8"),
)


@st.composite
def text_and_entities(draw: st.DrawFn) -> tuple[str, list[dict]]:
    """A text cut into chunks at random points, each chunk either plain or an entity, so
    spans are non-overlapping and may touch."""
    text = draw(st.text(_CHARS, min_size=0, max_size=40))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=8))) if len(text) > 1 else []
    bounds = [0, *[c for c in cuts if c < len(text)], len(text)]
    entities = []
    for start, end in zip(bounds, bounds[1:]):
        label = draw(st.one_of(st.none(), st.sampled_from(ENTITY_LABELS)))
        if label and start < end:
            entities.append({"start": start, "end": end, "label": label, "text": text[start:end]})
    return text, entities


@given(text_and_entities())
def test_parse_inverts_render(case: tuple[str, list[dict]]) -> None:
    text, entities = case
    assert parse_markup(render_markup(text, entities)) == (text, entities)


def test_parse_gives_offsets_pointing_at_their_text() -> None:
    text, ents = parse_markup(r"[安徽省]{REGION}全年[地区生产总值增长8.5%]{TARGET}，文件\[2021\]号")
    assert text == "安徽省全年地区生产总值增长8.5%，文件[2021]号"
    assert [(e["label"], text[e["start"] : e["end"]]) for e in ents] == [
        ("REGION", "安徽省"),
        ("TARGET", "地区生产总值增长8.5%"),
    ]
    assert all(e["text"] == text[e["start"] : e["end"]] for e in ents)


def test_render_escapes_markup_characters() -> None:
    text = "a[b]{c}\\d"
    assert render_markup(text, [{"start": 1, "end": 4, "label": "REGION"}]) == r"a[\[b\]]{REGION}\{c\}\\d"


@pytest.mark.parametrize(
    ("markup", "position", "phrase"),
    [
        ("全年[增长8%", 2, "unclosed '['"),
        ("全年增长8%]{TARGET}", 6, "unmatched ']'"),
        ("全年[增长8%]后", 8, "label missing"),
        ("全年[增长8%]{}", 8, "label missing"),
        ("全年[增长8%]{TARGET", 8, "unclosed '{'"),
        ("[安徽[合肥]{REGION}]{REGION}", 3, "nested span"),
        ("[]{REGION}", 0, "empty span"),
        ("全年{增长", 2, "unescaped '{'"),
        ("a\\b", 1, "backslash"),
        ("a\\", 1, "backslash"),
        ("[a]{RE GION}", 3, "malformed label"),
    ],
)
def test_malformed_markup_raises_with_position(markup: str, position: int, phrase: str) -> None:
    with pytest.raises(MarkupError, match=re.escape(phrase)) as info:
        parse_markup(markup)
    assert info.value.position == position
    assert f"position {position}" in str(info.value)


@pytest.mark.parametrize(
    ("entities", "phrase"),
    [
        ([{"start": 0, "end": 0, "label": "REGION"}], "empty or outside"),
        ([{"start": 2, "end": 9, "label": "REGION"}], "empty or outside"),
        ([{"start": 0, "end": 3, "label": "REGION"}, {"start": 2, "end": 4, "label": "TARGET"}], "overlaps"),
        ([{"start": 0, "end": 2, "label": "BAD LABEL"}], "label"),
        ([{"start": 0, "end": 2, "label": "REGION", "text": "合肥"}], "claims"),
    ],
)
def test_render_rejects_bad_spans(entities: list[dict], phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase):
        render_markup("安徽省合肥", entities)


def test_doc_id_of() -> None:
    assert doc_id_of("anhui-2021-p0003") == "anhui-2021"
    assert doc_id_of("x-p0001-p0012") == "x-p0001"
    with pytest.raises(ValueError, match="not of the form"):
        doc_id_of("anhui-2021")


def test_gold_record_round_trip_keeps_extra_keys() -> None:
    gold = {
        "id": "ah-p0001",
        "doc_id": "ah",
        "areas": ["macro", "industry"],
        "markup": "[安徽]{REGION}[生产总值增长8%]{TARGET}\\[注\\]",
        "reviewed": True,
        "annotator": "li",
        "note": "x",
    }
    offsets = gold_to_offsets(gold)
    assert offsets["text"] == "安徽生产总值增长8%[注]"
    assert offsets["entities"] == [
        {"start": 0, "end": 2, "label": "REGION"},
        {"start": 2, "end": 10, "label": "TARGET"},
    ]
    assert offsets["note"] == "x" and "markup" not in offsets
    back = offsets_to_gold(offsets)
    assert back == gold and list(back) == list(gold)


def test_offsets_to_gold_fills_missing_bookkeeping() -> None:
    gold = offsets_to_gold({"id": "ah-p0002", "text": "池州", "entities": [], "areas": ["other"]})
    assert gold == {"id": "ah-p0002", "doc_id": "ah", "areas": ["other"], "markup": "池州", "reviewed": False, "annotator": ""}


def test_add_context_takes_section_year_and_region_from_ingest_output() -> None:
    from nlp.annotate.worklist import add_context

    records = [{"id": "dA-p0003", "doc_id": "dA", "areas": ["macro"], "markup": "x", "reviewed": True},
               {"id": "dB-p0001", "doc_id": "dB", "areas": ["other"], "markup": "y", "reviewed": True}]
    paragraphs = [{"para_id": "dA-p0003", "section": "一、工作回顾"}, {"para_id": "dB-p0001", "section": ""}]
    documents = [{"doc_id": "dA", "year": 2021, "region": "宝兴县"}, {"doc_id": "dB", "year": None, "region": None}]
    first, second = add_context(records, paragraphs, documents)
    assert list(first) == ["id", "doc_id", "section", "year", "region", "areas", "markup", "reviewed"]
    assert (first["section"], first["year"], first["region"]) == ("一、工作回顾", 2021, "宝兴县")
    assert second["section"] == "" and "year" not in second and "region" not in second
    assert gold_to_offsets(first)["section"] == "一、工作回顾"  # the context reaches the offset records
    with pytest.raises(ValueError, match="dC-p0001"):
        add_context([{"id": "dC-p0001", "doc_id": "dC"}], paragraphs, documents)


def test_locate_spans_takes_an_explicit_start_for_a_later_occurrence() -> None:
    text = "发展中国家和中国人民"
    assert locate_spans(text, [["中国", "REGION"]], "r")[0]["start"] == 2
    assert locate_spans(text, [["中国", "REGION", 6]], "r") == [{"start": 6, "end": 8, "label": "REGION", "text": "中国"}]
    with pytest.raises(ValueError, match="not at offset 5"):
        locate_spans(text, [["中国", "REGION", 5]], "r")
    with pytest.raises(ValueError, match="not at offset 2 after offset 8"):
        locate_spans(text, [["中国", "REGION", 6], ["中国", "REGION", 2]], "r")
