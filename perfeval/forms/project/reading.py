"""Project pack: find the 项目支出绩效自评表 sheets of a workbook, detect their shape and read them (core reader:
:mod:`perfeval.reading`).

A project sheet is one whose top rows print the title 项目支出绩效自评表; every such sheet is read, in workbook
order, as ``projects[i]``, under the name it has (the layout is built with those names). The 评价年度 comes from
the "（2023年度）" row of the first sheet; a sheet printing another year is reported (XM-007). Per sheet the
goal rows and the indicator groups are found between the column-A anchors 年度总体目标, 绩效指标 and 总分, then
every printed label is compared with the layout (:func:`perfeval.reading.check_labels`), accepting the variants
forms print: 本年财政拨款 for 当年财政拨款, the (A)/(B)/(B/A) marks of 全年预算数（A）, 全年执行数（B）,
执行率（B/A）, 年度指标值（A）, 实际完成值（B）, and a blank instead of "—" in the 其中 lines' 分值 and 得分 cells.

A blank 指标性质 / 度量单位 of a 三级 row is filled from its 年度指标值 (:func:`.model.fill_indicator_fields`).
"""

from __future__ import annotations

import re
from typing import Any

from perfeval.findings import Severity
from perfeval.forms.project.layout import (
    GOAL_HEAD,
    RESERVED_SHEET_NAMES,
    TITLE,
    YEAR_ROW,
    Shape,
    SheetShape,
    build_layout,
    check_book_shape,
    year_label,
)
from perfeval.forms.project.model import ProjectBook, ProjectTable, fill_indicator_fields
from perfeval.forms.project.titles import project_sheets
from perfeval.layout import NA_TEXT, Layout
from perfeval.limits import LimitError
from perfeval.reading import (
    MAX_YEAR,
    MIN_YEAR,
    BookGrid,
    CellReader,
    ReadIssue,
    ReadResult,
    SheetGrid,
    StructureError,
    check_labels,
    column_a,
    indicator_groups,
    level1_skeleton,
    norm,
    read_cells,
    sheet_issues,
)
from perfeval.sheets import CALC_SHEET

YEAR_CODE = "XM-007"

_YEAR = re.compile(r"^\(?(\d{4})年度?\)?$")
_MARK = re.compile(r"\((?:A|B|B/A)\)$")
#: Printed variants accepted for a label (both sides compared after :func:`perfeval.reading.norm`).
_ALIASES: dict[str, frozenset[str]] = {
    norm("其中：当年财政拨款"): frozenset(norm(t) for t in ("其中：本年财政拨款", "当年财政拨款", "本年财政拨款")),
}


def recognise(wb: BookGrid) -> bool:
    return bool(project_sheets(wb))


def _year_of(value: Any) -> int | None:
    m = _YEAR.match(norm(value))
    return int(m.group(1)) if m else None


def _detect_year(ws: SheetGrid) -> int | None:
    for row in range(1, 5):
        for col in range(1, 10):
            year = _year_of(ws.at(row, col))
            if year is not None:
                return year
    return None


def label_accepted(expected: str, actual: Any) -> bool:
    """Whether a printed label shows ``expected`` (or a variant of it the forms print). A year row printing
    another year is accepted here: XM-007 reports it (:func:`_year_issues`)."""
    e, a = norm(expected), norm(actual)
    if a == e:
        return True
    if _year_of(expected) is not None:
        return _year_of(actual) is not None
    if e == norm(NA_TEXT):
        return a == ""
    return _MARK.sub("", a) == e or a in _ALIASES.get(e, frozenset())


def _year_issues(wb: BookGrid, layout: Layout, year: int) -> list[ReadIssue]:
    """XM-007: each project sheet whose year row prints another 评价年度 than the first sheet's."""
    issues = []
    for sheet in layout.official:
        actual = wb[sheet].value(f"A{YEAR_ROW}")
        printed = _year_of(actual)
        if printed is not None and printed != year:
            issues.append(ReadIssue(
                sheet, f"A{YEAR_ROW}", "评价年度", str(actual),
                f"工作表“{sheet}”的评价年度为{printed}年，与第一张项目表的{year}年不一致，应为“{year_label(year)}”",
                code=YEAR_CODE, severity=Severity.ERROR))
    return issues


