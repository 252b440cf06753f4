"""Measures of TARGET/ACHIEVED spans (phrases from the gold set and the corpus), the indicator
vocabulary, periods, and target-vs-actual tracking."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from nlp.annotate.splits import iter_gold_files
from nlp.annotate.validate import load_gold_files
from nlp.normalize.indicators import indicator_id, vocabulary
from nlp.normalize.measures import inherit_across_spans, measures, span_measures
from nlp.normalize.periods import measure_period
from nlp.tracking import TRACKING_COLUMNS, met, several_years, track, tracking_rows

FIELDS = ("indicator", "kind", "change", "comparison", "values", "value", "value_to", "unit", "qualifier")


def brief(text: str) -> list[dict]:
    return [{k: m[k] for k in FIELDS} for m in measures(text)]


def m(indicator, kind, values, unit, qualifier="point", change=None, comparison=None, value_to=None) -> dict:
    return {"indicator": indicator, "kind": kind, "change": change, "comparison": comparison, "values": values,
            "value": values[0] if values else None, "value_to": value_to, "unit": unit, "qualifier": qualifier}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # level + growth of one indicator
        ("地区生产总值414.4亿元,增长3.3%", [m("地区生产总值", "level", [414.4], "亿元"),
                                      m("地区生产总值", "growth", [3.3], "%", change="增长")]),
        ("国内生产总值达到114万亿元，增长8.1%", [m("国内生产总值", "level", [114.0], "万亿元", change="达到"),
                                          m("国内生产总值", "growth", [8.1], "%", change="增长")]),
        ("社会消费品零售总额实现80.76亿元以上,年均增长6%",
         [m("社会消费品零售总额", "level", [80.76], "亿元", "以上", change="实现"),
          m("社会消费品零售总额", "growth", [6.0], "%", change="年均增长")]),
        # comparison with a reference
        ("规上工业增加值增长7.6%，高于全国1.7个百分点",
         [m("规上工业增加值", "growth", [7.6], "%", change="增长"),
          m("规上工业增加值", "comparison", [1.7], "个百分点", comparison="高于全国")]),
        ("农民工总量2.53亿人，比上年增长4.4％", [m("农民工总量", "level", [2.53], "亿人"),
                                          m("农民工总量", "growth", [4.4], "%", change="增长", comparison="比上年")]),
        ("地方税收收入达113.87亿元,较2015年增长18.4%",
         [m("地方税收收入", "level", [113.87], "亿元", change="达"),
          m("地方税收收入", "growth", [18.4], "%", change="增长", comparison="较2015年")]),
        # rank
        ("森林覆盖率达65.85%、连续47年居全国首位", [m("森林覆盖率", "level", [65.85], "%", change="达"),
                                             m("森林覆盖率", "rank", [1.0], "位", change="居", comparison="全国")]),
        ("规模工业增加值增长5.5%,增速排名全省第四位",
         [m("规模工业增加值", "growth", [5.5], "%", change="增长"),
          m("规模工业增加值", "rank", [4.0], "位", change="排名", comparison="全省")]),
        # share
        ("地方税占比提高到65.6%", [m("地方税占比", "share", [65.6], "%", change="提高到")]),
        # from-to and ranges
        ("国内生产总值从54万亿元增加到82.7万亿元，年均增长7.1%",
         [m("国内生产总值", "level", [54.0, 82.7], "万亿元", change="增加到", value_to=82.7),
          m("国内生产总值", "growth", [7.1], "%", change="年均增长")]),
        ("外资研发中心、地区总部分别从481家、771家增加到636家、1076家",  # one clause: from-values, then to-values
         [m("外资研发中心、地区总部", "level", [481.0, 771.0, 636.0, 1076.0], "家", change="增加到", value_to=636.0)]),
        ("国内生产总值增长6—6.5%", [m("国内生产总值", "growth", [6.0, 6.5], "%", "range", change="增长", value_to=6.5)]),
        # several values of one measure: 分别…和…, a list after 、
        ("城乡居民人均可支配收入分别增长8%和9%左右",
         [m("城乡居民人均可支配收入", "growth", [8.0, 9.0], "%", "左右", change="增长")]),
        ("完成投资252亿元、787亿元", [m("投资", "level", [252.0, 787.0], "亿元", change="完成")]),
        ("二氧化硫、氮氧化物排放量分别下降3%", [m("二氧化硫、氮氧化物排放量", "growth", [3.0], "%", change="下降")]),
        # qualifiers written as verbs
        ("城镇新增就业人数不低于900万人", [m("城镇新增就业人数", "level", [900.0], "万人", "以上", change="不低于")]),
        ("城镇登记失业率低于4.6%", [m("城镇登记失业率", "level", [4.6], "%", "以下", change="低于")]),
        ("城镇调查失业率5.5%左右", [m("城镇调查失业率", "level", [5.5], "%", "左右")]),
        ("城镇登记失业率控制在4.5%以内", [m("城镇登记失业率", "level", [4.5], "%", "以内", change="控制在")]),
        # units as written, Chinese numerals
        ("粮食产量1.3万亿斤以上", [m("粮食产量", "level", [1.3], "万亿斤", "以上")]),
        # a scope word a predicted span may hold is not part of the indicator; 全国 is (a name)
        ("全省地区生产总值增长5%左右", [m("地区生产总值", "growth", [5.0], "%", "左右", change="增长")]),
        ("全国文明村镇达到84个", [m("全国文明村镇", "level", [84.0], "个", change="达到")]),
        # building verbs one after the other; 安置 of 安置房 is the noun's
        ("新建改建农村公路1000公里", [m("农村公路", "level", [1000.0], "公里", change="新建改建")]),
        ("建成安置房2312套", [m("安置房", "level", [2312.0], "套", change="建成")]),
        ("建设筹集保障性住房36万套", [m("保障性住房", "level", [36.0], "万套", change="建设筹集")]),
        # a predicate after the thing counted; an adverb and verb after the indicator
        ("20所学校相继建成", [m("学校", "level", [20.0], "所", change="相继建成")]),
        ("中欧班列累计开行超1.4万列", [m("中欧班列", "level", [1.4], "万列", "以上", change="超")]),
        ("货运周转量近400亿吨公里", [m("货运周转量", "level", [400.0], "亿吨公里", "左右")]),
        # a head of verbs only names no indicator: the noun after the number does
        ("新开工630万套", [m(None, "level", [630.0], "万套", change="新开工")]),
        ("新开工改造600个老旧小区", [m("老旧小区", "level", [600.0], "个", change="新开工改造")]),
        # a lone 零 is no value; from-to values of a year
        ("426个中央、省环保督察问题见底清零", [m("中央、省环保督察问题", "level", [426.0], "个", change="见底清零")]),
        ("非金融类对外直接投资从2007年的248亿美元上升到2012年的772亿美元",
         [m("非金融类对外直接投资", "level", [248.0, 772.0], "亿美元", change="上升到", value_to=772.0)]),
        ("城镇登记失业率长期控制在1%以内", [m("城镇登记失业率", "level", [1.0], "%", "以内", change="控制在")]),
        # a unit with its alternative in brackets; a ratio; a rank list's scope; a manner adverb only
        ("大型文体活动20余场(次)", [m("大型文体活动", "level", [20.0], "场(次)", "以上")]),
        ("三次产业结构调整优化为9.7:47.3:43", [m("三次产业结构", "level", [9.7, 47.3, 43.0], None, change="调整优化为")]),
        ("综合排名进入全国40强", [m("综合排名", "rank", [40.0], "强", change="进入")]),
        ("一般公共预算收入增加近1000亿元，稳步达到3000亿元以上",
         [m("一般公共预算收入", "level", [1000.0], "亿元", "左右", change="增加"),
          {**m("一般公共预算收入", "level", [3000.0], "亿元", "以上", change="达到")}]),
        # a bare 万 after a bound; a Chinese numeral opening a count; a reference with its 平均水平
        ("普惠小微企业贷款余额超万亿元", [m("普惠小微企业贷款余额", "level", [1.0], "万亿元", "以上", change="超")]),
        ("进出口总额突破万亿元，增长10%",  # the bare 万 ends the first clause (split_clauses once raised here)
         [m("进出口总额", "level", [1.0], "万亿元", "以上", change="突破"),
          m("进出口总额", "growth", [10.0], "%", change="增长")]),
        ("千余个风险点进行整改", [m("风险点", "level", [1000.0], "个", "以上", change="进行整改")]),
        ("经济增速均高于全市平均水平0.5个百分点以上",
         [m("经济增速", "comparison", [0.5], "个百分点", "以上", comparison="高于全市平均水平")]),
        ("初中1所", [m("初中", "level", [1.0], "所")]),
        ("三次产业结构优化至7︰45︰48", [m("三次产业结构", "level", [7.0, 45.0, 48.0], None, change="优化至")]),
        ("新增产值10亿元以上企业不少于3户", [m("产值10亿元以上企业", "level", [3.0], "户", "以上", change="不少于")]),
        ("新筹集保障性租赁住房6957套（间）", [m("保障性租赁住房", "level", [6957.0], "套（间）", change="新筹集")]),
        ("PM2.5平均浓度下降到30微克/立方米", [m("PM2.5平均浓度", "level", [30.0], "微克/立方米", change="下降到")]),
        ("研发投入强度提高两个百分点", [m("研发投入强度", "growth", [2.0], "个百分点", change="提高")]),
        ("赤字率拟按2.6%安排，比去年预算低0.4个百分点",
         [m("赤字率", "level", [2.6], "%"),
          m("赤字率", "growth", [0.4], "个百分点", change="下降", comparison="比去年预算")]),
        ("居民消费价格涨幅3%左右", [m("居民消费价格涨幅", "level", [3.0], "%", "左右")]),
        # a rank from one place to another; a share of a whole; a leading count; verbs and time words
        ("“两化”融合发展水平从全国第15位升至第5位",
         [m("“两化”融合发展水平", "rank", [15.0, 5.0], "位", change="升", comparison="全国", value_to=5.0)]),
        ("进出口总额年均增长12.2%，从世界第三位提升到第二位",
         [m("进出口总额", "growth", [12.2], "%", change="年均增长"),
          m("进出口总额", "rank", [3.0, 2.0], "位", change="提升", comparison="世界", value_to=2.0)]),
        ("高新技术企业数量36家,占全市的49.3%",
         [m("高新技术企业数量", "level", [36.0], "家"), m("高新技术企业数量", "share", [49.3], "%", comparison="占全市")]),
        ("占规上工业总产值比重达41.7%", [m("占规上工业总产值比重", "share", [41.7], "%", change="达")]),
        ("639个纳入省调度的重点项目完成投资920亿元", [m("纳入省调度的重点项目投资", "level", [920.0], "亿元", change="完成")]),
        ("电网建设完成投资55亿元", [m("电网建设投资", "level", [55.0], "亿元", change="完成")]),
        ("新增城镇就业5115人", [m("城镇就业", "level", [5115.0], "人", change="新增")]),
        ("新设外资企业数量增长19.5%", [m("新设外资企业数量", "growth", [19.5], "%", change="增长")]),
        ("安置房配套园3所", [m("安置房配套园", "level", [3.0], "所")]),
        ("13个建档立卡贫困村“脱贫摘帽”", [m("建档立卡贫困村", "level", [13.0], "个", change="脱贫摘帽")]),
        ("5所幼儿园秋季开园投用", [m("幼儿园", "level", [5.0], "所", change="秋季开园投用")]),
        ("黑土地耕层厚度止跌提升3.5%", [m("黑土地耕层厚度", "growth", [3.5], "%", change="提升")]),
        ("民营经济主体占97.2%", [m("民营经济主体", "level", [97.2], "%")]),
        ("工业用地容积率提升至1.5-3.0", [m("工业用地容积率", "level", [1.5, 3.0], None, "range", change="提升至", value_to=3.0)]),
        ("互市贸易、跨境人民币结算量连续多年稳居西部和边境省区第一",
         [m("互市贸易、跨境人民币结算量", "rank", [1.0], "位", change="稳居", comparison="西部和边境省区")]),
    ],
)
def test_measures_of_real_spans(text: str, expected: list[dict]) -> None:
    assert brief(text) == expected


def test_base_units() -> None:
    [grain] = measures("粮食产量1.37万亿斤")
    assert (grain["unit"], grain["unit_base"], grain["value_base"]) == ("万亿斤", "吨", [6.85e8])
    [farmland] = measures("新建高标准农田1.2万亩")
    assert (farmland["unit_base"], farmland["value_base"]) == ("平方米", [8e6])
    [power] = measures("新增风能、太阳能等可再生清洁能源装机30万千瓦")
    assert (power["unit"], power["unit_base"], power["value_base"]) == ("万千瓦", "千瓦", [3e5])


def test_measure_offsets_and_inheritance_on_the_gold_spans(project_root) -> None:
    """Over every gold TARGET/ACHIEVED span: measures cover disjoint clauses in order, each
    `span[start:end]` non-empty, and an inherited indicator is the one of a neighbouring measure."""
    records = load_gold_files(iter_gold_files(project_root / "annotations" / "gold"))
    spans = [r["text"][e["start"]:e["end"]] for r in records for e in r["entities"] if e["label"] in ("TARGET", "ACHIEVED")]
    assert len(spans) > 2000
    n_measures = 0
    for span in spans:
        found = measures(span)
        assert found, span
        n_measures += len(found)
        ends = 0
        for k, measure in enumerate(found):
            assert ends <= measure["start"] < measure["end"] <= len(span), span
            assert span[measure["start"]:measure["end"]].strip() == span[measure["start"]:measure["end"]], span
            ends = measure["end"]
            if measure["indicator_inherited"]:  # from the measure before, or for a first count the one after
                neighbour = found[k - 1] if k > 0 else found[1]
                assert measure["indicator"] == neighbour["indicator"], span
            assert len(measure["value_base"]) == len(measure["values"])
    assert n_measures > len(spans)  # some spans hold several measures


def test_measures_never_raise_on_the_sentences_of_the_sample_reports(project_root) -> None:
    """A predicted span can be any stretch of a report: every sentence of the shipped samples, read
    as a target or a result, gives measures (a bare 突破万亿元 once raised inside split_clauses)."""
    sentences = [s.strip() for f in sorted((project_root / "nlp" / "resources" / "samples").iterdir())
                 for s in re.split(r"[。！？\n]", f.read_text(encoding="utf-8")) if s.strip()]
    assert len(sentences) > 1000
    for sentence in sentences:
        for label in ("TARGET", "ACHIEVED"):
            assert span_measures(sentence, label, 2025, "", ""), sentence


def test_indicator_vocabulary_is_well_formed_and_exact() -> None:
    vocab = vocabulary()
    assert 60 <= len(vocab) <= 120
    assert {"gdp", "cpi", "new_urban_jobs", "surveyed_unemployment", "registered_unemployment"} <= set(vocab)
    assert all(ind.better in ("up", "down", "-") and ind.forms for ind in vocab.values())
    assert indicator_id("全省地区生产总值") == indicator_id("GDP") == "gdp"
    assert indicator_id("城镇居民人均可支配收入") == "urban_income" != indicator_id("居民人均可支配收入")
    assert indicator_id('专精特新"小巨人"企业') == "little_giants"
    assert indicator_id("地区生产总值414.4亿元") is None  # never a guess
    assert indicator_id("投资") is None and indicator_id(None) is None


@pytest.mark.parametrize(
    ("span", "label", "year", "before", "section", "period"),
    [
        ("地区生产总值增长5%左右", "TARGET", 2026, "", "", "2026"),
        ("增长5.2%", "ACHIEVED", 2024, "", "", "2023"),
        ("增长5%", "ACHIEVED", 2021, "", "一、2020年工作回顾", "2020"),
        ("较2015年增长18.4%", "ACHIEVED", 2021, "", "", "2016-2020"),  # the change since the base year
        ("国内生产总值比2002年增长65.5%", "ACHIEVED", 2008, "", "", "2003-2007"),
        ("比上年增长9%", "ACHIEVED", 2008, "", "", "2007"),
        ("年均增长7.1%", "ACHIEVED", 2018, "过去五年，经济实力跃上新台阶，", "", "2013-2017"),
        ("森林覆盖率达到25%", "TARGET", 2026, "到2030年，", "", "2030"),
        ("年均增长5%", "TARGET", 2026, "", "二、“十五五”时期主要目标", "2026-2030"),
        ("年均增长7.5%", "TARGET", 2006, "“十一五”时期", "", "2006-2010"),
        ("2021—2025年累计完成投资1万亿元", "ACHIEVED", 2026, "", "", "2021-2025"),
        ("增长5%", "ACHIEVED", None, "", "", None),
    ],
)
def test_periods(span, label, year, before, section, period) -> None:
    assert measure_period(span, label, year, before, section) == period
    assert all(x["period"] == period for x in span_measures(span, label, year, before, section))


def test_each_measure_has_its_own_period() -> None:
    """The level is the past year's; the growth against 2015 covers 2016-2020."""
    found = span_measures("地方税收收入达113.87亿元,较2015年增长18.4%", "ACHIEVED", 2021)
    assert [(m["value"], m["period"]) for m in found] == [(113.87, "2020"), (18.4, "2016-2020")]


