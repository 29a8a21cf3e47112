"""The 计算 button converts numbers typed as text exactly as ``perfeval compute`` does (same cells, same values,
same list), through xlwings' remote engine and the simulated Office.js client of tests/test_addin_macros.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlwings as xw
from officejs_sim import payload_from_workbook
from openpyxl import load_workbook

from addin import macros
from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET, layout_for
from perfeval.sheets import CALC_SHEET
from perfeval.xlsx.workflow import compute_file, fill
from tests.conftest import load_example
from tests.test_addin_macros import remote_engine, run_macro, values_of

pytestmark = pytest.mark.xlwings_remote
__all__ = ["remote_engine"]  # the module-scoped xlwings set-up, used here too


def test_compute_button_converts_text_numbers_like_the_command_line(tmp_path: Path) -> None:
    report = load_example("huaihua-2023-corrected.json")
    src = tmp_path / "t.xlsx"
    fill(report, src)
    lay = layout_for(report)
    wb = load_workbook(src)
    for path, text in (("basic.projects[0].amounts.budget", "80.00万元"), ("basic.staff_actual", "40人"),
                       ("self_eval.income_general_public", "６７５．９２"),
                       ("basic.staff_control_rate_stated", "100%")):  # derived: its formula comes back instead
        cell = lay.find(path)
        wb[cell.sheet][cell.address].value = text
    wb.save(src)
    cli, addin = tmp_path / "cli.xlsx", tmp_path / "addin.xlsx"
    result = compute_file(src, cli)
    _, stats = run_macro(src, macros.compute_book, addin)
    assert stats["converted"] == result.converted
    assert len(result.converted) == 3
    sheets = (BD_SHEET, ZP_SHEET, CALC_SHEET)
    assert values_of(addin, sheets) == values_of(cli, sheets)
    project = lay.find("basic.projects[0].amounts.budget")
    assert load_workbook(addin)[BD_SHEET][project.address].value == 80
    book = xw.Book(json=payload_from_workbook(load_workbook(src), book_name=str(src)))
    macros.do_compute(book)
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1 and "已把 3 个文字形式的数字转换为数值" in alerts[0]
    assert result.converted[0] in alerts[0]
