"""The measures of one TARGET/ACHIEVED span: a span can state several (level, growth,
comparison, rank, share), as the GUIDELINES (round 3) want them joined:
`地区生产总值414.4亿元,增长3.3%` is a level and a growth of one indicator,
`规上工业增加值增长7.6%，高于全国1.7个百分点` a growth and a comparison,
`森林覆盖率达65.85%、连续47年居全国首位` a level and a rank.

The span is cut into clauses at `，,、；;` where a value ends and the next piece is more than a
bare value (`完成投资252亿元、787亿元` stays one measure with two values); each clause is read by
nlp.normalize.quantity, its comparison (`比上年`, `高于全国`) and rank (`居全国第3位`, `首位`) taken
apart, and a clause that names no indicator (`增长3.3%`) takes the one of the measure before it.
Each measure carries its clause's offsets in the span, so `span[start:end]` is its text.
"""

from __future__ import annotations

import re
from typing import Any

from nlp.normalize.indicators import indicator_id
from nlp.normalize.periods import measure_period
from nlp.normalize.quantity import (
    DURATION_RE,
    FULLWIDTH,
    GROWTH_VERBS,
    VALUE_END,
    VALUE_FULL,
    bare_change,
    normalize_quantity,
    parse_number,
)

_SEPARATORS = re.compile(r"[，,、；;]")
#: A clause counts as holding a value if it has a digit, a Chinese numeral with a unit or a rank word.
_HAS_NUMBER = re.compile(r"[0-9]|第[一二三四五六七八九十]|首位|[一二两三四五六七八九十百千万]+(?:个百分点|倍|成)")

#: A reference, its scope first and longest (全市平均水平 before 全市).
_REFERENCE = (r"(?:(?:全国|全省|全市|全区|全州|全县|全盟)(?:平均水平|平均)?|平均水平|平均|"
              r"预期目标|预期|年度目标|年初目标|目标|经济增速|GDP增速|地区生产总值增速)")
#: Comparisons with a reference: 比上年 / 较2015年 / 同比 (then a verb), or 高于全国 (the verb itself).
_COMPARISON = re.compile(
    rf"(?:比|较|与)(?:上年同期|上年|去年同期|去年|上年度|同期|[0-9]{{4}}年|[一二三四五六七八九十]+年前|十年前|"
    rf"前[一二三四五六七八九十0-9]+年|上一个?五年(?:计划)?(?:时期)?|“[^”]{{1,8}}”(?:时期|期间)(?:末)?|"
    rf"{_REFERENCE})(?:预算|末|底|相比)?|同比|(?:高于|低于|快于|慢于|超过|超出|好于|优于|高出)(?:{_REFERENCE})|"
    rf"(?:约为|为|相当于)(?:{_REFERENCE})(?:水平)?的"
)
#: After `比…`, a one-character verb: 比去年预算低0.4个百分点.
_SHORT_VERBS = {"低": "下降", "高": "提高", "多": "增加", "少": "减少", "快": "快于", "慢": "慢于"}
_RANK_SCOPE = r"(?P<scope>全国|全省|全市|全区|全州|全县|全球|世界|全国同类城市|同类城市|西部|中部|东部|东北|中西部|长江经济带)?"
_RANK_PLACE = r"第(?P<n>[0-9]+|[一二三四五六七八九十]+)(?:位|名)?"
_RANK_AT = rf"(?:{_RANK_PLACE}|(?P<first>首位|榜首|第一方阵))"
#: A rank: a rank verb with any scope before the place (居中部地区第1), or a known scope alone (全国第3).
_RANK = re.compile(
    rf"(?:(?P<verb>稳居|位居|跃居|位列|居于|居|列|排名|排|保持)(?P<scope>[^，,、；;第\d]{{0,10}}?)|{_RANK_SCOPE.replace('scope', 'known')}){_RANK_AT}"
)
#: The place a from-rank moves to: 从全国第15位 | 升至第5位.
_RANK_TO = re.compile(
    rf"(?P<verb>提升|上升|升|跃升|前移|提高|进|前进)?(?:到|至){_RANK_SCOPE}{_RANK_PLACE}"
)
#: A share of a whole with no indicator of its own (、占全部企业超两成): it is the indicator before it;
#: not one that names itself a share (占规上工业总产值比重); a bare 占比 (工业项目32个、占比86.5%) is one.
_SHARE_OF = re.compile(r"占(?P<whole>[\u4e00-\u9fff]{1,12}?)的?(?<!比重)(?<!比例)(?<!份额)\Z")
_RUN = re.compile(r"^(?:连续|已连续)(?:[0-9一二三四五六七八九十]+|多)年")
#: Indicator words that name an aspect of the indicator before them (增速排名全省第四位).
_GENERIC = {"增速", "增幅", "总量", "规模", "总额", "排名", "位次", "数量"}
_COUNTER = r"(?<![0-9.])[0-9]+(?:\.[0-9]+)?万?(?:户|人|名|个|家|所|项|套|座|处|条)"
#: A count followed at once by another number: 4412户18918人 is two measures of one group.
_ADJACENT = re.compile(rf"{_COUNTER}(?=[0-9])")
#: Counted nouns joined by 和/及 (90名优秀个人和38个先进集体): a measure each, cut after the 和.
_JOINED_COUNTS = re.compile(rf"{_COUNTER}[\u4e00-\u9fff“”]{{2,12}}?(?:和|及)(?={_COUNTER})")
_SHARE_SUFFIXES = ("比重", "占比", "比例", "份额")
#: A from-value list still waiting for its to-values (分别从771家、481家 | 增加到1076家、636家): no cut.
_OPEN_FROM = re.compile(r"(?:从|由)[0-9][^到至]*\Z")
#: Verbs that make a comparison by themselves, as in 高于全国1.7个百分点.
_COMPARATIVE = ("高于", "低于", "快于", "慢于", "超过", "超出", "好于", "优于", "高出")


