"""Read a filled workbook (as a grid of cell values) back into the report model.

This module is pure: it sees a workbook through the small :class:`BookGrid` protocol, implemented with
openpyxl by :mod:`perfeval.xlsx.reader` (files) and with the values xlwings reads by ``addin.macros``
(live Excel), so the command line and the add-in read the same cells the same way.

The reader first finds the structure: the two official sheets (by name, or by their printed title when a
sheet was renamed), the 评价年度 (from the column headers), the number of 项目支出 rows (between the
"项目支出" and "公用经费" anchors) and the indicator groups (between "绩效指标" and "总分"). It then builds
the expected :class:`~perfeval.layout.Layout` for that shape and compares every printed label with it: a
workbook that no longer matches (deleted rows, moved blocks, another template) raises
:class:`StructureError` naming each difference, never a silent wrong reading.

Values are read leniently — numbers typed as text (``"568.61"``, ``"568.61万元"``, full-width digits,
``"95%"``) are accepted; a cell that cannot be interpreted becomes a :class:`ReadIssue` (and the value is
left blank) rather than an exception. A derived cell that holds a value instead of its formula is read as a
*stated* value (the unit typed over the formula).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from perfeval.layout import (
    BD_FIXED_BOTTOM,
    BD_SHEET,
    BD_TITLE,
    CALC_SHEET,
    ZP_SHEET,
    ZP_TITLE,
    Cell,
    Layout,
    Role,
    Shape,
    VType,
    bd_rows,
    build_layout,
    split_address,
)
from perfeval.model import Level1, Level2, Level3, Project, Report
from perfeval.numbers import NumberParseError, fmt_number, is_blank, normalise_text, to_decimal
from perfeval.paths import parse_level1_label, set_path


class SheetGrid(Protocol):
    """One sheet's cells. ``value`` is the raw content: formula text ("=…") where the source knows
    formulas, else the displayed value."""

    title: str
    max_row: int

    def value(self, address: str) -> Any: ...

    def at(self, row: int, col: int) -> Any: ...

    def is_formula(self, address: str) -> bool:
        """Whether the cell holds a formula (False where the source only knows values)."""
        ...

    def number_format(self, address: str) -> str: ...

    def cached(self, address: str) -> Any:
        """The last computed value of a formula cell (None when unknown)."""
        ...


class BookGrid(Protocol):
    sheetnames: list[str]

    def __getitem__(self, name: str) -> SheetGrid: ...


class ValuesSheet:
    """A sheet given as a 2-D list of values anchored at A1 (what xlwings reads); formulas unknown."""

    def __init__(self, title: str, rows: list[list[Any]]) -> None:
        self.title = title
        self.rows = rows
        self.max_row = len(rows)

    def at(self, row: int, col: int) -> Any:
        if 1 <= row <= len(self.rows) and 1 <= col <= len(self.rows[row - 1]):
            value = self.rows[row - 1][col - 1]
            return None if value == "" else value
        return None

    def value(self, address: str) -> Any:
        return self.at(*split_address(address))

    def number_format(self, address: str) -> str:
        return ""

    def is_formula(self, address: str) -> bool:
        return False  # live Excel through xlwings: values only (a formula shows its result)

    def cached(self, address: str) -> Any:
        return None


class ValuesBook:
    def __init__(self, sheets: dict[str, list[list[Any]]]) -> None:
        self._sheets = {name: ValuesSheet(name, rows) for name, rows in sheets.items()}
        self.sheetnames = list(sheets)

    def __getitem__(self, name: str) -> ValuesSheet:
        return self._sheets[name]


class StructureError(Exception):
    """The workbook does not have the structure of the official form; ``differences`` lists each."""

    def __init__(self, message: str, differences: list[str] | None = None) -> None:
        self.differences = differences or []
        text = message
        if self.differences:
            text += "：\n" + "\n".join(f"  - {d}" for d in self.differences[:20])
            if len(self.differences) > 20:
                text += f"\n  …… 另有 {len(self.differences) - 20} 处不一致"
        super().__init__(text)


@dataclass(frozen=True)
class ReadIssue:
    sheet: str
    address: str
    caption: str
    raw: str
    message: str
    code: str | None = None  # rule code when the reader detects a catalogue rule (BD-014); else RD-001


@dataclass
class ReadResult:
    report: Report
    layout: Layout
    issues: list[ReadIssue] = field(default_factory=list)
    typed_over: list[Cell] = field(default_factory=list)  # derived cells holding a value, not a formula
    sheet_names: dict[str, str] = field(default_factory=dict)  # official name → name in the workbook


def _norm(text: Any) -> str:
    return re.sub(r"\s+", "", normalise_text(str(text))) if text is not None else ""


def _find_sheet(wb: BookGrid, name: str, title: str) -> str | None:
    if name in wb.sheetnames:
        return name
    for sheet in wb.sheetnames:
        ws = wb[sheet]
        for row in range(1, 5):
            if any(_norm(ws.at(row, col)) == _norm(title) for col in range(1, 10)):
                return sheet
    return None


def _column_a(ws: SheetGrid) -> dict[str, list[int]]:
    """Rows of each text in column A (a project may be named like a fixed row)."""
    out: dict[str, list[int]] = {}
    for row in range(1, ws.max_row + 1):
        v = ws.at(row, 1)
        if isinstance(v, str):
            out.setdefault(_norm(v), []).append(row)
    return out


def _anchor_rows(ws: SheetGrid) -> dict[str, int]:
    """Row of each fixed label of 附件1-1: 项目支出 at its fixed row, 公用经费 the one followed by its
    其中 rows (not a project that happens to carry the same name)."""
    a = _column_a(ws)
    out = {label: rows[0] for label, rows in a.items()}
    fixed = bd_rows(0)["projects_stated"]
    if fixed in a.get("项目支出", []):
        out["项目支出"] = fixed
    nxt = _norm(BD_FIXED_BOTTOM[1][1])
    for row in a.get("公用经费", []):
        if _norm(ws.at(row + 1, 1)) == nxt:
            out["公用经费"] = row
            break
    return out


def _detect_year(ws: SheetGrid) -> int | None:
    for row in range(1, min(ws.max_row, 40) + 1):
        for col in range(1, 8):
            v = ws.at(row, col)
            if isinstance(v, str):
                m = re.search(r"(\d{4})年预算数", _norm(v))
                if m:
                    return int(m.group(1))
    return None


def _detect_shape(bd: SheetGrid, zp: SheetGrid, year: int) -> Shape:
    a_bd = _anchor_rows(bd)
    missing = [t for t in ("项目支出", "公用经费") if t not in a_bd]
    if missing:
        raise StructureError(f"工作表“{bd.title}”找不到必需的行", [f"A列应有“{t}”" for t in missing])
    n_projects = a_bd["公用经费"] - a_bd["项目支出"] - 1
    expected_row = bd_rows(0)["projects_stated"]
    if n_projects < 0 or a_bd["项目支出"] != expected_row:
        differences = [f"“项目支出”应在第{expected_row}行，实际在第{a_bd['项目支出']}行"]
        top = build_layout(Shape(year=2000, n_projects=0, indicator_rows=((1,),)))
        for cell in top.sheets[BD_SHEET].cells:
            row = int("".join(ch for ch in cell.address if ch.isdigit()))
            if cell.role == Role.LABEL and cell.text and cell.address.startswith("A") and row <= expected_row:
                actual = bd.value(cell.address)
                if _norm(actual) != _norm(cell.text):
                    differences.append(f"{cell.address} 应为“{cell.text.strip()}”，实际为“{actual or '（空）'}”")
        raise StructureError(f"工作表“{bd.title}”的行结构与官方模板不一致（可能删除或插入了行）", differences)
    a_zp = {label: rows[0] for label, rows in _column_a(zp).items()}
    missing = [t for t in ("绩效指标", "总分") if t not in a_zp]
    if missing:
        raise StructureError(f"工作表“{zp.title}”找不到必需的行", [f"A列应有“{t}”" for t in missing])
    goal_rows = a_zp["绩效指标"] - 12
    if a_zp.get("年度总体目标") != 11 or goal_rows < 1:
        raise StructureError(f"工作表“{zp.title}”的行结构与模板不一致",
                             ["“年度总体目标”应在第11行，其后是目标文字，再后是“绩效指标”表头"])
    first, total = a_zp["绩效指标"] + 1, a_zp["总分"]
    groups: list[list[int]] = []
    for row in range(first, total):
        b, c = zp.at(row, 2), zp.at(row, 3)
        if not is_blank(b) or not groups:
            groups.append([])
        if not is_blank(c) or not groups[-1]:
            groups[-1].append(0)
        groups[-1][-1] += 1
    return Shape(year=year, n_projects=n_projects, indicator_rows=tuple(tuple(g) for g in groups),
                 goal_rows=goal_rows)


_YEAR_LABEL = re.compile(r"^(\d{4})(年.*)$")


def _check_labels(wb: BookGrid, layout: Layout, names: dict[str, str]) -> list[ReadIssue]:
    """Structure differences raise; a year label that disagrees with the 评价年度 is a BD-014 issue."""
    differences = []
    issues = []
    for cell in layout.cells():
        if cell.sheet == CALC_SHEET or cell.role != Role.LABEL or not cell.text:
            continue
        actual = wb[names[cell.sheet]].value(cell.address)
        expected_year = _YEAR_LABEL.match(_norm(cell.text))
        actual_year = _YEAR_LABEL.match(_norm(actual))
        if expected_year and actual_year and expected_year.group(2) == actual_year.group(2):
            if expected_year.group(1) != actual_year.group(1):
                issues.append(ReadIssue(
                    cell.sheet, cell.address, "年度表头", str(actual),
                    f"表头“{_norm(actual)}”与评价年度{layout.shape.year}年不符，应为“{_norm(cell.text)}”",
                    code="BD-014"))
            continue
        if _norm(actual) != _norm(cell.text):
            shown = actual if actual else "（空）"
            differences.append(f"“{names[cell.sheet]}”{cell.address} 应为“{cell.text.strip()}”，实际为“{shown}”")
    if differences:
        raise StructureError(
            "工作簿的表格结构与官方模板不一致（可能删除或移动了行、改动了表头，或使用了其他版本的模板）", differences
        )
    return issues


def _text(value: Any, cell: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        d = value.date() if isinstance(value, dt.datetime) else value
        return f"{d.year}年{d.month}月{d.day}日"
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        number = to_decimal(value)
        assert number is not None
        return fmt_number(number)
    return str(value).strip() if cell.vtype != VType.LONG_TEXT else str(value).strip("\n ")


class _Reader:
    def __init__(self, wb: BookGrid, layout: Layout, names: dict[str, str]) -> None:
        self.wb = wb
        self.layout = layout
        self.names = names
        self.issues: list[ReadIssue] = []
        self.typed_over: list[Cell] = []

    def issue(self, cell: Cell, raw: Any, message: str) -> None:
        self.issues.append(ReadIssue(cell.sheet, cell.address, cell.caption, str(raw), message))

    def value(self, cell: Cell, ws: SheetGrid) -> Any:
        raw = ws.value(cell.address)
        if cell.role == Role.DERIVED:
            if ws.is_formula(cell.address):
                return None
            if raw is not None:
                self.typed_over.append(cell)
            return self.convert(cell, raw, stated=True)
        if ws.is_formula(cell.address):
            cached = ws.cached(cell.address)
            if cached is None:
                self.issue(cell, raw, f"{cell.caption}填写的是公式“{raw}”，无法取得计算结果，请直接填写数值")
                return None
            raw = cached
        return self.convert(cell, raw, stated=False)

    def convert(self, cell: Cell, raw: Any, *, stated: bool) -> Any:
        if cell.vtype in (VType.TEXT, VType.LONG_TEXT, VType.INDICATOR):
            if cell.vtype == VType.INDICATOR and isinstance(raw, float | int) and not isinstance(raw, bool):
                fmt = self.wb[self.names[cell.sheet]].number_format(cell.address) or ""
                if "%" in fmt:
                    pct = to_decimal(raw)
                    assert pct is not None
                    return fmt_number(pct * 100) + "%"
            return _text(raw, cell)
        if cell.vtype == VType.DATE:
            if raw is None or isinstance(raw, dt.date):
                return raw
            try:
                from perfeval.model import _date

                return _date(raw)
            except ValueError:
                self.issue(cell, raw, f"{cell.caption}“{raw}”不是可识别的日期（示例：2024年6月6日）")
                return None
        if is_blank(raw):
            return None
        try:
            number = to_decimal(raw)
        except NumberParseError as exc:
            if stated:
                return str(raw).strip()  # a stated text such as "—"
            self.issue(cell, raw, f"{cell.caption}：{exc}")
            return None
        if isinstance(raw, str) and "%" in raw and cell.vtype not in (VType.RATE,):
            self.issue(cell, raw, f"{cell.caption}应填写金额或数值，不应带百分号：“{raw}”")
            return None
        if cell.vtype == VType.COUNT and number is not None and number != number.to_integral_value():
            self.issue(cell, raw, f"{cell.caption}应为整数人数：“{raw}”")
            return None
        return number


def read_grid(wb: BookGrid) -> ReadResult:
    """Read the official sheets of ``wb``; raises :class:`StructureError` when they do not match."""
    bd_name = _find_sheet(wb, BD_SHEET, BD_TITLE)
    zp_name = _find_sheet(wb, ZP_SHEET, ZP_TITLE)
    missing = [n for n, found in ((BD_SHEET, bd_name), (ZP_SHEET, zp_name)) if found is None]
    if missing:
        raise StructureError("工作簿中找不到官方表格",
                             [f"缺少工作表“{m}”（现有工作表：{'、'.join(wb.sheetnames)}）" for m in missing])
    assert bd_name is not None and zp_name is not None
    names = {BD_SHEET: bd_name, ZP_SHEET: zp_name, CALC_SHEET: CALC_SHEET}
    bd, zp = wb[bd_name], wb[zp_name]
    year = _detect_year(bd)
    if year is None:
        raise StructureError(f"工作表“{bd_name}”中找不到“XXXX年预算数”表头，无法确定评价年度")
    shape = _detect_shape(bd, zp, year)
    layout = build_layout(shape)
    label_issues = _check_labels(wb, layout, names)

    # skeleton with the detected shape, then values by path
    indicators = []
    for i1, l2_rows in enumerate(shape.indicator_rows):
        cell = layout.find(f"self_eval.indicators[{i1}]")
        name, weight = parse_level1_label(_text(zp.value(cell.address), cell))
        indicators.append(Level1.model_construct(
            name=name, weight=Decimal(normalise_text(weight)) if weight else None,
            secondaries=[Level2.model_construct(name="", rows=[Level3() for _ in range(n)]) for n in l2_rows],
        ))
    report = Report(year=year)
    report.basic.projects = [Project() for _ in range(shape.n_projects)]
    report.self_eval.indicators = indicators
    reader = _Reader(wb, layout, names)
    reader.issues.extend(label_issues)
    for cell in layout.cells():
        if cell.sheet == CALC_SHEET or cell.path is None or cell.vtype == VType.LEVEL1:
            continue
        value = reader.value(cell, wb[names[cell.sheet]])
        try:
            set_path(report, cell.path, value)
        except ValueError as exc:
            reader.issue(cell, value, f"{cell.caption}：{exc}")
    report = Report.model_validate(report.model_dump())
    # Fully blank project rows at the end are unused template rows, not projects. (Blank rows in the
    # middle are kept so that report.basic.projects[i] stays the i-th row of the layout.)
    while report.basic.projects and report.basic.projects[-1] == Project():
        report.basic.projects.pop()
    return ReadResult(report=report, layout=layout, issues=reader.issues, typed_over=reader.typed_over,
                      sheet_names=names)

