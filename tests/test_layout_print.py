"""Layout a person can read: row heights fit wrapped text, the sheets for reading print one A4 page wide.

Three levels: the text measure itself (:mod:`perfeval.textfit`, expected values worked out by hand from its
model: a column of width W gives 5.25 × (W − 1) pt of text, a full-width character is 1 em, another 0.55 em,
a line is 9/7 em); the sheets as written (every row at least as tall as its text needs; print set-up); and
LibreOffice printing them (PDF pages, page orientation, the header on every page, its own auto-fit heights
never above ours).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from perfeval import textfit
from perfeval.flagging import RESULTS_HEADER, RESULTS_WIDTHS
from perfeval.forms.department.layout import (
    BD_COLUMNS,
    BD_SHEET,
    OFFICIAL_SHEETS,
    ZP_COLUMNS,
    ZP_SHEET,
    bd_rows,
    zp_rows,
)
from perfeval.forms.department.model import Report
from perfeval.sheets import CALC_SHEET, RESULTS_SHEET, SUMMARY_SHEET
from perfeval.textfit import TextBox, fit_rows, height_for_lines, lines_needed
from perfeval.xlsx.export import SUMMARY_HEADER, SUMMARY_WIDTHS, export_file
from perfeval.xlsx.flags import flag_workbook
from perfeval.xlsx.io import open_workbook
from perfeval.xlsx.workflow import fill, validate_file
from perfeval.xlsx.writer import column_widths, sheet_text_boxes
from tests.conftest import EXAMPLES
from tests.support.libreoffice import convert, optimal_row_heights, pdf_pages, require_libreoffice

A4 = (595.3, 841.9)
WIDE = "中"  # a full-width character: 1 em
NOW = dt.datetime(2024, 6, 10, 9, 30)
REASON = "超额完成的原因：年初按上年工作量设定指标值，年中新增燃气安全专项整治任务两次，均已按期完成。"
RESULTS_TITLE_END = "错误须改正；警告须在“说明”列写明理由后才能导出。"
FORCE_REASON = "部分警告为历史填报口径所致，已与主管部门确认，按原口径上报。"


# --------------------------------------------------------------------------- the measure (pure)


def test_display_width_counts_full_width_characters_double() -> None:
    assert textfit.display_width("abc") == 3
    assert textfit.display_width("中文") == 4
    assert textfit.display_width("Ａ１") == 4  # fullwidth forms
    assert textfit.display_width("e\u0301") == 1  # a combining accent takes no column
    assert textfit.display_width("附件1-1") == 4 + 3


def test_usable_width_of_a_column() -> None:
    # 5.25 pt per unit (7 px), one unit of padding: width 11 → 10 × 5.25
    assert textfit.usable_points(11) == pytest.approx(52.5)
    assert textfit.usable_points(56) == pytest.approx(288.75)


def test_full_width_text_wraps_per_column_width() -> None:
    # width 11 holds 52.5 pt: five 10.5 pt characters a line
    assert lines_needed(WIDE * 5, 11) == 1
    assert lines_needed(WIDE * 6, 11) == 2
    assert lines_needed(WIDE * 10, 11) == 2
    assert lines_needed(WIDE * 11, 11) == 3
    # a merged range is as wide as its columns together: 22 → 21 × 5.25 = 110.25 pt, ten characters a line
    assert lines_needed(WIDE * 10, 22) == 1 and lines_needed(WIDE * 11, 22) == 2


def test_font_size_scales_the_characters() -> None:
    # 21 pt characters: 52.5 / 21 = 2.5 → two a line
    assert lines_needed(WIDE * 5, 11, size=21) == 3
    # 9 pt: 52.5 / 9 = 5.8 → five a line
    assert lines_needed(WIDE * 6, 11, size=9) == 2


def test_each_explicit_newline_starts_a_line() -> None:
    assert lines_needed("中\n中\n中", 11) == 3
    assert lines_needed("\n", 11) == 2  # two empty lines
    assert lines_needed(WIDE * 6 + "\n" + WIDE, 11) == 3  # 2 + 1
    assert lines_needed("中\r\n中", 11) == 2  # CRLF is one break


def test_closing_punctuation_never_starts_a_line() -> None:
    # without the rule: 中中中中中 | ，中中中中 → 2 lines; the comma takes the 5th character along:
    # 中中中中 | 中，中中中 | 中 → 3 lines
    assert lines_needed(WIDE * 5 + "，" + WIDE * 4, 11) == 3
    # an opening bracket may start a line
    assert lines_needed(WIDE * 5 + "（" + WIDE * 4, 11) == 2


def test_latin_words_wrap_at_spaces() -> None:
    # 0.55 em × 10.5 pt = 5.775 pt a character: 9 fit in 52.5 pt (51.98), 10 do not
    assert lines_needed("aaaa bbbb", 11) == 1  # 9 characters
    assert lines_needed("aaaa bbbbb", 11) == 2  # the second word moves down whole
    assert lines_needed("a" * 20, 11) == 3  # a word longer than a line breaks: 9 + 9 + 2


def test_height_of_lines() -> None:
    # 10.5 pt × 9/7 = 13.5 pt a line; one line + 1.5 pt = Excel's 15 pt row; more lines + 3 pt
    assert height_for_lines(1) == pytest.approx(15.0)
    assert height_for_lines(2) == pytest.approx(30.0)
    assert height_for_lines(3) == pytest.approx(43.5)
    assert height_for_lines(1, size=14) == pytest.approx(19.5)


def test_fit_rows_takes_the_largest_need_of_a_row() -> None:
    boxes = [
        TextBox(1, 1, 1, 1, WIDE * 6),  # 2 lines in width 11 → 30
        TextBox(1, 2, 1, 2, WIDE),  # 1 line → 15
        TextBox(2, 1, 2, 1, WIDE * 11),  # 3 lines → 43.5, but the row is 50 already
        TextBox(3, 1, 3, 2, WIDE * 11),  # merged A3:B3, 22 wide → 2 lines → 30
    ]
    grow = fit_rows(boxes, {1: 11, 2: 11}, {2: 50.0})
    assert grow == {1: 30.0, 3: 30.0}  # row 2 never shrinks


def test_fit_rows_shares_a_vertical_merge_among_its_rows() -> None:
    # A1:A2 needs 4 lines = 4 × 13.5 + 3 = 57; rows at 15 + 15 = 30 → each gets (57 − 30) / 2 more = 28.5
    assert fit_rows([TextBox(1, 1, 2, 1, "中\n中\n中\n中")], {1: 11}) == {1: 28.5, 2: 28.5}
    # a row that grows for its own text first leaves less to share: row 2 → 30, then 57 − 45 = 12 → +6 each
    grow = fit_rows([TextBox(1, 1, 2, 1, "中\n中\n中\n中"), TextBox(2, 2, 2, 2, "中\n中")], {1: 11, 2: 11})
    assert grow == {1: 21.0, 2: 36.0}


def test_fit_rows_caps_at_excels_limit() -> None:
    assert fit_rows([TextBox(1, 1, 1, 1, "中\n" * 100)], {1: 11}) == {1: textfit.EXCEL_MAX_ROW_HEIGHT}


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.text(alphabet="中，。 ab1“”\n", max_size=60), st.floats(2, 80), st.floats(0, 30))
def test_narrower_columns_never_need_fewer_lines(text: str, width: float, extra: float) -> None:
    assert lines_needed(text, width) >= lines_needed(text, width + extra)
    assert lines_needed(text + "中", width) >= lines_needed(text, width)


def test_page_orientation_follows_the_total_width() -> None:
    # 校验结果: 156 units × 5.25 = 819 pt; A4 portrait between 0.5" margins: 595.28 − 72 = 523.3 pt (64 %),
    # landscape 841.89 − 72 = 769.9 pt (94 %)
    assert sum(RESULTS_WIDTHS) == 156 and sum(SUMMARY_WIDTHS) == 156
    assert textfit.fit_scale(RESULTS_WIDTHS, "portrait", 0.5, 0.5) == pytest.approx(523.28 / 819, abs=1e-3)
    assert textfit.fit_scale(RESULTS_WIDTHS, "landscape", 0.5, 0.5) == pytest.approx(769.89 / 819, abs=1e-3)
    assert textfit.orientation_for(RESULTS_WIDTHS, 0.5, 0.5) == "landscape"
    # the official sheets: 104 and 103.5 units → 546 and 543.4 pt, 96 % portrait
    assert textfit.orientation_for(BD_COLUMNS.values(), 0.5, 0.5) == "portrait"
    assert textfit.orientation_for(ZP_COLUMNS.values(), 0.5, 0.5) == "portrait"


# --------------------------------------------------------------------------- the workbooks


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed flagged (validate -o), and the seed with its two errors put right, force-exported."""
    folder = tmp_path_factory.mktemp("layout")
    seed = Report.model_validate_json((EXAMPLES / "huaihua-2023.json").read_text(encoding="utf-8"))
    fill(seed, folder / "seed.xlsx")
    flagged = folder / "flagged.xlsx"
    validate_file(folder / "seed.xlsx", out=flagged)

    data = json.loads((EXAMPLES / "huaihua-2023.json").read_text(encoding="utf-8"))
    data["basic"]["staff_control_rate_stated"] = None  # BD-001: the formula again
    data["self_eval"]["indicators"][1]["secondaries"][1]["rows"][0]["deviation"] = (  # ZP-012: a reason
        "部分纠纷调解周期较长，个别当事人对调解结果仍有异议，扣2分；下一年度建立纠纷台账、限时办结并加强回访。")
    fixed = Report.model_validate(data)
    fill(fixed, folder / "fixed.xlsx")
    final = export_file(folder / "fixed.xlsx", folder / "final.xlsx", force_reason=FORCE_REASON, now=NOW).path
    return {"flagged": flagged, "final": final}


