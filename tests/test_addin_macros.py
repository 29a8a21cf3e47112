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


# --------------------------------------------------------------------------- 汇总 (the receiver's desk)

A_UNIT = "怀化市城乡建设事务中心"  # the unit of examples/huaihua-2023-corrected.json
B_UNIT = "怀化市住房保障服务中心"
C_UNIT = "怀化市市政设施维护中心"


def _final(unit: str, drafts: Path, out: Path) -> Path:
    """A real 定稿 of the corrected example under ``unit``'s name (what ``perfeval fill`` + ``perfeval export``
    write)."""
    from perfeval.xlsx.export import export_file

    report = load_example("huaihua-2023-corrected.json")
    report = report.model_copy(update={
        "basic": report.basic.model_copy(update={"unit_name": unit}),
        "self_eval": report.self_eval.model_copy(update={"unit_name": unit})})
    src = drafts / f"{unit}.xlsx"
    fill(report, src)
    out.parent.mkdir(parents=True, exist_ok=True)
    export_file(src, out)
    return out


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A receiver's folder: two intact 定稿 (one in a sub-folder), one changed after export, one .txt file."""
    drafts, folder = tmp_path / "drafts", tmp_path / "收件"
    drafts.mkdir()
    _final(A_UNIT, drafts, folder / "甲_定稿.xlsx")
    _final(B_UNIT, drafts, folder / "乙单位" / "乙_定稿.xlsx")
    changed = _final(C_UNIT, drafts, folder / "丙_定稿.xlsx")
    wb = load_workbook(changed)
    filler = layout_for(load_example("huaihua-2023-corrected.json")).find("basic.filler")
    wb[BD_SHEET][filler.address].value = "改动者"  # a value changed after export; no rule looks at the name
    wb.save(changed)
    (folder / "说明.txt").write_text("收件说明", encoding="utf-8")
    return folder


def _summary_rows(path: Path) -> dict[str, tuple[Any, ...]]:
    """单位 → (核验结果, 错误, 警告, 文件名) of the 汇总 sheet, re-read with openpyxl."""
    from perfeval.xlsx.summary import SUMMARY_SHEET

    rows = list(load_workbook(path)[SUMMARY_SHEET].iter_rows(values_only=True))
    col = {name: i for i, name in enumerate(rows[0])}
    return {r[col["单位"]]: (r[col["核验结果"]], r[col["错误"]], r[col["警告"]], r[col["文件名"]]) for r in rows[1:]}


def _ledger_rows(db: Path) -> list[tuple[str, str]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("SELECT unit, status FROM submissions").fetchall())


def test_collect_button_collects_the_folder_of_the_active_workbook(inbox: Path) -> None:
    import datetime as dt
    import re

    active = inbox / "甲_定稿.xlsx"  # the receiver opened one of the files received
    book = xw.Book(json=payload_from_workbook(load_workbook(active), book_name=str(active)))
    before = dt.datetime.now()
    macros.do_collect(book)
    after = dt.datetime.now()
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]  # the remote engine cannot open the 汇总: the alert names it

    (out,) = sorted(inbox.glob("汇总_*.xlsx"))
    assert re.fullmatch(r"汇总_\d{8}_\d{4}\.xlsx", out.name)
    assert out.stem in {macros.summary_stem(before), macros.summary_stem(after)}
    db = inbox / "台账.sqlite"
    assert db.is_file()
    assert _summary_rows(out) == {
        A_UNIT: ("完好", 0, 0, "甲_定稿.xlsx"),
        B_UNIT: ("完好", 0, 0, "乙_定稿.xlsx"),
        C_UNIT: ("导出后被改动", 0, 0, "丙_定稿.xlsx"),
    }
    assert _ledger_rows(db) == sorted([(A_UNIT, "intact"), (B_UNIT, "intact"), (C_UNIT, "values_changed")])
    assert actions[0]["args"][0] == "\n".join([
        f"汇总完成：{inbox}（含子文件夹）",
        "共收到 3 个工作簿（0 个在台账中已有记录，未重新读取），跳过 1 个文件。",
        "核验结果：完好 2 个；导出后被改动 1 个",
        "计入汇总 3 份（重复报送 0 份只保留最新的一份），其中有错误的 0 份。",
        "  - 丙_定稿.xlsx：导出后被改动；错误 0，警告 0",
        f"  跳过 {inbox / '说明.txt'}：不是 .xlsx 工作簿",
        f"汇总表：{out}",
        f"收件台账：{db}（perfeval history 单位名称 查看某单位的各次报送）",
    ])


