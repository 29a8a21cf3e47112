"""The add-in's 校验 checks the 自评报告 beside the workbook (same folder, name containing 自评报告), through
xlwings' remote engine, and writes the same 报告核对 sheet as ``validate --report -o``."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from addin import macros
from perfeval.report.check import find_beside
from perfeval.sheets import REPORT_SHEET
from perfeval.xlsx.workflow import validate_file
from tests.test_addin_macros import remote_engine, run_macro  # noqa: F401  (the module fixture)

pytestmark = pytest.mark.xlwings_remote
SEED_REPORT = Path(__file__).resolve().parent / "fixtures" / "seed-report.docx"


def test_find_beside_picks_the_unit_named_report_else_the_newest(tmp_path: Path) -> None:
    book = tmp_path / "表.xlsx"
    book.write_bytes(b"")
    assert find_beside(book) is None
    (tmp_path / "其他.docx").write_bytes(b"x")
    (tmp_path / "~$自评报告.docx").write_bytes(b"x")  # Word's lock file
    assert find_beside(book) is None
    old = tmp_path / "2023年自评报告.docx"
    new = tmp_path / "自评报告-终稿.docx"
    named = tmp_path / "某单位2023年自评报告.docx"
    for i, p in enumerate((named, old, new)):
        p.write_bytes(b"x")
        os.utime(p, (time.time() - 100 + i * 10, time.time() - 100 + i * 10))
    assert find_beside(book) == new
    assert find_beside(book, "某单位") == named


def test_validate_button_checks_the_report_beside_the_workbook(seed_xlsx: Path, tmp_path: Path) -> None:
    shutil.copy(SEED_REPORT, seed_xlsx.parent / "怀化市城乡建设事务中心2023年自评报告.docx")
    addin = tmp_path / "addin.xlsx"
    _, out = run_macro(seed_xlsx, macros.validate_book, addin)
    assert out["report_file"] == "怀化市城乡建设事务中心2023年自评报告.docx"
    assert out["report_summary"] == {"error": 0, "warning": 7, "info": 1}
    cli = tmp_path / "cli.xlsx"
    validate_file(seed_xlsx, cli, report=seed_xlsx.parent / "怀化市城乡建设事务中心2023年自评报告.docx")

    def rows(path: Path) -> list[tuple[object, ...]]:
        return [tuple(v for v in r) for r in load_workbook(path)[REPORT_SHEET].iter_rows(values_only=True)
                if any(v not in (None, "") for v in r)]

    assert rows(addin) == rows(cli)


def test_an_unreadable_report_beside_is_reported_not_fatal(seed_xlsx: Path, tmp_path: Path) -> None:
    (seed_xlsx.parent / "自评报告.docx").write_bytes(b"broken")
    _, out = run_macro(seed_xlsx, macros.validate_book, tmp_path / "addin.xlsx")
    assert "不是有效的 Word 文档" in out["report_error"]
    assert out["summary"]["error"] == 2  # the tables are checked as usual
