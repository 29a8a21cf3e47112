"""The macros behind the 绩效自评 ribbon: thin adapters between a live ``xw.Book`` and the engine.

Each macro reads the cells named by the layout data (one bulk read per sheet), calls the engine, and
writes back one contiguous block at a time. Only the xlwings API subset that works both in desktop Excel
(COM/AppleScript) and on xlwings' remote engine is used (research §7.3): values are read, never formats,
formulas or note text; the state a re-run needs is kept as values in the workbook (the hidden sheet
``_perfeval_flags`` and the 校验结果 sheet), exactly as the command line keeps it, and the decisions —
which cells, which colour, which message — come from the same engine functions
(:func:`perfeval.reading.read_grid`, :func:`perfeval.rules.run_rules`, :func:`perfeval.flagging.plan_flags`).

What the add-in cannot do through xlwings and the command line does: remember a user's own *fill colour*
or *note text* on a cell it flags (the add-in cannot read them; it restores the template's tint and never
overwrites a note it cannot read), protect sheets (导出 calls the openpyxl exporter on the saved file).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlwings as xw

from perfeval.a1 import split as split_address
from perfeval.blocks import plan_blocks
from perfeval.config import DEFAULT_CONFIG, Config, recorded_config
from perfeval.flagging import (
    RESULTS_FIRST_ROW,
    RESULTS_HEADER,
    STATE_HEADER,
    CellOriginal,
    plan_flags,
    read_explanations,
    read_state,
)
from perfeval.layout import ROLE_FILLS, Layout, Role
from perfeval.reading import ReadResult, StructureError, ValuesBook, read_grid
from perfeval.receiving import CollectResult
from perfeval.sheets import CALC_SHEET, META_SHEET, REPORT_SHEET, RESULTS_SHEET, STATE_SHEET

TITLE = "绩效自评助手"


# --------------------------------------------------------------------------- reading


def _sheet_values(sheet: xw.Sheet) -> list[list[Any]]:
    """The sheet's values as a rectangle anchored at A1 (one read)."""
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    return [list(row) for row in values] if values else []


def _read_values(book: xw.Book, names: list[str]) -> dict[str, list[list[Any]]]:
    present = {s.name for s in book.sheets}
    return {name: _sheet_values(book.sheets[name]) for name in names if name in present}


def read_book(book: xw.Book) -> ReadResult:
    """Read the official sheets of a live workbook into the report model (the engine's reader)."""
    names = [s.name for s in book.sheets]
    grid = ValuesBook({n: _sheet_values(book.sheets[n]) for n in names})
    return read_grid(grid)


def book_config(book: xw.Book) -> Config | None:
    """The scoring configuration the workbook recorded (``perfeval new/fill/compute --profile``), or None."""
    return recorded_config(_read_values(book, [META_SHEET]).get(META_SHEET, []))


def _excel_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _write_cells(sheet: xw.Sheet, cells: dict[tuple[int, int], Any]) -> int:
    """Write scattered cells as few contiguous blocks; returns the number of writes."""
    blocks = plan_blocks({k: _excel_value(v) for k, v in cells.items()})
    for block in blocks:
        sheet.range((block.top, block.left)).value = block.values
    return len(blocks)


def _ensure_sheet(book: xw.Book, name: str, after: str | None = None) -> tuple[xw.Sheet, bool]:
    """The sheet ``name``, added after ``after`` (or at the end) when missing; (sheet, was_added)."""
    existing = {s.name for s in book.sheets}
    if name in existing:
        return book.sheets[name], False
    anchor = book.sheets[after] if after in existing else book.sheets[len(book.sheets) - 1]
    return book.sheets.add(name=name, after=anchor), True


def _pad(rows: list[list[Any]], width: int) -> list[list[Any]]:
    return [[*row, *([""] * (width - len(row)))][:width] for row in rows]


# --------------------------------------------------------------------------- 计算