def _unfitted_rows(ws: Worksheet) -> dict[int, float]:
    """Rows shorter than the measure says their text needs ({} when every row fits)."""
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None}
    return fit_rows(sheet_text_boxes(ws), column_widths(ws), heights)


def test_results_sheet_rows_fit_and_it_prints_one_landscape_page_wide(books: dict[str, Path]) -> None:
    wb = load_workbook(books["flagged"])
    ws = wb[RESULTS_SHEET]
    assert _unfitted_rows(ws) == {}
    # the row of BD-001 wraps its 问题说明 (column F, 56 wide, 10 pt): taller than one line
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(row=r, column=2).value == "BD-001")
    message = str(ws.cell(row=row, column=6).value)
    need = textfit.text_height(message, 56, size=10)
    assert lines_needed(message, 56, size=10) >= 2 and ws.row_dimensions[row].height >= need
    _assert_print_setup(ws, "landscape", "$2:$2", f"$A$1:$I${ws.max_row}")
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:I1"}  # the title spans the printed width
    assert ws["A1"].alignment.wrap_text


def test_summary_sheet_rows_fit_and_it_prints_one_landscape_page_wide(books: dict[str, Path]) -> None:
    wb = load_workbook(books["final"])
    ws = wb[SUMMARY_SHEET]
    assert _unfitted_rows(ws) == {}
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == SUMMARY_HEADER[0])
    _assert_print_setup(ws, "landscape", f"${header}:${header}", f"$A$1:$I${ws.max_row}")
    assert ws["A1"].alignment.wrap_text


