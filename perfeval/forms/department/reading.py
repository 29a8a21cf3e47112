"""Department pack: find 附件1-1 and 附件1-2 in a workbook, detect their shape and read them (core reader:
:mod:`perfeval.reading`).

The structure comes first: the two official sheets (by name, or by their printed title when a sheet was
renamed), the 评价年度 (from the column headers), the number of 项目支出 rows (between the "项目支出" and
"公用经费" anchors) and the indicator groups (between "绩效指标" and "总分"). The expected layout for that
shape is then compared label by label with the workbook (:func:`perfeval.reading.check_labels`).
"""

from __future__ import annotations

import re

from perfeval.forms.department.layout import (
    BD_FIXED_BOTTOM,
    BD_SHEET,
    BD_TITLE,
    ZP_SHEET,
    ZP_TITLE,
    Shape,
    bd_rows,
    build_layout,
)
from perfeval.forms.department.model import Project, Report
from perfeval.layout import Role
from perfeval.reading import (
    MAX_YEAR,
    MIN_YEAR,
    BookGrid,
    CellReader,
    ReadResult,
    SheetGrid,
    StructureError,
    check_labels,
    column_a,
    find_sheet,
    indicator_groups,
    level1_skeleton,
    norm,
    read_cells,
    sheet_issues,
    top_texts,
)
from perfeval.sheets import CALC_SHEET


def recognise(wb: BookGrid) -> bool:
    """附件1-1 or 附件1-2 present (by name or printed title): reading then names what is missing."""
    if BD_SHEET in wb.sheetnames or ZP_SHEET in wb.sheetnames:
        return True
    titles = (norm(BD_TITLE), norm(ZP_TITLE))  # as find_sheet, each sheet's top rows looked at once
    return any(any(t in texts for t in titles) for texts in (top_texts(wb[name]) for name in wb.sheetnames))


def _anchor_rows(ws: SheetGrid) -> dict[str, int]:
    """Row of each fixed label of 附件1-1: 项目支出 at its fixed row, 公用经费 the one followed by its
    其中 rows (not a project that happens to carry the same name)."""
    a = column_a(ws)
    out = {label: rows[0] for label, rows in a.items()}
    fixed = bd_rows(0)["projects_stated"]
    if fixed in a.get("项目支出", []):
        out["项目支出"] = fixed
    nxt = norm(BD_FIXED_BOTTOM[1][1])
    for row in a.get("公用经费", []):
        if norm(ws.at(row + 1, 1)) == nxt:
            out["公用经费"] = row
            break
    return out


def _detect_year(ws: SheetGrid) -> int | None:
    for row in range(1, min(ws.max_row, 40) + 1):
        for col in range(1, 8):
            v = ws.at(row, col)
            if isinstance(v, str):
                m = re.search(r"(\d{4})年预算数", norm(v))
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
                if norm(actual) != norm(cell.text):
                    differences.append(f"{cell.address} 应为“{cell.text.strip()}”，实际为“{actual or '（空）'}”")
        raise StructureError(f"工作表“{bd.title}”的行结构与官方模板不一致（可能删除或插入了行）", differences)
    a_zp = {label: rows[0] for label, rows in column_a(zp).items()}
    missing = [t for t in ("绩效指标", "总分") if t not in a_zp]
    if missing:
        raise StructureError(f"工作表“{zp.title}”找不到必需的行", [f"A列应有“{t}”" for t in missing])
    goal_rows = a_zp["绩效指标"] - 12
    if a_zp.get("年度总体目标") != 11 or goal_rows < 1:
        raise StructureError(f"工作表“{zp.title}”的行结构与模板不一致",
                             ["“年度总体目标”应在第11行，其后是目标文字，再后是“绩效指标”表头"])
    groups = indicator_groups(zp, a_zp["绩效指标"] + 1, a_zp["总分"])
    return Shape(year=year, n_projects=n_projects, indicator_rows=groups,
                 goal_rows=goal_rows)




def read(wb: BookGrid) -> ReadResult:
    """Read the official sheets of ``wb``; raises :class:`StructureError` when they do not match."""
    bd_name = find_sheet(wb, BD_SHEET, BD_TITLE)
    zp_name = find_sheet(wb, ZP_SHEET, ZP_TITLE)
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
    label_issues = check_labels(wb, layout, names, year_code="BD-014")

    # skeleton with the detected shape, then values by path
    reader = CellReader(wb, layout, names)
    reader.issues.extend(sheet_issues(wb, layout, names))
    reader.issues.extend(label_issues)
    indicators = [level1_skeleton(reader, layout.find(f"self_eval.indicators[{i1}]"),
                          zp.value(layout.find(f"self_eval.indicators[{i1}]").address), l2_rows)
                  for i1, l2_rows in enumerate(shape.indicator_rows)]
    report = Report(year=year)
    report.basic.projects = [Project() for _ in range(shape.n_projects)]
    report.self_eval.indicators = indicators
    read_cells(reader, report)
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