def compute_book(book: xw.Book, config: Config | None = None) -> dict[str, Any]:
    """计算: write every derived cell's native formula back (also over typed-over values), turn numbers stored
    as text in input cells into numbers (RD-002) and rebuild the 计算结果 sheet — the same cells and values as
    ``perfeval compute``. Returns counts and ``converted`` ("sheet!A1：“原文” → 数值" per cell)."""
    from perfeval.compute import compute_with_formulas

    result = read_book(book)
    config = config or book_config(book) or DEFAULT_CONFIG
    layout = result.layout
    writes = 0
    formulas = 0
    converted: list[str] = []
    for name in layout.official:
        sheet = result.sheet_names[name]
        cells: dict[tuple[int, int], Any] = {
            split_address(c.address): c.formula for c in layout.sheets[name].cells
            if c.role == Role.DERIVED and c.formula}
        formulas += len(cells)
        for item in result.text_numbers:
            if item.cell.sheet == name:
                cells[split_address(item.cell.address)] = item.cell_value
                converted.append(item.describe(sheet))
        writes += _write_cells(book.sheets[sheet], cells)
    computed = compute_with_formulas(result.report, layout, config)
    if layout.calc is None:
        return {"formulas": formulas, "writes": writes, "converted": converted}
    calc, added = _ensure_sheet(book, CALC_SHEET, after=result.sheet_names[layout.official[-1]])
    if not added:
        calc.clear_contents()
    cells: dict[tuple[int, int], Any] = {}
    for cell in layout.calc.cells:
        rc = split_address(cell.address)
        if cell.role == Role.LABEL:
            cells[rc] = cell.text or None
        elif cell.formula:
            cells[rc] = cell.formula
        elif cell.calc_key:
            cells[rc] = computed.get(cell.calc_key)
    writes += _write_cells(calc, cells)
    return {"formulas": formulas, "writes": writes, "converted": converted}


def do_compute(book: xw.Book) -> None:
    def run() -> None:
        stats = compute_book(book)
        text = (f"已重写 {stats['formulas']} 个派生单元格的公式（手工改写的数值已恢复为公式），"
                "并更新“计算结果”工作表。")
        if stats["converted"]:
            shown = stats["converted"][:15]
            more = f"\n…… 另有 {len(stats['converted']) - 15} 处" if len(stats["converted"]) > 15 else ""
            text += (f"\n已把 {len(stats['converted'])} 个文字形式的数字转换为数值（Excel 公式把文字当作 0）：\n"
                     + "\n".join(shown) + more)
        _alert(book, text)

    _guarded(book, run)


# --------------------------------------------------------------------------- 校验


def _hex(argb: str | None) -> str | None:
    """ARGB "FFRRGGBB" → "#RRGGBB"; theme/indexed colours cannot be set through xlwings → None."""
    if not argb or ":" in argb:
        return None
    return "#" + argb[-6:]


def _template_original(layout: Layout, sheet_names: dict[str, str]) -> Callable[[str, str, bool], CellOriginal]:
    """What a not-yet-flagged cell looked like: the template's tint (xlwings cannot read fills)."""
    official = {v: k for k, v in sheet_names.items()}
    tints: dict[tuple[str, str], str] = {}
    for cell in layout.cells():
        if cell.role in ROLE_FILLS:
            tints[(cell.sheet, cell.address)] = ROLE_FILLS[cell.role]

    def original(sheet: str, address: str, has_note: bool) -> CellOriginal:
        fill = tints.get((official.get(sheet, sheet), address))
        return CellOriginal(sheet, address, fill, None, note_unknown=has_note)

    return original


def validate_book(book: xw.Book, config: Config | None = None) -> dict[str, Any]:
    """校验: the same findings, cells and messages as ``perfeval validate -o``, flagged in place."""
    from perfeval.rules import RULESET_VERSION, run_rules

    result = read_book(book)
    config = config or book_config(book) or DEFAULT_CONFIG
    findings = run_rules(result.report, result.layout, config=config, read_issues=result.issues).sorted()
    saved = _read_values(book, [STATE_SHEET, RESULTS_SHEET])
    previous = read_state(saved.get(STATE_SHEET, []))
    explanations = read_explanations(saved.get(RESULTS_SHEET, []))
    original = _template_original(result.layout, result.sheet_names)

    def has_note(sheet: str, address: str) -> bool:
        return book.sheets[sheet][address].note is not None

    plan = plan_flags(findings.findings, previous, explanations,
                      lambda s, a: original(s, a, has_note(s, a)),
                      ruleset_version=RULESET_VERSION, sheet_names=result.sheet_names)
    notes_ok = _apply_final_state(book, previous, plan.flags)

    results, _ = _ensure_sheet(book, RESULTS_SHEET, after=result.sheet_names[result.layout.official[-1]])
    results.clear_contents()
    rows = _pad(plan.results, len(RESULTS_HEADER))
    # 填报值/计算值 are display texts ("40", "95.00%"): keep Excel from turning them into numbers
    results.range((RESULTS_FIRST_ROW, 7), (max(len(rows), RESULTS_FIRST_ROW), 8)).number_format = "@"
    results.range((1, 1)).value = rows
    state, _ = _ensure_sheet(book, STATE_SHEET)
    state.clear_contents()
    state.range((1, 1)).value = _pad(plan.state, len(STATE_HEADER))
    state.visible = False
    report = _check_report_beside(book, result, config)
    return {"summary": plan.summary, "notes": notes_ok, "findings": findings, **report}