def split_clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of a span that states a measure of its own."""
    norm = text.translate(FULLWIDTH)
    cuts = [0]
    for sep in _SEPARATORS.finditer(norm):
        before = norm[cuts[-1] : sep.start()].strip()
        nxt_end = next((m.start() for m in _SEPARATORS.finditer(norm, sep.end())), len(norm))
        after = norm[sep.end() : nxt_end].strip()
        if (before and _ends_with_value(before) and after and not VALUE_FULL.fullmatch(after) and _HAS_NUMBER.search(after)
                and not _OPEN_FROM.search(before)):
            cuts.append(sep.end())
    # 4412户18918人: two counts, no separator; not inside quotes, where numbers are part of a name (“3个15万元”资金)
    def unquoted(found: re.Match[str]) -> bool:
        return norm.count("“", 0, found.start()) <= norm.count("”", 0, found.start())

    joined = {m.end() for m in _JOINED_COUNTS.finditer(norm) if unquoted(m)}
    cuts += [m.end() for m in _ADJACENT.finditer(norm) if unquoted(m)] + sorted(joined)
    cuts = sorted(set(cuts))
    bounds = []
    for start, end in zip(cuts, cuts[1:] + [len(text)]):
        stop = end - 1 if end < len(text) and norm[end - 1] in "，,、；;" else end  # separators stay out
        while stop > start and text[stop - 1] in " \t，,、；;":
            stop -= 1
        if end in joined:  # the 和 of 90名优秀个人和 | 38个先进集体 joins, it is no part of either
            stop -= 1
        while start < stop and text[start].isspace():
            start += 1
        if stop > start:
            bounds.append((start, stop))
    return bounds or [(0, len(text))]


def _ends_with_value(piece: str) -> bool:
    """A value closes the piece, or a value and a short verb (`2.6%安排`); not the 2.5 of PM2.5,
    nor the 零 of 零配件 (a Chinese numeral counts only with a unit right after it)."""
    for candidate in (piece, re.sub(r"[\u4e00-\u9fff]{1,2}\Z", "", piece)):
        m = VALUE_END.search(candidate)
        if m is None or (m.start() > 0 and re.match(r"[A-Za-z0-9.]", candidate[m.start() - 1])):
            continue
        if re.search(r"[0-9]", m.group()) or (candidate is piece and m["unit"]):
            return True
    return False


def measures(text: str) -> list[dict[str, Any]]:
    """The measures of a TARGET/ACHIEVED span, in order (see the module docstring for the
    fields). Never raises: a span with no number still gives one measure, with no values."""
    out: list[dict[str, Any]] = []
    for start, end in split_clauses(text):
        measure = _clause_measure(text[start:end])
        if out and (measure["indicator"] is None or measure["indicator"] in _GENERIC):
            measure["indicator"] = out[-1]["indicator"]
            measure["indicator_inherited"] = True
        out.append({"start": start, "end": end, **measure})
    for k, measure in enumerate(out[:-1]):  # 1122户3470名贫困人口: the group is named after its last count
        if measure["indicator"] is None and out[k + 1]["indicator"] is not None and not out[k + 1]["indicator_inherited"]:
            measure["indicator"], measure["indicator_inherited"] = out[k + 1]["indicator"], True
    return out


def span_measures(
    span_text: str, label: str, report_year: int | None = None, before: str = "", section: str = ""
) -> list[dict[str, Any]]:
    """`measures` of a span with each measure's `indicator_id` (nlp.normalize.indicators) and
    `period` (nlp.normalize.periods, read from the measure's own clause first, then from the
    text before it: the span's earlier clauses and `before`, the paragraph text before the
    span; `section` is its heading path)."""
    return [{**m, "indicator_id": indicator_id(m["indicator"]),
             "period": measure_period(span_text[m["start"]:m["end"]], label, report_year,
                                      before + span_text[: m["start"]], section)}
            for m in measures(span_text)]


#: What may stand between two quantity spans of one indicator: 国内生产总值达到74.4万亿元 | ， | 增长6.7%.
_SPAN_GAP = re.compile(r"[，,、；;]?")


#: Kinds of measure that say something of an indicator named before them (增长6.7%, 高于全国1个百分点,
#: 居全国首位); a level with no indicator (解决2万人) counts something of its own.
_OF_THE_INDICATOR_BEFORE = ("growth", "comparison", "rank")


def inherit_across_spans(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give the leading growth, comparison or rank measures of a quantity span that names no
    indicator (`增长6.7%`) the indicator of the span of the same label right before it, when only
    a comma or nothing separates them: a span the tagger cut in two (`国内生产总值达到74.4` |
    `增长6.7%`) is then read as the one span the GUIDELINES want. `entities` are those of
    paragraph `text` with their `measures`; they are updated in place and returned."""
    previous = None
    for ent in sorted((e for e in entities if "measures" in e), key=lambda e: e["start"]):
        source = previous["measures"][-1] if previous and previous["measures"] else None
        if (source is not None and source["indicator"] and previous["label"] == ent["label"]
                and _SPAN_GAP.fullmatch(text[previous["end"] : ent["start"]])):
            for measure in ent["measures"]:
                if measure["indicator"] is not None or measure["kind"] not in _OF_THE_INDICATOR_BEFORE:
                    break
                measure.update(indicator=source["indicator"], indicator_id=source["indicator_id"], indicator_inherited=True)
        previous = ent
    return entities


