"""Count SMS segments: GSM-7 when every character allows it, UCS-2 otherwise."""

from __future__ import annotations

# The GSM 03.38 basic character set, and the extension set (each costs two septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


def is_gsm7(text: str) -> bool:
    """Return whether the text can be sent in the GSM-7 alphabet."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def _ucs2_units(text: str) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def segments(text: str) -> tuple[str, int]:
    """Return the encoding ("gsm7" or "ucs2") and how many segments the text needs."""
    if is_gsm7(text):
        length = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, multi, encoding = GSM7_SINGLE, GSM7_MULTI, "gsm7"
    else:
        length = _ucs2_units(text)
        single, multi, encoding = UCS2_SINGLE, UCS2_MULTI, "ucs2"
    if length <= single:
        return encoding, 1 if length else 0
    return encoding, -(-length // multi)


def fits(text: str, gsm7_segments: int, ucs2_segments: int) -> bool:
    """Return whether the text fits the segment allowance for its encoding."""
    encoding, count = segments(text)
    return count <= (gsm7_segments if encoding == "gsm7" else ucs2_segments)
