"""导出: the locked final workbook (定稿) that the unit sends to its 主管部门 / 财政局.

:func:`export_file` validates the input first (errors always block; each warning needs a written 说明 in
the 校验结果 sheet, or the user forces the export with a reason that is recorded), then builds the final
workbook *from the input workbook* so that the printed form stays exactly as the unit laid it out:

- the working flags of 校验 are removed (:func:`perfeval.xlsx.flags.clear_workbook`);
- numbers typed as text in numeric input cells (RD-002) become numbers: the final form never keeps a numeric
  field as text (an unreadable one is an RD-001 error, which blocks);
- the official sheets get their official names back, come first and second, and are shown (RD-005);
- every formula is replaced by its value: derived cells of the official sheets and every figure of
  计算结果 by the engine's value (:func:`perfeval.compute.compute`; not applicable → "—"); a formula the
  unit typed into an input cell or elsewhere by the value Excel last computed for it (the value 校验 read);
  a formula without such a value blocks the export; external links and defined names pointing outside
  are dropped;
- the input/derived tints of the official sheets are removed (the official form has no colour);
- a 校验摘要 sheet records the findings that remain, their explanations or the forced reason, the rule-set
  version, the scoring profile (评分口径, :mod:`perfeval.profiles`), the export time and the fingerprint;
- a very hidden sheet ``_perfeval_export`` (and the document properties) record template, unit, year,
  versions, the scoring profile, export time, the fingerprint of the official sheets (:mod:`perfeval.fingerprint`)
  and their canonical cell list, so that :func:`perfeval.xlsx.verify.verify_file` can name changed cells;
- every cell is locked, every sheet protected (cells can still be selected and copied) and the workbook
  structure locked.

Protection prevents casual edits; it is not security. The fingerprint detects changes, it does not
prevent them, and it proves what perfeval exported, not who sent the file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.packaging.custom import CustomPropertyList, StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from perfeval import __version__
from perfeval.compute import Computed
from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.findings import SEVERITY_LABELS, Finding, FindingReport, Severity
from perfeval.fingerprint import FINGERPRINT_VERSION, CanonicalCell, canonical_cells, fingerprint_of_cells
from perfeval.flagging import RESULTS_HEADER
from perfeval.layout import NA_TEXT, Layout, Role
from perfeval.sheets import CALC_SHEET, EXPORT_SHEET, META_SHEET, RESULTS_SHEET, STATE_SHEET, SUMMARY_SHEET
from perfeval.xlsx import styles
from perfeval.xlsx.exportmeta import (
    CELLS_KEY,
    CUSTOM_PROP_KEYS,
    CUSTOM_PROP_PREFIX,
    EXPORT_FORMAT,
    SUMMARY_HEADER,
    known_templates,
    parse_export_meta,
)
from perfeval.xlsx.flags import clear_workbook, explanations_of
from perfeval.xlsx.io import WorkbookError, ensure_distinct, open_workbook, save_atomic
from perfeval.xlsx.reader import ReadResult, read_workbook_obj
from perfeval.xlsx.workflow import convert_text_numbers
from perfeval.xlsx.writer import fit_sheet_rows, set_cell, setup_report_print, workbook_config

CREATOR = "绩效自评助手"
#: input (yellow) and derived (grey) tints of the official sheets, removed in the final form
TINTS = frozenset({styles.INPUT_FILL.fgColor.rgb, styles.DERIVED_FILL.fgColor.rgb})
SIGNIFICANT_DIGITS = 15  # what Excel keeps and shows; such numbers survive any re-save unchanged


class ExportBlocked(Exception):
    """The input may not be exported yet; ``str()`` is a Chinese message listing each blocking item."""

    def __init__(self, message: str, findings: list[Finding] | None = None, kind: str = "errors") -> None:
        super().__init__(message)
        self.findings = findings or []
        self.kind = kind  # "errors" | "warnings" | "formulas"


class ExportError(WorkbookError):
    """Bad export options (e.g. an empty reason, an output that is not .xlsx); a Chinese message."""


@dataclass
class ExportResult:
    path: Path
    fingerprint: str
    findings: FindingReport  # what remains: warnings (explained or forced) and infos
    explanations: dict[tuple[str, str, str], str]  # finding key → the 说明 used
    forced_reason: str | None
    forced: list[Finding]  # warnings exported on the strength of the forced reason
    exported_at: str
    unit: str
    year: int
    cells: list[CanonicalCell] = field(repr=False, default_factory=list)
    config: Config = DEFAULT_CONFIG  # the configuration used (given, or recorded in the workbook)
    report: Any = None  # the 自评报告 checked (ReportDocument), or None
    report_findings: list[Finding] = field(default_factory=list)  # never block the export


# --------------------------------------------------------------------------- messages


def _line(f: Finding, names: dict[str, str]) -> str:
    return f"  - {f.code} {names.get(f.sheet, f.sheet)}!{f.cell}  {f.message}"


def _errors_message(errors: list[Finding], names: dict[str, str]) -> str:
    lines = [f"无法导出：校验发现 {len(errors)} 项错误，错误必须改正后才能导出定稿："]
    lines += [_line(f, names) for f in errors]
    lines.append("请改正上述单元格后重新导出（可先运行“校验”确认已无错误）。")
    return "\n".join(lines)


def _warnings_message(warnings: list[Finding], names: dict[str, str], has_results: bool, src: Path) -> str:
    lines = [f"无法导出：以下 {len(warnings)} 项警告尚未写明理由："]
    lines += [_line(f, names) for f in warnings]
    column = RESULTS_HEADER[-1]
    if has_results:
        lines.append(f"请在本文件“{RESULTS_SHEET}”工作表的“{column}”列逐项写明理由，保存后再导出；")
    else:
        lines.append(f"本文件还没有“{RESULTS_SHEET}”工作表：请先运行“校验”（命令行：perfeval validate "
                     f"{src.name} -o 校验标记.xlsx），在生成文件的“{RESULTS_SHEET}”工作表“{column}”列逐项写明理由，"
                     "保存后对该文件导出；")
    lines.append("确有必要时也可强制导出：perfeval export 文件.xlsx --force --reason \"理由\""
                 f"（理由会记录在定稿的“{SUMMARY_SHEET}”中，接收方可以看到）。")
    return "\n".join(lines)


# --------------------------------------------------------------------------- values


def excel_number(value: Decimal | float | int) -> Decimal | float | int:
    """A number as the final file stores it: at most 15 significant digits (Excel's precision), so the
    value — and the fingerprint — survive a re-save by Excel, WPS, LibreOffice or openpyxl unchanged."""
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, float):
        return float(format(value, f".{SIGNIFICANT_DIGITS}g"))
    if not value.is_finite():
        raise ExportError(f"无法导出：数值无效（{value}）")
    return Decimal(format(value, f".{SIGNIFICANT_DIGITS}g"))


def _put(ws: Worksheet, address: str, value: object) -> None:
    """Write a value; numbers at Excel precision, text always as text (never a formula)."""
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        value = excel_number(value)
    set_cell(ws, address, value)


def is_formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f" or isinstance(cell.value, ArrayFormula | DataTableFormula)


def _official_value(value: object) -> object:
    return NA_TEXT if value is None else value


def _calc_value(key: str, has_formula: bool, computed: Computed) -> object:
    value = computed.get(key)
    if value == "":  # a mirror such as =IF(自评表!D="","",自评表!D) of a blank cell
        return None
    if value is None:
        return NA_TEXT if has_formula else None  # the formulas show "—"; engine-only figures stay blank
    return value


def _freeze_layout_cells(wb: Workbook, read: ReadResult, computed: Computed, names: dict[str, str]) -> None:
    """Derived cells of the official sheets and every figure of 计算结果 → the engine's values."""
    layout: Layout = read.layout
    for cell in layout.cells():
        if cell.role != Role.DERIVED or cell.calc_key is None:
            continue
        if cell.sheet == CALC_SHEET:
            if CALC_SHEET not in wb.sheetnames:
                continue
            value = _calc_value(cell.calc_key, cell.formula is not None, computed)
            _put(wb[CALC_SHEET], cell.address, value)
        else:
            _put(wb[names[cell.sheet]], cell.address, _official_value(computed.get(cell.calc_key)))


def _freeze_other_formulas(wb: Workbook, src: Path) -> None:
    """Any formula left (typed into an input cell, or on another sheet) → the value Excel last computed
    for it; without such a value the export is blocked (we never ship a formula nor guess its value)."""
    left = [(ws, c) for ws in wb.worksheets for c in ws._cells.values() if is_formula(c)]
    if not left:
        return
    cached = open_workbook(src, data_only=True)
    missing = []
    for ws, c in left:
        value = cached[ws.title][c.coordinate].value if ws.title in cached.sheetnames else None
        if value is None:
            missing.append(f"{ws.title}!{c.coordinate}（{c.value if isinstance(c.value, str) else '数组公式'}）")
        else:
            _put(ws, c.coordinate, value)
    if missing:
        shown = "\n".join(f"  - {m}" for m in missing[:20])
        more = f"\n  …… 另有 {len(missing) - 20} 处" if len(missing) > 20 else ""
        raise ExportBlocked(
            f"无法导出：以下 {len(missing)} 个单元格含有公式，且文件中没有保存其计算结果，定稿不能含公式：\n"
            f"{shown}{more}\n请在 Excel/WPS 中打开并保存一次（让公式算出结果），或把这些公式改为数值后再导出。",
            kind="formulas")


def _drop_external(wb: Workbook) -> None:
    """No link to another file: external workbook links and defined names pointing outside."""
    # private list openpyxl writes the externalLink parts from; not in openpyxl's type stubs
    wb._external_links = []  # pyright: ignore[reportAttributeAccessIssue]

    def outside(text: str | None) -> bool:
        return text is not None and ("[" in text or "#REF!" in text or "://" in text)

    for name in [n for n, d in wb.defined_names.items() if outside(d.attr_text)]:
        del wb.defined_names[name]
    for ws in wb.worksheets:
        for name in [n for n, d in ws.defined_names.items() if outside(d.attr_text)]:
            del ws.defined_names[name]


def _restore_official_sheets(wb: Workbook, names: dict[str, str], official_sheets: Sequence[str]) -> dict[str, str]:
    """The official sheets under their official names, first and in order, visible (RD-005); returns the
    identity name map the rest of the export then uses. Another sheet that holds an official name (the
    reader found the official one by its title) gets a free name first."""
    sheets = {official: wb[names[official]] for official in official_sheets}
    ours = {id(ws) for ws in sheets.values()}
    for ws in wb.worksheets:
        if ws.title in sheets and id(ws) not in ours:
            ws.title = _free_title(wb, ws.title)
    for n, ws in enumerate(sheets.values()):
        ws.title = f"~perfeval~{n}"
    for official, ws in sheets.items():
        ws.title = official
        ws.sheet_state = "visible"
    for position, official in enumerate(official_sheets):
        ws = wb[official]
        wb.move_sheet(ws, position - wb.worksheets.index(ws))
    return {**names, **{official: official for official in official_sheets}}


def _free_title(wb: Workbook, name: str) -> str:
    n = 2
    while f"{name[:26]}({n})" in wb.sheetnames:
        n += 1
    return f"{name[:26]}({n})"


def _remove_tints(wb: Workbook, names: dict[str, str], official_sheets: Sequence[str]) -> None:
    for official in official_sheets:
        ws = wb[names[official]]
        for c in ws._cells.values():
            fill = c.fill
            if fill is not None and fill.fill_type == "solid" and fill.fgColor.type == "rgb" \
                    and fill.fgColor.rgb in TINTS:
                c.fill = PatternFill(fill_type=None)


def _numbers_at_excel_precision(wb: Workbook, names: dict[str, str], official_sheets: Sequence[str]) -> None:
    for official in official_sheets:
        ws = wb[names[official]]
        for c in ws._cells.values():
            # a MergedCell's value is always None (and read-only)
            if isinstance(c, Cell) and isinstance(c.value, float | Decimal) and not is_formula(c):
                c.value = excel_number(c.value)


def _stored_cells(ws: Any) -> Iterator[Any]:
    """The cells a sheet stores (a normal or a read-only worksheet)."""
    if hasattr(ws, "_cells"):
        yield from ws._cells.values()
    else:
        for row in ws.iter_rows():
            yield from (c for c in row if getattr(c, "coordinate", None) is not None)


def official_grid(wb: Workbook, sheet_names: dict[str, str], official_sheets: Sequence[str]
                  ) -> dict[str, dict[str, object]]:
    """``{official sheet: {address: value}}`` of every non-empty cell, in the official order (renamed sheets
    under the official name; a missing sheet is empty). A formula is taken as its text marked 〔公式〕, never as
    a value."""
    grid: dict[str, dict[str, object]] = {}
    for official in official_sheets:
        name = sheet_names.get(official, official)
        cells: dict[str, object] = {}
        if name in wb.sheetnames:
            for c in _stored_cells(wb[name]):
                value = c.value
                if value is None:
                    continue
                if is_formula(c):
                    value = "〔公式〕" + ((value.text or "") if isinstance(value, ArrayFormula) else str(value))
                cells[c.coordinate] = value
        grid[official] = cells
    return grid


def _cells_as_stored(wb: Workbook, names: dict[str, str], official_sheets: Sequence[str]) -> list[CanonicalCell]:
    """The canonical cells of the workbook as a reader of the saved file will see them (save + reload),
    so the stored fingerprint is that of the file, not of the objects in memory."""
    buf = io.BytesIO()
    wb.save(buf)
    reloaded = load_workbook(io.BytesIO(buf.getvalue()), read_only=True)
    try:
        return canonical_cells(official_grid(reloaded, names, official_sheets), official_sheets)
    finally:
        reloaded.close()


# --------------------------------------------------------------------------- sheets


def _carry_meta(wb: Workbook) -> dict[str, str]:
    """The working ``_perfeval`` sheet's rows (carried into the export metadata), then the sheet goes."""
    out: dict[str, str] = {}
    if META_SHEET in wb.sheetnames:
        for row in wb[META_SHEET].iter_rows(max_col=2, values_only=True):
            if row[0] is not None:
                out[f"source.{row[0]}"] = "" if row[1] is None else str(row[1])
        wb.remove(wb[META_SHEET])
    return out


THIN = Side(style="thin", color="FF000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SUMMARY_WIDTHS = (5, 8, 6, 18, 7, 56, 11, 11, 34)  # as 校验结果: one A4 landscape page wide at ~95 %
SUMMARY_SIZE = 10


def _write_summary(wb: Workbook, *, meta: dict[str, str], findings: list[Finding], names: dict[str, str],
                   explanations: dict[tuple[str, str, str], str], forced_reason: str | None,
                   report_lines: Sequence[tuple[str, str]] = ()) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET)
    ncol = len(SUMMARY_HEADER)
    last = chr(64 + ncol)
    body = Font(name=styles.BODY_FONT_NAME, size=SUMMARY_SIZE)
    ws["A1"] = "校验摘要（导出定稿时的校验结果，不属于上报表格）"
    ws["A1"].font = Font(name=styles.TITLE_FONT_NAME, size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    ws.merge_cells(f"A1:{last}1")
    counts = {s: sum(1 for f in findings if f.severity == s) for s in Severity}
    info = [
        ("填报单位", meta["unit"]),
        ("评价年度", f"{meta['year']}年"),
        ("导出时间", meta["exported_at"]),
        ("校验规则版本", meta["ruleset_version"]),
        ("评分口径", f"{meta['profile_title']}（{meta['profile']}）"),
        ("绩效自评助手版本", meta["perfeval_version"]),
        ("模板", f"{meta['template_id']}（版本 {meta['template_version']}）"),
        ("校验结论", f"错误 0 项；警告 {counts[Severity.WARNING]} 项；提示 {counts[Severity.INFO]} 项"),
        ("文件指纹（SHA-256）", meta["fingerprint"]),
    ]
    if forced_reason is not None:
        info.append(("强制导出理由", forced_reason))
    info.extend(report_lines)
    row = 3
    for label, value in info:
        c = ws.cell(row=row, column=1, value=label)
        c.font = Font(name=styles.BODY_FONT_NAME, size=SUMMARY_SIZE, bold=True)
        c.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        _put(ws, f"D{row}", value)
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=ncol)
        ws.cell(row=row, column=4).font = body
        ws.cell(row=row, column=4).alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        row += 1
    row += 1
    for col, text in enumerate(SUMMARY_HEADER, start=1):
        c = ws.cell(row=row, column=col, value=text)
        c.font = Font(name=styles.BODY_FONT_NAME, size=SUMMARY_SIZE, bold=True)
        c.border = BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_row = row
    row += 1
    if not findings:
        ws.cell(row=row, column=1, value="未发现问题。").font = body
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)
        row += 1
    for n, f in enumerate(findings, start=1):
        sheet = names.get(f.sheet, f.sheet)
        note = explanations.get(f.key)
        if note is None and f.severity == Severity.WARNING and forced_reason is not None:
            note = f"（未逐项说明，强制导出）{forced_reason}"
        values = [n, f.code, SEVERITY_LABELS[f.severity], sheet, f.cell, f.message, f.stated or "", f.computed or "",
                  note or ""]
        for col, value in enumerate(values, start=1):
            _put(ws, f"{chr(64 + col)}{row}", value)
            c = ws.cell(row=row, column=col)
            c.border = BORDER
            c.font = body
            c.alignment = Alignment(vertical="top", wrap_text=True,
                                    horizontal="left" if col in (4, 6, 9) else "center")
        row += 1
    for i, width in enumerate(SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    fit_sheet_rows(ws)
    setup_report_print(ws, title_rows=f"{header_row}:{header_row}", last_col=ncol, last_row=row - 1)


def _fit_width(ws: Worksheet) -> None:
    """A sheet for reading (计算结果) prints one A4 page wide, title row repeated, rows fitted to its text."""
    fit_sheet_rows(ws)
    setup_report_print(ws, title_rows="1:1")


def _fit_rows(wb: Workbook, names: dict[str, str], official_sheets: Sequence[str]) -> None:
    """The official sheets' rows grow to show every typed or frozen text whole (Excel does not auto-fit
    merged cells, openpyxl cannot auto-fit): 三级指标, 指标值, 偏差原因, 项目名称, 厉行节约保障措施 ……"""
    for official in official_sheets:
        name = names.get(official, official)
        if name in wb.sheetnames:
            fit_sheet_rows(wb[name])


def _write_export_meta(wb: Workbook, meta: dict[str, str], cells: list[CanonicalCell]) -> None:
    ws = wb.create_sheet(EXPORT_SHEET)
    row = 1
    for key, value in meta.items():
        _put(ws, f"A{row}", key)
        _put(ws, f"B{row}", value)
        row += 1
    _put(ws, f"A{row}", CELLS_KEY)
    _put(ws, f"B{row}", str(len(cells)))
    for sheet, address, text in cells:
        row += 1
        _put(ws, f"A{row}", sheet)
        _put(ws, f"B{row}", address)
        _put(ws, f"C{row}", text)
    ws.sheet_state = "veryHidden"


def read_export_meta(wb: Workbook) -> tuple[dict[str, str], list[CanonicalCell]]:
    """The metadata and canonical cell list written by :func:`export_file`; ``ValueError`` if malformed."""
    return parse_export_meta(list(wb[EXPORT_SHEET].iter_rows(max_col=3, values_only=True)))


def custom_doc_props(wb: Workbook) -> CustomPropertyList[Any]:
    """The workbook's custom document properties (openpyxl 3.1 sets them in ``Workbook.__init__``; the type stubs
    omit the attribute)."""
    return wb.custom_doc_props  # pyright: ignore[reportAttributeAccessIssue]


def _doc_props(wb: Workbook, meta: dict[str, str]) -> None:
    props = wb.properties
    props.title = f"{meta['unit']}{meta['year']}年度{meta['form_title']}（定稿）"
    props.subject = meta["form_title"]
    props.creator = CREATOR
    props.lastModifiedBy = CREATOR
    props.keywords = f"{meta['form_title']};定稿;{meta['year']};perfeval;指纹 {meta['fingerprint']}"
    props.description = (f"由绩效自评助手 {meta['perfeval_version']} 于 {meta['exported_at']} 导出的定稿。"
                         "核验：perfeval verify 文件.xlsx")
    for key in CUSTOM_PROP_KEYS:
        name = CUSTOM_PROP_PREFIX + key
        if name in custom_doc_props(wb).names:
            del custom_doc_props(wb)[name]
        if meta.get(key):
            custom_doc_props(wb).append(StringProperty(name=name, value=meta[key]))


def _lock_and_protect(wb: Workbook, password: str) -> None:
    for ws in wb.worksheets:
        for c in ws._cells.values():
            if c.protection.locked is False:
                c.protection = Protection(locked=True, hidden=c.protection.hidden)
        for dims in (ws.column_dimensions, ws.row_dimensions):
            for d in dims.values():
                if d.has_style and d.protection.locked is False:
                    d.protection = Protection(locked=True, hidden=d.protection.hidden)
        ws.protection = SheetProtection(sheet=True, objects=True, scenarios=True,
                                        selectLockedCells=False, selectUnlockedCells=False)
        if password:
            ws.protection.password = password
    wb.security = WorkbookProtection(workbookPassword=password or None, lockStructure=True)


def _activate_first(wb: Workbook, name: str) -> None:
    index = wb.sheetnames.index(name)
    for i, ws in enumerate(wb.worksheets):
        ws.sheet_view.tabSelected = i == index
    wb.active = index


# --------------------------------------------------------------------------- file names


def default_output_name(unit: str, year: int, form: str = "department") -> str:
    """``<单位>_<年度>年部门整体支出绩效自评表_定稿.xlsx`` (the form's ``final_suffix``); the unit part made a safe
    file name (:func:`perfeval.filenames.safe_stem`: no separators or traversal, nothing Windows rejects)."""
    from perfeval import forms
    from perfeval.filenames import safe_filename

    return safe_filename(unit, forms.get(form).final_suffix.format(year=year))


# --------------------------------------------------------------------------- export


def export_file(
    src: Path,
    out: Path | None = None,
    *,
    password: str | None = None,
    force_reason: str | None = None,
    config: Config | None = None,
    now: dt.datetime | None = None,
    before_rename: Callable[[Path], None] | None = None,
    report: Path | None = None,
) -> ExportResult:
    """导出: validate ``src`` and write the locked final workbook (never over ``src``).

    Raises :class:`ExportBlocked` (errors; unexplained warnings without ``force_reason``; formulas without
    a value), :class:`~perfeval.xlsx.io.WorkbookError` / :class:`~perfeval.xlsx.reader.StructureError` for an
    unusable input, :class:`ExportError` for bad options.

    With ``report`` (a 自评报告), its SHA-256 and the summary of the report checks go into 校验摘要 and the
    export metadata. Report findings never block: the 定稿 is the tables, and the issue asks only that the
    check is recorded; only the tables' errors (and unexplained warnings) block, as without a report.
    """
    from perfeval import forms
    from perfeval.rules import RULESET_VERSION, run_rules

    src = Path(src)
    if force_reason is not None and not force_reason.strip():
        raise ExportError("强制导出须写明理由（--reason \"理由\"），理由会记录在定稿中")
    reason = force_reason.strip() if force_reason is not None else None
    if out is not None and Path(out).suffix.lower() != ".xlsx":
        raise ExportError(f"定稿须保存为 .xlsx 文件：{out}")

    doc = None
    if report is not None:
        from perfeval.report.files import read_report

        doc = read_report(Path(report))
    wb = open_workbook(src)
    read = read_workbook_obj(wb, src)
    config = config or workbook_config(wb) or DEFAULT_CONFIG
    names = read.sheet_names
    pack = forms.get(read.layout.form)
    computed = pack.compute(read.report, config)  # for the rules and, below, the frozen values
    findings = run_rules(read.report, read.layout, computed, config=config, read_issues=read.issues).sorted()
    errors = [f for f in findings.findings if f.severity == Severity.ERROR]
    if errors:
        raise ExportBlocked(_errors_message(errors, names), errors, kind="errors")
    typed = explanations_of(wb)
    explanations = {f.key: typed[(f.code, names.get(f.sheet, f.sheet), f.cell)] for f in findings.findings
                    if (f.code, names.get(f.sheet, f.sheet), f.cell) in typed}
    unexplained = [f for f in findings.findings if f.severity == Severity.WARNING and f.key not in explanations]
    if unexplained and reason is None:
        raise ExportBlocked(_warnings_message(unexplained, names, RESULTS_SHEET in wb.sheetnames, src),
                            unexplained, kind="warnings")

    report = read.report
    official_sheets = read.layout.official
    unit = pack.unit_name(report)
    year = pack.year(report)
    out = Path(out) if out is not None else src.parent / default_output_name(unit, year, pack.name)
    ensure_distinct(src, out)
    moment = now or dt.datetime.now().astimezone()
    exported_at = moment.isoformat(timespec="seconds")

    # 1. the working state of 校验 goes; a previous export's sheets too (re-export of a final file)
    clear_workbook(wb)
    for name in (SUMMARY_SHEET, EXPORT_SHEET, RESULTS_SHEET, STATE_SHEET):
        if name in wb.sheetnames:
            wb.remove(wb[name])
    source_meta = _carry_meta(wb)
    # 2. numbers typed as text become numbers (the form never freezes a numeric field as text); values instead
    #    of formulas; the official sheets under their names, in their places, shown; nothing pointing outside;
    #    the official form without tints
    convert_text_numbers(wb, read, names)
    _freeze_layout_cells(wb, read, computed, names)
    _freeze_other_formulas(wb, src)
    names = _restore_official_sheets(wb, names, official_sheets)
    _drop_external(wb)
    _remove_tints(wb, names, official_sheets)
    _numbers_at_excel_precision(wb, names, official_sheets)
    _fit_rows(wb, names, official_sheets)
    # 3. fingerprint of the official sheets as the saved file will hold them
    cells = _cells_as_stored(wb, names, official_sheets)
    fp = fingerprint_of_cells(cells)
    counts = findings.summary()
    report_findings: list[Finding] = []
    report_meta: dict[str, str] = {}
    report_lines: list[tuple[str, str]] = []
    if doc is not None:
        from perfeval.report.check import check_report, summary_text

        report_findings = check_report(read.report, read.layout, computed, config, doc, read.issues)
        codes = "、".join(dict.fromkeys(f.code for f in report_findings))
        report_meta = {"report_file": doc.name, "report_sha256": doc.sha256,
                       "report_findings": json.dumps(FindingReport(findings=report_findings).summary(),
                                                     ensure_ascii=False)}
        report_lines = [("自评报告", doc.name), ("自评报告 SHA-256", doc.sha256),
                        ("报告核对", f"{summary_text(report_findings)}" + (f"（{codes}）" if codes else "")
                         + "；报告中的问题不阻止导出")]
    meta: dict[str, str] = {
        "export_format": EXPORT_FORMAT,
        "template_id": pack.template_id,
        "template_version": pack.template_version,
        "form": pack.name,
        "form_title": pack.title,
        "unit": unit,
        "year": str(year),
        "exported_at": exported_at,
        "perfeval_version": __version__,
        "ruleset_version": RULESET_VERSION,
        "profile": config.profile,
        "profile_title": config.profile_title,
        "fingerprint_version": FINGERPRINT_VERSION,
        "fingerprint": fp,
        "forced_reason": reason or "",
        "findings": json.dumps(counts, ensure_ascii=False),
        "sheets": json.dumps(list(official_sheets), ensure_ascii=False),
        "source_file": src.name,
        **report_meta,
        **source_meta,
    }
    # 4. 校验摘要, metadata, document properties, protection
    _write_summary(wb, meta=meta, findings=findings.findings, names=names, explanations=explanations,
                   forced_reason=reason, report_lines=report_lines)
    if CALC_SHEET in wb.sheetnames:
        _fit_width(wb[CALC_SHEET])
    _write_export_meta(wb, meta, cells)
    _doc_props(wb, meta)
    _lock_and_protect(wb, config.export_password if password is None else password)
    _activate_first(wb, official_sheets[0])
    wb.calculation.fullCalcOnLoad = False  # nothing to calculate: no formula is left
    save_atomic(wb, out, before_rename=before_rename)
    forced = list(unexplained) if reason is not None else []
    return ExportResult(path=out, fingerprint=fp, findings=findings, explanations=explanations,
                        forced_reason=reason, forced=forced, exported_at=exported_at, unit=unit,
                        year=year, cells=cells, config=config, report=doc, report_findings=report_findings)


__all__ = [
    "EXPORT_SHEET",
    "SUMMARY_SHEET",
    "ExportBlocked",
    "ExportError",
    "ExportResult",
    "default_output_name",
    "export_file",
    "known_templates",
    "official_grid",
    "read_export_meta",
]