def _sheet_shape(ws: SheetGrid) -> SheetShape:
    a = column_a(ws)
    if GOAL_HEAD not in a.get("年度总体目标", []):
        raise StructureError(f"工作表“{ws.title}”的行结构与模板不一致",
                             [f"“年度总体目标”应在A列第{GOAL_HEAD}行（项目资金表下方），其后是目标文字，再后是“绩效指标”表头"])
    heads = [r for r in a.get("绩效指标", []) if r > GOAL_HEAD + 1]
    if not heads:
        raise StructureError(f"工作表“{ws.title}”找不到必需的行", ["A列应有“绩效指标”（年度总体目标之后）"])
    head = heads[0]
    totals = [r for r in a.get("总分", []) if r > head]
    if not totals:
        raise StructureError(f"工作表“{ws.title}”找不到必需的行", ["A列应有“总分”（绩效指标之后）"])
    groups = indicator_groups(ws, head + 1, totals[0])
    try:
        return SheetShape(name=ws.title, indicator_rows=groups, goal_rows=head - GOAL_HEAD - 1)
    except ValueError as exc:  # a name Excel itself would refuse (another tool wrote it)
        raise StructureError(f"工作表名称“{ws.title}”不符合 Excel 的要求（1–31 个字符），请改名") from exc


def read(wb: BookGrid) -> ReadResult:
    """Read every project sheet of ``wb``; raises :class:`StructureError` when one does not match the form."""
    names = project_sheets(wb)
    if not names:
        raise StructureError("工作簿中找不到项目支出绩效自评表",
                             [f"没有工作表在顶部印有“{TITLE}”（现有工作表：{'、'.join(wb.sheetnames)}）"])
    reserved = [n for n in names if n.casefold() in RESERVED_SHEET_NAMES]
    if reserved:
        raise StructureError("项目表的工作表名称与本工具保留的名称相同",
                             [f"请把工作表“{n}”改为项目名称" for n in reserved])
    year = _detect_year(wb[names[0]])
    if year is None:
        raise StructureError(f"工作表“{names[0]}”中找不到“（XXXX年度）”一行，无法确定评价年度")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise StructureError(f"工作表“{names[0]}”的评价年度{year}年不在 {MIN_YEAR}–{MAX_YEAR} 年之间")
    sheets = tuple(_sheet_shape(wb[name]) for name in names)
    try:
        check_book_shape(len(sheets), [sum(sum(t) for t in s.indicator_rows) for s in sheets])
    except LimitError as exc:
        raise StructureError(str(exc)) from exc
    layout = build_layout(Shape(year=year, sheets=sheets))
    sheet_names = {name: name for name in names} | {CALC_SHEET: CALC_SHEET}
    year_issues = _year_issues(wb, layout, year)
    label_issues = check_labels(wb, layout, sheet_names, accepts=label_accepted)

    reader = CellReader(wb, layout, sheet_names)
    reader.issues.extend(sheet_issues(wb, layout, sheet_names))
    reader.issues.extend(year_issues)
    reader.issues.extend(label_issues)
    book = ProjectBook(year=year, projects=[ProjectTable() for _ in sheets])
    for i, sheet in enumerate(sheets):
        ws = wb[sheet.name]
        cells = [layout.find(f"projects[{i}].indicators[{i1}]") for i1 in range(len(sheet.indicator_rows))]
        book.projects[i].indicators = [level1_skeleton(reader, cell, ws.value(cell.address), l2_rows)
                                       for cell, l2_rows in zip(cells, sheet.indicator_rows, strict=True)]
    read_cells(reader, book)
    fill_indicator_fields(book)
    try:
        book = ProjectBook.model_validate(book.model_dump())
    except ValueError as exc:  # pragma: no cover - every cell was validated on assignment above
        raise StructureError(f"工作簿内容无法读取：{exc}") from exc
    return ReadResult(report=book, layout=layout, issues=reader.issues, typed_over=reader.typed_over,
                      sheet_names=sheet_names, text_numbers=reader.text_numbers)
