"""The command line with a 自评报告: validate --report (table, JSON, the 报告核对 sheet), export --report (SHA-256
and summary in 校验摘要; verify still passes), unusable reports → exit 2 with a Chinese message."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval.cli import main
from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET
from perfeval.report.check import REPORT_HEADER
from perfeval.sheets import REPORT_SHEET, RESULTS_SHEET, SUMMARY_SHEET
from perfeval.xlsx.workflow import fill
from tests.conftest import load_example

SEED_REPORT = Path(__file__).resolve().parent / "fixtures" / "seed-report.docx"
SEED_SHA = hashlib.sha256(SEED_REPORT.read_bytes()).hexdigest()


def test_validate_report_lists_the_report_findings_with_the_table_findings(
        seed_xlsx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(seed_xlsx), "--report", str(SEED_REPORT)]) == 1  # BD-001, ZP-012 (tables)
    out = capsys.readouterr().out
    assert f"{BD_SHEET}!A19" in out and "鹤中一体化燃气规划专项经费" in out and "TX-001" in out
    assert "自评报告：seed-report.docx" in out and SEED_SHA in out
    assert "错误 0 项，警告 7 项，提示 1 项" in out  # the report's 8 findings (tests/test_report_seed.py)


def test_validate_report_json(seed_xlsx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["validate", str(seed_xlsx), "--report", str(SEED_REPORT), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    quoted = [f for f in data["findings"] if "quote" in f]
    assert {(f["code"], f["cell"]) for f in quoted} == {
        ("TX-001", "C5"), ("X-005", "A14"), ("X-005", "A15"), ("X-005", "A16"), ("X-005", "A19"), ("X-011", "B5"),
        ("TX-003", "F12"), ("TX-004", "F12")}
    tx1 = next(f for f in quoted if f["code"] == "TX-001")
    assert (tx1["stated"], tx1["computed"], tx1["sheet"]) == ("增加167.68万元", "增加167.88万元", ZP_SHEET)
    assert data["report"] == {"file": "seed-report.docx", "sha256": SEED_SHA,
                              "summary": {"error": 0, "warning": 7, "info": 1}}
    assert all("quote" not in f for f in data["findings"] if f["code"].startswith(("BD", "ZP")))


def test_validate_report_writes_the_report_sheet(seed_xlsx: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "校验.xlsx"
    main(["validate", str(seed_xlsx), "--report", str(SEED_REPORT), "-o", str(out)])
    assert "报告核对" in capsys.readouterr().out
    wb = load_workbook(out)
    assert wb.sheetnames.index(REPORT_SHEET) == wb.sheetnames.index(RESULTS_SHEET) + 1
    rows = list(wb[REPORT_SHEET].iter_rows(values_only=True))
    assert tuple(rows[1]) == REPORT_HEADER
    body = [r for r in rows[2:] if r[0]]
    assert len(body) == 8
    heh = next(r for r in body if r[1] == "X-005" and "鹤中" in str(r[4]))
    assert heh[2] == "警告" and "鹤中一体化燃气规划专项经费27.99万元" in heh[3]
    assert heh[5] == f"=HYPERLINK(\"#'{BD_SHEET}'!A19\",\"鹤城一体化燃气规划专项经费\")"
    staff = next(r for r in body if r[1] == "X-011")
    assert (staff[4], staff[5]) == ("40人", f"=HYPERLINK(\"#'{BD_SHEET}'!B5\",\"38人\")")
    # the report findings flag no cell of the official sheets and are not in 校验结果
    results = [r[1] for r in wb[RESULTS_SHEET].iter_rows(min_row=3, values_only=True)]
    assert "TX-001" not in results and "X-011" not in results
    assert wb[ZP_SHEET]["C5"].comment is None


def test_the_explanation_typed_in_the_report_sheet_stays(seed_xlsx: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.xlsx"
    main(["validate", str(seed_xlsx), "--report", str(SEED_REPORT), "-o", str(first)])
    wb = load_workbook(first)
    ws = wb[REPORT_SHEET]
    row = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "TX-003")
    row[7].value = "报告中的日期有误，已改为2023年"
    wb.save(first)
    second = tmp_path / "second.xlsx"
    main(["validate", str(first), "--report", str(SEED_REPORT), "-o", str(second)])
    again = next(r for r in load_workbook(second)[REPORT_SHEET].iter_rows(min_row=3, values_only=True)
                 if r[1] == "TX-003")
    assert again[7] == "报告中的日期有误，已改为2023年"
    assert main(["clear", str(second), "-o", str(tmp_path / "clear.xlsx")]) == 0
    assert REPORT_SHEET not in load_workbook(tmp_path / "clear.xlsx").sheetnames


@pytest.mark.parametrize(("content", "words"), [
    ("会议通知\n请于周一参加会议。\n", "不像是绩效自评报告"),
    ("", "是空的"),
])
def test_not_a_report_exits_2_with_a_chinese_message(seed_xlsx: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str], content: str,
                                                     words: str) -> None:
    other = tmp_path / "通知.txt"
    other.write_text(content, encoding="utf-8")
    assert main(["validate", str(seed_xlsx), "--report", str(other)]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    broken = tmp_path / "坏.docx"
    broken.write_bytes(b"not a zip at all")
    assert main(["validate", str(seed_xlsx), "--report", str(broken), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "不是有效的 Word 文档" in capsys.readouterr().err
    assert not (tmp_path / "o.xlsx").exists()


def test_export_report_records_the_sha256_and_verify_passes(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "改正.xlsx"
    fill(load_example("huaihua-2023-corrected.json"), src)
    final = tmp_path / "定稿.xlsx"
    # the corrected tables have no error and no warning; the report's findings do not block the export
    assert main(["export", str(src), "--report", str(SEED_REPORT), "-o", str(final)]) == 0
    out = capsys.readouterr().out
    assert SEED_SHA in out and "报告中的问题不阻止导出" in out
    wb = load_workbook(final)
    info = {r[0]: r[3] for r in wb[SUMMARY_SHEET].iter_rows(min_row=3, max_row=20, values_only=True) if r[0]}
    assert info["自评报告"] == "seed-report.docx"
    assert info["自评报告 SHA-256"] == SEED_SHA
    assert info["报告核对"].startswith("错误 ") and "TX-001" in info["报告核对"]
    assert REPORT_SHEET not in wb.sheetnames
    from perfeval.xlsx.export import read_export_meta

    meta, _ = read_export_meta(wb)
    assert (meta["report_file"], meta["report_sha256"]) == ("seed-report.docx", SEED_SHA)
    assert set(json.loads(meta["report_findings"])) == {"error", "warning", "info"}
    assert main(["verify", str(final)]) == 0
    assert "未发现改动" in capsys.readouterr().out


def test_export_with_an_unusable_report_exits_2(seed_xlsx: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(seed_xlsx), "--report", str(tmp_path / "没有.docx"), "-o",
                 str(tmp_path / "f.xlsx")]) == 2
    assert "找不到自评报告文件" in capsys.readouterr().err


def test_a_project_workbook_checks_project_names_and_the_text(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from perfeval import forms

    src = tmp_path / "项目表.xlsx"
    fill(forms.get("project").parse_json(
        (Path(__file__).resolve().parent.parent / "examples" / "huaihua-2023-projects.json").read_text("utf-8")), src)
    main(["validate", str(src), "--report", str(SEED_REPORT), "--format", "json"])
    quoted = {(f["code"], f["sheet"], f["cell"]) for f in json.loads(capsys.readouterr().out)["findings"]
              if "quote" in f}
    # the project sheets carry 附件1-1's names (鹤城…, 污水处理专项业务费, 城市基础设施配套征收经费, 专项（业务）经费)
    assert ("X-005", "鹤城一体化燃气规划专项经费", "C3") in quoted
    assert {code for code, _, _ in quoted} == {"X-005", "TX-004"}