def _check_report_beside(book: xw.Book, result: ReadResult, config: Config) -> dict[str, Any]:
    """校验's report check: the 自评报告 .docx beside the saved workbook (:func:`perfeval.report.check.find_beside`:
    same folder, name containing 自评报告; of several, the one naming the unit, else the newest), its findings
    written to the 报告核对 sheet exactly as ``validate --report -o`` writes them. No such file: nothing; a file
    that cannot be read: its message (the table check stands)."""
    from perfeval import forms
    from perfeval.report.check import (
        REPORT_HEADER,
        check_report,
        find_beside,
        read_report_explanations,
        report_rows,
    )
    from perfeval.report.files import ReportFileError, read_report

    path = _book_path(book)
    if path is None:
        return {}
    pack = forms.get(result.layout.form)
    beside = find_beside(path, pack.unit_name(result.report))
    if beside is None:
        return {}
    try:
        found = read_report(beside)
    except ReportFileError as exc:
        return {"report_error": str(exc), "report_file": beside.name}
    computed = pack.compute(result.report, config)
    reported = check_report(result.report, result.layout, computed, config, found, result.issues)
    typed = read_report_explanations(_read_values(book, [REPORT_SHEET]).get(REPORT_SHEET, []))
    sheet, _ = _ensure_sheet(book, REPORT_SHEET, after=RESULTS_SHEET)
    sheet.clear_contents()
    rows = _pad(report_rows(reported, found.name, result.sheet_names, typed), len(REPORT_HEADER))
    sheet.range((3, 5), (max(len(rows), 3), 5)).number_format = "@"  # 报告中的值 stays text ("40人")
    sheet.range((1, 1)).value = rows
    counts = {sev: sum(1 for f in reported if f.severity.value == sev) for sev in ("error", "warning", "info")}
    return {"report_file": found.name, "report_summary": counts, "report_findings": reported}


def _apply_final_state(book: xw.Book, previous: list[CellOriginal], flags: list[Any]) -> bool:
    """Put each touched cell straight into its final state (restored original, or flagged).

    One colour write and at most one note action per cell: on the remote engine a note deleted or
    added earlier in the same run is not visible to a later read, so no cell is touched twice.
    Returns False when the client cannot show notes (Office without notes support).
    """
    final: dict[tuple[str, str], tuple[str | None, str | None, bool, bool]] = {}
    for o in previous:
        final[(o.sheet, o.cell)] = (o.fill, o.note, o.note_unknown, True)
    for f in flags:
        was_ours = (f.sheet, f.cell) in final
        final[(f.sheet, f.cell)] = (f.fill, f.note, f.note is None, was_ours)
    notes_ok = True
    existing = {s.name for s in book.sheets}
    for (sheet, address), (fill, note, leave_note, ours) in final.items():
        if sheet not in existing:
            continue
        rng = book.sheets[sheet][address]
        rng.color = _hex(fill)
        if leave_note or not notes_ok:
            continue
        try:
            current = rng.note
            if note is None:
                if current is not None and ours:
                    current.delete()
            elif current is not None:
                current.text = note
            else:
                rng.add_note(note)
        except NotImplementedError:
            notes_ok = False
    return notes_ok


def do_validate(book: xw.Book) -> None:
    def run() -> None:
        out = validate_book(book)
        s = out["summary"]
        text = (f"校验完成：错误 {s['error']} 项，警告 {s['warning']} 项，提示 {s['info']} 项。"
                "问题单元格已标色，详见“校验结果”工作表。")
        if out["notes"]:
            text += "鼠标移到标色单元格可查看批注。"
        else:
            text += "（当前 Excel 版本不支持批注，说明只在“校验结果”工作表中。）"
        if s["error"]:
            text += "有错误时不能导出。"
        if out.get("report_error"):
            text += f"\n未能核对自评报告：{out['report_error']}"
        elif out.get("report_summary"):
            r = out["report_summary"]
            text += (f"\n已核对同一文件夹中的自评报告“{out['report_file']}”：错误 {r['error']} 项，"
                     f"警告 {r['warning']} 项，提示 {r['info']} 项，详见“报告核对”工作表（报告中的问题不阻止导出）。")
        _alert(book, text)

    _guarded(book, run)


