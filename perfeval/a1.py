"""A1 cell addresses: the one helper the whole code base uses to parse, build, order and quote them.

``"B7"`` ↔ (row 7, column 2). Parsing accepts what a user or a file may write (``$B$7``, ``b7``);
:func:`split` is strict and fast for addresses the layout itself produced.
"""

from __future__ import annotations

import functools
import re

_ADDRESS = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,8})$")


@functools.lru_cache(maxsize=1024)  # a handful of columns, looked up for every cell read
def col_index(letters: str) -> int:
    """"A" → 1, "AA" → 27 (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def col_letter(index: int) -> str:
    """1 → "A", 27 → "AA"."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.lru_cache(maxsize=16384)
def address(row: int, col: int) -> str:
    """(7, 2) → "B7"."""
    return f"{col_letter(col)}{row}"


@functools.lru_cache(maxsize=16384)  # the layouts' addresses, split once
def split(addr: str) -> tuple[int, int]:
    """"B7" → (7, 2), for addresses the layout produced (no ``$``, upper case)."""
    letters = "".join(ch for ch in addr if ch.isalpha())
    return int(addr[len(letters):]), col_index(letters)


def parse(text: str) -> tuple[int, int] | None:
    """"B7", "$b$7" → (7, 2); None when ``text`` is not one plain cell reference (row 0 and leading zeros included)."""
    m = _ADDRESS.match(text.strip())
    if m is None:
        return None
    return int(m.group(2)), col_index(m.group(1))


def normalise(text: str, max_row: int | None = None, max_col: int | None = None) -> str | None:
    """"b7" / "$B$7" → "B7"; None unless one cell within the given bounds."""
    parsed = parse(text)
    if parsed is None:
        return None
    row, col = parsed
    if (max_col is not None and col > max_col) or (max_row is not None and row > max_row):
        return None
    return address(row, col)


def order_key(addr: str) -> tuple[int, int]:
    """Reading order of an address: row first, then column ("B9" < "B31" < "C9"); ValueError if not one."""
    parsed = parse(addr)
    if parsed is None:
        raise ValueError(f"不是有效的单元格地址：{addr!r}")
    return parsed


def range_bounds(ref: str) -> tuple[int, int, int, int]:
    """"B4:C6" (or one cell "B4") → (first row, first col, last row, last col)."""
    first, _, last = ref.partition(":")
    r1, c1 = split(first.replace("$", ""))
    r2, c2 = split((last or first).replace("$", ""))
    return r1, c1, r2, c2


def quote_sheet(name: str) -> str:
    """A sheet name as a formula writes it: 'name' (quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"


def ref(sheet: str, addr: str) -> str:
    """'sheet'!B7."""
    return f"{quote_sheet(sheet)}!{addr}"
