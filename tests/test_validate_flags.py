"""校验 on real files: findings flagged in place, 校验结果 sheet, idempotence, clear, explanations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from perfeval.cli import main
from perfeval.findings import Severity
from perfeval.flagging import NOTE_MARK, RESULTS_HEADER, SEVERITY_FILLS
from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET
from perfeval.sheets import RESULTS_SHEET, STATE_SHEET
from perfeval.xlsx.workflow import clear_file, fill, validate_file
from tests.conftest import load_example
from tests.snapshots import snapshot


def results_rows(path: Path) -> list[tuple[object, ...]]:
    return list(load_workbook(path)[RESULTS_SHEET].iter_rows(min_row=3, values_only=True))


def test_seed_findings_are_flagged_in_place(seed_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "flagged.xlsx"
    before = seed_xlsx.read_bytes()
    result = validate_file(seed_xlsx, out)
    assert seed_xlsx.read_bytes() == before
    wb = load_workbook(out)
    bd, zp = wb[BD_SHEET], wb[ZP_SHEET]
    assert bd["F5"].fill.fgColor.rgb == SEVERITY_FILLS[Severity.ERROR]
    assert bd["F5"].comment.text.startswith(NOTE_MARK)
    assert "BD-001" in bd["F5"].comment.text and "105.26%" in bd["F5"].comment.text
    assert bd["D5"].fill.fgColor.rgb == SEVERITY_FILLS[Severity.WARNING]  # BD-002 超编
    assert zp["I23"].fill.fgColor.rgb == SEVERITY_FILLS[Severity.ERROR]  # ZP-012 偏差原因 empty
    assert bd["F24"].fill.fgColor.rgb == SEVERITY_FILLS[Severity.INFO]  # BD-009
    # cells without findings keep the template's tint
    assert bd["B5"].fill.fgColor.rgb == "FFFFF2CC"
    ws = wb[RESULTS_SHEET]
    assert [c.value for c in ws[2]] == list(RESULTS_HEADER)
    rows = results_rows(out)
    assert len(rows) == len(result.findings.findings)
    first = rows[0]
    assert first[1] == "BD-001" and first[2] == "错误" and first[3] == BD_SHEET
    assert first[4] == "=HYPERLINK(\"#'附件1-1 基础数据表'!F5\",\"F5\")"
    assert "95.00%" in first[5] and first[6] == "95.00%" and first[7] == "105.26%"
    assert wb[STATE_SHEET].sheet_state == "hidden"
    assert "错误 2 项" in ws["A1"].value


def test_validate_twice_equals_once_and_fixed_problems_lose_their_flags(seed_xlsx: Path, tmp_path: Path) -> None:
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    validate_file(seed_xlsx, once)
    validate_file(once, twice)
    assert snapshot(once) == snapshot(twice)

    wb = load_workbook(twice)
    wb[BD_SHEET]["F5"].value = None  # the accountant clears the wrong 控制率: the formula shows it
    wb[BD_SHEET]["F26"].value = 0  # fills one blank cell
    wb.save(twice)
    fixed = tmp_path / "fixed.xlsx"
    result = validate_file(twice, fixed)
    assert ("BD-001", BD_SHEET, "F5") not in {f.key for f in result.findings.findings}
    bd = load_workbook(fixed)[BD_SHEET]
    assert bd["F5"].comment is None and bd["F5"].fill.fgColor.rgb == "FFEDEDED"  # back to the derived tint
    assert bd["F26"].comment is None and bd["F26"].fill.fgColor.rgb == "FFFFF2CC"
    assert bd["D26"].comment is not None  # still blank, still flagged


def test_users_notes_and_fills_survive_validate_and_clear(seed_xlsx: Path, tmp_path: Path) -> None:
    src = tmp_path / "src.xlsx"
    wb = load_workbook(seed_xlsx)
    wb[BD_SHEET]["F5"].comment = Comment("会计备注：控制率口径待确认", "陈丽娟")
    wb[BD_SHEET]["D26"].fill = PatternFill("solid", fgColor="FF00B050")
    wb[ZP_SHEET]["C3"].comment = Comment("不相关的批注", "陈丽娟")
    wb.save(src)
    original = snapshot(src)
    flagged = tmp_path / "flagged.xlsx"
    validate_file(src, flagged)
    note = load_workbook(flagged)[BD_SHEET]["F5"].comment.text
    assert "BD-001" in note and "会计备注：控制率口径待确认" in note
    again = tmp_path / "again.xlsx"
    validate_file(flagged, again)
    assert snapshot(again) == snapshot(flagged)
    cleared = tmp_path / "cleared.xlsx"
    assert clear_file(again, cleared) > 0
    assert snapshot(cleared) == original


def test_explanations_follow_their_finding(seed_xlsx: Path, tmp_path: Path) -> None:
    flagged = tmp_path / "flagged.xlsx"
    validate_file(seed_xlsx, flagged)
    wb = load_workbook(flagged)
    ws = wb[RESULTS_SHEET]
    row = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "ZP-007")
    row[8].value = "2023年7月原城市管理事务服务中心并入，追加预算212.45万元"
    wb.save(flagged)
    # a second run with one more finding fixed and row order changing keeps the explanation
    wb = load_workbook(flagged)
    wb[BD_SHEET]["F5"].value = None
    wb.save(flagged)
    out = tmp_path / "out.xlsx"
    validate_file(flagged, out)
    rows = {r[1]: r for r in results_rows(out)}
    assert rows["ZP-007"][8] == "2023年7月原城市管理事务服务中心并入，追加预算212.45万元"
    assert "BD-001" not in rows
    assert all(r[8] in ("", None) for code, r in rows.items() if code != "ZP-007")


def test_corrected_example_has_no_errors_or_warnings(tmp_path: Path) -> None:
    src = tmp_path / "c.xlsx"
    fill(load_example("huaihua-2023-corrected.json"), src)
    result = validate_file(src, tmp_path / "out.xlsx")
    summary = result.findings.summary()
    assert summary["error"] == 0 and summary["warning"] == 0
    assert results_rows(tmp_path / "out.xlsx")


def test_cli_validate_formats_and_exit_codes(seed_xlsx: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(seed_xlsx), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["error"] == 2
    f = next(x for x in data["findings"] if x["code"] == "BD-001")
    assert f == {**f, "severity": "error", "sheet": BD_SHEET, "cell": "F5", "stated": "95.00%",
                 "computed": "105.26%"}
    corrected = tmp_path / "c.xlsx"
    fill(load_example("huaihua-2023-corrected.json"), corrected)
    assert main(["validate", str(corrected)]) == 0
    assert main(["validate", str(seed_xlsx), "-o", str(seed_xlsx)]) == 2
    broken = tmp_path / "broken.xlsx"
    wb = load_workbook(seed_xlsx)
    wb[ZP_SHEET].delete_rows(5)
    wb.save(broken)
    capsys.readouterr()
    assert main(["validate", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "附件1-2 自评表" in err and ("不一致" in err or "找不到必需的行" in err) and "Traceback" not in err
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    for code in ("BD-001", "ZP-012", "X-001", "BD-014", "RD-001"):
        assert code in listing
