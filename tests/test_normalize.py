"""normalize_quantity on span texts taken from the corpus and the annotation spec."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.normalize.numbers import parse_number
from nlp.normalize.quantity import normalize_quantity

KEYS = {"indicator", "change", "values", "unit", "qualifier", "value_base", "unit_base",
        "percent_missing", "from_value"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("地区生产总值增长8.5%以上", dict(indicator="地区生产总值", change="增长", values=[8.5],
                                       unit="%", qualifier="以上", percent_missing=False)),
        ("实现地区生产总值360亿元", dict(indicator="地区生产总值", change="实现", values=[360.0],
                                       unit="亿元", value_base=[3.6e10], unit_base="元",
                                       qualifier="point")),
        ("增长5", dict(indicator=None, change="增长", values=[5.0], unit="%",
                     percent_missing=True)),
        ("一般公共预算收入增长7", dict(indicator="一般公共预算收入", values=[7.0],
                                    percent_missing=True)),
        ("5%—5.5%", dict(values=[5.0, 5.5], unit="%", qualifier="range")),
        ("城乡居民人均可支配收入分别增长8%和9%左右",
         dict(indicator="城乡居民人均可支配收入", change="增长", values=[8.0, 9.0], unit="%",
              qualifier="左右")),
        ("增长7%、8%", dict(change="增长", values=[7.0, 8.0], unit="%", qualifier="point")),
        ("百分之八", dict(values=[8.0], unit="%", unit_base="%", percent_missing=False)),
        ("二〇二五", dict(values=[2025.0], unit=None)),
        ("研发投入强度从2.77%提高到3.3%左右",
         dict(indicator="研发投入强度", change="提高到", values=[2.77, 3.3], from_value=2.77,
              unit="%", qualifier="左右")),
        ("城镇新增就业850人", dict(indicator="城镇新增就业", values=[850.0], unit="人",
                                 value_base=[850.0], unit_base="人")),
        ("粮食总产稳定在25万吨以上", dict(indicator="粮食总产", change="稳定在", values=[25.0],
                                      unit="万吨", value_base=[250000.0], unit_base="吨",
                                      qualifier="以上")),
        ("研发投入强度提高0.1个百分点", dict(indicator="研发投入强度", change="提高",
                                         values=[0.1], unit="个百分点", percent_missing=False)),
        ("空气质量优良率达95", dict(indicator="空气质量优良率", change="达", values=[95.0],
                                  unit="%", percent_missing=True)),
        ("晋级全省开发区20强", dict(change="晋级", values=[20.0], unit="强")),
        ("稳居全国第4位", dict(change="稳居", values=[4.0], unit="位")),
        ("新建高标准农田1.2万亩", dict(indicator="高标准农田", change="新建", values=[1.2],
                                    unit="万亩", value_base=[8e6], unit_base="平方米")),  # 1 亩 = 10000/15 m²
        ("650亿元", dict(values=[650.0], unit="亿元", value_base=[6.5e10], unit_base="元")),
        ("新增就业超3万人", dict(values=[3.0], unit="万人", value_base=[30000.0],
                               unit_base="人")),
        ("城镇登记失业率控制在4.5以内", dict(indicator="城镇登记失业率", change="控制在",
                                          values=[4.5], unit="%", qualifier="以内",
                                          percent_missing=True)),
        ("规模工业增加值年均分别增长12%、7.2%", dict(indicator="规模工业增加值",
                                                 change="年均增长", values=[12.0, 7.2])),
        ("报销比例由80%提高至90%", dict(values=[80.0, 90.0], from_value=80.0, change="提高至")),
        ("发放各类救助资金3600余万元", dict(values=[3600.0], unit="万元", qualifier="以上",
                                        value_base=[3.6e7])),
        ("开工建设8个抽水蓄能电站", dict(indicator="抽水蓄能电站", change="开工建设",
                                      values=[8.0], unit="个")),
        ("居全市第一位", dict(values=[1.0], unit="位")),
    ],
)
def test_corpus_phrases(text: str, expected: dict) -> None:
    result = normalize_quantity(text)
    assert set(result) == KEYS
    for key, value in expected.items():
        assert result[key] == value, (key, result)


@pytest.mark.parametrize(
    ("text", "values", "unit", "value_base"),
    [
        ("一千二百", [1200.0], None, [1200.0]),
        ("两", [2.0], None, [2.0]),
        ("两个百分点", [2.0], "个百分点", [2.0]),
        ("十二万", [12.0], "万", [120000.0]),  # scale read as a unit prefix, like 12万
        ("十二万五千人", [125000.0], "人", [125000.0]),
        ("一千二百万吨", [1200.0], "万吨", [1.2e7]),
        ("三点五亿元", [3.5], "亿元", [3.5e8]),
        ("８．５％", [8.5], "%", [8.5]),
        ("增长８．５％以上", [8.5], "%", [8.5]),
    ],
)
def test_numerals(text: str, values: list, unit: str | None, value_base: list) -> None:
    result = normalize_quantity(text)
    assert (result["values"], result["unit"], result["value_base"]) == (values, unit, value_base)


def test_full_width_percent_normalised_only_in_unit() -> None:
    result = normalize_quantity("ＧＤＰ增长６％")
    assert result["indicator"] == "ＧＤＰ"
    assert result["unit"] == "%"


def test_no_number_invents_nothing() -> None:
    assert normalize_quantity("地区生产总值增长")["values"] == []
    assert normalize_quantity("地区生产总值增长")["change"] == "增长"
    blank = normalize_quantity("")
    assert blank["values"] == [] and blank["indicator"] is None and blank["unit"] is None


def test_unit_present_is_not_percent_missing() -> None:
    assert normalize_quantity("增长两倍")["unit"] == "倍"
    assert normalize_quantity("增长两倍")["percent_missing"] is False


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789０．.%％-—、和至第百分之万亿千十一两〇点"
                                              "余约以上左右增长提高从到达个元人亩 ，")),
               max_size=40))
def test_never_raises_and_values_come_from_text(text: str) -> None:
    result = normalize_quantity(text)
    assert set(result) == KEYS
    assert len(result["value_base"]) == len(result["values"])
    if result["values"]:
        assert re.search(r"[0-9０-９〇零一二两三四五六七八九十百千]|(?:突破|超过|[超逾近约达])(?:万|亿)", text)
    assert result["percent_missing"] is False or result["unit"] == "%"


def test_growth_phrases_in_the_seed_reports(shared_dir) -> None:
    """Real `<indicator>增长X%<qualifier>` phrases from the seed reports read back exactly."""
    text = "".join(path.read_text(encoding="utf-8")
                   for path in sorted((shared_dir / "corpus" / "seeds").glob("*.txt")))
    pattern = r"(?<=[，。；,;])([\u4e00-\u9fff]{2,12})增长([0-9]+(?:\.[0-9]+)?)%(以上|左右)?"
    matches = list(re.finditer(pattern, text))
    assert len(matches) > 50
    for m in matches:
        result = normalize_quantity(m.group())
        assert result["values"] == [float(m[2])], m.group()
        assert (result["unit"], result["qualifier"]) == ("%", m[3] or "point"), m.group()
        assert result["change"] in ("增长", "年均增长"), m.group()
        if m[1] in ("分别", "年均", "同比", "较上年"):  # adverbs only: no indicator named
            assert result["indicator"] is None, m.group()
        else:
            assert result["indicator"] and result["indicator"] in m[1], m.group()


@pytest.mark.parametrize(("text", "value"), [("二〇二五", "2025"), ("一千二百", "1200"), ("三点五", "3.5"), ("1,200.5", "1200.5"),
                                             ("四分之一", "0.25"), ("1/4", "0.25"), ("一半", "0.5"), ("十分之三", "0.3")])
def test_parse_number_reads_numerals_and_fractions(text: str, value: str) -> None:
    assert parse_number(text) == Decimal(value)


def test_a_percentage_is_no_fraction() -> None:
    assert normalize_quantity("增长百分之五十")["values"] == [50.0]
    assert normalize_quantity("增长百分之五十")["unit"] == "%"
