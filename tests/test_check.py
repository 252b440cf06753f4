"""`nlp annotate check`: each mechanical boundary rule fires on a span that breaks it and
stays quiet on one that follows it; the shipped gold is checked as a whole."""

from __future__ import annotations

import json

import pytest

from nlp.annotate.check import check_records, span_problems
from nlp.cli import main


@pytest.mark.parametrize(("text", "span", "label", "rule"), [
    ("完成改造47.63万户、新建", (0, 12), "ACHIEVED", "ends on punctuation '、'"),
    ("，合肥市", (0, 4), "REGION", "starts on punctuation '，'"),
    ("建设“智慧城市", (0, 7), "PROJECT", "unbalanced “”"),
    ("建设智慧城市（", (0, 7), "PROJECT", "ends on an opener '（'"),
    ("增长8.5%左右", (0, 3), "TARGET", "ends inside a number"),
    ("增长8%左右", (0, 3), "TARGET", "ends before its %"),
    ("全年地区生产总值增长5%", (0, 12), "TARGET", "starts with the scope word '全年'"),
])
def test_each_rule_fires(text, span, label, rule):
    assert rule in span_problems(text, *span, label)


@pytest.mark.parametrize(("text", "span", "label"), [
    ("地区生产总值增长8.5%左右。", (0, 13), "TARGET"),
    ("晋级全省开发区20强", (2, 10), "ACHIEVED"),  # a rank keeps its scope (spec)
    ("建设“智慧城市”工程", (0, 10), "PROJECT"),
    ("全国重点实验室3家", (0, 9), "ACHIEVED"),
])
def test_spans_that_follow_the_rules_pass(text, span, label):
    assert span_problems(text, *span, label) == []


def test_findings_name_file_line_and_span(tmp_path, capsys):
    rows = [("g.jsonl:3", {"id": "p1", "text": "合肥、芜湖", "entities": [{"start": 0, "end": 3, "label": "REGION"}]})]
    [finding] = check_records(rows)
    assert finding.line() == "g.jsonl:3: p1 [0, 3) REGION '合肥、': ends on punctuation '、'"
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"id": "d1-p0000", "doc_id": "d1", "section": "", "year": 2021, "areas": ["other"],
                                "markup": "[合肥、]{REGION}芜湖", "reviewed": True, "annotator": "a",
                                "entities_annotated": True}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["annotate", "check", str(gold)]) == 1
    out = capsys.readouterr()
    assert f"{gold}:1: d1-p0000 [0, 3) REGION '合肥、'" in out.out and "1 finding(s)" in out.err


def test_shipped_gold_has_few_findings(project_root):
    from nlp.annotate.check import check_files
    from nlp.annotate.splits import iter_gold_files

    findings = check_files(list(iter_gold_files(project_root / "annotations" / "gold")))
    assert len(findings) <= 10, [f.line() for f in findings]