# --------------------------------------------------------------------------- 清除标记


def clear_book(book: xw.Book) -> int:
    """清除标记: undo every flag this tool added; delete 校验结果 and the state sheet."""
    saved = _read_values(book, [STATE_SHEET])
    previous = read_state(saved.get(STATE_SHEET, []))
    _apply_final_state(book, previous, [])
    for name in (RESULTS_SHEET, REPORT_SHEET, STATE_SHEET):
        if name in {s.name for s in book.sheets}:
            book.sheets[name].delete()
    return len(previous)


def do_clear(book: xw.Book) -> None:
    _guarded(book, lambda: _alert(book, f"已清除 {clear_book(book)} 个单元格的校验标记。"))


# --------------------------------------------------------------------------- 导出 / 新建 / 帮助


def _book_path(book: xw.Book) -> Path | None:
    path = Path(book.fullname)
    return path if path.is_absolute() and path.exists() else None


def _free_path(folder: Path, stem: str, suffix: str = ".xlsx") -> tuple[Path, bool]:
    """``folder/stem+suffix``, or the first free ``stem(2)``, ``stem(3)``… when it exists: a button never
    replaces a file. Returns (path, whether a number was added)."""
    out = folder / f"{stem}{suffix}"
    n = 2
    while os.path.lexists(out):
        out = folder / f"{stem}({n}){suffix}"
        n += 1
    return out, n > 2


def _on_desktop(book: xw.Book) -> bool:
    """Desktop Excel (COM on Windows, AppleScript on macOS), where other workbooks can be opened; not the
    remote engine (xlwings Server / the tests), which can only send actions to the one workbook."""
    return book.app is not None and getattr(book.app, "engine", None) is not None \
        and book.app.engine.name in ("excel", "mac")


def _open_on_desktop(book: xw.Book, path: Path) -> None:
    """Open ``path`` in Excel when running in desktop Excel; elsewhere the alert naming the file must do."""
    if _on_desktop(book):
        book.app.books.open(str(path))


def _renamed_note(path: Path, renamed: bool, what: str) -> str:
    if not renamed:
        return ""
    return f"\n（同一文件夹中已有同名的{what}，为免覆盖，本次另存为“{path.name}”。）"


def export_book(book: xw.Book) -> tuple[Path, bool]:
    """导出: save, then run the file exporter on the saved workbook (locked final copy beside it).

    An existing 定稿 is never replaced: the new one gets a numbered name (``…_定稿(2).xlsx``).
    Returns (path of the 定稿, whether it was numbered)."""
    from perfeval.xlsx.export import default_output_name, export_file
    from perfeval.xlsx.io import output_guard

    book.save()
    path = _book_path(book)
    if path is None:
        raise _UserMessage("请先把工作簿保存为 .xlsx 文件，再点击“导出”。")
    from perfeval import forms

    read = read_book(book)
    pack = forms.get(read.layout.form)
    name = default_output_name(pack.unit_name(read.report), pack.year(read.report), pack.name)
    out, renamed = _free_path(path.parent, name.removesuffix(".xlsx"))
    with output_guard(overwrite=False):  # should the name be taken meanwhile: refuse, never replace
        return export_file(path, out).path, renamed


def do_export(book: xw.Book) -> None:
    def run() -> None:
        out, renamed = export_book(book)
        _alert(book, f"已生成定稿文件（已锁定，可直接上报）：\n{out}{_renamed_note(out, renamed, '定稿')}")

    _guarded(book, run)


def new_book_file(book: xw.Book | None, today: dt.date | None = None) -> Path:
    """新建: a fresh official workbook beside the current one. Form, 单位 and 年度 come from the current
    workbook when it is one of ours (next year's form for the same unit), else the department form and
    年度 = last year. The file name is made safe from the unit name; an existing file gets a numbered name."""
    return _new_book_file(book, today)[0]


