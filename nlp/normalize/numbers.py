"""Numbers as reports write them: Arabic (`1,200.5`), Chinese (`二〇二五`, `一千二百`, `三点五`)
and fractions (`三分之二`, `1/4`, `一半`), read into Decimals, so that every value of the targets
table is the number the text states (exactly, fractions aside) and not a float's approximation."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_SCALES = {"万": 10**4, "亿": 10**8}
_CN_SMALL = "一二两三四五六七八九十"

#: A fraction as written: 三分之二 (not 百分之: a percentage), 1/4 (full-width ／ mapped to /), 一半.
FRACTION = rf"(?:(?!百分之)[{_CN_SMALL}百]+分之[{_CN_SMALL}]+|[0-9]+/[0-9]+(?![0-9/])|一半)"
_FRACTION_PARTS = re.compile(r"(?P<den>.+)分之(?P<num>.+)|(?P<n>[0-9]+)/(?P<d>[0-9]+)")


def _cn_to_decimal(text: str) -> Decimal:
    """Chinese numeral → number: 二〇二五 (digit by digit), 一千二百, 两, 三点五, 一万二."""
    whole, _, frac = text.partition("点")
    if whole and all(ch in CN_DIGITS for ch in whole):
        value = int("".join(str(CN_DIGITS[ch]) for ch in whole))
    else:
        value = section = digit = 0
        last_unit, after_unit = 1, False
        for ch in whole:
            if ch in CN_DIGITS:
                digit, after_unit = CN_DIGITS[ch], after_unit and ch not in "零〇○"
            elif ch in _CN_UNITS:
                section += (digit or 1) * _CN_UNITS[ch]
                digit, last_unit, after_unit = 0, _CN_UNITS[ch], True
            else:
                value = (value + section + digit) * _CN_SCALES[ch]
                section = digit = 0
                last_unit, after_unit = _CN_SCALES[ch], True
        # 一万二 / 三百五: a trailing digit right after a unit counts in the next unit down.
        value += section + (digit * last_unit // 10 if after_unit and last_unit >= 10 else digit)
    if frac:
        value = Decimal(f"{value}." + "".join(str(CN_DIGITS[ch]) for ch in frac))
    return Decimal(value)


def parse_number(text: str) -> Decimal:
    """Arabic (`2021`, `1,200.5`) or Chinese (`二〇二一`, `十二`) numeral, or a FRACTION
    (`三分之二`, `1/4`, `一半`) -> Decimal."""
    if text == "一半":
        return Decimal("0.5")
    if fraction := _FRACTION_PARTS.fullmatch(text):
        numerator, denominator = (fraction["num"], fraction["den"]) if fraction["den"] else (fraction["n"], fraction["d"])
        return parse_number(numerator) / parse_number(denominator)
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return _cn_to_decimal(text)
