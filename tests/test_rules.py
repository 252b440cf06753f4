"""Rule-based pre-annotator on phrases copied from the corpus, and `nlp baseline`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.annotate.markup import parse_markup
from nlp.annotate.preannotate import baseline_records, label_counts, read_paragraphs, read_report_years
from nlp.cli import main as cli_main
from nlp.model.interfaces import EntityTagger
from nlp.rules.projects import find_projects
from nlp.rules.quantities import find_quantities
from nlp.rules.regions import find_regions, most_named_division, own_region_names
from nlp.rules.tagger import RuleTagger
from nlp.spec import ENTITY_LABELS

# seeds/000 (池州市贵池区 2021), % lost in the source
REVIEW_000 = (
    "预计，实现地区生产总值360亿元、增长5，财政收入37.3亿元、增长6.9，固定资产投资增长10，"
    "规模工业增加值增长11，社会消费品零售总额增长2，城乡居民人均可支配收入分别增长7、8。"
)
PLAN_000 = (
    "今年经济社会发展的主要预期目标是：地区生产总值增长8.5，一般公共预算收入增长7，"
    "规模工业增加值增长12，固定资产投资增长10。"
)
PROJECTS_000 = "池州长江公路大桥建成通车，池黄高铁、德上高速、秋浦河航道整治等重点工程加速推进。"
LIST_000 = "专班推进重大项目，中建材新材料等一批重大项目签约落地，金池铜板带等41个亿元以上项目开工建设。"
# seeds/001 (六安市金安区 2020)
ZONE_001 = "核心平台日益完善。金安开发区建成凤凰南路、集贤路等5条道路，前进大桥顺利通车。"


def annotate(text: str, section: str = "", report_year: int | None = None) -> list[tuple[str, str]]:
    [spans] = RuleTagger().predict([text], sections=[section], years=[report_year])
    for span in spans:
        assert span["text"] == text[span["start"]:span["end"]]
    return [(s["text"], s["label"]) for s in spans]


def assert_flat(text: str, spans: list[dict]) -> None:
    """Sorted, non-overlapping, and every span points at the characters it claims."""
    for span in spans:
        assert span["text"] == text[span["start"]:span["end"]]
        assert span["label"] in ENTITY_LABELS and span["score"] == 1.0
    for a, b in zip(spans, spans[1:]):
        assert a["end"] <= b["start"]


def test_review_values_are_achieved_and_grouped() -> None:
    found = annotate(REVIEW_000, section="一、2020年工作及“十三五”发展回顾", report_year=2021)
    assert ("实现地区生产总值360亿元、增长5", "ACHIEVED") in found
    assert ("财政收入37.3亿元、增长6.9", "ACHIEVED") in found
    assert ("城乡居民人均可支配收入分别增长7、8", "ACHIEVED") in found
    assert all(label == "ACHIEVED" for _, label in found)


def test_planned_values_are_targets_without_scope_words() -> None:
    found = annotate(PLAN_000, section="三、2021年工作安排", report_year=2021)
    assert ("地区生产总值增长8.5", "TARGET") in found
    assert ("一般公共预算收入增长7", "TARGET") in found
    assert len(found) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年地区生产总值增长8.5%以上。", "地区生产总值增长8.5%以上"),
        ("力争城乡居民人均可支配收入分别增长8%和9%左右。", "城乡居民人均可支配收入分别增长8%和9%左右"),
        ("全省生产总值增长5%。", "生产总值增长5%"),
        ("粮食总产稳定在25万吨以上，", "粮食总产稳定在25万吨以上"),
        ("研发投入强度提高0.1个百分点。", "研发投入强度提高0.1个百分点"),
        ("城镇登记失业率控制在4.5%以内。", "城镇登记失业率控制在4.5%以内"),
        ("确保跻身全省开发区15强。", "跻身全省开发区15强"),
        ("居民消费价格涨幅5%—5.5%。", "居民消费价格涨幅5%—5.5%"),
        ("增速5-5.5%左右。", "增速5-5.5%左右"),
    ],
)
def test_target_span_boundaries(text: str, expected: str) -> None:
    spans = find_quantities(text, section="三、2021年工作安排", report_year=2021)
    assert_flat(text, spans)
    assert [(s["text"], s["label"]) for s in spans] == [(expected, "TARGET")]


def test_counts_stated_as_done_take_their_object() -> None:
    text = "一年来，开工建设8个抽水蓄能电站，建成22个省级美丽乡村。"
    found = [(s["text"], s["label"]) for s in find_quantities(text)]
    assert found == [("开工建设8个抽水蓄能电站", "ACHIEVED"), ("建成22个省级美丽乡村", "ACHIEVED")]


def test_second_value_after_a_comma_joins_its_indicator() -> None:
    """GUIDELINES round 3: growth or a comparison after a comma is a second value of the same
    indicator; a clause that names a new indicator starts a new span."""
    text = "一年来，地区生产总值414.4亿元,增长3.3%，规上工业增加值增长7.6%，高于全国1.7个百分点，财政收入增长6%。"
    found = [s["text"] for s in find_quantities(text)]
    assert found == ["地区生产总值414.4亿元,增长3.3%", "规上工业增加值增长7.6%，高于全国1.7个百分点", "财政收入增长6%"]


@pytest.mark.parametrize(
    "text",
    [
        "2021年是“十四五”发展的开局之年，也是建党100周年。",
        "重点抓好以下六个方面工作：",
        "出台20条举措，召开2021年1月11日会议。",
        "我们紧紧依靠全区67万人民。",
        "三次产业比例由12.9∶43.6∶43.5优化为9.7∶43.3∶47。",
    ],
)
def test_non_indicator_numbers_are_skipped(text: str) -> None:
    assert find_quantities(text, report_year=2021) == []


def test_cues_beat_section() -> None:
    text = "去年粮食总产26.1万吨，今年力争新增就业850人。"
    found = [(s["text"], s["label"]) for s in find_quantities(text, section="一、工作回顾")]
    assert found == [("粮食总产26.1万吨", "ACHIEVED"), ("新增就业850人", "TARGET")]


def test_report_year_decides_when_no_cue() -> None:
    text = "2020年，新增就业6717人。"
    assert find_quantities(text, report_year=2021)[0]["label"] == "ACHIEVED"
    assert find_quantities(text, report_year=2020)[0]["label"] == "TARGET"


def test_projects() -> None:
    found = annotate(PROJECTS_000)
    assert ("池州长江公路大桥", "PROJECT") in found
    assert ("池黄高铁", "PROJECT") in found and ("德上高速", "PROJECT") in found
    assert not any(text == "重点工程" for text, _ in found)
    road = annotate("推进G318池州至殷汇段改建，加快海螺四期建设。")
    assert ("G318池州至殷汇段", "PROJECT") in road and ("海螺四期", "PROJECT") in road
    assert not any(label == "REGION" for _, label in road)  # 池州 belongs to the project


def test_listed_names_before_deng_are_projects() -> None:
    texts = [s["text"] for s in find_projects(LIST_000)]
    assert texts == ["中建材新材料", "金池铜板带"]
    assert find_projects("推进重大项目、民生工程、雪亮工程和亿元以上项目建设。") == []


def test_regions() -> None:
    found = annotate(ZONE_001)
    assert ("金安开发区", "REGION") in found and ("前进大桥", "PROJECT") in found
    texts = [s["text"] for s in find_regions("抢抓长三角一体化和长江经济带发展机遇，融入粤港澳大湾区。")]
    assert texts == ["长三角", "长江经济带", "粤港澳大湾区"]
    towns = [s["text"] for s in find_regions("支持乌沙镇灯塔村、墩上街道发展，建成22个省级美丽乡村和中心村。")]
    assert towns == ["乌沙镇", "灯塔村", "墩上街道"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全省上下推进中国式现代化，坚持中国特色社会主义。", []),
        ("全省、全市、我区、本县城乡统筹，县域农村发展。", []),
        ("坚持长江大保护，建设美丽中国。", ["中国"]),
        ("深入贯彻习近平总书记考察安徽重要讲话精神，建设美丽江苏。", ["安徽", "江苏"]),
        ("加快自贸试验区长沙片区和池州高新区建设，对接东盟和非洲。", ["自贸试验区长沙片区", "池州高新区", "东盟", "非洲"]),
        ("弘扬中华优秀传统文化，推动珠江西岸先进装备制造。", []),
        ("市场主体创建水平提升，芙蓉学校建成。", []),
    ],
)
def test_region_precision(text: str, expected: list[str]) -> None:
    assert [s["text"] for s in find_regions(text)] == expected


def test_own_region_names_split_the_divisions_of_a_report_region() -> None:
    assert own_region_names("池州市贵池区") == {"池州市", "池州", "贵池区", "贵池"}
    assert own_region_names("宝兴县") == {"宝兴县", "宝兴"} and own_region_names(None) == frozenset()


def test_a_county_short_form_is_a_place_in_its_own_report_only() -> None:
    text = "宝兴熊猫文化享誉全国，宝兴路改造完成。"
    assert find_regions(text) == []  # 宝兴 before 熊猫 lacks a place-like context
    [own] = find_regions(text, own_region_names("宝兴县"))  # 宝兴路 stays a street
    assert (own["start"], own["end"], own["text"]) == (0, 2, text[0:2])
    [spans] = RuleTagger().predict([text], report_regions=["宝兴县"])
    assert [(e["text"], e["label"]) for e in spans] == [("宝兴", "REGION")]
    assert RuleTagger().predict([text], report_regions=["平塘县"]) == [[]]


def test_a_text_of_no_known_region_takes_the_division_it_names_most() -> None:
    assert most_named_division("六安市坚持创新，六安、合肥两地共建园区，六安成为") == "六安市"
    assert most_named_division("安徽省坚持创新，安徽成为") is None  # a province is no prior
    text = "宝兴县全力推进灾后重建，宝兴熊猫文化享誉全国。"
    [bare] = RuleTagger().predict([text])
    assert [e["text"] for e in bare] == ["宝兴县", "宝兴"]
    [other] = RuleTagger().predict([text], report_regions=["平塘县"])  # a known region wins
    assert [e["text"] for e in other] == ["宝兴县"]


def test_rule_tagger_is_an_entity_tagger_and_checks_its_texts() -> None:
    tagger = RuleTagger()
    assert isinstance(tagger, EntityTagger)
    out = tagger.predict([ZONE_001, ""], sections=[None, "x"])
    assert len(out) == 2 and out[0] and out[1] == []
    assert all(e["score"] == 1.0 for e in out[0])
    with pytest.raises(ValueError, match="text string"):
        tagger.predict([None])


def _paragraphs(path: Path) -> Path:
    rows = [
        {"doc_id": "d1", "para_id": "d1-p0000", "index": 0, "text": REVIEW_000, "section": "一、回顾",
         "is_heading": False, "start": 0, "end": len(REVIEW_000), "raw_start": 0, "raw_end": len(REVIEW_000)},
        {"doc_id": "d1", "para_id": "d1-p0001", "index": 1, "text": "[注]" + ZONE_001, "section": "",
         "is_heading": False, "start": 0, "end": 0, "raw_start": 0, "raw_end": 0},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_baseline_cli_writes_offsets_and_gold(tmp_path: Path, capsys) -> None:
    paragraphs = _paragraphs(tmp_path / "paragraphs.jsonl")
    assert cli_main(["baseline", str(paragraphs), "--output", str(tmp_path / "o.jsonl")]) == 0
    offsets = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in offsets] == ["d1-p0000", "d1-p0001"]
    assert offsets[0]["areas"] == [] and offsets[0]["annotator"] == "rules"
    assert "ACHIEVED" in capsys.readouterr().out
    assert cli_main(["baseline", str(paragraphs), "-o", str(tmp_path / "g.jsonl"), "--format", "gold"]) == 0
    gold = [json.loads(line) for line in (tmp_path / "g.jsonl").read_text(encoding="utf-8").splitlines()]
    assert gold[1]["markup"].startswith("\\[注\\]") and gold[1]["reviewed"] is False
    for offset, record in zip(offsets, gold):
        text, entities = parse_markup(record["markup"])
        assert text == offset["text"]
        assert [(e["start"], e["end"], e["label"]) for e in entities] == [
            (e["start"], e["end"], e["label"]) for e in offset["entities"]
        ]
    assert label_counts(gold, "gold") == label_counts(offsets)


def test_baseline_rejects_bad_input(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "p.jsonl"
    bad.write_text('{"para_id": "d-p0000"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="p.jsonl:1"):
        read_paragraphs(bad)
    assert cli_main(["baseline", str(bad), "-o", str(tmp_path / "o.jsonl")]) == 2
    assert "p.jsonl:1" in capsys.readouterr().err
    bad.write_text('{"para_id": "d-p0000", "text": "x"}\n{not json\n', encoding="utf-8")
    assert cli_main(["baseline", str(bad), "-o", str(tmp_path / "o.jsonl")]) == 2
    assert "p.jsonl:2: invalid JSON" in capsys.readouterr().err
    docs = tmp_path / "documents.jsonl"
    docs.write_text('{"year": 2021}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="documents.jsonl:1: document lacks a string 'doc_id'"):
        read_report_years(docs)
    with pytest.raises(ValueError, match="format"):
        baseline_records([], fmt="xml")


def test_real_seed_file(shared_dir: Path) -> None:
    """A whole seed report, split at newlines: every label is found and spans are exact."""
    raw = (shared_dir / "corpus/seeds/000_3f3b2256fde99934.txt").read_text(encoding="utf-8")
    section, counts = "", dict.fromkeys(ENTITY_LABELS, 0)
    tagger = RuleTagger()
    for line in raw.splitlines():
        if line[:2] in ("一、", "二、", "三、", "四、"):
            section = line
        [spans] = tagger.predict([line], sections=[section], years=[2021])
        assert_flat(line, spans)
        for span in spans:
            counts[span["label"]] += 1
    assert counts["REGION"] >= 10 and counts["PROJECT"] >= 10
    assert counts["TARGET"] >= 30 and counts["ACHIEVED"] >= 30