@pytest.mark.parametrize(
    ("qualifier", "target", "target_to", "actual", "better", "expected"),
    [
        ("左右", 5.0, None, 5.2, "up", True), ("左右", 5.5, None, 3.0, "up", False),
        ("左右", 5.0, None, 4.8, "up", True), ("左右", 3.0, None, 0.2, "down", True),
        ("以上", 1100.0, None, 1244.0, "up", True), ("以内", 4.5, None, 4.6, "down", False),
        ("range", 6.0, 6.5, 6.1, "up", True), ("range", 6.0, 6.5, 5.9, "up", False),
        ("point", 7.5, None, 7.7, "up", True), ("point", 2.6, None, 2.6, "-", True),
    ],
)
def test_met_rule(qualifier, target, target_to, actual, better, expected) -> None:
    assert met(qualifier, target, target_to, actual, better) is expected


def row(year: int, label: str, value: str, period: str, text: str, qualifier: str = "point", unit_base: str = "%",
        indicator_id: str = "gdp", kind: str = "growth", para: str = "p1") -> dict[str, str]:
    return {"region": "中华人民共和国", "region_code": "100000000000", "year": str(year), "label": label,
            "indicator_id": indicator_id, "kind": kind, "value": value, "value_to": "", "values": value,
            "qualifier": qualifier, "unit_base": unit_base, "period": period, "doc_id": f"d{year}",
            "para_id": f"d{year}-{para}", "measure_text": text}