def test_calc_sheet_rows_fit_and_it_prints_one_page_wide(books: dict[str, Path]) -> None:
    for book in ("flagged", "final"):
        ws = load_workbook(books[book])[CALC_SHEET]
        assert _unfitted_rows(ws) == {}, book
        _assert_print_setup(ws, "landscape", "$1:$1", None)


def test_final_official_sheets_rows_fit_their_text(books: dict[str, Path]) -> None:
    wb = load_workbook(books["final"])
    for name in OFFICIAL_SHEETS:
        assert _unfitted_rows(wb[name]) == {}, name


def _assert_print_setup(ws: Worksheet, orientation: str, title_rows: str, area: str | None) -> None:
    ps = ws.page_setup
    assert int(ps.paperSize) == 9  # A4
    assert ps.orientation == orientation
    assert (ps.fitToWidth, ps.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
    assert ws.print_title_rows == title_rows
    if area is not None:
        assert ws.print_area == f"'{ws.title}'!{area}"
    assert 0.3 <= ws.page_margins.left <= 0.8 and 0.3 <= ws.page_margins.top <= 0.8


def test_export_grows_rows_of_text_typed_after_fill(tmp_path: Path) -> None:
    """Text typed in Excel after the form was generated: Excel does not grow merged rows, openpyxl keeps
    the heights; the 定稿 shows every such text whole."""
    report = Report.model_validate_json((EXAMPLES / "huaihua-2023-corrected.json").read_text(encoding="utf-8"))
    src = tmp_path / "typed.xlsx"
    layout = fill(report, src).layout
    z = zp_rows(layout.shape.indicator_rows, layout.shape.goal_rows)
    b = bd_rows(layout.shape.n_projects)
    typed = {
        (ZP_SHEET, f"I{z['ind_first']}"): REASON * 3,
        (ZP_SHEET, f"D{z['ind_first'] + 1}"): "城镇燃气安全隐患排查整治任务按期完成率（含瓶装液化石油气）",
        (ZP_SHEET, f"E{z['ind_first'] + 1}"): "≥95%（以市安委会年度考核口径为准）",
        (BD_SHEET, f"A{b['first_project']}"): "1.专项（业务）经费（含城乡建设事务中心日常业务运转及专项工作经费）",
        (BD_SHEET, f"B{b['frugality']}"): "严格执行中央八项规定精神，" * 12,
    }
    wb = load_workbook(src)
    before = {}
    for (sheet, addr), text in typed.items():
        wb[sheet][addr].value = text
        row = wb[sheet][addr].row
        before[(sheet, addr)] = wb[sheet].row_dimensions[row].height or 15.0
    wb.save(src)
    final = export_file(src, tmp_path / "final.xlsx", now=NOW).path
    out = load_workbook(final)
    for (sheet, addr), text in typed.items():
        ws = out[sheet]
        cell = ws[addr]
        spans = [r for r in ws.merged_cells.ranges if cell.coordinate in r]
        first_col, last_col = (spans[0].min_col, spans[0].max_col) if spans else (cell.column, cell.column)
        width = sum(column_widths(ws).get(c, 9.14) for c in range(first_col, last_col + 1))
        need = textfit.text_height(text, width, size=float(cell.font.sz))
        assert before[(sheet, addr)] < need, f"{sheet}!{addr}: the test text must not fit the row as filled"
        assert ws.row_dimensions[cell.row].height >= need, f"{sheet}!{addr}"
    for name in OFFICIAL_SHEETS:
        assert _unfitted_rows(out[name]) == {}, name


# --------------------------------------------------------------------------- LibreOffice prints them


def _only_sheet(src: Path, sheet: str, out: Path) -> Path:
    """A copy holding just ``sheet`` (LibreOffice prints every sheet with a print range, hidden or not)."""
    wb = load_workbook(src)
    for ws in list(wb.worksheets):
        if ws.title != sheet:
            wb.remove(ws)
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _pdf_text_pages(pdf: Path) -> list[str]:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60,
                          text=True).stdout
    return text.split("\f")[: len(pdf_pages(pdf))]


