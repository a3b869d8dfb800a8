"""Writing YAML for people: block style, text plain where it reads back as the same text, a literal
block (`|`) for text of several lines, quotes otherwise.

A small emitter for the data assess writes (mappings with text keys, lists, text, numbers,
booleans, null), ten times as fast as PyYAML's representer for a 10,000-item bank. Every
scalar is written in a form that YAML 1.2 (yaml-rs, which reads banks) and YAML 1.1 (PyYAML, which
locates errors) both read as the same value: plain only for text that starts with a letter and has
nothing either would read otherwise; single quotes for other printable one-line text; a literal
block for lines without trailing space; double quotes with escapes for the rest.
"""

from __future__ import annotations

import math
import re
from typing import Any

# Words YAML 1.1 reads as booleans or null (1.2 reads fewer); written quoted.
_WORDS = frozenset("y yes n no on off true false null".split())
_PLAIN_BREAKERS = re.compile(r": |:$| #|[\[\]{},\x00-\x1f\x7f\x85\u2028\u2029\ufeff]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x85": "\\N",
            "\u2028": "\\L", "\u2029": "\\P", "\x00": "\\0"}  # fmt: skip


def _printable(text: str) -> bool:
    """Text YAML may hold outside double quotes: printable characters and plain spaces (no NBSP,
    no line or paragraph separators, no byte-order mark, no surrogates)."""
    return text.isprintable() and "\ufeff" not in text


def _double_quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch == " " or (ch.isprintable() and ch != "\ufeff"):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02X}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(f"\\U{ord(ch):08X}")
    return '"' + "".join(out) + '"'


def _plain_ok(text: str) -> bool:
    return (
        text[:1].isalpha()
        and text[-1] != " "
        and _PLAIN_BREAKERS.search(text) is None
        and (text.isascii() or _printable(text))  # ASCII: the pattern already refused its controls
        and (len(text) > 5 or text.casefold() not in _WORDS)
    )


def scalar_text(text: str) -> str:
    """One-line form of `text`: plain, single-quoted or double-quoted."""
    if _plain_ok(text):
        return text
    if _printable(text):
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


def _block(text: str, indent: int) -> str | None:
    """`text` as a literal block whose lines start at `indent`, or None when one cannot hold it."""
    body = text.rstrip("\n")
    lines = body.split("\n")
    if not body or not lines[0] or lines[0][0] == " " or any(
        line != line.rstrip(" ") or not _printable(line) for line in lines
    ):  # fmt: skip
        return None
    trailing = len(text) - len(body)
    indicator = "|-" if trailing == 0 else "|" if trailing == 1 else "|+"
    pad = " " * indent
    tail = "\n" * (trailing - 1) if trailing > 1 else ""
    return indicator + "\n" + "\n".join(pad + line if line else "" for line in lines) + tail


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)  # 1e-05 -> 1.0e-05, a float to YAML 1.1 too
    return text


def _value(value: Any, indent: int) -> str:
    """A scalar, or an empty mapping or list, after `key: ` or `- `."""
    if isinstance(value, str):
        if "\n" in value:
            block = _block(value, indent)
            if block is not None:
                return block
        return scalar_text(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dict | list) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


_KEYS: dict[str, str] = {}  # field names repeat in every item: each written once


def _key(key: Any) -> str:
    if isinstance(key, str):
        written = _KEYS.get(key)
        if written is None:
            written = scalar_text(key)
            if len(_KEYS) < 10_000:
                _KEYS[key] = written
        return written
    return _value(key, 0)


def _mapping(data: dict, indent: int, out: list[str], first: str | None = None) -> None:
    pad = " " * indent
    for n, (key, value) in enumerate(data.items()):
        head = (first if n == 0 and first is not None else pad) + _key(key) + ":"
        if isinstance(value, dict) and value:
            out.append(head)
            _mapping(value, indent + 2, out)
        elif isinstance(value, list) and value:
            out.append(head)
            _sequence(value, indent, out)
        else:
            out.append(head + " " + _value(value, indent + 2))


def _sequence(data: list, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for value in data:
        if isinstance(value, dict) and value:
            _mapping(value, indent + 2, out, first=pad + "- ")
        elif isinstance(value, list) and value:
            out.append(pad + "-")
            _sequence(value, indent + 2, out)
        else:
            out.append(pad + "- " + _value(value, indent + 2))


def dump(data: Any) -> str:
    """`data` as block-style YAML that reads back identically under YAML 1.2 and 1.1."""
    out: list[str] = []
    if isinstance(data, dict) and data:
        _mapping(data, 0, out)
    elif isinstance(data, list) and data:
        _sequence(data, 0, out)
    else:
        out.append(_value(data, 2))
    return "\n".join(out) + "\n"
