"""What 校验 does to a workbook, decided once for both the file layer and the add-in.

The openpyxl layer (``perfeval.xlsx.flags``) and the xlwings macros (``addin.macros``) only *apply* a
:class:`FlagPlan`; every decision — fill colour by severity, note text, which cells to restore from the
previous run, the rows of the 校验结果 sheet, which explanation (说明) belongs to which finding — is made
here, so the two paths flag the same cells with the same messages.

State between runs is kept as plain values in the workbook (readable on every engine): the hidden sheet
``_perfeval_flags`` lists each flagged cell with its original fill and note, and the 校验结果 sheet holds
the accountant's explanations. A second run first restores the originals, so running twice equals
running once, fixed problems lose their flags, and the user's own notes and fills come back on ``clear``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from perfeval import a1
from perfeval.findings import SEVERITY_LABELS, SEVERITY_ORDER, Finding, Severity, cell_order
from perfeval.limits import MAX_CELL_TEXT, MAX_SHEET_COLS, MAX_SHEET_ROWS

NOTE_AUTHOR = "绩效自评助手"
NOTE_MARK = "【绩效自评助手】"
USER_NOTE_MARK = "【原批注】"

#: ARGB fill per severity (Excel style: light red / light orange / light blue)
SEVERITY_FILLS = {Severity.ERROR: "FFFFC7CE", Severity.WARNING: "FFFCD5B4", Severity.INFO: "FFDDEBF7"}

RESULTS_HEADER = ("序号", "代码", "级别", "工作表", "单元格", "问题说明", "填报值", "计算值", "说明（警告须填写理由）")
RESULTS_WIDTHS = (5, 8, 6, 18, 7, 56, 11, 11, 34)  # one A4 landscape page wide at ~95 %
STATE_HEADER = ("sheet", "cell", "fill", "note", "note_unknown")
EXPLANATION_COL = RESULTS_HEADER.index("说明（警告须填写理由）")
RESULTS_FIRST_ROW = 3  # title row, header row, then findings


@dataclass(frozen=True)
class CellOriginal:
    """A flagged cell as it was before this tool touched it."""

    sheet: str
    cell: str
    fill: str | None  # ARGB "FFRRGGBB", or None for no fill
    note: str | None  # the user's note text, or None
    note_unknown: bool = False  # a note exists but its text could not be read (remote engine)

    def row(self) -> list[str]:
        return [self.sheet, self.cell, self.fill or "", self.note or "", "1" if self.note_unknown else ""]

    @classmethod
    def from_row(cls, row: Sequence[object]) -> CellOriginal | None:
        """A row of the state sheet, or None when it is the header or not a valid record. The sheet is
        hidden but can be edited by hand: a record naming anything but one cell within the limits, a fill
        that is not a colour code, wrong types or an over-long note is ignored (that cell's flag then
        stays until the next 校验 replaces it), extra columns are ignored."""
        values = [_as_text(v) for v in list(row)[:5]] + [None] * max(0, 5 - len(row))
        sheet, cell, fill, note, unknown = values
        if not isinstance(sheet, str) or not isinstance(cell, str) or not sheet or sheet == STATE_HEADER[0]:
            return None
        address = normalise_address(cell)
        if address is None or len(sheet) > 31:
            return None
        fill_code = None if fill is None or fill == "" else fill
        if fill_code is not None and (not isinstance(fill_code, str) or not valid_fill_code(fill_code)):
            return None
        if note is not None and not isinstance(note, str):
            return None
        note_text = note or None
        if note_text is not None and len(note_text) > MAX_CELL_TEXT:
            return None
        return cls(sheet, address, fill_code, note_text, unknown == "1")


def _as_text(value: object) -> object:
    """A state value as text where it is one: a number Excel made of a written "1" or "2023" (the add-in
    writes through Excel) back to its digits; other types (dates, errors, booleans) stay as they are."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return value


_RGB = re.compile(r"^#?(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$")
_THEME = re.compile(r"^theme:([0-9]{1,2}):(-?[0-9]+(?:\.[0-9]+)?(?:[eE]-?[0-9]+)?)$")
_INDEXED = re.compile(r"^indexed:([0-9]{1,2})$")


def normalise_address(text: str) -> str | None:
    """"b7" / "$B$7" → "B7"; None unless one cell within Excel's grid and :mod:`perfeval.limits`."""
    return a1.normalise(text, MAX_SHEET_ROWS, MAX_SHEET_COLS)


def valid_fill_code(code: str) -> bool:
    """A fill as the state sheet stores it: ARGB/RGB hex, ``theme:N:tint`` (tint in −1…1) or ``indexed:N``."""
    if _RGB.match(code):
        return True
    m = _THEME.match(code)
    if m:
        return -1.0 <= float(m.group(2)) <= 1.0
    m = _INDEXED.match(code)
    return m is not None and int(m.group(1)) <= 65


@dataclass(frozen=True)
class CellFlag:
    sheet: str
    cell: str
    fill: str
    note: str | None  # None: leave the note alone (the user's note could not be read)