@pytest.mark.parametrize(("book", "sheet", "first", "last", "title"), [
    ("flagged", RESULTS_SHEET, RESULTS_HEADER[0], RESULTS_HEADER[-1], RESULTS_TITLE_END),
    ("final", SUMMARY_SHEET, SUMMARY_HEADER[0], SUMMARY_HEADER[-1], "校验摘要（导出定稿时的校验结果，不属于上报表格）"),
    ("final", CALC_SHEET, "计算结果", "（供核对参考，不属于上报表格）", "计算结果（供核对参考，不属于上报表格）"),
])
def test_libreoffice_prints_one_a4_landscape_page_wide(books: dict[str, Path], tmp_path: Path, book: str,
                                                       sheet: str, first: str, last: str, title: str) -> None:
    require_libreoffice()
    pdf = convert(_only_sheet(books[book], sheet, tmp_path / "one" / f"{book}.xlsx"), "pdf", tmp_path)
    pages = pdf_pages(pdf)
    assert 1 <= len(pages) <= 3
    for width, height in pages:
        assert abs(width - A4[1]) < 2 and abs(height - A4[0]) < 2  # landscape A4
    texts = _pdf_text_pages(pdf)
    assert title in " ".join(texts[0].split())  # the title whole on page 1
    for n, text in enumerate(texts, start=1):
        # the repeated header (or title) row carries the first and the last column on every page: no page
        # holds only the right-hand columns
        flat = " ".join(text.split())
        assert first in flat and last in flat, f"page {n} of {sheet}"
        assert f"第 {n} 页，共 {len(texts)} 页" in flat


def test_libreoffice_own_autofit_never_wants_taller_rows(books: dict[str, Path]) -> None:
    """LibreOffice's auto-fit with the fonts it prints with: an independent measure of every row's need."""
    require_libreoffice()
    checks = {"flagged": [RESULTS_SHEET, ZP_SHEET, BD_SHEET], "final": [SUMMARY_SHEET, CALC_SHEET, ZP_SHEET, BD_SHEET]}
    for book, sheets in checks.items():
        heights = optimal_row_heights(books[book], sheets)
        for sheet, rows in heights.items():
            short = {r: (round(stored, 1), round(best, 1)) for r, (stored, best) in rows.items() if best > stored + 0.5}
            assert short == {}, f"{book} {sheet}: rows LibreOffice would make taller (stored, auto-fit): {short}"


def test_seed_pdfs_of_the_official_sheets_are_a4_portrait(books: dict[str, Path], tmp_path: Path) -> None:
    require_libreoffice()
    for sheet in OFFICIAL_SHEETS:
        pdf = convert(_only_sheet(books["final"], sheet, tmp_path / sheet / "final.xlsx"), "pdf", tmp_path / sheet)
        pages = pdf_pages(pdf)
        assert pages and all(abs(w - A4[0]) < 2 and abs(h - A4[1]) < 2 for w, h in pages)
        assert "####" not in "".join(_pdf_text_pages(pdf))  # every number fits its column


def test_flagging_keeps_an_open_workbook_fitted(books: dict[str, Path]) -> None:
    """校验 run twice (the accountant re-validates): the new 校验结果 is fitted again."""
    wb = open_workbook(books["flagged"])
    from perfeval.rules import run_rules
    from perfeval.xlsx.reader import read_workbook_obj

    read = read_workbook_obj(wb, books["flagged"])
    findings = run_rules(read.report, read.layout, read_issues=read.issues)
    flag_workbook(wb, findings, ruleset_version="test")
    assert _unfitted_rows(wb[RESULTS_SHEET]) == {}