def _clause_measure(clause: str) -> dict[str, Any]:
    reading = clause
    run = _RUN.match(reading.translate(FULLWIDTH))
    if run:  # 连续47年居全国首位: the run of years is not the value
        reading = reading[run.end():]
    comparison = None
    rank = _RANK.search(reading)
    if rank is not None and (rank["verb"] or rank["first"] or rank["known"]):
        return _rank_measure(reading, rank)
    found = _COMPARISON.search(reading.translate(FULLWIDTH))
    first_number = re.search(r"[0-9０-９]", reading)
    if found is not None and (first_number is None or found.start() < first_number.start()):
        comparison = reading[found.start() : found.end()]
        rest = reading[found.end():]
        short = rest[:1]
        if short in _SHORT_VERBS and not rest[1:2] in ("于",):
            rest = _SHORT_VERBS[short] + rest[1:]
        reading = reading[: found.start()] + rest
    parsed = normalize_quantity(reading)
    if comparison is not None and comparison.startswith("约") and parsed["qualifier"] == "point":
        parsed["qualifier"] = "左右"  # 约为全国平均的70%
    share = _SHARE_OF.fullmatch(parsed["indicator"] or "") if comparison is None else None
    if share:  # 占全市的49.3%: a share of the indicator before it in a whole
        parsed["indicator"] = None
        return _finish(parsed, f"占{share['whole']}", "share")
    return _finish(parsed, comparison, _kind(parsed, comparison))


def _rank_measure(reading: str, rank: re.Match[str]) -> dict[str, Any]:
    before = reading[: rank.start()].strip(" ，,、；;")
    number = 1.0 if rank["first"] in ("首位", "榜首") else float(parse_number(rank["n"])) if rank["n"] else None
    values, change, from_value = [number] if number is not None else [], rank["verb"], None
    moved = _RANK_TO.match(reading, rank.end()) if number is not None and before.endswith(("从", "由")) else None
    if moved:  # 从全国第15位升至第5位: from one place to another
        before, change, from_value = before[:-1], moved["verb"], number
        values.append(float(parse_number(moved["n"])))
    indicator = re.sub(r"^(?:均|分别|还|也|都)+|(?:均|分别|还|也|都)+$", "", DURATION_RE.sub("", before)) or None
    parsed = {"indicator": indicator, "change": change, "values": values,
              "unit": "位" if number is not None else None, "qualifier": "point" if number is not None else None,
              "value_base": list(values), "unit_base": "位" if number is not None else None,
              "percent_missing": False, "from_value": from_value}
    if rank["first"] == "第一方阵":
        parsed["qualifier"] = None
    return _finish(parsed, rank["scope"] or rank["known"] or None, "rank")


def _kind(parsed: dict[str, Any], comparison: str | None) -> str:
    change = bare_change(parsed["change"])
    if comparison is not None and comparison.startswith(_COMPARATIVE) and not parsed["change"]:
        return "comparison"
    if parsed["unit"] == "强":
        return "rank"
    if (parsed["indicator"] or "").endswith(_SHARE_SUFFIXES):
        return "share"
    if change in GROWTH_VERBS:
        return "growth"
    return "level"


def _finish(parsed: dict[str, Any], comparison: str | None, kind: str) -> dict[str, Any]:
    values = parsed["values"]
    # The second of a range; of a from-to the first to-value (分别从771家、481家增加到1076家、636家: 1076).
    to = 1 if parsed["qualifier"] == "range" else len(values) // 2 if parsed["from_value"] is not None else None
    return {
        "indicator": parsed["indicator"], "indicator_inherited": False, "kind": kind, "change": parsed["change"],
        "comparison": comparison, "values": values, "value": values[0] if values else None,
        "value_to": values[to] if to and len(values) > 1 else None, "unit": parsed["unit"],
        "qualifier": parsed["qualifier"], "value_base": parsed["value_base"], "unit_base": parsed["unit_base"],
        "percent_missing": parsed["percent_missing"],
    }
