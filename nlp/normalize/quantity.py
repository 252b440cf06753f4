"""Normalise the text of a TARGET/ACHIEVED span into a comparable record.

Spans follow the annotation spec: indicator + verb/comparator + number(s) + unit + qualifier
(`地区生产总值增长8.5%以上`). Reports write numbers in Arabic, full-width or Chinese digits,
drop the `%` after growth rates, give several values for one indicator (`分别增长8%和9%左右`)
or a from/to pair (`从2.77%提高到3.3%`), so downstream aggregation needs one record shape:

    {"indicator", "change", "values", "unit", "qualifier", "value_base", "unit_base",
     "percent_missing", "from_value"}

`values` and `unit` stay as written (`1.2` + `万亩`); `value_base`/`unit_base` apply the
magnitude prefix (`12000.0` + `亩`). A Chinese numeral ending in 万/亿 is read the same way
(`十二万人` → 12 + `万人`, base 120000 人). The parser never raises and never invents a number:
what it cannot read is None (or an empty list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from nlp.io import resource_lines
from nlp.normalize.indicators import indicator_id
from nlp.normalize.numbers import CN_DIGITS, FRACTION, parse_number

#: Full-width digits and signs (the ratio colon ︰ too) map one-to-one onto ASCII, so offsets in the
#: matching copy are offsets in the original text and written forms can be sliced from the original.
FULLWIDTH = str.maketrans("０１２３４５６７８９．％﹪－～︰／", "0123456789.%%-~:/")

#: Magnitude prefixes of a unit, longest first: `650亿元` → 650 × 1e8 元.
_MAGNITUDES = {"万亿": 10**12, "千万": 10**7, "百万": 10**6, "亿": 10**8, "万": 10**4}

#: Units a value can carry, with their base unit and factor (nlp/resources/units.tsv).
#: `%` is matched on the normalised copy (％ → %).
def _unit_table() -> dict[str, tuple[str, Fraction]]:
    table = {}
    for line in resource_lines("units.tsv"):
        unit, base, factor = line.split("\t")
        table[unit] = (base, Fraction(factor))
    return table


_UNIT_TABLE = _unit_table()
_UNITS = tuple(_UNIT_TABLE)
_BRACKETED = re.compile(r"[（(][^（()）]+[)）]\Z")


def _unit_entry(unit: str) -> tuple[str, Fraction]:
    """Base unit and factor of a unit as written; a count with its alternative in brackets
    (场(次), 条（个）) is a count of its own, any other bracketed unit converts as its main unit."""
    if unit in _UNIT_TABLE:
        return _UNIT_TABLE[unit]
    main = _BRACKETED.sub("", unit)
    base, factor = _UNIT_TABLE[main]
    return (unit, factor) if base == main and factor == 1 else (base, factor)

#: Change verbs as written, longest first so that 提高到 wins over 提高 and 稳居 over 居.
GROWTH_VERBS = ("增长", "下降", "降低", "提高", "提升", "上升", "回落", "上涨")
_LEVEL_VERBS = (
    "增加", "减少", "压减", "压降", "扩大", "缩小", "达到", "达", "突破", "超过", "超", "逾", "接近",
    "增产", "减产", "增收", "覆盖", "降到", "压缩到", "压缩至", "缩短到", "缩短至",
    "新增", "新建", "建成", "开工建设", "开工", "完成", "实现", "控制在", "稳定在", "定为",
    "保持在", "保持", "稳居", "位居", "居", "位列", "跃居", "晋级", "跻身", "挺进", "进入",
    "入选", "增至", "降至", "为", "不低于", "不少于", "不超过", "不高于", "低于", "高于",
    "优化为", "调整为", "调整优化为", "优化调整为", "优化至", "调整至", "精简", "精减", "建成通车",
)
_TO_VERBS = tuple(f"{verb}{to}" for verb in GROWTH_VERBS + ("增加", "减少", "扩大", "缩小")
                  for to in ("到", "至"))
_VERBS = tuple(sorted(set(GROWTH_VERBS + _LEVEL_VERBS + _TO_VERBS), key=len, reverse=True))
#: Verbs that open a span whose indicator follows (`新建高标准农田1.2万亩`); single characters
#: are left out, they open words too (居民, 为民).
_LEAD_VERBS = tuple(sorted({v for v in _VERBS if len(v) > 1} | {"改建", "签约", "争创"} | set(resource_lines("measure_verbs.txt")),
                           key=len, reverse=True))
#: Adverbs between indicator and verb. Only 年均 and 实际 (real, not nominal, growth) change the
#: meaning, so only they are kept in the change: 实际增长, 年均增长.
_ADVERBS = ("分别", "均", "累计", "年均", "同比", "比上年", "较上年", "平均", "共", "实际")
#: Scope and stance words the spec keeps out of spans; stripped from the indicator if present.
_MEANING_ADVERBS = ("年均", "实际")
_FILLERS = ("力争", "确保", "预计", "全年", "今年", "累计", "其中", "年度")
_RATE_SUFFIXES = ("率", "比重", "占比", "比例")

_QUALIFIERS = {"以上": "以上", "左右": "左右", "以内": "以内", "以下": "以下", "之内": "以内",
               "内": "以内"}
#: Verbs that bound a value: 不低于900万人 is 900万人以上, 低于4.6% is 4.6%以下.
_VERB_QUALIFIERS = {"不低于": "以上", "不少于": "以上", "超过": "以上", "超": "以上", "突破": "以上", "逾": "以上",
                    "低于": "以下", "不超过": "以下", "不高于": "以下", "接近": "左右"}
_RANGE_SEPS = ("—", "–", "-", "~", "〜", "至", "到")


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


#: 内 alone is 以内 only where no word goes on (3个工作日内), not the 内 of 20处内涝黑点.
_QUALIFIER_ALT = _alt(q for q in _QUALIFIERS if q != "内") + "|内(?![\u4e00-\u9fff])"


_ARABIC = r"-?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
_CN_NUM = (f"(?![零〇○](?![{''.join(CN_DIGITS)}十百千万亿点]))"  # a lone 零 is no value: 清零, 零增长
           f"[{''.join(CN_DIGITS)}十百千][{''.join(CN_DIGITS)}十百千万亿]*"
           f"(?:点[{''.join(CN_DIGITS)}]+)?")
_SEP = rf"(?:—+|{_alt(set(_RANGE_SEPS) - {'—'})}|、|和|与|及|[:：](?=[0-9]))"  # 9.7:47.3:43, a ratio


#: No digit before 万/亿 right after a bound or approximation (突破万亿元, 超万家, 近万人): one of them.
_BARE_SCALE = rf"(?:(?<=突破)|(?<=超过)|(?<=[超逾近约达]))(?=(?:万亿|亿|万)(?:{_alt(_UNITS)}))"
#: Where the 1 of such a value goes in a piece: at its start, or after its 约/近.
_BARE_START = re.compile(r"(约|近)?(?=[万亿])")


def _value_pattern(number: str, named: bool) -> str:
    """One value with its decorations; group names only where a single value is parsed."""
    def g(name: str, body: str) -> str:
        return f"(?P<{name}>{body})" if named else f"(?:{body})"

    return (
        f"{g('approx', '约|近')}?{g('rank', '第')}?"
        f"(?:{g('pct', '百分之')}{g('pnum', _CN_NUM + '|' + _ARABIC)}|{g('num', number + '|' + _BARE_SCALE)})"
        f" ?{g('more', '余|多')}?{g('mag', _alt(_MAGNITUDES))}?{g('more2', '余|多')}?"
        f"{g('unit', f'(?:{_alt(_UNITS)})(?:[（(](?:{_alt(_UNITS)})[)）])?')}?{g('qual', _QUALIFIER_ALT)}?"
    )


#: The year a from- or to-value is of: 从2007年的248亿美元上升到2012年的772亿美元.
_YEAR_OF = r"(?:[0-9]{4}年(?:底|末)?|年初|年末|年底)的"


def _outer_regex(number: str, tail: str) -> re.Pattern[str]:
    value = _value_pattern(number, named=False)
    return re.compile(
        rf"^(?P<head>.*?)(?:(?P<from_kw>从|由)(?:{_YEAR_OF}|[\u4e00-\u9fff]{{1,5}}?)?(?P<from>{value}(?:\s*{_SEP}\s*{value})*))?"
        rf"(?P<adv>(?:{_alt(_ADVERBS)})*)(?:(?P<change>{_alt(_VERBS)})|到|至)?[\s:：]*(?:{_YEAR_OF})?"
        rf"(?P<values>{value}(?:\s*{_SEP}\s*{value})*)(?P<tail>{tail})\Z",
        re.S,
    )


#: Spans end with their quantity; if one does not, take the last Arabic quantity and read
#: the rest (`开工建设8个抽水蓄能电站`) as the indicator. Chinese numerals only count at the end,
#: where they cannot be the 一 of 一般公共预算收入.
_STRICT = _outer_regex(f"{FRACTION}|{_CN_NUM}|{_ARABIC}", r"[\s，。；、,.;:：！!）)]*")
_LOOSE = _outer_regex(rf"{FRACTION}|{_ARABIC}|(?<![\s\S]){_CN_NUM}", r"[^0-9]*")
_VALUE = re.compile(_value_pattern(f"{FRACTION}|{_CN_NUM}|{_ARABIC}", named=True), re.S)
#: For nlp.normalize.measures: one whole value, and a value that ends a piece of text (with the
#: same groups, read at its place: a bare 万亿元 needs the 突破 before it, see _BARE_SCALE).
VALUE_FULL = _VALUE
VALUE_END = re.compile(_VALUE.pattern + r"\Z", re.S)
_SEP_RE = re.compile(rf"\s*({_SEP})\s*")
#: 新/再/共 before an opening verb that is no verb with them (新解决, 新打造); 新增 stays 新增, not 新 + 增产.
_PREFIXED_LEAD = rf"(?:{_alt(_LEAD_VERBS)})|(?:新|再|共)(?:{_alt(_LEAD_VERBS)})"
_ONE_LEAD_RE = re.compile(_PREFIXED_LEAD)
#: One leading verb, or several joined by 和/及/与/、 (新建和改造, 制定、修改、废止).
_LEAD_RE = re.compile(rf"^(?:{_PREFIXED_LEAD})(?:(?:和|及|与|、|并)(?:{_alt(_LEAD_VERBS)}))*")
_INNER_LEAD_RE = re.compile(_alt(v for v in _LEAD_VERBS if len(v) > 1))
#: Verbs of a predicate after the thing counted (35家村镇银行完成改革任务): the noun ends there.
_PREDICATE_RE = re.compile(r"(?<=..)(?:完成|建成(?!区)|运行|开园|调整|保持|挂职|建立|实现|落地|投产|开工|竣工|通过|获得|获评|入选|"
                           r"荣登|参与|强链|纳入|达到|达标|全部|开展|成功|创建|落户|脱贫|完工|顺利|相继|陆续|交付|升格|参照|"
                           r"列入|上榜|入围|成为|投用|通车|开业|挂牌|揭牌|荣获|见底|全面|基本|(?<!提档)升级|出列|稳定|已有|已经|进行|与|在|于|向|"
                           r"配备|先后|如期|[\u4e00-\u9fff]{2}了|"
                           r"[春夏秋冬]季|年底|年内|上半年|下半年)")
_INNER_RE = re.compile(_alt(v for v in _VERBS if len(v) > 1))  # 居 of 居民 is no verb
#: A verb with the perfective 了 and nothing else before a count (建立了, 访问了, 新开放了).
_PERFECTIVE_RE = re.compile(r"[\u4e00-\u9fff]{1,4}了")
_TRAILING_RE = re.compile(rf"(?:{_alt(_VERBS)})\Z")
#: Scope words (GUIDELINES: never in a span, but a predicted span can hold one): 全省地区生产总值 is
#: 地区生产总值. Not 全国 (全国重点实验室 is a name), nor the 全区 of 全区域.
_SCOPES = ("全省", "全市", "全区", "全县", "全州", "全盟", "全旗", "我省", "我市", "我区", "我县", "本省", "本市", "本县")
_FILLER_RE = re.compile(rf"^(?:{_alt(_FILLERS)}|(?:{_alt(_SCOPES)})(?![域场]))+")
#: Particles between an indicator and its number that are not part of its name (赤字率拟按2.6%).
_PARTICLE_RE = re.compile(r"(?<=.)(?:拟按|拟|按|要|将|为|预计|力争|确保|有望|约|共|每年|年均|累计|分别|均|各|全年|今年|再|已经|已|"
                          rf"安排|预期目标|调控目标|目标|(?<=..)中|长期|持续|始终|一直|止跌|企稳|(?<=..)占|(?<=..)使|(?:累计|共|已)(?:{_alt(_LEAD_VERBS)})|"
                          r"平均|共计|的?(?<!成)就|(?:到|至)?[0-9０-９]{4}年(?:底|末|初)?)+\Z")
#: 累计 inside an indicator says how it was summed, not what: 碳市场累计交易 is 碳市场交易.
_INNER_ADVERB_RE = re.compile(r"(?<=..)累计(?=[\u4e00-\u9fff])")
#: A run of years (连续13年, 五年) or a comparison base (比制度建立之初) inside an indicator.
DURATION_RE = re.compile(r"(?:已?连续(?:[0-9一二三四五六七八九十]+|多)年|(?<=.)[0-9一二三四五六七八九十]+年(?:来|间)?\Z)")
_BASE_RE = re.compile(r"(?<=..)(?:比|较)(?![重例率值])[\u4e00-\u9fff]{2,10}\Z")
#: Before a rank list (40强): the verb and the list's scope (进入全国40强).
_RANK_LIST_RE = re.compile(r"(?<=..)(?:进入|跻身|入围|位列|晋级|挺进|迈入)?(?:全国|全省|全市|全球|世界|中国|全区)?\Z")
_MANNER_RE = re.compile(r"(?:稳步|逐步|进一步|持续|大幅|稳定|全面|有序|扎实|加快|不断)+")
#: A verb inside an indicator that only says the value was reached: 小城镇建设完成投资 is 小城镇建设投资.
_INNER_RESULT_RE = re.compile(r"(?<=.)(?:完成|实现)(?=投资|产值|营业收入|营收|增加值|销售收入|销售额|交易额)")
#: Nouns that open with a verb of _LEAD_VERBS (安置 + 房, 增加 + 值, 建成 + 区): the verb stays.
_VERB_NOUNS = ("安置房", "安置区", "安置点", "安置小区", "增加值", "建成区")
#: Opening brackets and quotes left at the end of an indicator by a cut after them (贫困村“脱贫摘帽”).
_OPEN_TAIL_RE = re.compile(r"[“‘《〈（(「『【]+\Z")
#: Adverbs that may open an indicator: 年均临时救助 is 临时救助.
_LEADING_ADVERBS = re.compile(r"^(?:年均|累计|共|均|分别|合计|共计|平均|的|年度)+(?=[\u4e00-\u9fff“])|^在(?=.{2,}中$)"
                               r"|^[0-9]+(?:\.[0-9]+)?[万亿]?(?:个|家|项|所|座|条|户|处)(?!及|以)(?=[\u4e00-\u9fff“]{2})")


@dataclass(frozen=True)
class _Value:
    number: Decimal
    magnitude: str | None
    unit: str | None
    qualifier: str | None

    @property
    def unit_text(self) -> str | None:
        text = (self.magnitude or "") + (self.unit or "")
        return text or None


def _parse_value(piece: str) -> _Value | None:
    """Parse one value from the normalised copy (its units equal the written ones, % aside)."""
    # A bare 万/亿 (_BARE_SCALE: its bound verb is outside the piece) is one of them.
    bare = _BARE_START.match(piece)
    m = _VALUE.fullmatch(piece[: bare.end()] + "1" + piece[bare.end():] if bare else piece)
    if m is None:
        return None
    number_text, magnitude = m["pnum"] or m["num"], m["mag"]
    if m["num"] and not magnitude and not number_text[-1].isdigit():
        # 十二万: the trailing scale of a Chinese numeral is a unit prefix, as in 12万.
        for scale in ("万亿", "亿", "万"):  # not 百万/千万: there 百/千 belong to the numeral
            if number_text.endswith(scale) and len(number_text) > len(scale):
                number_text, magnitude = number_text[: -len(scale)], scale
                break
    qualifier = (_QUALIFIERS.get(m["qual"] or "") or ("左右" if m["approx"] else None)
                 or ("以上" if m["more"] or m["more2"] else None))
    unit = "%" if m["pct"] else m["unit"]
    return _Value(parse_number(number_text), magnitude, unit, qualifier)


def _parse_values(region: str) -> tuple[list[_Value], bool]:
    """Split a values region on list/range separators; a leading `-` stays a minus sign."""
    values: list[_Value] = []
    is_range = False
    pos = 0
    pieces: list[tuple[int, int]] = []
    for sep in _SEP_RE.finditer(region):
        if sep.start() == pos and sep.group(1) == "-":
            continue  # a minus sign, not a separator
        pieces.append((pos, sep.start()))
        is_range = is_range or sep.group(1)[0] in _RANGE_SEPS
        pos = sep.end()
    pieces.append((pos, len(region)))
    for start, end in pieces:
        value = _parse_value(region[start:end])
        if value is not None:
            values.append(value)
    return values, is_range and len(values) > 1


def _split_head(head: str, change: str | None) -> tuple[str | None, str | None]:
    """Indicator and change verb from the text before the numbers. A name the indicator
    vocabulary knows is kept whole; otherwise leading verbs and adverbs, a run of years, a
    comparison base and trailing particles are not part of the indicator."""
    head = _FILLER_RE.sub("", head.strip(" \t\r\n，,、；;：:"))
    if known := indicator_id(head):
        lead = _LEAD_RE.match(head)  # 新增城镇就业 is 城镇就业, the verb is not part of the name
        if lead and indicator_id(head[lead.end():]) == known:
            return head[lead.end():], change or lead.group()
        return head, change
    if result := _INNER_RESULT_RE.search(head):  # 电网建设完成投资 is 电网建设投资
        head, change = head[: result.start()] + head[result.end():], change or result.group()
    head = DURATION_RE.sub("", head)
    head = _BASE_RE.sub("", head)
    if head and _only_verbs(head):  # no indicator before the number
        return None, change or head
    if change is None:
        trailing = _TRAILING_RE.search(head)
        if trailing:  # 地区生产总值增长 (no number given)
            change, head = trailing.group(), head[: trailing.start()]
        elif not _LEAD_RE.match(head):
            inner = list(_INNER_RE.finditer(head))
            change = inner[-1].group() if inner else None  # 城镇新增就业: verb stays in the name
    head = _INNER_ADVERB_RE.sub("", _PARTICLE_RE.sub("", head.strip()).strip())
    if not indicator_id(head):
        for verb in _INNER_LEAD_RE.finditer(head):  # 服务业实现增加值 is 服务业增加值
            if indicator_id(head[: verb.start()] + head[verb.end():]):
                return head[: verb.start()] + head[verb.end():], change or verb.group()
        # 安置房 is a noun; 新设外资企业数量增长19.5%: a flow of new things that grows is named with its verb
        keep = head.startswith(_VERB_NOUNS) or (head.startswith("新") and bare_change(change) in GROWTH_VERBS)
        lead = None if keep else _LEAD_RE.match(head)
        if lead:  # 新建和改造高标准农田: the verbs go, the change stays as found
            end = _verbs_end(head, lead.end())
            change, head = change or head[:end], head[end:]
        head = _LEADING_ADVERBS.sub("", head)
    if _MANNER_RE.fullmatch(head):  # 稳步达到3000亿元: no indicator of its own
        head = ""
    return head or None, change


def bare_change(change: str | None) -> str:
    """The change verb without the adverbs kept with it (年均增长, 实际增长 -> 增长)."""
    return re.sub(rf"^(?:{'|'.join(_MEANING_ADVERBS)})+", "", change or "")


def _only_verbs(head: str) -> bool:
    """The text before a number is verbs alone (新开工630万套, 新建成投用1所公办幼儿园,
    改造和新建1.88万所乡镇卫生院, 访问了46个国家): the indicator is the counted noun after it."""
    return _verbs_end(head, 0) == len(head) or bool(_LEAD_RE.fullmatch(head) or _PERFECTIVE_RE.fullmatch(head))


def _verbs_end(head: str, end: int) -> int:
    """Where the opening verbs of `head` end, from `end` on: verbs written one after another
    (新建改建农村公路, 建设筹集保障性住房) go too while a noun of 3 characters or more is left after
    them (建成安置房 keeps 安置房, 新增治理面积 治理面积) or nothing is (新开工改造)."""
    while (more := _ONE_LEAD_RE.match(head, end)) and (len(head) - more.end() >= 3 or more.end() == len(head)):
        end = more.end()
    return end


def _base(value: _Value, shared: _Value | None) -> float:
    """A value in base units (magnitude and unit factor applied, exactly); a value written
    without a unit shares the last one (5—5.5%)."""
    source = value if value.unit_text else shared
    magnitude = _MAGNITUDES[source.magnitude] if source and source.magnitude else 1
    factor = _unit_entry(source.unit)[1] if source and source.unit else Fraction(1)
    return float(Fraction(value.number) * magnitude * factor)


def _empty(indicator: str | None = None, change: str | None = None) -> dict:
    return {"indicator": indicator, "change": change, "values": [], "unit": None,
            "qualifier": None, "value_base": [], "unit_base": None, "percent_missing": False,
            "from_value": None}


def normalize_quantity(text: str) -> dict:
    """Turn one TARGET/ACHIEVED span into indicator/change/values/unit/qualifier (see module)."""
    norm = text.translate(FULLWIDTH)
    m = _STRICT.match(norm) or _LOOSE.match(norm)
    if m is None:
        indicator, change = _split_head(text, None)
        return _empty(indicator, change) if change else _empty()

    values, is_range = _parse_values(m["values"])
    from_value = None
    if m["from"]:  # 分别从771家、481家增加到1076家、636家: the from-values, then the to-values
        from_values, _ = _parse_values(m["from"])
        from_value = from_values[0] if from_values else None
        values = from_values + values
    if not values:
        return _empty(*_split_head(text[: m.start("values")], m["change"]))

    change = m["change"]
    if change:
        change = "".join(word for word in _MEANING_ADVERBS if word in (m["adv"] or "")) + change
    head, bound = text[: m.end("head")], _VERB_QUALIFIERS.get(change or "")
    growth = next((v for v in GROWTH_VERBS if head.endswith(v)), None) if bound else None
    if growth:  # 服务贸易增长超过7%: a growth of 7% or more
        head, change = head[: -len(growth)], growth
    unit_of_last = values[-1].unit
    if head.strip() and change and _only_verbs(head.strip() + change):
        head, change = "", head.strip() + change  # 新开工630万套: 新 is the verb's, not an indicator
    indicator, change = _split_head(head, change)
    if indicator and unit_of_last == "强":  # 综合排名进入全国40强: the list's scope is not the indicator's
        indicator = _RANK_LIST_RE.sub("", indicator) or None
    tail = text[m.start("tail"): m.end("tail")].strip(" \t\r\n，。；、,.;:：！!）)")
    if (indicator is None or indicator.endswith("等")) and re.search(r"\w", tail):
        noun = _PREDICATE_RE.split(tail, maxsplit=1)[0]  # 开工建设8个抽水蓄能电站; 35家村镇银行完成改革任务
        indicator = re.sub(r"(?<=..)建设\Z", "", noun.removeprefix("的"))  # 27个省级美丽乡村中心村建设
        # the predicate after the counted noun is what happened to it: 31个亿元以上项目 | 竣工投产
        change = change or tail[len(noun):].strip("“”\"'‘’") or None
    if indicator:
        indicator = _OPEN_TAIL_RE.sub("", indicator) or None

    shared = next((v for v in reversed(values) if v.unit_text), None)
    unit = shared.unit_text if shared else None
    percent_missing = unit is None and not re.search(r"[:：]", m["values"]) and (  # a ratio 9.7:47.3:43 has no unit
        bare_change(change) in GROWTH_VERBS
        or ((indicator or "").endswith(_RATE_SUFFIXES) and not (indicator or "").endswith("容积率"))  # 容积率 is a ratio
    )
    unit_base = _unit_entry(shared.unit)[0] if shared and shared.unit else None
    if percent_missing:
        unit = unit_base = "%"
    last = values[-1]
    return {
        "indicator": indicator,
        "change": change,
        "values": [float(v.number) for v in values],
        "unit": unit,
        "qualifier": "range" if is_range else (last.qualifier or bound or _VERB_QUALIFIERS.get(change or "") or "point"),
        "value_base": [_base(v, shared) for v in values],
        "unit_base": unit_base,
        "percent_missing": percent_missing,
        "from_value": float(from_value.number) if from_value is not None else None,
    }