def _new_book_file(book: xw.Book | None, today: dt.date | None = None) -> tuple[Path, bool]:
    from perfeval import forms
    from perfeval.filenames import safe_filename
    from perfeval.xlsx.workflow import write_new

    today = today or dt.date.today()
    unit, year, pack = "", today.year - 1, forms.get(forms.DEFAULT_FORM)
    config = None
    folder = Path.home()
    if book is not None:
        path = _book_path(book)
        if path is not None:
            folder = path.parent
        try:
            current = read_book(book)
            pack = forms.get(current.layout.form)
            unit, year = pack.unit_name(current.report), pack.year(current.report) + 1
            config = book_config(book)  # next year's form keeps this one's 评分口径
        except StructureError:
            pass
    stem = safe_filename(unit, pack.new_suffix.format(year=year), fallback="新建").removesuffix(".xlsx")
    out, renamed = _free_path(folder, stem)
    return write_new(out, year=year, unit_name=unit, form=pack.name, config=config), renamed


PROJECT_FORM = "project"


def new_projects_file(book: xw.Book) -> tuple[Path, int, bool]:
    """新建项目表: the project tables of the unit whose 附件1-1 the current workbook holds — one sheet per
    project with figures in the 评价年度 — saved beside it. Returns (path, number of sheets, numbered)."""
    from perfeval import forms
    from perfeval.filenames import safe_filename
    from perfeval.xlsx.workflow import write_new

    try:
        current = read_book(book)
    except StructureError as exc:
        raise _UserMessage("请先打开已填写附件1-1（项目支出各行）的部门整体支出绩效自评表，再点击“新建项目表”。"
                           f"\n（{exc}）") from exc
    source = forms.get(current.layout.form)
    target = forms.get(PROJECT_FORM)
    projects = [p for p in source.listed_projects(current.report) if p.current]
    if not projects:
        raise _UserMessage(f"当前工作簿（{source.title}）中没有本年度有预算或支出的项目，无法新建项目表。")
    path = _book_path(book)
    folder = path.parent if path is not None else Path.home()
    unit, year = source.unit_name(current.report), source.year(current.report)
    stem = safe_filename(unit, target.new_suffix.format(year=year), fallback="新建").removesuffix(".xlsx")
    out, renamed = _free_path(folder, stem)
    write_new(out, year=year, unit_name=unit, form=target.name, projects=projects, config=book_config(book))
    return out, len(projects), renamed


def do_new(book: xw.Book) -> None:
    def run() -> None:
        out, renamed = _new_book_file(book)
        _alert(book, f"已新建：{out}{_renamed_note(out, renamed, '文件')}")
        _open_on_desktop(book, out)

    _guarded(book, run)


def do_new_projects(book: xw.Book) -> None:
    def run() -> None:
        out, n, renamed = new_projects_file(book)
        _alert(book, f"已为 {n} 个本年度项目新建项目支出绩效自评表（每个项目一张工作表）：\n{out}"
                     f"{_renamed_note(out, renamed, '文件')}\n"
                     "填好后可用命令 perfeval validate 项目表.xlsx --with 部门表.xlsx 与附件1-1 交叉核对。")
        _open_on_desktop(book, out)

    _guarded(book, run)


# --------------------------------------------------------------------------- 汇总 (the receiver's desk)


def summary_stem(now: dt.datetime) -> str:
    """The 汇总 workbook's name without ``.xlsx``: ``汇总_<年月日>_<时分>``. Every run writes a new file: a 汇总 is
    a snapshot of what had arrived at that time, the previous one may be open in Excel (Windows cannot replace
    an open file) or already sent on, and the time in the name sorts the snapshots in the folder."""
    return f"汇总_{now:%Y%m%d_%H%M}"


def collect_book(book: xw.Book, now: dt.datetime | None = None) -> tuple[CollectResult, Path, Path, bool]:
    """汇总: what ``perfeval collect 文件夹 -o 文件夹/汇总_<时间>.xlsx --db 文件夹/台账.sqlite`` does, for the folder
    of the saved active workbook (sub-folders included): every .xlsx verified and read, the 台账 beside it
    (re-runs read only new or changed files), the 汇总 written as a new file beside it
    (:func:`summary_stem`; an existing file is never replaced). Returns (the
    :class:`~perfeval.receiving.CollectResult`, the 汇总, the 台账, whether the name was numbered)."""
    from perfeval.ledger import DEFAULT_DB, LedgerError
    from perfeval.xlsx.collect import collect_into
    from perfeval.xlsx.io import output_guard

    path = _book_path(book)
    if path is None:
        raise _UserMessage("“汇总”收集的是当前工作簿所在的文件夹：请先把当前工作簿保存到收件文件夹"
                           "（本机或共享盘上的文件夹），或打开收件文件夹中的任一文件，再点击“汇总”。")
    folder = path.parent
    out, renamed = _free_path(folder, summary_stem(now or dt.datetime.now()))
    db = folder / DEFAULT_DB
    try:
        with output_guard(overwrite=False):  # should the name be taken meanwhile: refuse, never replace
            result = collect_into([folder], out=out, db=db)
    except LedgerError as exc:
        raise _UserMessage(str(exc)) from exc
    return result, out, db, renamed


