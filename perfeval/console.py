"""Terminal output that survives any console and lines up CJK text.

- :func:`setup_streams` makes ``print`` never raise on a console or pipe whose encoding cannot represent a
  character (GBK on Chinese Windows has no ✗ or emoji, and only part of the rare CJK characters a unit or
  project name may hold): such characters print as ``?``.
- :func:`encodable_json` keeps JSON output exact on such a stream by escaping (``\\uXXXX``) only the
  characters the stream cannot encode, so machine-readable output never loses data.
- :func:`display_width`, :func:`ljust`, :func:`rjust`, :func:`truncate` and :func:`table` pad by the width a
  terminal shows: East Asian wide and fullwidth characters take two columns, combining marks none.
  East Asian *ambiguous* characters (“ ” — …) count as one column, as most terminals show them; a legacy
  CJK console may show them two columns wide.

Standard library only, so that importing it costs nothing at start-up.
"""

from __future__ import annotations

import io
import sys
import unicodedata
from collections.abc import Sequence
from typing import Literal, TextIO

Align = Literal["<", ">"]


def setup_streams(errors: str = "replace") -> None:
    """Reconfigure stdout and stderr so that unencodable characters are replaced instead of raising."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            try:
                stream.reconfigure(errors=errors)
            except (ValueError, OSError):  # closed or detached stream: nothing to print to anyway
                pass


def _can_encode(text: str, encoding: str | None) -> bool:
    try:
        text.encode(encoding or "utf-8")
    except UnicodeEncodeError:
        return False
    except LookupError:
        return True
    return True


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def encodable_json(text: str, stream: TextIO | None = None) -> str:
    """``text`` (JSON made with ``ensure_ascii=False``) with the characters ``stream`` cannot encode escaped.

    Non-ASCII characters only occur inside JSON strings, where ``\\uXXXX`` means the same character, so the
    result parses to the same data on any console.
    """
    encoding = getattr(stream if stream is not None else sys.stdout, "encoding", None)
    if _can_encode(text, encoding):
        return text
    return "".join(c if c.isascii() or _can_encode(c, encoding) else _json_escape(c) for c in text)


def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.category(char) == "Cc":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK and fullwidth characters count two)."""
    if text.isascii():
        return sum(1 for c in text if c.isprintable())
    return sum(char_width(c) for c in text)


def truncate(text: str, width: int, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``width`` columns, ending with ``ellipsis`` when it was cut."""
    if display_width(text) <= width:
        return text
    room = width - display_width(ellipsis)
    out: list[str] = []
    used = 0
    for c in text:
        w = char_width(c)
        if used + w > room:
            break
        out.append(c)
        used += w
    return "".join(out) + ellipsis


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns; breaks between words and between any two CJK characters, never
    inside an ASCII word, and not before closing or after opening punctuation (，。）” etc.)."""
    import re

    width = max(width, 4)
    tokens = re.findall(r"[ \t]+|[\x21-\x7e]+|.", " ".join(text.split()))
    lines: list[str] = []
    line = ""
    for token in tokens:
        if token.isspace():
            if line:
                line += " "
            continue
        if display_width(line + token) <= width or not line.strip():
            line += token
            continue
        carry = ""
        if len(token) == 1 and unicodedata.category(token) in ("Pe", "Pf", "Po") and len(line) > 1 \
                and not line[-1].isascii():
            carry, line = line[-1], line[:-1]  # closing punctuation never starts a line: take a character along
        while len(line) > 1 and unicodedata.category(line[-1]) in ("Ps", "Pi"):
            carry, line = line[-1] + carry, line[:-1]  # opening punctuation never ends one
        lines.append(line.rstrip())
        line = carry + token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def rjust(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def table(rows: Sequence[Sequence[str]], align: Sequence[Align], *, gap: int = 2,
          max_widths: Sequence[int | None] | None = None) -> list[str]:
    """Lines of a table whose columns line up in a terminal.

    Each column is as wide as its widest cell (cut to ``max_widths[i]`` columns when given); ``align`` is
    ``"<"`` (left) or ``">"`` (right) per column. Trailing spaces are removed from each line.
    """
    n = len(align)
    limits = list(max_widths) if max_widths is not None else [None] * n
    cells: list[list[str]] = []
    for row in rows:
        texts = []
        for i in range(n):
            text, limit = str(row[i]), limits[i]
            texts.append(text if limit is None else truncate(text, limit))
        cells.append(texts)
    widths = [max((display_width(r[i]) for r in cells), default=0) for i in range(n)]
    lines = []
    for r in cells:
        parts = [ljust(r[i], widths[i]) if align[i] == "<" else rjust(r[i], widths[i]) for i in range(n)]
        lines.append((" " * gap).join(parts).rstrip())
    return lines


__all__ = ["display_width", "encodable_json", "ljust", "rjust", "setup_streams", "table", "truncate", "wrap"]
