"""End-to-end ingestion: encodings, bad input, ids, segmentation and the real corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nlp.cli import main
from nlp.ingest import ingest
from nlp.ingest.decode import NotTextError, decode_bytes
from nlp.ingest.mapped import MappedText, decode_runs
from nlp.ingest.segment import segment

REPORT = (
    "池州市贵池区2021年政府工作报告\n——2021年1月11日在池州市贵池区第十六届人民代表大会第六次会议上\n"
    "区人民政府代区长  崩兴宇\n各位代表：\n现在，我代表区人民政府，向大会作政府工作报告，请予审议。\n"
    "一、2020年工作回顾\n预计，实现地区生产总值360亿元、增长5，财政收入37.3亿元、增长6.9。\n"
    "（一）着力壮产业。规模工业增加值增长11%。\n"
)
CHROME = re.compile(r"公文素材|d\s*a\s*d\s*a\s*w\s*k|paidbegin|paidend|浏览次数|点我投稿|^- 联系我们|^- 企业入驻|【字号|^下载$|^相关报道|本报记者|招商】|^\d{4}-\d{2}-\d{2}$")


def check_offsets(paragraph: dict, raw: str) -> None:
    offsets = decode_runs(paragraph["raw_map"])
    assert len(offsets) == len(paragraph["text"])
    for i, ch in enumerate(paragraph["text"]):
        assert raw[offsets[i]] == ch, (paragraph["para_id"], i)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(REPORT.encode(encoding))
    result = ingest([path])
    assert not result.errors
    (doc,) = result.documents
    assert doc["title"] == "池州市贵池区2021年政府工作报告"
    assert doc["region"] == "池州市贵池区" and doc["year"] == 2021
    assert doc["meeting_date"] == "2021-01-11" and doc["speaker"] == "崩兴宇"
    raw = decode_bytes(path.read_bytes())[0]
    for p in result.paragraphs:
        check_offsets(p, raw)


def test_same_content_same_ids_in_any_encoding_and_name(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(REPORT.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(REPORT.encode("gbk"))
    first = ingest([tmp_path / "a.txt"])
    second = ingest([tmp_path / "b.txt"])
    assert [p["para_id"] for p in first.paragraphs] == [p["para_id"] for p in second.paragraphs]
    assert first.paragraphs[0]["para_id"] == first.documents[0]["doc_id"] + "-p0000"
    both = ingest([tmp_path])  # identical content twice: reported, not silently merged
    assert len(both.documents) == 1 and "same content" in both.errors[0]


def test_not_text_reported_and_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "ok.txt").write_text(REPORT, encoding="utf-8")
    result = ingest([tmp_path, tmp_path / "missing.txt"])
    assert len(result.documents) == 1
    joined = "\n".join(result.errors)
    assert "bin.txt" in joined and "empty.txt" in joined and "missing.txt" in joined
    with pytest.raises(NotTextError, match="x.bin"):
        decode_bytes(b"\x00\x01\x02\x03\xff\xfe\x00", "x.bin")


def test_cli_exit_codes(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["ingest", str(tmp_path / "empty.txt"), "-o", str(tmp_path / "out")]) == 1
    assert "empty.txt" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "nope"), "-o", str(tmp_path / "out")]) == 1
    (tmp_path / "ok.txt").write_text(REPORT, encoding="utf-8")
    assert main(["ingest", str(tmp_path), "-o", str(tmp_path / "out")]) == 0
    lines = (tmp_path / "out" / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()
    assert {"doc_id", "para_id", "text", "section", "is_heading", "start", "end"} <= set(json.loads(lines[0]))


def test_csv_and_jsonl_inputs(tmp_path: Path) -> None:
    import csv

    with open(tmp_path / "p.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["province", "year", "title", "full_text"])
        w.writerow(["安徽省", "2026", "2026年安徽省政府工作报告", "下载\n打印\n" + REPORT])
    (tmp_path / "n.jsonl").write_text(json.dumps({"year": 2025, "title": "2025年中华人民共和国国务院政府工作报告", "content": REPORT.replace("贵池", "青阳")}, ensure_ascii=False) + "\n{bad json\n", encoding="utf-8")
    result = ingest([tmp_path / "p.csv", tmp_path / "n.jsonl"])
    assert [d["region"] for d in result.documents] == ["安徽省", "中华人民共和国"]
    assert any("n.jsonl:2" in e for e in result.errors)
    assert all(p["text"] not in ("下载", "打印") for p in result.paragraphs)


def test_sections_and_headings() -> None:
    paras = segment(MappedText.from_raw("一、2020年工作回顾 刚刚过去的2020年极不平凡。（一）着力壮产业。规模工业增加值增长11%。（二）着力优环境。营商环境改善。二、2021年工作安排\n今年的主要目标是增长8%。"))
    texts = [(p.text.text, p.is_heading, p.section) for p in paras]
    assert texts[0] == ("一、2020年工作回顾", True, "一、2020年工作回顾")
    assert ("规模工业增加值增长11%。", False, "一、2020年工作回顾 > （一）着力壮产业。") in texts
    assert texts[-1] == ("今年的主要目标是增长8%。", False, "二、2021年工作安排")


def test_glued_chapter_titles_open_sections_and_list_markers_do_not() -> None:
    """One-line reports glue a chapter title to its first sentence (no stop in the first 60
    characters), and a list item `一、二级交通劝导站。` after a full stop looks like a chapter heading: the chapters
    must still follow the report's own 一、二、 titles."""
    review = "一、盘点“十三五”,砥砺前行、攻坚克难,在劈波斩浪中实现新跨越过去五年,面对错综复杂的内外部形势和艰巨繁重的改革发展稳定任务,我们奋力拼搏。"
    plan = "二、擘画“十四五”,坚定信心、下定决心,在砥砺奋进中建功新时代“十四五”时期,我们将面临社会主要矛盾变化带来的新特征新要求,必须增长8%。"
    text = review + "（一）五年来,经济实力高歌猛进。地区生产总值增长7%。建成一批乡镇交通劝导站。一、二级交通劝导站。新增就业1万人。" + plan
    paras = [(p.text.text, p.is_heading, p.section) for p in segment(MappedText.from_raw(text))]
    assert paras[0] == (review, False, review[:60])
    body = f"{review[:60]} > （一）五年来,经济实力高歌猛进。"
    assert ("一、二级交通劝导站。", True, body) in paras
    assert ("新增就业1万人。", False, body) in paras
    assert paras[-1] == (plan, False, plan[:60])
    assert "".join(t for t, _, _ in paras) == text