def test_tracking_links_a_target_to_the_next_report(tmp_path) -> None:
    rows = [
        row(2023, "TARGET", "5", "2023", "国内生产总值增长5%左右", "左右"),
        row(2023, "TARGET", "4", "2023", "某地区增长4%", para="p9"),  # a second mention: the first one counts
        row(2023, "ACHIEVED", "3", "2022", "国内生产总值增长3%"),
        row(2024, "ACHIEVED", "5.2", "2023", "国内生产总值增长5.2%"),
        row(2025, "ACHIEVED", "5.3", "2023", "去年增长5.3%"),  # a later report: the earliest one counts
        row(2024, "TARGET", "126", "2024", "国内生产总值126万亿元", unit_base="元", kind="level"),
        row(2024, "ACHIEVED", "1", "2023", "居全国第1位", unit_base="位", kind="rank"),  # ranks are no target
    ]
    out = {(r["year"], r["unit"]): r for r in tracking_rows(rows)}
    assert set(out) == {(2022, "%"), (2023, "%"), (2024, "元")}
    assert (out[2023, "%"]["target_value"], out[2023, "%"]["actual_value"]) == ("5", "5.2")
    assert (out[2023, "%"]["target_para_id"], out[2023, "%"]["actual_doc_id"], out[2023, "%"]["met"]) == ("d2023-p1", "d2024", True)
    assert out[2022, "%"]["target_value"] == "" and out[2022, "%"]["met"] is None
    assert several_years(rows) and not several_years(rows[:3])
    with (tmp_path / "targets.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    summary = track(tmp_path)
    assert summary == {"tracking.csv": 3, "plots": 1, "output": str(tmp_path)}
    with (tmp_path / "tracking.csv").open(encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == list(TRACKING_COLUMNS) and len(table) == 3
    [png] = (tmp_path / "tracking").glob("*.png")
    assert re.fullmatch(r"100000000000_gdp_pct\.png", png.name) and png.stat().st_size > 1000


@pytest.mark.parametrize(("split", "n", "floor"), [("train", 159, 0.85), ("dev", 127, 0.9), ("train2", 167, 0.85), ("dev2", 89, 0.9),
                                                   ("train3", 106, 0.9), ("train4", 107, 0.7), ("train5", 134, 0.85),
                                                   ("train6", 110, 0.9)])
def test_hand_written_measures(project_root, split: str, n: int, floor: float) -> None:
    """The check sets the normaliser was developed against (annotations/measures): at least
    `floor` of the hand-written measures read right in all four fields."""
    from nlp.metrics import measure_scores

    scores = measure_scores(project_root / "annotations" / "measures" / f"{split}.jsonl")
    assert scores["measures"] == n
    assert scores["all_fields"] >= floor, scores


@pytest.mark.parametrize(("cjk", "title"), [(True, "中华人民共和国 地区生产总值（%）"), (False, "GDP (%), region 100000000000")])
def test_tracking_plots_name_the_region_where_a_cjk_font_is_installed(tmp_path, monkeypatch, cjk, title) -> None:
    """With a CJK font the chart says the region and indicator in Chinese; without one it falls
    back to the code and the English name (boxes otherwise)."""
    import nlp.plots

    titles: list[str] = []
    monkeypatch.setattr(nlp.plots, "use_cjk_font", lambda: cjk)
    monkeypatch.setattr(nlp.plots, "target_vs_actual", lambda points, path, text: titles.append(text) or path)
    rows = [row(2023, "TARGET", "5", "2023", "国内生产总值增长5%左右", "左右"),
            row(2024, "ACHIEVED", "5.2", "2023", "国内生产总值增长5.2%"),
            row(2024, "TARGET", "5", "2024", "国内生产总值增长5%左右", "左右"),
            row(2025, "ACHIEVED", "5", "2024", "国内生产总值增长5%")]
    with (tmp_path / "targets.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    track(tmp_path)
    assert titles == [title]


def test_use_cjk_font_finds_the_installed_font() -> None:
    """Debian's fonts-noto-cjk (which .ci/run installs) is found even where matplotlib's font
    cache was built before it was installed."""
    from matplotlib import font_manager, rcParams

    from nlp.plots import CJK_FONTS, use_cjk_font

    noto = any(Path(p).name.startswith("NotoSansCJK") for p in font_manager.findSystemFonts())
    found = use_cjk_font()
    assert found or not noto
    if found:
        assert rcParams["font.sans-serif"][0].startswith(CJK_FONTS)


def test_a_growth_span_cut_from_its_level_takes_the_indicator_of_the_span_before_it():
    from nlp.predict.paragraphs import enriched_entity

    text = "国内生产总值达到74.4万亿元，增长6.7%，居民消费价格上涨2%。城镇新增就业1300万人；增长5%。改厕1万户、解决2万人"
    spans = [("ACHIEVED", "国内生产总值达到74.4万亿元"), ("ACHIEVED", "增长6.7%"), ("ACHIEVED", "居民消费价格上涨2%"),
             ("TARGET", "城镇新增就业1300万人"), ("ACHIEVED", "增长5%"), ("ACHIEVED", "改厕1万户"), ("ACHIEVED", "解决2万人")]
    entities = [enriched_entity({"id": "p", "text": text, "year": 2017},
                                {"label": label, "start": text.index(s), "end": text.index(s) + len(s)}) for label, s in spans]
    got = [[(m["indicator"], m["indicator_id"], m["indicator_inherited"]) for m in e["measures"]]
           for e in inherit_across_spans(text, entities)]
    assert got == [[("国内生产总值", "gdp", False)], [("国内生产总值", "gdp", True)], [("居民消费价格", "cpi", False)],
                   [("城镇新增就业", "new_urban_jobs", False)], [(None, None, False)],  # another label: not inherited
                   [("改厕", None, False)], [(None, None, False)]]  # a count of its own, not of the indicator before


def test_two_annotators_agree_on_most_measures_of_the_same_spans(project_root) -> None:
    """The second pass over train3's spans is scored against the first: the same spans, and
    agreement high but not total (it is the ceiling the normaliser's check can reach)."""
    from nlp.metrics import measure_agreement

    folder = project_root / "annotations" / "measures"
    for first, n in (("train3", 106), ("train4", 107)):
        agreement = measure_agreement(folder / f"{first}.jsonl", folder / f"{first}_second.jsonl")
        assert agreement["measures"] == n and 0.8 <= agreement["all_fields"] < 1.0, agreement
    assert measure_agreement(folder / "train3.jsonl", folder / "train3.jsonl")["all_fields"] == 1.0
    with pytest.raises(ValueError, match="same spans"):
        measure_agreement(folder / "train3.jsonl", folder / "train4.jsonl")


@pytest.mark.parametrize(
    ("span", "expected"),
    [  # State Council reports of 1984-2009 (annotations/measures/train5.jsonl, written by hand)
        ("建立了2.4万多个社区卫生服务机构", [("社区卫生服务机构", [2.4], "万个", "以上")]),
        ("访问了４６个国家", [("国家", [46], "个", "point")]),
        ("改造和新建1.88万所乡镇卫生院", [("乡镇卫生院", [1.88], "万所", "point")]),
        ("1.17万个乡镇卫生院配备了医疗设备", [("乡镇卫生院", [1.17], "万个", "point")]),
        ("内设机构精简四分之一", [("内设机构", [0.25], None, "point")]),
        ("部门内设机构精简1／4", [("部门内设机构", [0.25], None, "point")]),
        ("人员总数减少一半", [("人员总数", [0.5], None, "point")]),
        ("城镇居民人均可支配收入实际增长８．５％", [("城镇居民人均可支配收入", [8.5], "%", "point")]),
        ("工业企业的全员劳动生产率平均每年增长６．５％", [("工业企业的全员劳动生产率", [6.5], "%", "point")]),
        ("财政用于医疗卫生支出五年累计6294亿元，比前五年增长1.27倍",
         [("财政用于医疗卫生支出", [6294], "亿元", "point"), ("财政用于医疗卫生支出", [1.27], "倍", "point")]),
        ("实际利用外资2894亿美元，比“八五”时期增长79.6％",
         [("实际利用外资", [2894], "亿美元", "point"), ("实际利用外资", [79.6], "%", "point")]),
        ("国家外汇储备2000年底达1656亿美元，比1995年底增加920亿美元",
         [("国家外汇储备", [1656], "亿美元", "point"), ("国家外汇储备", [920], "亿美元", "point")]),
        ("人口到２０００年要控制在１３亿以内", [("人口", [13], "亿", "以内")]),
        ("城市居民最低生活保障的覆盖人数，由年初的４００多万人扩大到年末的１１２０多万人",
         [("城市居民最低生活保障的覆盖人数", [400, 1120], "万人", "以上")]),
        ("电话交换机容量增加２０００多万门", [("电话交换机容量", [2000], "万门", "以上")]),
        ("出生率下降５个千分点", [("出生率", [5], "个千分点", "point")]),
        ("高速公路建成通车１１００多公里", [("高速公路", [1100], "公里", "以上")]),
        ("安排430亿元", [(None, [430], "亿元", "point")]),
    ],
)
def test_measures_of_older_state_council_reports(span: str, expected: list[tuple]) -> None:
    """Perfective 了, fractions, 实际/平均每年, five-year comparison bases, a year inside the
    head and the older units, as the 1984-2009 reports write them."""
    got = [(x["indicator"], x["values"], x["unit"], x["qualifier"]) for x in measures(span)]
    assert got == [(ind, [float(v) for v in values], unit, q) for ind, values, unit, q in expected]


def test_real_and_average_growth_keep_their_adverb_in_the_change() -> None:
    """实际增长 (real growth) and 年均增长 say what the value is; they stay in `change`."""
    assert [(x["change"], x["kind"]) for x in measures("农民人均纯收入实际增长４．２％")] == [("实际增长", "growth")]
    assert [(x["change"], x["kind"]) for x in measures("地区生产总值年均增长8%")] == [("年均增长", "growth")]


@pytest.mark.parametrize(
    ("span", "expected"),
    [  # county, city and provincial reports (annotations/measures/train6.jsonl, written by hand)
        ("增加值增长3%", [("增加值", [3], "%", "point")]),
        ("建成区绿地率38.87%", [("建成区绿地率", [38.87], "%", "point")]),
        ("5项人大代表票决项目如期完成", [("人大代表票决项目", [5], "项", "point")]),
        ("碳市场累计交易5421.8万吨", [("碳市场交易", [5421.8], "万吨", "point")]),
        ("90名优秀个人和38个先进集体荣获省州脱贫攻坚表彰",
         [("优秀个人", [90], "名", "point"), ("先进集体", [38], "个", "point")]),
        ("落实“3个15万元”财政补助资金1498.5万元", [("“3个15万元”财政补助资金", [1498.5], "万元", "point")]),
        ("推动200家工业企业开展技术改造", [("工业企业", [200], "家", "point")]),
        ("发布就业岗位1.65万个", [("就业岗位", [1.65], "万个", "point")]),
    ],
)
def test_measures_of_county_and_city_reports(span: str, expected: list[tuple]) -> None:
    """Nouns that open with a verb (增加值, 建成区), 累计 inside an indicator, counted nouns joined
    by 和, numbers inside a quoted name, and opening verbs of the resource list."""
    got = [(x["indicator"], x["values"], x["unit"], x["qualifier"]) for x in measures(span)]
    assert got == [(ind, [float(v) for v in values], unit, q) for ind, values, unit, q in expected]
