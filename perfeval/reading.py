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

What the reader reports (:class:`ReadIssue`, listed by ``perfeval rules`` as reader codes):

* RD-001 (error) — a cell that cannot be read: garbage text, a bool, a date or an error value (``#DIV/0!``) in
  a numeric cell, a non-integer 人数, a number whose magnitude is implausible (|x| ≥ 1e12); read as blank.
* RD-002 (warning) — a number stored as text in a numeric cell: read as that number, but Excel's own formulas
  (N(), SUM) count text as 0, so the sheet's totals differ from the tool's. Input cells are listed in
  :attr:`ReadResult.text_numbers` so that 计算 can turn them into real numbers.
* RD-003 (warning) — a derived cell whose formula differs from the template's (compared without spaces, ``$``
  and case). Its cached value, where the file has one, is read as a stated value (checked like a typed one).
* RD-004 (warning) — an amount with more than two decimals: sums use it rounded half up to 0.01 (as printed).
* RD-005 (warning) — an official sheet renamed, out of place (附件1-1 first, 附件1-2 second) or hidden.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from perfeval.findings import Severity
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
from perfeval.numbers import (
    MAX_MAGNITUDE,
    NumberParseError,
    decimals,
    fmt_amount,
    fmt_number,
    is_blank,
    money,
    normalise_text,
    to_decimal,
)
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

    @property
    def visible(self) -> bool:
        """Whether the sheet is shown (not hidden or very hidden)."""
        ...


class BookGrid(Protocol):
    sheetnames: list[str]

    def __getitem__(self, name: str) -> SheetGrid: ...


class ValuesSheet:
    """A sheet given as a 2-D list of values anchored at A1 (what xlwings reads); formulas unknown."""

    def __init__(self, title: str, rows: list[list[Any]], visible: bool = True) -> None:
        self.title = title
        self.rows = rows
        self.max_row = len(rows)
        self.visible = visible

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
    def __init__(self, sheets: dict[str, list[list[Any]]], hidden: frozenset[str] = frozenset()) -> None:
        self._sheets = {name: ValuesSheet(name, rows, name not in hidden) for name, rows in sheets.items()}
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
    sheet: str  # official sheet name
    address: str
    caption: str
    raw: str
    message: str
    code: str | None = None  # rule code (BD-014, RD-002 …); None means RD-001 (unreadable, read as blank)
    severity: Severity = Severity.ERROR

    @property
    def blanks_value(self) -> bool:
        """Whether the cell was read as blank because of this issue (model findings there are moot)."""
        return self.severity == Severity.ERROR


@dataclass(frozen=True)
class TextNumber:
    """A numeric input cell holding a number stored as text, and the number it was read as."""

    cell: Cell
    raw: str
    value: Decimal

    @property
    def cell_value(self) -> int | Decimal:
        """What 计算 writes into the cell: a whole number of people as an int, any other number as read."""
        return int(self.value) if self.cell.vtype == VType.COUNT else self.value

    def describe(self, sheet: str | None = None) -> str:
        """``附件1-1 基础数据表!D14：“63.88万元” → 63.88`` (what 计算 lists)."""
        return f"{sheet or self.cell.sheet}!{self.cell.address}：“{self.raw}” → {self.value:f}"


@dataclass
class ReadResult:
    report: Report
    layout: Layout
    issues: list[ReadIssue] = field(default_factory=list)
    typed_over: list[Cell] = field(default_factory=list)  # derived cells holding a value, not a formula
    sheet_names: dict[str, str] = field(default_factory=dict)  # official name → name in the workbook
    text_numbers: list[TextNumber] = field(default_factory=list)  # input cells 计算 turns into numbers


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


MIN_YEAR, MAX_YEAR = 2000, 2100  # the range of Report.year

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


NUMERIC = (VType.AMOUNT, VType.COUNT, VType.AREA, VType.SCORE, VType.RATE)


