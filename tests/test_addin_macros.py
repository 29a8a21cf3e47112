"""The ribbon macros run through xlwings itself (remote engine, simulated Office.js client), and give
the same cells, findings and messages as the command line on the same input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw
from hypothesis import HealthCheck, Phase, given, settings
from officejs_sim import apply_actions, payload_from_workbook
from openpyxl import Workbook, load_workbook

from addin import macros
from perfeval.flagging import NOTE_MARK
from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET, layout_for
from perfeval.forms.department.model import Report
from perfeval.sheets import CALC_SHEET, RESULTS_SHEET, STATE_SHEET
from perfeval.xlsx.workflow import clear_file, compute_file, fill, validate_file
from tests.conftest import load_example
from tests.snapshots import snapshot
from tests.strategies import reports

pytestmark = pytest.mark.xlwings_remote


@pytest.fixture(scope="module", autouse=True)
def remote_engine() -> Iterator[None]:
    previous = os.environ.get("XLWINGS_LICENSE_KEY")
    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))
    yield
    if previous is None:
        os.environ.pop("XLWINGS_LICENSE_KEY", None)
    else:
        os.environ["XLWINGS_LICENSE_KEY"] = previous


def run_macro(path: Path, macro: Any, out: Path, **payload_options: Any) -> tuple[list[dict[str, Any]], Any]:
    """Open ``path`` as the Office.js client would, run ``macro(book)``, apply the returned actions and
    save the result to ``out``. Returns (actions, the macro's return value)."""
    wb = load_workbook(path)
    book = xw.Book(json=payload_from_workbook(wb, book_name=str(path), **payload_options))
    value = macro(book)
    actions = book.json()["actions"]
    unknown = apply_actions(wb, actions)
    assert list(unknown) == []
    wb.save(out)
    return actions, value


def values_of(path: Path, sheets: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    wb = load_workbook(path)
    return {s: {c.coordinate: c.value for row in wb[s].iter_rows() for c in row if c.value not in (None, "")}
            for s in sheets}


def test_compute_matches_the_command_line_and_restores_typed_over_cells(seed_xlsx: Path, tmp_path: Path) -> None:
    cli = tmp_path / "cli.xlsx"
    compute_file(seed_xlsx, cli)
    addin = tmp_path / "addin.xlsx"
    actions, stats = run_macro(seed_xlsx, macros.compute_book, addin)
    layout = layout_for(load_example())
    rate = layout.find("basic.staff_control_rate_stated")
    assert load_workbook(seed_xlsx)[BD_SHEET][rate.address].value == 0.95  # typed over in the seed
    assert load_workbook(addin)[BD_SHEET][rate.address].value == rate.formula  # restored
    assert values_of(addin, (BD_SHEET, ZP_SHEET, CALC_SHEET)) == values_of(cli, (BD_SHEET, ZP_SHEET, CALC_SHEET))
    # bulk writes: far fewer writes than cells
    writes = [a for a in actions if a["func"] == "setValues"]
    cells = sum(a["row_count"] * a["column_count"] for a in writes)
    assert stats["formulas"] == 18 and len(writes) < cells / 3


def test_validate_matches_the_command_line(seed_xlsx: Path, tmp_path: Path) -> None:
    cli = tmp_path / "cli.xlsx"
    validate_file(seed_xlsx, cli)
    addin = tmp_path / "addin.xlsx"
    _, out = run_macro(seed_xlsx, macros.validate_book, addin)
    assert out["summary"] == {"error": 2, "warning": 11, "info": 4}
    a, c = snapshot(addin), snapshot(cli)
    assert set(a) == set(c)
    for sheet in a:
        if RESULTS_SHEET in sheet or STATE_SHEET in sheet:
            # same values; the command line's cosmetic fills of the 校验结果 sheet are not compared
            assert {k: v[0] for k, v in a[sheet].items() if v[0] is not None} == {
                k: v[0] for k, v in c[sheet].items() if v[0] is not None}, sheet
        else:
            assert a[sheet] == c[sheet], sheet  # same values, fills and notes on the official sheets


def test_validate_twice_updates_notes_and_clears_fixed_flags(seed_xlsx: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.xlsx"
    run_macro(seed_xlsx, macros.validate_book, first)
    wb = load_workbook(first)
    wb[BD_SHEET]["F26"].value = 0  # fix one BD-007 blank
    wb.save(first)
    second = tmp_path / "second.xlsx"
    actions, out = run_macro(first, macros.validate_book, second)
    funcs = [a["func"] for a in actions]
    assert "addNote" not in funcs  # every flagged cell already had our note: text updated in place
    flagged_cells = {(f.sheet, f.cell) for f in out["findings"].findings}
    assert len(flagged_cells) == 16  # 17 on the seed, one fixed
    assert funcs.count("setNoteText") == len(flagged_cells)
    assert {"func": "deleteNote"}.items() <= next(a for a in actions if a["func"] == "deleteNote").items()
    bd = load_workbook(second)[BD_SHEET]
    assert bd["F26"].comment is None and bd["F26"].fill.fgColor.rgb == "FFFFF2CC"
    assert bd["F5"].comment.text.startswith(NOTE_MARK)
    cli = tmp_path / "cli.xlsx"
    validate_file(first, cli)
    assert snapshot(second)[f"0:{BD_SHEET}:visible"] == snapshot(cli)[f"0:{BD_SHEET}:visible"]


def test_notes_unsupported_fall_back_to_fill_and_results_sheet(seed_xlsx: Path, tmp_path: Path) -> None:
    out_path = tmp_path / "out.xlsx"
    actions, out = run_macro(seed_xlsx, macros.validate_book, out_path, notes_supported=False)
    assert out["notes"] is False
    assert not any(a["func"] in ("addNote", "setNoteText") for a in actions)
    wb = load_workbook(out_path)
    assert wb[BD_SHEET]["F5"].fill.fgColor.rgb == "FFFFC7CE" and wb[BD_SHEET]["F5"].comment is None
    assert any(r[1] == "BD-001" for r in wb[RESULTS_SHEET].iter_rows(min_row=3, values_only=True))
    wb2 = load_workbook(seed_xlsx)
    book = xw.Book(json=payload_from_workbook(wb2, book_name=str(seed_xlsx), notes_supported=False))
    macros.do_validate(book)
    alert = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert alert and "不支持批注" in alert[0]["args"][0]


def test_clear_matches_the_command_line(seed_xlsx: Path, tmp_path: Path) -> None:
    flagged = tmp_path / "flagged.xlsx"
    validate_file(seed_xlsx, flagged)
    cli, addin = tmp_path / "cli.xlsx", tmp_path / "addin.xlsx"
    clear_file(flagged, cli)
    run_macro(flagged, macros.clear_book, addin)
    assert snapshot(addin) == snapshot(cli) == snapshot(seed_xlsx)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(report=reports())
def test_generated_reports_give_the_same_findings(report: Report) -> None:
    with tempfile.TemporaryDirectory() as d:
        src, cli, addin = Path(d) / "src.xlsx", Path(d) / "cli.xlsx", Path(d) / "addin.xlsx"
        fill(report, src)
        expected = validate_file(src, cli).findings
        _, out = run_macro(src, macros.validate_book, addin)
        assert [f.model_dump() for f in out["findings"].findings] == [f.model_dump() for f in expected.findings]
        assert snapshot(addin)[f"1:{ZP_SHEET}:visible"] == snapshot(cli)[f"1:{ZP_SHEET}:visible"]
        compute_file(src, cli)
        run_macro(src, macros.compute_book, addin)
        sheets = (BD_SHEET, ZP_SHEET, CALC_SHEET)
        assert values_of(addin, sheets) == values_of(cli, sheets)


def test_macros_alert_instead_of_raising(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    book = xw.Book(json=payload_from_workbook(load_workbook(path), book_name=str(path)))
    macros.do_validate(book)
    macros.do_compute(book)
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 2 and all("找不到官方表格" in t for t in alerts)


def test_new_and_help(seed_xlsx: Path) -> None:
    book = xw.Book(json=payload_from_workbook(load_workbook(seed_xlsx), book_name=str(seed_xlsx)))
    out = macros.new_book_file(book)
    assert out.parent == seed_xlsx.parent and out.name == "怀化市城乡建设事务中心_2024年部门整体支出绩效自评表.xlsx"
    from perfeval.xlsx.reader import read_workbook

    new = read_workbook(out).report
    assert new.year == 2024 and new.basic.unit_name == "怀化市城乡建设事务中心"
    macros.do_help(book)
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert "使用说明" in alerts[-1]
    book = xw.Book(json=payload_from_workbook(load_workbook(seed_xlsx), book_name=str(seed_xlsx)))
    macros.do_new(book)  # the button: a second file, the name de-duplicated, reported in an alert
    alert = next(a for a in book.json()["actions"] if a["func"] == "alert")["args"][0]
    second = seed_xlsx.parent / "怀化市城乡建设事务中心_2024年部门整体支出绩效自评表(2).xlsx"
    assert alert.startswith(f"已新建：{second}\n") and second.exists()
    assert f"另存为“{second.name}”" in alert  # the alert says the name was numbered, and why


def test_new_button_makes_a_safe_file_name_in_the_workbook_folder(tmp_path: Path) -> None:
    src = tmp_path / "hostile.xlsx"
    report = load_example()
    report = report.model_copy(update={"basic": report.basic.model_copy(update={"unit_name": "../局:CON*\x01"})})
    fill(report, src)
    book = xw.Book(json=payload_from_workbook(load_workbook(src), book_name=str(src)))
    out = macros.new_book_file(book)
    assert out.parent == tmp_path  # no traversal out of the workbook's folder
    assert out.name == "_局_CON__2024年部门整体支出绩效自评表.xlsx"


def test_export_button_writes_the_locked_final_file(tmp_path: Path) -> None:
    from perfeval.xlsx.verify import verify_file

    src = tmp_path / "corrected.xlsx"
    fill(load_example("huaihua-2023-corrected.json"), src)
    book = xw.Book(json=payload_from_workbook(load_workbook(src), book_name=str(src)))
    macros.do_export(book)
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["save", "alert"]
    final = tmp_path / "怀化市城乡建设事务中心_2023年部门整体支出绩效自评表_定稿.xlsx"
    assert str(final) in actions[-1]["args"][0]
    assert verify_file(final).status == "intact"

    seed = tmp_path / "seed.xlsx"
    fill(load_example(), seed)
    book = xw.Book(json=payload_from_workbook(load_workbook(seed), book_name=str(seed)))
    macros.do_export(book)
    alert = next(a for a in book.json()["actions"] if a["func"] == "alert")["args"][0]
    assert alert.startswith("不能导出") and "BD-001" in alert

    # a second export never replaces the first 定稿: a numbered name, and the alert says so
    first_bytes = final.read_bytes()
    book = xw.Book(json=payload_from_workbook(load_workbook(src), book_name=str(src)))
    macros.do_export(book)
    alert = next(a for a in book.json()["actions"] if a["func"] == "alert")["args"][0]
    second = tmp_path / "怀化市城乡建设事务中心_2023年部门整体支出绩效自评表_定稿(2).xlsx"
    assert alert.startswith(f"已生成定稿文件（已锁定，可直接上报）：\n{second}")
    assert f"另存为“{second.name}”" in alert
    assert final.read_bytes() == first_bytes and verify_file(second).status == "intact"

    book = xw.Book(json=payload_from_workbook(load_workbook(seed), book_name="未保存的工作簿"))
    macros.do_export(book)
    alert = next(a for a in book.json()["actions"] if a["func"] == "alert")["args"][0]
    assert "请先把工作簿保存" in alert