@dataclass(frozen=True)
class FlagPlan:
    restore: list[CellOriginal]  # put back first (cells flagged by the previous run)
    flags: list[CellFlag]
    results: list[list[object]]  # 校验结果 rows from the title row down
    state: list[list[str]]  # _perfeval_flags rows, header included
    summary: dict[str, int]


def cell_link(sheet: str, cell: str) -> str:
    """A native HYPERLINK formula that jumps to the cell (works in Excel, WPS and LibreOffice)."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    return f'=HYPERLINK("#{quoted}!{cell}","{cell}")'


_LINK = re.compile(r'HYPERLINK\("#.*!\$?([A-Z]+\$?[0-9]+)"\s*,')


def cell_from_link(value: object) -> str:
    """Read the 单元格 column back: the formula (openpyxl) or its displayed value (xlwings)."""
    text = "" if value is None else str(value)
    m = _LINK.search(text)
    return m.group(1).replace("$", "") if m else text.strip()


def read_explanations(rows: Iterable[Sequence[object]]) -> dict[tuple[str, str, str], str]:
    """Explanations typed into the previous 校验结果, keyed by (code, sheet, cell)."""
    out: dict[tuple[str, str, str], str] = {}
    for i, row in enumerate(rows):
        if i < RESULTS_FIRST_ROW - 1:
            continue
        row = list(row) + [None] * len(RESULTS_HEADER)
        code, sheet, cell, text = row[1], row[3], cell_from_link(row[4]), row[EXPLANATION_COL]
        if code and sheet and cell and text is not None and str(text).strip():
            out[(str(code), str(sheet), cell)] = str(text).strip()
    return out


def read_state(rows: Iterable[Sequence[object]]) -> list[CellOriginal]:
    """The valid records of the state sheet, the first one per cell."""
    out: dict[tuple[str, str], CellOriginal] = {}
    for r in rows:
        o = CellOriginal.from_row(r)
        if o is not None and (o.sheet, o.cell) not in out:
            out[(o.sheet, o.cell)] = o
    return list(out.values())


def note_text(findings: Sequence[Finding], user_note: str | None) -> str:
    lines = [NOTE_MARK]
    for f in findings:
        lines.append(f"{f.code}（{SEVERITY_LABELS[f.severity]}）{f.message}")
    if user_note:
        lines += ["", USER_NOTE_MARK, user_note]
    return "\n".join(lines)


def plan_flags(
    findings: Sequence[Finding],
    previous_state: Sequence[CellOriginal],
    explanations: dict[tuple[str, str, str], str],
    current: Callable[[str, str], CellOriginal],
    *,
    ruleset_version: str,
    sheet_names: dict[str, str] | None = None,
) -> FlagPlan:
    """Decide every change of one 校验 run.

    ``current(sheet, cell)`` reports a cell's fill and note as they are now (after ``restore``) for cells
    not flagged by the previous run. ``sheet_names`` maps official sheet names to the workbook's own
    (a renamed sheet).
    """
    names = sheet_names or {}
    ordered = sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.sheet, f.code, cell_order(f.cell)))
    previous = {(o.sheet, o.cell): o for o in previous_state}
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in ordered:
        by_cell.setdefault((names.get(f.sheet, f.sheet), f.cell), []).append(f)

    flags: list[CellFlag] = []
    state: list[list[str]] = [list(STATE_HEADER)]
    for (sheet, cell), group in sorted(by_cell.items(), key=lambda kv: (kv[0][0], cell_order(kv[0][1]))):
        original = previous.get((sheet, cell)) or current(sheet, cell)
        worst = min(group, key=lambda f: SEVERITY_ORDER[f.severity]).severity
        note = None if original.note_unknown else note_text(group, original.note)
        flags.append(CellFlag(sheet, cell, SEVERITY_FILLS[worst], note))
        state.append(CellOriginal(sheet, cell, original.fill, original.note, original.note_unknown).row())

    counts = {s.value: 0 for s in Severity}
    for f in ordered:
        counts[f.severity.value] += 1
    title = (f"校验结果：错误 {counts['error']} 项，警告 {counts['warning']} 项，提示 {counts['info']} 项"
             f"（规则版本 {ruleset_version}）。错误须改正；警告须在“说明”列写明理由后才能导出。")
    results: list[list[object]] = [[title], list(RESULTS_HEADER)]
    for n, f in enumerate(ordered, start=1):
        sheet = names.get(f.sheet, f.sheet)
        results.append([n, f.code, SEVERITY_LABELS[f.severity], sheet, cell_link(sheet, f.cell), f.message,
                        f.stated or "", f.computed or "", explanations.get((f.code, sheet, f.cell), "")])
    if not ordered:
        results.append(["", "", "", "", "", "未发现问题。", "", "", ""])
    return FlagPlan(restore=list(previous_state), flags=flags, results=results, state=state, summary=counts)


def strip_our_note(text: str | None) -> str | None:
    """The user's part of a note this tool wrote (used when state was lost)."""
    if text is None or not text.startswith(NOTE_MARK):
        return text
    if USER_NOTE_MARK in text:
        return text.split(USER_NOTE_MARK, 1)[1].lstrip("\n") or None
    return None
