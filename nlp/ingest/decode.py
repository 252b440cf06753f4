"""Bytes -> text with encoding detection. Reports arrive as UTF-8 (with or without BOM),
GBK/GB18030, Big5 (Taiwan, Hong Kong, older sites) or UTF-16 (with or without BOM); anything
else is reported as not text instead of being decoded into mojibake, and a UTF-8 file with
damaged bytes is reported with the byte offset of the first one. Characters are never
converted (Big5 text stays in traditional characters)."""

from __future__ import annotations

import codecs


class NotTextError(ValueError):
    """A file that is not a text report (binary, unknown encoding, empty)."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


#: Where the characters of a Chinese report lie: ASCII, general and CJK punctuation, CJK
#: unified ideographs (with extension A), full-width forms.
_REPORT_RANGES = ((0x09, 0x7E), (0x2000, 0x206F), (0x3000, 0x303F), (0x3400, 0x9FFF), (0xFF00, 0xFFEF))


def _share(text: str, ranges: tuple[tuple[int, int], ...]) -> float:
    """The share of the characters of `text` whose code point lies in one of `ranges`."""
    inside = sum(1 for ch in text if any(lo <= ord(ch) <= hi for lo, hi in ranges))
    return inside / max(1, len(text))


def _looks_utf16(data: bytes) -> str | None:
    """The byte order of UTF-16 without BOM, or None. Why not NUL parity alone: a Chinese
    report has few ASCII characters (the NULs of UTF-16) and 一 (U+4E00) puts a NUL on the
    other side. So a file with NUL bytes is read in both byte orders and the one whose
    characters are at least 95% those of a report (the wrong order gives scattered code
    points) is taken; a GBK or UTF-8 stream never holds a NUL."""
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data:
        return None
    best, best_share = None, 0.95
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            share = _share(data.decode(encoding), _REPORT_RANGES)
        except UnicodeDecodeError:
            continue
        if share >= best_share:
            best, best_share = encoding, share
    return best


#: Characters a Chinese report does not hold but Big5 bytes read as GBK produce: kana, Greek,
#: Cyrillic, pinyin letters and box drawing (GBK rows A4-A9, where Big5 keeps its commonest
#: hanzi), and private-use code points (GBK's user-defined rows).
_BIG5_AS_GBK = ((0x3040, 0x30FF), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x2500, 0x257F), (0xE000, 0xF8FF))


def _utf8_damage(data: bytes) -> str | None:
    """What is wrong with a file that is UTF-8 but for a few bytes (at most 1% of its
    characters undecodable, or a character cut at the very end), else None."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        first = exc.start
    if first >= len(data) - 3 and data[first:].decode("utf-8", "ignore") == "":
        return f"UTF-8 cut inside a character at the end (byte {first} of {len(data)})"
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    if bad > max(3, 0.01 * len(text)):  # one damaged byte can leave up to three
        return None
    return (f"UTF-8 with {bad} invalid byte sequence{'s' if bad > 1 else ''}, the first at byte {first} of "
            f"{len(data)} ({data[first:first + 4]!r})")


def _is_texty(text: str) -> bool:
    """Reject decodes full of control characters (a binary that happens to decode)."""
    if not text:
        return False
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return bad <= 0.01 * len(text)


def decode_bytes(data: bytes, name: str = "<bytes>", errors: str = "strict") -> tuple[str, str]:
    """Return (text, encoding). Raises NotTextError naming `name` when nothing fits. With
    `errors="replace"` (`--errors replace`) a UTF-8 file with a few damaged bytes is kept, each
    bad sequence replaced by U+FFFD, and the encoding says so (nothing is changed silently)."""
    if not data.strip():
        raise NotTextError(f"{name}: empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise NotTextError(f"{name}: starts with a {encoding} BOM but does not decode: {exc}") from exc
            text = text.lstrip("\ufeff")
            if _is_texty(text):
                return text, encoding
            raise NotTextError(f"{name}: not a text file (control characters after decoding)")
    utf16 = _looks_utf16(data)
    if b"\x00" in data and not utf16:
        raise NotTextError(f"{name}: not a text file (contains NUL bytes)")
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise NotTextError(f"{name}: looks like {utf16} without BOM but does not decode at byte {exc.start}") from exc
        if _is_texty(text):
            return text, utf16
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        damage = _utf8_damage(data)
        if damage is not None and errors == "replace":
            return data.decode("utf-8", "replace"), f"utf-8, {damage.removeprefix('UTF-8 ')}, replaced by U+FFFD"
        if damage is not None:
            raise NotTextError(f"{name}: {damage}; repair the file, re-save it as UTF-8, or read it with "
                               "--errors replace") from None
    else:
        if _is_texty(text):
            return text, "utf-8"
    return _decode_chinese(data, name)


def _decode_chinese(data: bytes, name: str) -> tuple[str, str]:
    """GB18030, or Big5 where the GB18030 reading is full of characters no report holds."""
    readings = []
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _is_texty(text):
            readings.append((_share(text, _BIG5_AS_GBK), encoding, text))
    if not readings:
        raise NotTextError(f"{name}: not a text file (not UTF-8, UTF-16, GB18030 or Big5)")
    share, encoding, text = min(readings, key=lambda r: r[0])  # gb18030 first on ties
    if share > 0.01:
        raise NotTextError(
            f"{name}: decodes as {encoding} only with {share:.0%} kana, Greek, Cyrillic or private-use characters; "
            "its encoding is not one of UTF-8, UTF-16, GB18030 or Big5"
        )
    return text, encoding