def test_collect_again_reads_only_new_files_and_never_replaces_a_summary(inbox: Path) -> None:
    import datetime as dt

    active = inbox / "乙单位" / "乙_定稿.xlsx"  # the folder is the active workbook's own folder: here 乙单位
    book = xw.Book(json=payload_from_workbook(load_workbook(active), book_name=str(active)))
    now = dt.datetime(2025, 3, 1, 9, 30)
    result, out, db, renamed = macros.collect_book(book, now=now)
    assert out == active.parent / "汇总_20250301_0930.xlsx" and db == active.parent / "台账.sqlite"
    assert not renamed and [s.unit for s in result.submissions] == [B_UNIT]
    assert _summary_rows(out) == {B_UNIT: ("完好", 0, 0, "乙_定稿.xlsx")}

    active = inbox / "甲_定稿.xlsx"
    book = xw.Book(json=payload_from_workbook(load_workbook(active), book_name=str(active)))
    first, db_root = macros.collect_book(book, now=now)[1:3]
    first_bytes = first.read_bytes()
    result, second, db, renamed = macros.collect_book(book, now=now)  # the same minute: a numbered name
    assert second == inbox / "汇总_20250301_0930(2).xlsx" and renamed and db == db_root
    assert first.read_bytes() == first_bytes  # the earlier 汇总 is untouched
    assert result.reused == 3  # every 定稿 came from the 台账, none read again
    # the earlier 汇总 files (here and in 乙单位) are not submissions; no 台账 is an input at all (this folder's,
    # nor the one the first run left in 乙单位): they are passed over without a line
    summary_mark = "这是 perfeval collect 生成的汇总表，不是报送文件"
    assert {Path(s.path).relative_to(inbox).as_posix(): s.reason for s in result.skipped} == {
        "说明.txt": "不是 .xlsx 工作簿",
        "汇总_20250301_0930.xlsx": summary_mark,
        "乙单位/汇总_20250301_0930.xlsx": summary_mark,
    }
    assert _ledger_rows(db) == sorted([(A_UNIT, "intact"), (B_UNIT, "intact"), (C_UNIT, "values_changed")])
    text = macros.collect_message(result, second, db, renamed)
    assert "（3 个在台账中已有记录，未重新读取）" in text
    assert "同一文件夹中已有同名的汇总表，为免覆盖，本次另存为“汇总_20250301_0930(2).xlsx”" in text


def test_collect_button_on_an_unsaved_workbook_says_to_save_it_first(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    Workbook().save(path)
    book = xw.Book(json=payload_from_workbook(load_workbook(path), book_name="工作簿1"))
    macros.do_collect(book)
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1
    assert alerts[0].startswith("无法完成：“汇总”收集的是当前工作簿所在的文件夹：请先把当前工作簿保存")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.xlsx"]


def test_collect_button_reports_an_unusable_ledger_in_chinese(inbox: Path) -> None:
    (inbox / "台账.sqlite").write_bytes(b"not a database, just some text" * 100)
    active = inbox / "甲_定稿.xlsx"
    book = xw.Book(json=payload_from_workbook(load_workbook(active), book_name=str(active)))
    macros.do_collect(book)
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1 and alerts[0].startswith("无法完成：") and "台账" in alerts[0]
    assert "Error" not in alerts[0] and "程序内部错误" not in alerts[0]
    assert not list(inbox.glob("汇总_*.xlsx"))  # no 汇总 without its 台账
