"""Document metadata read from the report's own front matter: title, region (as written),
report year, meeting date and speaker. Each field is None when the text does not state it;
nothing is guessed from file names."""

from __future__ import annotations

import re
from collections import Counter

from nlp.normalize.numbers import parse_number

YEAR = re.compile(r"((?:19|20)\d{2}|[一二][〇零一二三四五六七八九]{3})\s*年")
MEETING = re.compile(
    r"((?:19|20)\d{2}|[一二][〇零一二三四五六七八九]{3})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*月"
    r"(?:\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日)?\s*在"
)
SPEAKER = re.compile(
    r"(?:代?(?:省|市|区|县|州|盟|旗)?长|主席|总理|县长|区长|市长|省长)[\s\u3000;；:：|]*"
    r"([\u4e00-\u9fff](?:[\s\u3000]?[\u4e00-\u9fff]){1,3}(?:·[\u4e00-\u9fff]+)?)"
    r"(?=[\s\u3000|]|各位|$|同志)"
)
REGION_SUFFIX = re.compile(r"^(.*(?:省|市|自治区|自治州|地区|盟|县|区|旗|州))")
REVIEW_YEAR = re.compile(r"((?:19|20)\d{2})年(?:工作|和“十[一二三四五六七八九]五”)?(?:工作)?回顾")


def _int(numeral: str) -> int:
    """2021 / 二〇二一 / 十一 -> int (the shared numeral parser of the normaliser)."""
    return int(parse_number(numeral))


def find_title(lines: list[str], given: str | None = None) -> str | None:
    """The front-matter line that names the report; a line with a year beats one without."""
    if given:
        return given.strip()
    candidates = [ln.strip(" \u3000|") for ln in lines[:15] if "工作报告" in ln and len(ln.strip()) <= 60]
    with_year = [c for c in candidates if YEAR.search(c)]
    return (with_year or candidates or [None])[0]


def region_from_title(title: str | None) -> str | None:
    """`池州市贵池区2021年政府工作报告` -> 池州市贵池区; `2025年中华人民共和国国务院…` -> 中华人民共和国."""
    if not title:
        return None
    name = YEAR.sub("", title)
    name = re.sub(r"[（(].*?[）)]", "", name)
    name = re.split(r"(?:人民)?政府工作报告|国务院", name)[0].strip(" \u3000")
    if "中华人民共和国" in name:
        return "中华人民共和国"
    m = REGION_SUFFIX.match(name)
    return m.group(1) if m and len(m.group(1)) >= 2 else None


def region_from_meeting(text: str) -> str | None:
    """`2021年2月25日在珠海市斗门区第四届人民代表大会…` -> 珠海市斗门区."""
    m = re.search(r"日在([\u4e00-\u9fff]{2,20}?)第[一二三四五六七八九十]+届", text)
    if not m:
        return None
    r = REGION_SUFFIX.match(m.group(1))
    return r.group(1) if r else None


def region_from_mentions(text: str) -> str | None:
    """Reports that open with 各位代表 and no title (seeds/002, 003): the division the report
    names most often in its first pages."""
    from nlp.rules.regions import most_named_division

    return most_named_division(text[:8000])


def extract_metadata(text: str, *, title: str | None = None, year: int | None = None, region: str | None = None) -> dict:
    """Metadata of one cleaned document; `title/year/region` given by a CSV/JSONL row win."""
    head = text[:1500]
    lines = head.split("\n")
    title = find_title(lines, title)
    meeting = MEETING.search(head)
    meeting_date = None
    meeting_year = None
    if meeting:
        y, mo, d = meeting.groups()
        meeting_year = _int(y)
        meeting_date = f"{meeting_year:04d}-{_int(mo):02d}" + (f"-{_int(d):02d}" if d else "")
    if year is None:
        title_year = YEAR.search(title or "")
        if title_year:
            year = _int(title_year.group(1))
        elif meeting_year:
            year = meeting_year
        else:
            review = Counter(int(y) for y in REVIEW_YEAR.findall(text[:5000]))
            year = max(review) + 1 if review else None
    region_source = "input" if region else None
    finders = {
        "title": lambda: region_from_title(title),
        "meeting": lambda: region_from_meeting(head),
        "mentions": lambda: region_from_mentions(text),
    }
    for source, finder in finders.items():
        if region:
            break
        region, region_source = finder(), source
    region_source = region_source if region else None
    speaker = SPEAKER.search(head)
    return {
        "title": title,
        "region": region,
        "region_source": region_source,
        "year": year,
        "meeting_date": meeting_date,
        "speaker": re.sub(r"[\s\u3000]", "", speaker.group(1)) if speaker else None,
    }
