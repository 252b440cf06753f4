"""Bytes -> text with encoding detection. Reports arrive as UTF-8 (with or without BOM),
GBK/GB18030 or UTF-16; anything else is reported as not text instead of being decoded into
mojibake."""

from __future__ import annotations

import codecs


class NotTextError(ValueError):
    """A file that is not a text report (binary, unknown encoding, empty)."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: text in the BMP has a NUL in every other byte for ASCII, and CJK
    never produces a NUL in a GBK/UTF-8 stream, so NUL parity tells the byte order."""
    if len(data) < 4 or len(data) % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    half = len(data) // 2
    if odd > 0.2 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.2 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _is_texty(text: str) -> bool:
    """Reject decodes full of control characters (a binary that happens to decode)."""
    if not text:
        return False
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return bad <= 0.01 * len(text)


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Return (text, encoding). Raises NotTextError naming `name` when nothing fits."""
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
    candidates = ([utf16] if utf16 else []) + ["utf-8", "gb18030"]
    if b"\x00" in data and not utf16:
        raise NotTextError(f"{name}: not a text file (contains NUL bytes)")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _is_texty(text):
            return text, encoding
    raise NotTextError(f"{name}: not a text file (not UTF-8, UTF-16 or GB18030)")
