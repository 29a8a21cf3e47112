"""Trust (issue 8, items 2–5 and the engine crashes): every cell content is a finding or a sane read, never an
exception; numbers typed as text (RD-002), foreign formulas (RD-003), hidden third decimals (RD-004) and moved
official sheets (RD-005) are findings at their cells. Expected values are derived by hand in the comments."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.xml import LXML

from perfeval.cli import main
from perfeval.compute import compute_with_formulas
from perfeval.findings import Finding, Severity
from perfeval.forms.department.compute import compute
from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET, layout_for
from perfeval.forms.department.model import Report
from perfeval.forms.department.rules import READER_RULES as BD_READER_RULES
from perfeval.layout import Layout, Role, VType
from perfeval.reading import StructureError, ValuesBook, normalise_formula, read_grid
from perfeval.rules import READER_RULES, list_rules, run_rules
from perfeval.sheets import CALC_SHEET
from perfeval.xlsx.export import ExportBlocked, export_file
from perfeval.xlsx.reader import read_workbook, read_workbook_obj
from perfeval.xlsx.workflow import compute_file, fill, validate_file, write_new
from tests.conftest import load_example

FORCE = "测试：强制导出"


def corrected() -> Report:
    """The seed with its errors corrected: validates with a single BD-009 info (公用经费控制率 52.44%)."""
    return load_example("huaihua-2023-corrected.json")


def _cell(layout: Layout, path: str) -> tuple[str, str]:
    c = layout.find(path)
    return c.sheet, c.address


def _edit(path: Path, edits: dict[tuple[str, str], object]) -> None:
    wb = load_workbook(path)
    for (sheet, addr), value in edits.items():
        wb[sheet][addr].value = value
    wb.save(path)


#: the empty cached value openpyxl writes after a formula (``<v />`` with the standard library, ``<v></v>`` with lxml)
EMPTY_V = "<v></v>" if LXML else "<v />"


def _patch_cell_xml(path: Path, address: str, find: str, replace: str) -> None:
    """Rewrite the XML of one cell (``<c r="address" …>…</c>``) in whichever sheet part holds ``find`` there:
    openpyxl cannot write a formula together with its cached value, or an infinite number."""
    with zipfile.ZipFile(path) as z:
        parts = {info.filename: z.read(info.filename) for info in z.infolist()}
    pattern = re.compile(rf'(<c r="{address}"[^>]*>)(.*?)(</c>)'.encode())
    hits = 0
    for name, body in parts.items():
        if not name.startswith("xl/worksheets/sheet"):
            continue
        match = pattern.search(body)
        if match and find.encode() in match.group(2):
            inner = match.group(2).replace(find.encode(), replace.encode())
            parts[name] = body[:match.start()] + match.group(1) + inner + match.group(3) + body[match.end():]
            hits += 1
    assert hits == 1, f"{address}: {find!r} found {hits} times"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)


def _findings(path: Path) -> list[Finding]:
    return validate_file(path).findings.findings


def _at(findings: list[Finding], sheet: str, address: str) -> list[tuple[str, Severity]]:
    return sorted((f.code, f.severity) for f in findings if f.sheet == sheet and f.cell == address)


# --------------------------------------------------------------------------- A. no exception on any input


def test_a_fresh_form_validates_and_export_is_blocked_not_crashed(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.xlsx"
    write_new(src, year=2025, unit_name="某某单位")  # 10 unused project rows (rows 14–23)
    assert main(["validate", str(src)]) == 1  # errors (required fields), not 3
    assert main(["export", str(src), "-o", str(tmp_path / "f.xlsx")]) == 1
    assert "程序内部错误" not in capsys.readouterr().err
    findings = _findings(src)
    blank = [f for f in findings if f.code == "BD-007"]
    # numeric inputs of 附件1-1: 编制数 + 在职人数 (2), 4 rows of 三公 parts × 3 columns (12), 6 rows 公用经费 …
    # 部门基本支出预算调整 × 3 less its 上年决算数 left blank by design (17), 4 楼堂馆所 figures: 35; no project row
    assert len(blank) == 2 + 12 + 17 + 4
    assert not [f for f in blank if 14 <= int(f.cell[1:]) <= 23]


def test_negative_weights_are_findings(tmp_path: Path) -> None:
    report = corrected()
    src = tmp_path / "w.xlsx"
    fill(report, src)
    lay = layout_for(report)
    row = "self_eval.indicators[0].secondaries[0].rows[0]"
    _edit(src, {_cell(lay, f"{row}.weight"): -5, _cell(lay, "self_eval.funds.weight"): "-10"})
    findings = _findings(src)
    name = report.self_eval.indicators[0].secondaries[0].rows[0].name.strip()
    zp011 = {(f.sheet, f.cell): f.message for f in findings if f.code == "ZP-011"}
    assert zp011 == {_cell(lay, f"{row}.weight"): f"“{name}”分值填写为-5，分值不得为负数",
                     _cell(lay, "self_eval.funds.weight"): "年度资金总额分值填写为-10，分值不得为负数"}
    assert main(["validate", str(src)]) == 1


@pytest.mark.parametrize(("value", "readable"), [
    (999999999999.99, True),  # just below 1e12 万元: implausible but a number
    (1e12, False),
    (-1e12, False),
    (1e308, False),
    ("1e308", False),  # text in scientific notation is no accountant's number
    ("1" * 40, False),
])
def test_implausible_amounts_are_rd001_at_their_cell(tmp_path: Path, value: object, readable: bool) -> None:
    report = corrected()
    src = tmp_path / "h.xlsx"
    fill(report, src)
    lay = layout_for(report)
    where = _cell(lay, "basic.office.budget")
    _edit(src, {where: value})
    read = read_workbook(src)
    codes = [(i.code or "RD-001", i.severity) for i in read.issues if (i.sheet, i.address) == where]
    if readable:
        assert ("RD-001", Severity.ERROR) not in codes and read.report.basic.office.budget == Decimal("999999999999.99")
    else:
        assert ("RD-001", Severity.ERROR) in codes and read.report.basic.office.budget is None
    for args in (["validate", str(src)], ["compute", str(src), "-o", str(tmp_path / "c.xlsx")],
                 ["export", str(src), "--force", "--reason", FORCE, "-o", str(tmp_path / "f.xlsx")]):
        assert main(args) in (0, 1)


def test_an_infinite_number_on_an_official_sheet_is_rd001(tmp_path: Path) -> None:
    report = corrected()
    src = tmp_path / "inf.xlsx"
    fill(report, src)
    lay = layout_for(report)
    sheet, addr = _cell(lay, "basic.office.budget")
    _patch_cell_xml(src, addr, "<v>1</v>", "<v>1e999</v>")  # 1.00 → ∞: Excel cannot store it; a hand-made file can
    wb = load_workbook(src)
    assert wb[sheet][addr].value == float("inf")
    read = read_workbook(src)
    assert [(i.address, i.severity) for i in read.issues] == [(addr, Severity.ERROR)]
    assert main(["validate", str(src)]) == 1
    score = _cell(lay, "self_eval.indicators[0].secondaries[0].rows[0].score")
    title = _cell(lay, "self_eval.indicators[0].secondaries[0].rows[0].name")
    wb = load_workbook(src)
    wb[score[0]][score[1]].value = 1e300  # a huge 得分 and a number in a text cell
    wb[title[0]][title[1]].value = 1e300
    read = read_workbook_obj(wb)
    assert any(i.address == score[1] and i.severity == Severity.ERROR for i in read.issues)
    run_rules(read.report, read.layout, read_issues=read.issues)  # no exception


KINDS: list[Any] = [
    None, True, False, dt.datetime(2024, 1, 1), dt.date(2024, 1, 2), dt.time(12, 0), "#DIV/0!", "#REF!", -5, -0.001,
    1e308, -1e308, "1e308", float("inf"), float("nan"), 1e-300, 10**30, 12.345, "12.345", "63.88万元", "１．００",
    "40人", "95%", "abc", "", "   ", "—", "0.1.2", "x" * 2000, 0, 100, "-3", "2024年13月45日", "产出指标（1.2.3分）",
    "=B5/D5", "=1/0",
]


def _representatives(layout: Layout) -> list[Any]:
    """One cell of each (sheet, role, value type), plus the first project row, 一级 and 二级 labels."""
    seen: dict[tuple[str, Role, VType], Any] = {}
    for cell in layout.cells():
        if cell.sheet != CALC_SHEET and cell.role != Role.LABEL:
            seen.setdefault((cell.sheet, cell.role, cell.vtype), cell)
    return list(seen.values())


@pytest.mark.parametrize("which", ["filled", "empty"])
def test_any_value_in_any_kind_of_cell_reads_checks_and_computes(tmp_path: Path, which: str) -> None:
    """The in-process fuzz loop: each kind of content in a cell of each kind; read (file and live-Excel
    readers), run the catalogue and compute — a finding or a sane read, never an exception."""
    src = tmp_path / "f.xlsx"
    if which == "filled":
        fill(load_example(), src)
    else:
        write_new(src, year=2025, unit_name="某", n_projects=2)
    wb = load_workbook(src)
    layout = read_workbook_obj(wb).layout
    runs = 0
    for cell in _representatives(layout):
        ws = wb[cell.sheet]
        old, old_type = ws[cell.address].value, ws[cell.address].data_type
        for value in KINDS:
            ws[cell.address].value = value
            try:
                read = read_workbook_obj(wb)
            except StructureError:
                continue  # e.g. a 二级 name cleared: the indicator block no longer has the form's shape
            else:
                computed = compute(read.report)
                compute_with_formulas(read.report, read.layout)
                run_rules(read.report, read.layout, computed, read_issues=read.issues)
                values = {ws2.title: [[("" if c.data_type == "f" else c.value) for c in row]
                                      for row in ws2.iter_rows()] for ws2 in wb.worksheets}
                live = read_grid(ValuesBook(values))  # what the add-in reads
                run_rules(live.report, live.layout, read_issues=live.issues)
                runs += 1
            finally:
                ws[cell.address].value = old
                ws[cell.address].data_type = old_type
    assert runs > 400


# --------------------------------------------------------------------------- B. RD-002 numbers typed as text


def test_text_number_in_an_input_cell_is_rd002_and_compute_converts_it(tmp_path: Path) -> None:
    report = corrected()
    src = tmp_path / "t.xlsx"
    fill(report, src)
    lay = layout_for(report)
    project = _cell(lay, "basic.projects[0].amounts.budget")  # 80.00 in the example
    staff = _cell(lay, "basic.staff_actual")  # 40
    wb = load_workbook(src)
    wb[project[0]][project[1]].value = "80.00万元"
    wb[project[0]][project[1]].number_format = "0.000"  # the unit's own format must survive 计算
    wb[staff[0]][staff[1]].value = "40人"
    wb.save(src)
    before = src.read_bytes()

    read = read_workbook(src)
    assert read.report.basic.projects[0].amounts.budget == Decimal("80.00")
    by_cell = {(i.sheet, i.address): i for i in read.issues}
    assert set(by_cell) == {project, staff}
    issue = by_cell[project]
    assert (issue.code, issue.severity) == ("RD-002", Severity.WARNING)
    assert issue.message == ("项目1（2023年预算数）填写为文字“80.00万元”，按 80.00 读取；"
                             "但 Excel 公式把文字当作 0 计算，合计会少算。"
                             "请运行“计算”转换为数值，或直接改填数字。")
    assert by_cell[staff].message.startswith("2023年实际在职人数填写为文字“40人”，按 40 读取；")
    findings = _findings(src)
    assert _at(findings, *project) == [("RD-002", Severity.WARNING)]

    out = tmp_path / "c.xlsx"
    result = compute_file(src, out)
    assert src.read_bytes() == before
    assert result.converted == [f"{BD_SHEET}!{staff[1]}：“40人” → 40", f"{BD_SHEET}!{project[1]}：“80.00万元” → 80.00"]
    ws = load_workbook(out)[BD_SHEET]
    assert ws[project[1]].value == 80 and ws[project[1]].data_type == "n"
    assert ws[project[1]].number_format == "0.000"
    assert ws[staff[1]].value == 40 and isinstance(ws[staff[1]].value, int)
    again = read_workbook(out)
    assert [i for i in again.issues if i.code == "RD-002"] == [] and again.text_numbers == []


def test_a_model_finding_at_a_text_number_cell_is_kept(tmp_path: Path) -> None:
    """RD-002 is a warning: the value was read, so the rules still check that cell (unlike RD-001)."""
    report = corrected()
    src = tmp_path / "t.xlsx"
    fill(report, src)
    lay = layout_for(report)
    where = _cell(lay, "basic.public_funds.actual")  # 21.24 / 40.50 = 52.44% < 60%: BD-009 info here
    _edit(src, {where: "21.24"})
    assert _at(_findings(src), *where) == [("BD-009", Severity.INFO), ("RD-002", Severity.WARNING)]


def test_text_number_in_a_derived_cell_is_rd002_and_compute_restores_the_formula(tmp_path: Path) -> None:
    report = corrected()
    src = tmp_path / "t.xlsx"
    fill(report, src)
    lay = layout_for(report)
    rate = _cell(lay, "basic.staff_control_rate_stated")  # 40/40 = 100%, typed over in the example
    _edit(src, {rate: "100%"})
    read = read_workbook(src)
    issue = next(i for i in read.issues if (i.sheet, i.address) == rate)
    assert issue.code == "RD-002" and "按 100% 读取" in issue.message and "请运行“计算”恢复公式" in issue.message
    assert read.report.basic.staff_control_rate_stated == Decimal("1")
    assert read.text_numbers == []  # nothing to convert: 计算 puts the formula back
    result = compute_file(src, tmp_path / "c.xlsx")
    assert result.converted == [] and f"{BD_SHEET}!{rate[1]}" in result.restored
    assert load_workbook(tmp_path / "c.xlsx")[BD_SHEET][rate[1]].value == lay.find(
        "basic.staff_control_rate_stated").formula


def test_export_never_freezes_a_numeric_field_as_text(tmp_path: Path) -> None:
    report = corrected()
    src = tmp_path / "t.xlsx"
    fill(report, src)
    lay = layout_for(report)
    project = _cell(lay, "basic.projects[0].amounts.budget")
    income = _cell(lay, "self_eval.income_general_public")
    _edit(src, {project: "８０．００", income: "675.92"})
    with pytest.raises(ExportBlocked) as blocked:  # two unexplained RD-002 warnings
        export_file(src, tmp_path / "f.xlsx")
    assert {(f.code, f.cell) for f in blocked.value.findings} == {("RD-002", project[1]), ("RD-002", income[1])}
    export_file(src, tmp_path / "f.xlsx", force_reason=FORCE)
    wb = load_workbook(tmp_path / "f.xlsx")
    assert wb[BD_SHEET][project[1]].value == 80 and wb[BD_SHEET][project[1]].data_type == "n"
    assert wb[ZP_SHEET][income[1]].value == 675.92 and wb[ZP_SHEET][income[1]].data_type == "n"


def test_percent_text_in_an_amount_cell_stays_an_error(tmp_path: Path) -> None:
    report = corrected()
    src = tmp_path / "t.xlsx"
    fill(report, src)
    where = _cell(layout_for(report), "basic.office.budget")
    _edit(src, {where: "95%"})
    assert _at(_findings(src), *where) == [("RD-001", Severity.ERROR)]


# --------------------------------------------------------------------------- C. RD-003 formulas are read


def _staff_form(tmp_path: Path) -> tuple[Path, str]:
    """The corrected example with 控制率 left to its template formula: 40 在职 / 40 编制 = 100%."""
    report = corrected()
    report.basic.staff_control_rate_stated = None
    src = tmp_path / "f.xlsx"
    fill(report, src)
    formula = layout_for(report).find("basic.staff_control_rate_stated").formula
    assert formula is not None
    return src, formula


def test_a_foreign_formula_is_rd003_and_its_cached_value_is_checked(tmp_path: Path) -> None:
    src, template = _staff_form(tmp_path)
    _edit(src, {(BD_SHEET, "B5"): 38})  # 编制 38, 在职 40: F5 should show 40/38 = 105.26%
    _edit(src, {(BD_SHEET, "F5"): "=B5/D5"})  # 38/40 = 0.95, inverted
    _patch_cell_xml(src, "F5", EMPTY_V, "<v>0.95</v>")  # the value Excel saved for it
    read = read_workbook(src)
    issue = next(i for i in read.issues if i.address == "F5")
    assert (issue.code, issue.severity) == ("RD-003", Severity.WARNING)
    assert issue.message == (f"控制率的公式“=B5/D5”与模板公式“{template}”不同，表中显示为“0.95”；"
                             "请核对，或运行“计算”恢复模板公式")
    assert read.report.basic.staff_control_rate_stated == Decimal("0.95")
    findings = _findings(src)
    assert _at(findings, BD_SHEET, "F5") == [("BD-001", Severity.ERROR), ("RD-003", Severity.WARNING)]
    bd001 = next(f for f in findings if f.code == "BD-001")
    assert (bd001.stated, bd001.computed) == ("95.00%", "105.26%") and "分子分母颠倒" in bd001.message
    assert main(["validate", str(src)]) == 1  # =B5/D5 does not pass 校验
    out = tmp_path / "c.xlsx"
    compute_file(src, out)
    assert load_workbook(out)[BD_SHEET]["F5"].value == template
    assert not [i for i in read_workbook(out).issues if i.code == "RD-003"]


def test_a_foreign_formula_without_a_saved_value_is_rd003_only(tmp_path: Path) -> None:
    src, _ = _staff_form(tmp_path)
    _edit(src, {(BD_SHEET, "F5"): "=D5/B5*1"})
    read = read_workbook(src)
    assert [(i.code, i.address) for i in read.issues] == [("RD-003", "F5")]
    assert "文件中没有保存其计算结果" in read.issues[0].message
    assert read.report.basic.staff_control_rate_stated is None


def test_the_template_formula_modulo_spaces_dollars_and_case_is_no_finding(tmp_path: Path) -> None:
    src, template = _staff_form(tmp_path)
    variant = '= if( or( n($B$5)=0 , $D$5="" ) , "—" , n(D5) / n( B5 ) )'
    assert normalise_formula(variant) == normalise_formula(template)
    _edit(src, {(BD_SHEET, "F5"): variant})
    assert read_workbook(src).issues == []


# --------------------------------------------------------------------------- D. RD-004 amounts as printed


def test_third_decimals_are_their_own_finding_and_sums_use_printed_amounts(tmp_path: Path) -> None:
    report = corrected()
    b = report.basic
    # 公车购置 1.005 → 1.01 printed, 公车运行维护 2.004 → 2.00: 公务用车 = 1.01 + 2.00 = 3.01;
    # 三公 = 3.01 + 出国 0.00 + 接待 1.00 = 4.01
    b.vehicle_purchase.budget, b.vehicle_operation.budget = Decimal("1.005"), Decimal("2.004")
    b.vehicle_stated.budget, b.three_public_stated.budget = Decimal("3.01"), Decimal("4.01")
    # 收入: 675.924 + 104.814 + 0.334 printed 675.92 + 104.81 + 0.33 = 781.06 = 全年预算数
    # (unrounded 781.072 would show 781.07 and blame the total)
    z = report.self_eval
    z.income_general_public, z.income_gov_fund, z.income_other = (Decimal("675.924"), Decimal("104.814"),
                                                                   Decimal("0.334"))
    src = tmp_path / "d.xlsx"
    fill(report, src)
    lay = layout_for(report)
    findings = _findings(src)
    rd004 = {(f.sheet, f.cell): f.message for f in findings if f.code == "RD-004"}
    rule = "金额应保留两位小数"
    assert rd004 == {
        _cell(lay, "basic.vehicle_purchase.budget"): f"公车购置（2023年预算数）{rule}：填写 1.005，按 1.01 计",
        _cell(lay, "basic.vehicle_operation.budget"): f"公车运行维护（2023年预算数）{rule}：填写 2.004，按 2.00 计",
        _cell(lay, "self_eval.income_general_public"): "一般公共预算金额应保留两位小数：填写 675.924，按 675.92 计",
        _cell(lay, "self_eval.income_gov_fund"): "政府性基金拨款金额应保留两位小数：填写 104.814，按 104.81 计",
        _cell(lay, "self_eval.income_other"): "其他资金金额应保留两位小数：填写 0.334，按 0.33 计",
    }
    assert all(f.severity == Severity.WARNING for f in findings if f.code == "RD-004")
    assert not {"BD-003", "BD-004", "ZP-002", "ZP-003"} & {f.code for f in findings}
    computed = compute(read_workbook(src).report)
    assert computed["basic.vehicle_stated.budget"] == Decimal("3.01")
    assert computed["self_eval.income_total_stated"] == Decimal("781.06")


def test_a_total_is_compared_with_the_printed_parts(tmp_path: Path) -> None:
    report = corrected()
    b = report.basic
    # 1.004 + 1.004 = 2.008 (2.01 unrounded), but the table prints 1.00 + 1.00 = 2.00
    b.vehicle_purchase.budget = b.vehicle_operation.budget = Decimal("1.004")
    b.vehicle_stated.budget, b.three_public_stated.budget = Decimal("2.01"), Decimal("3.01")
    src = tmp_path / "d.xlsx"
    fill(report, src)
    lay = layout_for(report)
    findings = _findings(src)
    bd004 = [f for f in findings if f.code == "BD-004"]
    assert [(f.sheet, f.cell, f.stated, f.computed) for f in bd004] == [
        (*_cell(lay, "basic.vehicle_stated.budget"), "2.01", "2.00")]
    assert "公车购置 + 公车运行维护 = 1.00 + 1.00 计算应为2.00" in bd004[0].message
    # BD-003 takes 公务用车 as shown (2.01): 2.01 + 0.00 + 1.00 = 3.01, as typed: no finding there
    assert "BD-003" not in {f.code for f in findings}


# --------------------------------------------------------------------------- E. RD-005 official sheets


def test_renamed_reordered_or_hidden_official_sheets_are_rd005(tmp_path: Path) -> None:
    src = tmp_path / "s.xlsx"
    fill(corrected(), src)
    assert not [f for f in _findings(src) if f.code == "RD-005"]  # the form as generated: nothing
    wb = load_workbook(src)
    wb[BD_SHEET].title = "基础表"
    wb.move_sheet(ZP_SHEET, -1)  # 附件1-2 first, then 基础表
    wb[CALC_SHEET].sheet_state = "visible"
    wb.save(src)
    rd005 = {f.sheet: f for f in _findings(src) if f.code == "RD-005"}
    assert set(rd005) == {BD_SHEET, ZP_SHEET} and {f.cell for f in rd005.values()} == {"A1"}
    assert rd005[BD_SHEET].message == ("官方工作表“附件1-1 基础数据表”应为工作簿的第1个工作表、名称不变且可见，"
                                       "现工作表名称被改为“基础表”、位于第2个；导出定稿时将恢复官方名称、顺序并取消隐藏")
    assert "现位于第1个" in rd005[ZP_SHEET].message
    assert all(f.severity == Severity.WARNING for f in rd005.values())

    wb = load_workbook(src)
    wb.move_sheet(ZP_SHEET, 1)
    wb[ZP_SHEET].sheet_state = "hidden"
    wb.save(src)
    rd005 = {f.sheet: f for f in _findings(src) if f.code == "RD-005"}
    assert set(rd005) == {BD_SHEET, ZP_SHEET}
    assert rd005[ZP_SHEET].message.endswith("现已隐藏；导出定稿时将恢复官方名称、顺序并取消隐藏")

    final = tmp_path / "final.xlsx"
    export_file(src, final, force_reason=FORCE)
    out = load_workbook(final)
    assert out.sheetnames[:2] == [BD_SHEET, ZP_SHEET]
    assert out[BD_SHEET].sheet_state == out[ZP_SHEET].sheet_state == "visible"
    assert "基础表" not in out.sheetnames
    assert main(["verify", str(final)]) == 0
    assert not [i for i in read_workbook(final).issues if i.code == "RD-005"]


# --------------------------------------------------------------------------- the catalogue


def test_reader_codes_are_listed_with_their_severity() -> None:
    listed = {i.code: i for i in list_rules()}
    assert {i.code for i in (*READER_RULES, *BD_READER_RULES)} == {"BD-014", "RD-001", "RD-002", "RD-003", "RD-004",
                                                                  "RD-005"}
    assert listed["RD-001"].severity == Severity.ERROR
    for code in ("RD-002", "RD-003", "RD-004", "RD-005"):
        assert listed[code].severity == Severity.WARNING and listed[code].source == "reader"
        assert re.search(r"[\u4e00-\u9fff]", listed[code].title)


def test_compute_with_formulas_of_a_text_number_report_matches_the_converted_file(tmp_path: Path) -> None:
    """What compute_file reports as computed is what the converted file gives when read again."""
    report = corrected()
    src = tmp_path / "t.xlsx"
    fill(report, src)
    lay = layout_for(report)
    _edit(src, {_cell(lay, "basic.projects[1].amounts.actual"): "25.13"})
    out = tmp_path / "c.xlsx"
    result = compute_file(src, out)
    again = read_workbook(out)
    assert compute_with_formulas(again.report, again.layout) == result.computed