COLLECT_PROBLEMS_SHOWN = 10
COLLECT_SKIPPED_SHOWN = 5


def collect_message(result: CollectResult, out: Path, db: Path, renamed: bool) -> str:
    """The 汇总 button's alert: the command line's summary of the batch (fewer files listed)."""
    from perfeval.xlsx.collect import result_lines

    lines = result_lines(result, out, db, problems=COLLECT_PROBLEMS_SHOWN, skipped=COLLECT_SKIPPED_SHOWN)
    head = f"汇总完成：{out.parent}（含子文件夹）"
    return "\n".join([head, *lines]) + _renamed_note(out, renamed, "汇总表")


def do_collect(book: xw.Book) -> None:
    def run() -> None:
        result, out, db, renamed = collect_book(book)
        _alert(book, collect_message(result, out, db, renamed))
        _open_on_desktop(book, out)

    _guarded(book, run)


HELP_TEXT = (
    "绩效自评助手 使用说明\n"
    "1. 新建：在当前文件旁生成空白的官方表格（附件1-1、附件1-2；当前是项目表时生成项目表）。\n"
    "   新建项目表：按当前工作簿附件1-1 的项目支出各行，为每个本年度项目生成一张项目支出绩效自评表。\n"
    "2. 在淡黄色单元格填写数据；灰色单元格为公式，自动计算。\n"
    "3. 计算：恢复被手工改写的公式，更新“计算结果”。\n"
    "4. 校验：问题单元格标色并加批注，汇总到“校验结果”；警告须在“说明”列写明理由。\n"
    "   同一文件夹中文件名含“自评报告”的 Word 文档（.docx；有几个时取文件名含单位名称的，否则取最新的）\n"
    "   会一并核对：报告中的金额、人数、项目名称、得分、日期与表格不一致之处列在“报告核对”工作表。\n"
    "5. 清除标记：去掉本工具加的颜色、批注和“校验结果”。\n"
    "6. 导出：生成锁定的定稿文件（数值固定、工作表保护），用于上报。\n"
    "7. 汇总（收件方用）：核验当前工作簿所在文件夹（含子文件夹）中收到的全部定稿，在同一文件夹生成\n"
    "   汇总表“汇总_日期_时间.xlsx”（每次另存一份，不替换以前的），收件台账记在“台账.sqlite”，再次汇总只读新文件。\n"
    "没有 Excel（如 WPS）时可使用命令行：perfeval validate / compute / export / collect。详见 README.md。"
)


def do_help(book: xw.Book) -> None:
    def run() -> None:
        _alert(book, HELP_TEXT)
        readme = Path(__file__).resolve().parent.parent / "README.md"
        if readme.exists() and _on_desktop(book):
            import webbrowser

            webbrowser.open(readme.as_uri())

    _guarded(book, run)


# --------------------------------------------------------------------------- errors


class _UserMessage(Exception):
    pass


def _alert(book: xw.Book, text: str) -> None:
    book.app.alert(text, title=TITLE)


def _guarded(book: xw.Book, action: Callable[[], None]) -> None:
    """Run a macro; every failure becomes a Chinese alert, never a traceback in Excel."""
    from perfeval.limits import LimitError
    from perfeval.xlsx.io import WorkbookError

    try:
        action()
    except (_UserMessage, StructureError, WorkbookError, LimitError) as exc:
        _alert(book, f"无法完成：{exc}")
    except Exception as exc:  # the export's blocked list and anything unexpected
        name = type(exc).__name__
        if name == "ExportBlocked":
            _alert(book, f"不能导出：\n{exc}")
        else:
            _alert(book, f"程序内部错误：{name}: {exc}\n请把此信息发给维护人员。")