def test_long_paragraph_split_at_sentence_end() -> None:
    text = "".join(f"第{i}句话说明工作进展情况良好。" for i in range(100))
    paras = segment(MappedText.from_raw(text), max_chars=120)
    assert all(len(p.text) <= 120 for p in paras)
    assert all(p.text.text.endswith("。") for p in paras)
    assert "".join(p.text.text for p in paras) == text


@pytest.mark.shared
@pytest.mark.parametrize("corpus,n_docs", [("seeds", 14), ("provincial-2026", 28), ("national", 51)])
def test_real_corpus(shared_dir: Path, corpus: str, n_docs: int) -> None:
    result = ingest([shared_dir / "corpus" / corpus])
    assert not result.errors
    assert len(result.documents) == n_docs
    assert all(len(p["text"]) <= 500 for p in result.paragraphs)
    leftovers = [p["text"] for p in result.paragraphs if CHROME.search(p["text"])]
    assert not leftovers, leftovers[:3]
    assert all(d["year"] for d in result.documents if d["title"])
    headings = sum(p["is_heading"] for p in result.paragraphs)
    assert headings >= 2 * n_docs


@pytest.mark.shared
def test_seed_metadata_and_single_line_reports(shared_dir: Path) -> None:
    result = ingest([shared_dir / "corpus" / "seeds"])
    meta = {d["region"]: d for d in result.documents}
    assert meta["池州市贵池区"]["year"] == 2021
    assert meta["池州市贵池区"]["speaker"] == "崩兴宇"
    assert {"宝兴县", "普洱市", "斗门区", "湖南省", "平塘县", "凤阳县"} <= set(meta)
    assert meta["六安市"]["region_source"] == "mentions" and meta["六安市"]["year"] == 2024
    bundle = [d for d in result.documents if d["source"].get("part")]
    assert len(bundle) == 10
    raw = (shared_dir / "corpus" / "seeds" / "004_000a05b7aea940ce.txt").read_text(encoding="utf-8")
    bundle_ids = {d["doc_id"] for d in bundle}
    paras = [p for p in result.paragraphs if p["doc_id"] in bundle_ids]
    assert len(paras) > 500  # the one-line reports are really segmented
    for p in paras[:300]:
        check_offsets(p, raw)
    again = ingest([shared_dir / "corpus" / "seeds"])
    assert again.paragraphs == result.paragraphs


def test_meeting_date_in_chinese_numerals() -> None:
    from nlp.ingest.metadata import extract_metadata

    meta = extract_metadata("二〇二一年政府工作报告\n——二〇二一年一月十一日在某某县第十六届人民代表大会第六次会议上\n各位代表：")
    assert (meta["year"], meta["meeting_date"], meta["region"]) == (2021, "2021-01-11", "某某县")
