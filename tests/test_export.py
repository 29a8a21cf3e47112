"""导出 and 核验 on real .xlsx files (openpyxl level): blocking, the final workbook, the fingerprint, verify."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from perfeval.cli import main
from perfeval.findings import Severity
from perfeval.fingerprint import CellChange, canonical_cells, canonical_value, diff, fingerprint
from perfeval.flagging import EXPLANATION_COL
from perfeval.forms.department.compute import compute
from perfeval.forms.department.layout import BD_SHEET, OFFICIAL_SHEETS, ZP_SHEET, bd_rows, layout_for, zp_rows
from perfeval.forms.department.model import Report
from perfeval.layout import NA_TEXT
from perfeval.rules import RULESET_VERSION, run_rules
from perfeval.sheets import CALC_SHEET, EXPORT_SHEET, META_SHEET, RESULTS_SHEET, STATE_SHEET, SUMMARY_SHEET
from perfeval.xlsx import styles
from perfeval.xlsx.export import (
    ExportBlocked,
    ExportError,
    ExportResult,
    default_output_name,
    excel_number,
    export_file,
    read_export_meta,
)
from perfeval.xlsx.io import WorkbookError
from perfeval.xlsx.reader import read_workbook
from perfeval.xlsx.verify import VerifyStatus, verify_file
from perfeval.xlsx.workflow import fill, validate_file
from tests.conftest import load_example

NOW = dt.datetime(2024, 6, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
UNIT = "怀化市城乡建设事务中心"
FINAL_NAME = f"{UNIT}_2023年部门整体支出绩效自评表_定稿.xlsx"
TINTS = {styles.INPUT_FILL.fgColor.rgb, styles.DERIVED_FILL.fgColor.rgb}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corrected() -> Report:
    return load_example("huaihua-2023-corrected.json")


def warning_only() -> Report:
    """The corrected example with one warning-level problem: 超编 (BD-002), control rate stated correctly."""
    report = corrected()
    report.basic.staff_actual = 43
    report.basic.staff_control_rate_stated = Decimal("1.075")
    return report


@dataclass
class Exported:
    src: Path
    src_sha: str
    final: Path
    result: ExportResult


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    folder = tmp_path_factory.mktemp("export")
    src = folder / "corrected.xlsx"
    fill(corrected(), src)
    before = sha(src)
    result = export_file(src, now=NOW)
    return Exported(src, before, result.path, result)


def modified_copy(final: Path, out: Path, change: object) -> Path:
    wb = load_workbook(final)
    change(wb)  # type: ignore[operator]
    wb.save(out)
    return out


# --------------------------------------------------------------------------- fingerprint (pure)


def test_numbers_written_as_decimal_or_read_back_as_float_have_one_text() -> None:
    assert canonical_value(Decimal("781.06")) == canonical_value(781.06) == "781.06"
    assert canonical_value(Decimal("10.00")) == canonical_value(10.0) == canonical_value(10) == "10"
    assert canonical_value(Decimal("-0.00")) == canonical_value(-0.0) == canonical_value(0) == "0"
    assert canonical_value(Decimal("1E+3")) == "1000"
    assert canonical_value(0.1) == "0.1"
    assert canonical_value(1e-7) == "0.0000001"


def test_text_dates_and_booleans_canonical() -> None:
    assert canonical_value("e\u0301") == canonical_value("\u00e9") == "\u00e9"  # NFD → NFC
    assert canonical_value("一\r\n二\r三") == "一\n二\n三"
    assert canonical_value("") is None and canonical_value(None) is None
    assert canonical_value(dt.date(2024, 6, 6)) == canonical_value(dt.datetime(2024, 6, 6)) == "2024-06-06"
    assert canonical_value(dt.datetime(2024, 6, 6, 14, 5, 9, 999_999)) == "2024-06-06T14:05:10"
    assert canonical_value(True) == "TRUE" and canonical_value(False) == "FALSE"


def test_canonical_order_is_official_sheets_then_row_then_column() -> None:
    grid = {ZP_SHEET: {"A1": "z"}, BD_SHEET: {"B10": 2, "C2": 3, "A10": 1, "D3": "", "E4": None}}
    assert canonical_cells(grid, OFFICIAL_SHEETS) == [(BD_SHEET, "C2", "3"), (BD_SHEET, "A10", "1"),
                                                      (BD_SHEET, "B10", "2"), (ZP_SHEET, "A1", "z")]
    assert fingerprint(grid, OFFICIAL_SHEETS) == fingerprint({BD_SHEET: {"A10": 1.0, "C2": Decimal("3.00"), "B10": 2},
                                                              ZP_SHEET: {"A1": "z"}}, OFFICIAL_SHEETS)
    # without the official order, the grid's own order counts (a 定稿 records its sheets in order)
    assert fingerprint(grid) != fingerprint(grid, OFFICIAL_SHEETS)


def test_any_value_change_changes_fingerprint_and_diff_names_the_cell() -> None:
    base = {BD_SHEET: {"D14": Decimal("80.00"), "A14": "项目"}, ZP_SHEET: {"H30": 95}}
    variants = [
        {BD_SHEET: {"D14": Decimal("80.01"), "A14": "项目"}, ZP_SHEET: {"H30": 95}},
        {BD_SHEET: {"D14": Decimal("80.00"), "A14": "项目 "}, ZP_SHEET: {"H30": 95}},
        {BD_SHEET: {"D14": Decimal("80.00")}, ZP_SHEET: {"H30": 95}},
        {BD_SHEET: {"D14": Decimal("80.00"), "A14": "项目"}, ZP_SHEET: {"H30": 95, "I30": "x"}},
        {BD_SHEET: {"D14": Decimal("80.00"), "A14": "项目"}, ZP_SHEET: {"H31": 95}},
    ]
    fps = {fingerprint(base)} | {fingerprint(v) for v in variants}
    assert len(fps) == 1 + len(variants)
    old, new = canonical_cells(base), canonical_cells(variants[0])
    assert diff(old, new) == [CellChange(BD_SHEET, "D14", "80", "80.01")]
    assert diff(old, canonical_cells(variants[2])) == [CellChange(BD_SHEET, "A14", "项目", None)]
    assert diff(old, canonical_cells(variants[4])) == [CellChange(ZP_SHEET, "H30", "95", None),
                                                       CellChange(ZP_SHEET, "H31", None, "95")]
    assert diff(old, old) == []


def test_only_official_sheets_are_fingerprinted() -> None:
    with pytest.raises(ValueError, match="官方工作表"):
        canonical_cells({CALC_SHEET: {"B3": 1}}, OFFICIAL_SHEETS)


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2))
def test_amount_as_decimal_equals_amount_read_back_as_float(amount: Decimal) -> None:
    assert canonical_value(amount) == canonical_value(float(amount))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
                min_size=1, max_size=40)
       | st.just([0.1 + 0.2, 2 / 3, 781.06, 1 / 7, 0.3 * 3, 123456.78901234567, 9.999999999999999e-5]))
def test_numbers_at_excel_precision_survive_repeated_resaves(values: list[float]) -> None:
    """The final file holds numbers at 15 significant digits, which a save/load cycle does not move."""
    wb = Workbook()
    ws = wb.active
    written = [excel_number(v) for v in values]
    for i, v in enumerate(written, start=1):
        ws.cell(row=i, column=1, value=v)
        ws.cell(row=i, column=2, value=excel_number(Decimal(repr(v))))
    data = None
    for _ in range(3):
        buf = io.BytesIO()
        (wb if data is None else load_workbook(io.BytesIO(data))).save(buf)
        data = buf.getvalue()
        back = load_workbook(io.BytesIO(data)).active
        for i, v in enumerate(written, start=1):
            assert canonical_value(back.cell(row=i, column=1).value) == canonical_value(v)
            assert canonical_value(back.cell(row=i, column=2).value) == canonical_value(v)


# --------------------------------------------------------------------------- blocking


def test_seed_workbook_is_blocked_by_its_errors(seed_xlsx: Path) -> None:
    before = sha(seed_xlsx)
    with pytest.raises(ExportBlocked) as info:
        export_file(seed_xlsx, now=NOW)
    blocked = info.value
    assert blocked.kind == "errors"
    codes = {f.code for f in blocked.findings}
    assert {"BD-001", "ZP-012"} <= codes
    assert all(f.severity == Severity.ERROR for f in blocked.findings)
    text = str(blocked)
    assert text.startswith("无法导出")
    assert f"BD-001 {BD_SHEET}!F5" in text and f"ZP-012 {ZP_SHEET}!" in text
    assert sha(seed_xlsx) == before
    assert sorted(p.name for p in seed_xlsx.parent.iterdir()) == [seed_xlsx.name]


def test_warning_without_explanation_blocks(tmp_path: Path) -> None:
    src = tmp_path / "warn.xlsx"
    fill(warning_only(), src)
    with pytest.raises(ExportBlocked) as info:
        export_file(src, now=NOW)
    assert info.value.kind == "warnings"
    assert [f.code for f in info.value.findings] == ["BD-002"]
    text = str(info.value)
    assert f"BD-002 {BD_SHEET}!D5" in text
    assert "还没有“校验结果”工作表" in text and "perfeval validate" in text and "--force --reason" in text
    assert not (tmp_path / FINAL_NAME).exists()


def test_explained_warning_exports_with_the_explanation_in_the_summary(tmp_path: Path) -> None:
    src, flagged = tmp_path / "warn.xlsx", tmp_path / "warn-flagged.xlsx"
    fill(warning_only(), src)
    validate_file(src, out=flagged)
    with pytest.raises(ExportBlocked, match="“校验结果”工作表的“说明"):  # flagged, but nothing written yet
        export_file(flagged, tmp_path / "final.xlsx", now=NOW)
    explanation = "2023年10月划入3名借调人员，编制调整文件已报批（附件3）"
    wb = load_workbook(flagged)
    ws = wb[RESULTS_SHEET]
    rows = [r for r in ws.iter_rows(min_row=3) if r[1].value == "BD-002"]
    assert len(rows) == 1
    rows[0][EXPLANATION_COL].value = explanation
    wb.save(flagged)

    result = export_file(flagged, tmp_path / "final.xlsx", now=NOW)
    assert result.forced_reason is None and result.forced == []
    assert result.explanations == {("BD-002", BD_SHEET, "D5"): explanation}
    final = load_workbook(result.path)
    summary = [[c for c in row if c is not None] for row in final[SUMMARY_SHEET].iter_rows(values_only=True)]
    bd002 = [row for row in summary if "BD-002" in row]
    assert len(bd002) == 1 and explanation in bd002[0] and "警告" in bd002[0]
    assert RESULTS_SHEET not in final.sheetnames and STATE_SHEET not in final.sheetnames
    d5 = final[BD_SHEET]["D5"]
    assert d5.fill.fill_type is None  # neither the warning flag nor the input tint
    assert d5.comment is None  # the flag's note is gone
    assert verify_file(result.path).status == VerifyStatus.INTACT


def test_forced_export_records_the_reason(tmp_path: Path) -> None:
    src = tmp_path / "warn.xlsx"
    fill(warning_only(), src)
    reason = "主管部门已电话确认超编情况，书面说明随后补报"
    result = export_file(src, tmp_path / "final.xlsx", force_reason=f"  {reason} ", now=NOW)
    assert result.forced_reason == reason
    assert [f.code for f in result.forced] == ["BD-002"]
    wb = load_workbook(result.path)
    texts = [str(v) for row in wb[SUMMARY_SHEET].iter_rows(values_only=True) for v in row if v is not None]
    assert reason in texts  # the 强制导出理由 line
    assert any(t.startswith("（未逐项说明，强制导出）") and reason in t for t in texts)  # the BD-002 row
    meta, _ = read_export_meta(wb)
    assert meta["forced_reason"] == reason
    assert wb.custom_doc_props["perfeval_forced_reason"].value == reason
    verified = verify_file(result.path)
    assert verified.status == VerifyStatus.INTACT and verified.forced_reason == reason
    assert "强制导出" in verified.message


def test_force_cannot_pass_errors_and_needs_a_reason(seed_xlsx: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportBlocked) as info:
        export_file(seed_xlsx, tmp_path / "final.xlsx", force_reason="赶时间")
    assert info.value.kind == "errors"
    with pytest.raises(ExportError, match="理由"):
        export_file(seed_xlsx, tmp_path / "final.xlsx", force_reason="   ")
    assert not (tmp_path / "final.xlsx").exists()


# --------------------------------------------------------------------------- the final workbook


def test_export_writes_the_default_name_beside_the_input_and_leaves_the_input_alone(exported: Exported) -> None:
    assert exported.final == exported.src.parent / FINAL_NAME
    assert default_output_name(UNIT, 2023) == FINAL_NAME
    assert exported.final.is_file()
    assert sha(exported.src) == exported.src_sha
    assert exported.result.exported_at == "2024-06-10T09:30:00+08:00"
    assert exported.result.findings.summary() == {"error": 0, "warning": 0, "info": 1}


def test_default_name_replaces_characters_illegal_in_file_names() -> None:
    assert default_output_name('市/局:"科"*?<>|', 2024) == "市_局__科_______2024年部门整体支出绩效自评表_定稿.xlsx"
    assert default_output_name("  ", 2024) == "未命名单位_2024年部门整体支出绩效自评表_定稿.xlsx"


def test_final_workbook_holds_no_formula_and_no_external_reference(exported: Exported) -> None:
    wb = load_workbook(exported.final)
    assert wb.sheetnames == [BD_SHEET, ZP_SHEET, CALC_SHEET, SUMMARY_SHEET, EXPORT_SHEET]
    formulas = [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []
    assert wb._external_links == []
    assert all("[" not in (d.attr_text or "") for d in wb.defined_names.values())
    # the input had formulas in every derived cell, so this is a real replacement
    src = load_workbook(exported.src)
    assert sum(1 for ws in src.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f") > 30


def test_every_sheet_and_cell_is_locked_and_the_structure_too(exported: Exported) -> None:
    wb = load_workbook(exported.final)
    for ws in wb.worksheets:
        assert ws.protection.sheet is True, ws.title
        assert ws.protection.password, ws.title
        assert ws.protection.selectLockedCells is False  # cells can still be selected and copied
        assert all(c.protection.locked for row in ws.iter_rows() for c in row), ws.title
    assert wb.security is not None and wb.security.lockStructure is True
    assert wb.security.workbookPassword
    # the input form had unlocked input cells
    src = load_workbook(exported.src)
    assert src[BD_SHEET]["D14"].protection.locked is False
    assert wb[BD_SHEET]["D14"].protection.locked is True


def test_metadata_sheet_and_document_properties(exported: Exported) -> None:
    wb = load_workbook(exported.final)
    assert wb[EXPORT_SHEET].sheet_state == "veryHidden"
    for name in (RESULTS_SHEET, STATE_SHEET, META_SHEET):
        assert name not in wb.sheetnames
    meta, cells = read_export_meta(wb)
    fp = exported.result.fingerprint
    assert meta["fingerprint"] == fp and len(fp) == 64
    assert meta["unit"] == UNIT and meta["year"] == "2023"
    assert meta["ruleset_version"] == RULESET_VERSION
    assert meta["exported_at"] == "2024-06-10T09:30:00+08:00"
    assert meta["template_id"] == "perfeval-zhengti-2023" and meta["template_version"] == "1"
    assert meta["source.template_id"] == "perfeval-zhengti-2023"  # carried over from the working _perfeval sheet
    assert cells == exported.result.cells and (BD_SHEET, "D14", "80") in cells
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props["perfeval_fingerprint"] == fp
    assert props["perfeval_ruleset_version"] == RULESET_VERSION and props["perfeval_unit"] == UNIT
    assert wb.properties.creator == "绩效自评助手"
    assert fp in (wb.properties.keywords or "") and "定稿" in (wb.properties.title or "")
    assert wb.active.title == BD_SHEET


def _cell_style(c: object) -> tuple[object, ...]:
    font, align, border = c.font, c.alignment, c.border  # type: ignore[attr-defined]
    return (font.name, font.sz, font.b, c.number_format, align.horizontal, align.vertical,  # type: ignore[attr-defined]
            align.wrap_text, border.left.style, border.top.style, border.right.style, border.bottom.style)


def _print_setup(ws: object) -> tuple[object, ...]:
    ps, pm = ws.page_setup, ws.page_margins  # type: ignore[attr-defined]
    return (ps.paperSize, ps.orientation, ps.fitToWidth, ps.fitToHeight, ps.blackAndWhite,
            ws.sheet_properties.pageSetUpPr.fitToPage, ws.print_area, ws.print_title_rows,  # type: ignore[attr-defined]
            ws.print_options.horizontalCentered, pm.left, pm.right, pm.top, pm.bottom)  # type: ignore[attr-defined]


def test_official_sheets_keep_their_layout_without_the_tints(exported: Exported) -> None:
    src, final = load_workbook(exported.src), load_workbook(exported.final)
    for name in OFFICIAL_SHEETS:
        a, b = src[name], final[name]
        assert {str(r) for r in a.merged_cells.ranges} == {str(r) for r in b.merged_cells.ranges}
        assert _print_setup(a) == _print_setup(b)
        assert a.print_area is not None and int(a.page_setup.paperSize) == 9  # A4
        assert {k: d.width for k, d in a.column_dimensions.items()} == \
            {k: d.width for k, d in b.column_dimensions.items()}
        assert {k: d.height for k, d in a.row_dimensions.items()} == \
            {k: d.height for k, d in b.row_dimensions.items()}
        styled = [c.coordinate for row in a.iter_rows() for c in row]
        assert len(styled) > 100
        for coord in styled:
            assert _cell_style(a[coord]) == _cell_style(b[coord]), f"{name}!{coord}"
        tinted = [c for row in a.iter_rows() for c in row if c.fill.fgColor.rgb in TINTS]
        assert len(tinted) > 20  # the input form is tinted …
        assert all(b[c.coordinate].fill.fill_type is None for c in tinted)  # … the final form is not


def test_derived_cells_and_calc_sheet_hold_the_engines_values(exported: Exported) -> None:
    report = corrected()
    computed = compute(report)
    layout = layout_for(report)
    wb = load_workbook(exported.final)
    checked = 0
    for cell in layout.cells():
        if cell.calc_key is None or cell.sheet == CALC_SHEET:
            continue
        value = wb[cell.sheet][cell.address].value
        expected = computed[cell.calc_key]
        if expected is None:
            assert value == NA_TEXT, cell.address
        else:
            assert Decimal(repr(value)) == Decimal(format(expected, ".15g")), f"{cell.sheet}!{cell.address}"
        checked += 1
    assert checked >= 15
    bd, zp, calc = wb[BD_SHEET], wb[ZP_SHEET], wb[CALC_SHEET]
    assert bd["F5"].value == 1  # 控制率 40/40
    assert [bd[f"{c}13"].value for c in "BDF"] == [63.88, 120, 297.87]  # 项目支出 totals
    assert zp["G5"].value == 1 and zp["H5"].value == 10  # 执行率, 得分
    total = zp_rows(layout.shape.indicator_rows, layout.shape.goal_rows)["total"]
    assert zp[f"G{total}"].value == 100
    assert Decimal(repr(zp[f"H{total}"].value)) == computed["self_eval.total_score_stated"]
    building = bd_rows(layout.shape.n_projects)["building"]
    assert bd[f"D{building}"].value == NA_TEXT and bd[f"G{building}"].value == NA_TEXT  # 0 批复规模 → "—"
    labels = {calc[f"A{r}"].value: calc[f"B{r}"].value for r in range(3, 13)}
    assert labels["等级"] == computed["calc.grade"]
    assert labels["总分"] == float(computed["calc.total_score"])
    assert labels["超编人数（人）"] == 0
    by_key = {c.calc_key: c.address for c in layout.sheets[CALC_SHEET].cells if c.calc_key}
    first = "calc.indicators[0].secondaries[0].rows[0]"
    assert calc[by_key[f"{first}.name"]].value == report.self_eval.rows()[0][5].name  # was a formula
    assert calc[by_key[f"{first}.suggested"]].value is not None


def test_final_workbook_reads_back_with_the_same_inputs_and_no_error(exported: Exported) -> None:
    back = read_workbook(exported.final)
    assert back.issues == []
    original = corrected()
    assert back.report.basic.projects == original.basic.projects
    assert back.report.self_eval.indicators == original.self_eval.indicators
    assert back.report.self_eval.funds.executed == original.self_eval.funds.executed
    assert not run_rules(back.report, back.layout).has_errors


# --------------------------------------------------------------------------- verify


def test_verify_intact(exported: Exported) -> None:
    result = verify_file(exported.final)
    assert result.status == VerifyStatus.INTACT and result.problems == []
    assert result.actual_fingerprint == result.expected_fingerprint == exported.result.fingerprint
    assert result.unit == UNIT and result.year == 2023 and result.ruleset_version == RULESET_VERSION
    assert result.message.startswith("核验通过")
    data = result.to_json_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False))["status"] == "intact"


def test_resave_with_openpyxl_still_verifies_intact(exported: Exported, tmp_path: Path) -> None:
    copy = tmp_path / "resaved.xlsx"
    load_workbook(exported.final).save(copy)
    copy2 = tmp_path / "resaved2.xlsx"
    load_workbook(copy).save(copy2)
    assert sha(copy) != sha(exported.final)  # other bytes …
    for path in (copy, copy2):
        result = verify_file(path)
        assert result.status == VerifyStatus.INTACT, result.message  # … same values


def test_changed_amount_is_named_with_old_and_new_value(exported: Exported, tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        wb[BD_SHEET]["D14"].value = 81  # 项目1 2023年预算数 80.00 → 81

    result = verify_file(modified_copy(exported.final, tmp_path / "changed.xlsx", change))
    assert result.status == VerifyStatus.VALUES_CHANGED
    assert result.problems == [VerifyStatus.VALUES_CHANGED]
    assert result.changes == [CellChange(BD_SHEET, "D14", "80", "81")]
    assert f"{BD_SHEET}!D14：“80” → “81”" in result.message
    assert result.actual_fingerprint != result.expected_fingerprint


def test_cleared_and_added_cells_are_changes_too(exported: Exported, tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        wb[ZP_SHEET]["C3"].value = None
        wb[BD_SHEET]["H40"].value = "补充说明"

    result = verify_file(modified_copy(exported.final, tmp_path / "changed.xlsx", change))
    assert result.status == VerifyStatus.VALUES_CHANGED
    assert result.changes == [CellChange(BD_SHEET, "H40", None, "补充说明"), CellChange(ZP_SHEET, "C3", UNIT, None)]


def test_removed_sheet_protection_is_reported(exported: Exported, tmp_path: Path) -> None:
    def unprotect(wb: Workbook) -> None:
        wb[ZP_SHEET].protection.sheet = False

    result = verify_file(modified_copy(exported.final, tmp_path / "open.xlsx", unprotect))
    assert result.status == VerifyStatus.PROTECTION_REMOVED
    assert result.unprotected_sheets == [ZP_SHEET] and result.structure_protected is True
    assert result.changes == []
    assert ZP_SHEET in result.message


def test_unlocked_structure_and_changed_value_are_both_reported(exported: Exported, tmp_path: Path) -> None:
    def both(wb: Workbook) -> None:
        wb.security.lockStructure = False
        wb[ZP_SHEET]["E5"].value = 700

    result = verify_file(modified_copy(exported.final, tmp_path / "both.xlsx", both))
    assert result.problems == [VerifyStatus.VALUES_CHANGED, VerifyStatus.PROTECTION_REMOVED]
    assert result.status == VerifyStatus.VALUES_CHANGED  # the worse one
    assert result.structure_protected is False
    assert result.changes == [CellChange(ZP_SHEET, "E5", "781.06", "700")]
    assert "结构保护已被解除" in result.message and "781.06" in result.message


def test_not_an_export_and_unknown_template(exported: Exported, seed_xlsx: Path, tmp_path: Path) -> None:
    assert verify_file(seed_xlsx).status == VerifyStatus.NOT_EXPORT

    def other_template(wb: Workbook) -> None:
        ws = wb[EXPORT_SHEET]
        for row in ws.iter_rows(max_col=2):
            if row[0].value == "template_version":
                row[1].value = "99"

    result = verify_file(modified_copy(exported.final, tmp_path / "v99.xlsx", other_template))
    assert result.status == VerifyStatus.TEMPLATE_MISMATCH
    assert "版本 99" in result.message

    def broken(wb: Workbook) -> None:
        ws = wb[EXPORT_SHEET]
        ws.delete_rows(ws.max_row - 3, 4)

    assert verify_file(modified_copy(exported.final, tmp_path / "broken.xlsx", broken)).status == \
        VerifyStatus.NOT_EXPORT
    with pytest.raises(WorkbookError):
        verify_file(tmp_path / "missing.xlsx")


# --------------------------------------------------------------------------- files


def test_output_never_over_the_input(tmp_path: Path) -> None:
    src = tmp_path / "in.xlsx"
    fill(corrected(), src)
    before = sha(src)
    with pytest.raises(WorkbookError, match="不能与输入文件相同"):
        export_file(src, src)
    with pytest.raises(ExportError, match=r"\.xlsx"):
        export_file(src, tmp_path / "final.xls")
    assert sha(src) == before


def test_failure_before_rename_leaves_no_partial_file(tmp_path: Path) -> None:
    src = tmp_path / "in.xlsx"
    fill(corrected(), src)
    before = sorted(os.listdir(tmp_path))
    seen: list[Path] = []

    def boom(tmp: Path) -> None:
        seen.append(tmp)
        assert tmp.stat().st_size > 0
        raise OSError("磁盘已满（测试注入）")

    with pytest.raises(OSError, match="测试注入"):
        export_file(src, before_rename=boom)
    assert len(seen) == 1 and seen[0].parent == tmp_path
    assert sorted(os.listdir(tmp_path)) == before
    assert not (tmp_path / FINAL_NAME).exists()


def test_a_formula_without_a_computed_value_blocks(tmp_path: Path) -> None:
    src = tmp_path / "extra.xlsx"
    fill(corrected(), src)
    wb = load_workbook(src)
    wb.create_sheet("辅助计算")["A1"] = "=SUM(1,2)"
    wb.save(src)
    with pytest.raises(ExportBlocked, match="辅助计算!A1") as info:
        export_file(src, tmp_path / "final.xlsx")
    assert info.value.kind == "formulas"
    assert not (tmp_path / "final.xlsx").exists()


# --------------------------------------------------------------------------- command line


def test_cli_export_exit_codes(seed_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(seed_xlsx)]) == 1
    out = capsys.readouterr().out
    assert "无法导出" in out and "BD-001" in out and "ZP-012" in out

    src = tmp_path / "ok.xlsx"
    fill(corrected(), src)
    final = tmp_path / "定稿.xlsx"
    assert main(["export", str(src), "-o", str(final), "--password", "abc"]) == 0
    out = capsys.readouterr().out
    assert f"已导出定稿：{final}" in out and "文件指纹" in out
    assert final.is_file() and load_workbook(final)[BD_SHEET].protection.password

    assert main(["export", str(tmp_path / "nope.xlsx")]) == 2
    assert "找不到文件" in capsys.readouterr().err
    assert main(["export", str(src), "--force"]) == 2
    assert "--reason" in capsys.readouterr().err
    assert main(["export", str(src), "--reason", "理由"]) == 2
    assert "--force" in capsys.readouterr().err

    warn = tmp_path / "warn.xlsx"
    fill(warning_only(), warn)
    assert main(["export", str(warn), "-o", str(tmp_path / "w.xlsx")]) == 1
    assert "BD-002" in capsys.readouterr().out
    assert main(["export", str(warn), "-o", str(tmp_path / "w.xlsx"), "--force", "--reason", "已报批"]) == 0
    assert "强制导出" in capsys.readouterr().out


def test_cli_verify_exit_codes(exported: Exported, seed_xlsx: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(exported.final)]) == 0
    out = capsys.readouterr().out
    assert "核验结果：未发现改动（内容与文件中记录的指纹一致）" in out and "核验通过" in out
    assert "不能证明文件是谁发出的" in out and "intact" not in out  # claims only what is checked

    def change(wb: Workbook) -> None:
        wb[BD_SHEET]["F14"].value = 60

    changed = modified_copy(exported.final, tmp_path / "changed.xlsx", change)
    assert main(["verify", str(changed)]) == 1
    out = capsys.readouterr().out
    assert "内容与文件中记录的指纹不符" in out and "F14" in out and "values_changed" not in out
    assert main(["verify", str(changed), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "values_changed"
    assert data["changes"] == [{"sheet": BD_SHEET, "cell": "F14", "old": "58.14", "new": "60"}]

    assert main(["verify", str(seed_xlsx)]) == 2
    assert "文件中没有可用的导出信息" in capsys.readouterr().out
    assert main(["verify", str(tmp_path / "nope.xlsx")]) == 2
    assert "找不到文件" in capsys.readouterr().err
