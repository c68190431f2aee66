"""Naughty strings in the style of the big list of naughty strings, written for Lantern.

Each is something a real person, a broken phone or an attacker might send, and each has broken
some web application somewhere.
"""

from __future__ import annotations

# A tag no template ever writes: if it comes back with its angle brackets, input was reflected
# unescaped.
MARKER = "<lantern-xss>"

NAUGHTY: tuple[str, ...] = (
    "",
    " ",
    "\t\n\r\x0b\x0c",
    "\x00",
    "nul\x00in the middle",
    "\x01\x02\x03\x07\x08\x1b[31mred\x1b[0m\x7f",
    "\u0085\u2028\u2029",  # next line, line and paragraph separators
    "\u200b\u200c\u200d\ufeff",  # zero-width characters and a byte order mark
    "\u202eevil\u202c",  # right-to-left override
    "\u202a\u202b\u2066\u2067\u2068\u2069",  # other bidi controls
    "\u0645\u0631\u062d\u0628\u0627 hello \u05e9\u05dc\u05d5\u05dd",  # mixed RTL and LTR
    "\u0661\u0662\u0663",  # Arabic-Indic digits, as an Arabic keyboard types "123"
    "\u06f1\u06f2",  # Extended Arabic-Indic digits (Urdu keyboards)
    "\uff11\uff12",  # fullwidth digits
    "\u2460 \u00b2 \u00bd",  # circled one, superscript two, a half
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a",
    "\U0001f600\U0001f469\u200d\U0001f467\u200d\U0001f466\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f1ec\U0001f1e7 \u2764\ufe0f \U0001f494",
    "\ufffd\ufffe\uffff",
    "\U0010ffff",
    "I'm 15 and he's my boyfriend",
    "im 15 n hes my bf wot do i do",
    "'",
    '"',
    "' OR '1'='1",
    "' OR 1=1 --",
    "'; DROP TABLE feedback; --",
    "\"; DELETE FROM conversations WHERE '1'='1",
    "1; SELECT pg_sleep(5)--",
    "%s%s%s%n%x",
    "%(name)s %(number)s {0} {name}",
    "{{7*7}} {% raw %} ${7*7} #{7*7}",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "&lt;b&gt; &amp;amp; &#60;script&#62;",
    "<!--",
    "]]><![CDATA[",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY y SYSTEM "file:///etc/passwd">]>',
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "\r\nSet-Cookie: stolen=1",
    "%0d%0aLocation:%20https://evil.example",
    "STOP",
    "MENU",
    "999",
    "0",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999999999999999",
    "S60 1AA",
    "Rotherham" * 40,
    "a" * 10_000,
    "\U0001f600" * 2_500,
)