def _text(value: Any, cell: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows a logical value
    if isinstance(value, dt.datetime | dt.date):
        d = value.date() if isinstance(value, dt.datetime) else value
        return f"{d.year}年{d.month}月{d.day}日"
    if isinstance(value, float | int | Decimal):
        try:
            number = to_decimal(value)
        except NumberParseError:
            return str(value)  # inf / nan in a text cell: shown as stored
        assert number is not None
        return fmt_number(number)
    return str(value).strip() if cell.vtype != VType.LONG_TEXT else str(value).strip("\n ")


def normalise_formula(formula: str) -> str:
    """A formula compared as text: no leading "=", no spaces, no ``$``, upper case."""
    return re.sub(r"[\s$]", "", formula).lstrip("=").upper()


def _formula_text(raw: Any) -> str:
    text = getattr(raw, "text", None)  # an array formula object
    return str(text if isinstance(text, str) else raw)


class _Reader:
    def __init__(self, wb: BookGrid, layout: Layout, names: dict[str, str]) -> None:
        self.wb = wb
        self.layout = layout
        self.names = names
        self.issues: list[ReadIssue] = []
        self.typed_over: list[Cell] = []
        self.text_numbers: list[TextNumber] = []

    def issue(self, cell: Cell, raw: Any, message: str, code: str | None = None,
              severity: Severity = Severity.ERROR) -> None:
        self.issues.append(ReadIssue(cell.sheet, cell.address, cell.caption, _shown(raw), message, code, severity))

    def value(self, cell: Cell, ws: SheetGrid) -> Any:
        raw = ws.value(cell.address)
        if cell.role == Role.DERIVED:
            if ws.is_formula(cell.address):
                return self.derived_formula(cell, ws, raw)
            if raw is not None:
                self.typed_over.append(cell)
            return self.convert(cell, raw, stated=True)
        if ws.is_formula(cell.address):
            cached = ws.cached(cell.address)
            if cached is None:
                what = "内容" if cell.vtype in (VType.TEXT, VType.LONG_TEXT, VType.INDICATOR, VType.DATE) else "数值"
                self.issue(cell, raw, f"{cell.caption}填写的是公式“{raw}”，文件中没有保存其计算结果，请直接填写{what}")
                return None
            raw = cached
        return self.convert(cell, raw, stated=False)

    def derived_formula(self, cell: Cell, ws: SheetGrid, raw: Any) -> Any:
        """A formula in a derived cell: the template's holds by construction (None); another one is RD-003
        and its cached value, when the file has one, is read as a stated value."""
        formula = _formula_text(raw)
        if cell.formula is None or normalise_formula(formula) == normalise_formula(cell.formula):
            return None
        cached = ws.cached(cell.address)
        known = not is_blank(cached)
        shown = f"，表中显示为“{_shown(cached)}”" if known else "，文件中没有保存其计算结果"
        self.issue(cell, formula,
                   f"{cell.caption}的公式“{formula}”与模板公式“{cell.formula}”不同{shown}；"
                   "请核对，或运行“计算”恢复模板公式", code="RD-003", severity=Severity.WARNING)
        if not known:
            return None
        self.typed_over.append(cell)
        return self.convert(cell, cached, stated=True)

    def convert(self, cell: Cell, raw: Any, *, stated: bool) -> Any:
        if cell.vtype in (VType.TEXT, VType.LONG_TEXT, VType.INDICATOR):
            if cell.vtype == VType.INDICATOR and isinstance(raw, float | int) and not isinstance(raw, bool):
                fmt = self.wb[self.names[cell.sheet]].number_format(cell.address) or ""
                if "%" in fmt:
                    try:
                        pct = to_decimal(raw)
                    except NumberParseError:
                        pct = None
                    if pct is not None:
                        return fmt_number(pct * 100) + "%"
            return _text(raw, cell)
        if cell.vtype == VType.DATE:
            if raw is None or isinstance(raw, dt.date):
                return raw
            try:
                from perfeval.model import _date

                return _date(raw)
            except ValueError:
                self.issue(cell, raw, f"{cell.caption}“{_shown(raw)}”不是可识别的日期（示例：2024年6月6日）")
                return None
        if is_blank(raw):
            return None
        try:
            number = to_decimal(raw)
        except NumberParseError as exc:
            if stated and isinstance(raw, str):
                return str(raw).strip()  # a stated text such as "—"
            self.issue(cell, raw, f"{cell.caption}：{_unreadable(raw, exc)}")
            return None
        if number is None:
            return None
        if isinstance(raw, str) and "%" in raw and cell.vtype not in (VType.RATE,):
            self.issue(cell, raw, f"{cell.caption}应填写金额或数值，不应带百分号：“{raw}”")
            return None
        if abs(number) >= MAX_MAGNITUDE:
            self.issue(cell, raw, f"{cell.caption}的数值“{_shown(raw)}”大得不合理（绝对值达到1万亿以上），"
                                  "请检查是否误填")
            return None
        if cell.vtype == VType.COUNT and number != number.to_integral_value():
            self.issue(cell, raw, f"{cell.caption}应为整数人数：“{raw}”")
            return None
        if isinstance(raw, str):
            self.text_number(cell, raw, number, stated=stated)
        if cell.vtype == VType.AMOUNT and decimals(number) > 2:
            printed = fmt_amount(money(number))
            self.issue(cell, raw, f"{cell.caption}金额应保留两位小数：填写 {_plain(number)}，按 {printed} 计",
                       code="RD-004", severity=Severity.WARNING)
        return number

    def text_number(self, cell: Cell, raw: str, number: Decimal, *, stated: bool) -> None:
        """RD-002: the engine reads the number; Excel's N()/SUM count the text as 0."""
        shown = _plain(number) if cell.vtype != VType.RATE else f"{_plain(number * 100)}%"
        if stated:  # a derived cell typed over with text: 计算 puts the formula back
            advice = "请运行“计算”恢复公式，或直接改填数字。"
        else:
            advice = "请运行“计算”转换为数值，或直接改填数字。"
            self.text_numbers.append(TextNumber(cell, raw, number))
        self.issue(cell, raw, f"{cell.caption}填写为文字“{raw.strip()}”，按 {shown} 读取；但 Excel 公式把文字当作 0 "
                              f"计算，合计会少算。{advice}", code="RD-002", severity=Severity.WARNING)


def _shown(raw: Any) -> str:
    """A raw cell value as the user sees it in a message."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, dt.datetime | dt.date):
        d = raw.date() if isinstance(raw, dt.datetime) else raw
        return f"{d.year}年{d.month}月{d.day}日"
    text = _formula_text(raw) if not isinstance(raw, str) else raw
    return text if len(text) <= 60 else text[:57] + "…"


def _plain(number: Decimal) -> str:
    """A number as written, in plain notation (scientific only when that would be absurdly long)."""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".") if number != number.to_integral_value() else text
    return text if len(text) <= 24 else f"{number:.6E}"


def _unreadable(raw: Any, exc: NumberParseError) -> str:
    if isinstance(raw, bool):
        return f"“{_shown(raw)}”是逻辑值，不是数字"
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        return f"“{_shown(raw)}”是日期或时间，不是数字"
    if isinstance(raw, str) and raw.strip().startswith("#"):
        return f"单元格显示错误值“{raw.strip()}”，不是数字"
    return str(exc)


def _sheet_issues(wb: BookGrid, names: dict[str, str]) -> list[ReadIssue]:
    """RD-005: each official sheet under its own name, in its place (附件1-1 first, 附件1-2 second), shown."""
    issues = []
    for position, official in enumerate((BD_SHEET, ZP_SHEET), start=1):
        actual = names[official]
        problems = []
        if actual != official:
            problems.append(f"工作表名称被改为“{actual}”")
        index = wb.sheetnames.index(actual) + 1
        if index != position:
            problems.append(f"位于第{index}个")
        if not wb[actual].visible:
            problems.append("已隐藏")
        if problems:
            issues.append(ReadIssue(
                official, "A1", "工作表", actual,
                f"官方工作表“{official}”应为工作簿的第{position}个工作表、名称不变且可见，现{'、'.join(problems)}；"
                "导出定稿时将恢复官方名称、顺序并取消隐藏",
                code="RD-005", severity=Severity.WARNING))
    return issues


_PLACEHOLDER = "（未填写）"


def _level1(reader: _Reader, cell: Cell, raw: Any, l2_rows: tuple[int, ...]) -> Level1:
    name, weight_text = parse_level1_label(_text(raw, cell))
    weight = None
    if weight_text:
        try:
            weight = to_decimal(weight_text)
        except NumberParseError:
            weight = None
        if weight is None or abs(weight) >= MAX_MAGNITUDE:
            reader.issue(cell, raw, f"一级指标标注的分值“{weight_text}”无法识别（示例：产出指标（50分））")
            weight = None
    if not name:
        reader.issue(cell, raw, "一级指标名称不能为空")
        name = _PLACEHOLDER
    return Level1.model_construct(
        name=name, weight=weight,
        secondaries=[Level2.model_construct(name=_PLACEHOLDER, rows=[Level3() for _ in range(n)]) for n in l2_rows],
    )


def read_grid(wb: BookGrid) -> ReadResult:
    """Read the official sheets of ``wb``; raises :class:`StructureError` when they do not match."""
    bd_name = _find_sheet(wb, BD_SHEET, BD_TITLE)
    zp_name = _find_sheet(wb, ZP_SHEET, ZP_TITLE)
    missing = [n for n, found in ((BD_SHEET, bd_name), (ZP_SHEET, zp_name)) if found is None]
    if missing:
        raise StructureError("工作簿中找不到官方表格",
                             [f"缺少工作表“{m}”（现有工作表：{'、'.join(wb.sheetnames)}）" for m in missing])
    assert bd_name is not None and zp_name is not None
    if bd_name == zp_name:
        raise StructureError(f"工作表“{bd_name}”不能同时是附件1-1和附件1-2")
    names = {BD_SHEET: bd_name, ZP_SHEET: zp_name, CALC_SHEET: CALC_SHEET}
    bd, zp = wb[bd_name], wb[zp_name]
    year = _detect_year(bd)
    if year is None:
        raise StructureError(f"工作表“{bd_name}”中找不到“XXXX年预算数”表头，无法确定评价年度")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise StructureError(f"工作表“{bd_name}”表头的年度{year}年不在 {MIN_YEAR}–{MAX_YEAR} 年之间，无法确定评价年度")
    shape = _detect_shape(bd, zp, year)
    layout = build_layout(shape)
    label_issues = _check_labels(wb, layout, names)

    # skeleton with the detected shape, then values by path
    reader = _Reader(wb, layout, names)
    reader.issues.extend(_sheet_issues(wb, names))
    reader.issues.extend(label_issues)
    indicators = [_level1(reader, layout.find(f"self_eval.indicators[{i1}]"),
                          zp.value(layout.find(f"self_eval.indicators[{i1}]").address), l2_rows)
                  for i1, l2_rows in enumerate(shape.indicator_rows)]
    report = Report(year=year)
    report.basic.projects = [Project() for _ in range(shape.n_projects)]
    report.self_eval.indicators = indicators
    for cell in layout.cells():
        if cell.sheet == CALC_SHEET or cell.path is None or cell.vtype == VType.LEVEL1:
            continue
        value = reader.value(cell, wb[names[cell.sheet]])
        if cell.role == Role.STRUCTURE and is_blank(value):
            reader.issue(cell, value, f"{cell.caption}名称不能为空")
            continue
        try:
            set_path(report, cell.path, value)
        except ValueError:
            if value is None:  # a text field left unreadable (e.g. a formula without a saved value): blank
                set_path(report, cell.path, "")
            else:
                reader.issue(cell, value, f"{cell.caption}：内容“{_shown(value)}”无法按本栏的类型读取，已按空白处理")
    try:
        report = Report.model_validate(report.model_dump())
    except ValueError as exc:  # pragma: no cover - every cell was validated on assignment above
        raise StructureError(f"工作簿内容无法读取：{exc}") from exc
    # Fully blank project rows at the end are unused template rows, not projects. (Blank rows in the
    # middle are kept so that report.basic.projects[i] stays the i-th row of the layout.)
    while report.basic.projects and report.basic.projects[-1] == Project():
        report.basic.projects.pop()
    return ReadResult(report=report, layout=layout, issues=reader.issues, typed_over=reader.typed_over,
                      sheet_names=names, text_numbers=reader.text_numbers)
