"""Fingerprint of the official sheets: a canonical text of every cell value and its SHA-256.

导出 stores the fingerprint (and the canonical cell list) in the final workbook; 核验 recomputes it from the
cells as they are now. The canonical text is chosen so that a harmless re-save (Excel, WPS, LibreOffice,
openpyxl: same values, other bytes) gives the same fingerprint while any change of a value changes it:

- only the official sheets (the form's ``Layout.official``), in that order; cells row by row, column
  by column; empty cells (``None`` or ``""``) are skipped, so a cleared cell is a change but an empty cell
  that a program writes or drops is not;
- numbers (int, float, Decimal) → plain decimal text without exponent or trailing zeros: a float through
  ``repr`` (its shortest round-trip text), so ``Decimal("781.06")`` and the float ``781.06`` read back
  from the file both give ``"781.06"``; ``-0`` → ``"0"``;
- text → Unicode NFC, line ends as ``\\n`` (file formats store CR/CRLF inconsistently);
- dates → ``YYYY-MM-DD`` (a datetime at midnight too: spreadsheets store dates as date-times), a datetime
  with a time → ISO date-time to the second; times → ``HH:MM:SS``;
- booleans → ``TRUE`` / ``FALSE``.

The type is not part of the text (the number 95 and the text "95" are the same value). Pure Python: no
openpyxl here; :mod:`perfeval.xlsx.export` and :mod:`perfeval.xlsx.verify` read the cells.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from perfeval import a1

#: Bumped when the canonical text changes; part of the hashed text.
FINGERPRINT_VERSION = "perfeval-fingerprint-1"

Grid = Mapping[str, Mapping[str, object]]
CanonicalCell = tuple[str, str, str]  # (sheet, cell address, canonical value text)

@dataclass(frozen=True)
class CellChange:
    """One cell whose value differs: ``old``/``new`` are canonical texts, ``None`` for an empty cell."""

    sheet: str
    cell: str
    old: str | None
    new: str | None

    def describe(self) -> str:
        old = "（空）" if self.old is None else f"“{self.old}”"
        new = "（空）" if self.new is None else f"“{self.new}”"
        return f"{self.sheet}!{self.cell}：{old} → {new}"

    def to_json_dict(self) -> dict[str, str | None]:
        return {"sheet": self.sheet, "cell": self.cell, "old": self.old, "new": self.new}


@functools.lru_cache(maxsize=1 << 16)  # the same few hundred addresses in every file of a form
def address_key(address: str) -> tuple[int, int]:
    """Sort key of an A1 address: (row, column)."""
    return a1.order_key(address)


def _number_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"单元格中的数值无效：{value}")
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def canonical_value(value: object) -> str | None:
    """The canonical text of one cell value; ``None`` for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        try:
            return _number_text(Decimal(repr(value)))
        except InvalidOperation as exc:  # pragma: no cover - repr of a finite float always parses
            raise ValueError(f"单元格中的数值无效：{value!r}") from exc
    if isinstance(value, Decimal):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)  # to the second
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat(timespec="seconds")
    if isinstance(value, dt.timedelta):
        return f"{value.total_seconds():g}s"
    text = str(value)
    if text == "":
        return None
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def canonical_cells(grid: Grid, official: Sequence[str] | None = None) -> list[CanonicalCell]:
    """``{sheet: {"B5": value}}`` of the official sheets → ``[(sheet, cell, text)]`` in canonical order.

    ``official`` lists the official sheets in order (default: the grid's own order). A sheet missing from ``grid``
    counts as empty; a sheet that is not official is an error (the caller mapped renamed sheets to their
    official names).
    """
    sheets = list(grid) if official is None else list(official)
    unknown = [name for name in grid if name not in sheets]
    if unknown:
        raise ValueError(f"指纹只包括官方工作表，不应包括：{'、'.join(unknown)}")
    out: list[CanonicalCell] = []
    for sheet in sheets:
        cells = grid.get(sheet, {})
        for address in sorted(cells, key=address_key):
            text = canonical_value(cells[address])
            if text is not None:
                out.append((sheet, address, text))
    return out


def fingerprint_of_cells(cells: Iterable[CanonicalCell]) -> str:
    """SHA-256 (hex) of the canonical cell list."""
    payload = json.dumps([FINGERPRINT_VERSION, [list(c) for c in cells]], ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def fingerprint(grid: Grid, official: Sequence[str] | None = None) -> str:
    """SHA-256 (hex) of the official sheets' canonical cell values (``official``: their order)."""
    return fingerprint_of_cells(canonical_cells(grid, official))


def diff(old_cells: Iterable[CanonicalCell], new_cells: Iterable[CanonicalCell]) -> list[CellChange]:
    """Cells whose canonical value differs (changed, emptied or newly filled), in canonical order (sheets in the
    order they first appear in ``old_cells`` then ``new_cells``)."""
    old_list, new_list = list(old_cells), list(new_cells)
    sheet_order = {s: i for i, s in enumerate(dict.fromkeys(s for s, _, _ in [*old_list, *new_list]))}
    old = {(s, c): t for s, c, t in old_list}
    new = {(s, c): t for s, c, t in new_list}
    changes = [CellChange(s, c, old.get((s, c)), new.get((s, c)))
               for (s, c) in old.keys() | new.keys() if old.get((s, c)) != new.get((s, c))]
    return sorted(changes, key=lambda ch: (sheet_order[ch.sheet], address_key(ch.cell), ch.sheet))


__all__ = [
    "FINGERPRINT_VERSION",
    "CanonicalCell",
    "CellChange",
    "Grid",
    "address_key",
    "canonical_cells",
    "canonical_value",
    "diff",
    "fingerprint",
    "fingerprint_of_cells",
]
