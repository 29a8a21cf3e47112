"""The Office.js simulator (``tests/officejs_sim.py``), checked against the real xlwings remote engine.

Round trip: openpyxl workbook → payload → ``xlwings.Book(json=payload)`` → plain xlwings API writes →
``book.json()["actions"]`` → ``apply_actions`` → saved .xlsx → reopened with openpyxl → assertions.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from officejs_sim import NOTE_AUTHOR, apply_actions, payload_from_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName

LICENSE_ENV = "XLWINGS_LICENSE_KEY"
remote = pytest.mark.xlwings_remote


@pytest.fixture(scope="module")
def remote_engine() -> Iterator[None]:
    """Make xlwings' remote engine available under the noncommercial licence.

    xlwings registers the engine at import time only if the licence is already set; another test
    module may have imported xlwings first, so register it here when it is missing.
    """
    previous = os.environ.get(LICENSE_ENV)
    os.environ[LICENSE_ENV] = "noncommercial"
    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))
    yield
    if previous is None:
        os.environ.pop(LICENSE_ENV, None)
    else:
        os.environ[LICENSE_ENV] = previous


def make_workbook() -> openpyxl.Workbook:
    """Two Chinese sheets with a number, a date, a formula, a note, a fill and a defined name."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基础数据表"
    ws["A1"] = "项目"
    ws["B2"] = 1000
    ws["B3"] = dt.date(2025, 3, 31)
    ws["B3"].fill = PatternFill(fill_type="solid", start_color="FFFF00", end_color="FFFF00")
    ws["C4"] = "=B2*2"
    ws["B5"] = "旧值"
    ws["B5"].comment = Comment("旧批注", "someone")
    ws["A7"] = "待清除"
    ws["B7"] = Decimal("12.50")
    ws["E2"].number_format = "@"
    wb.create_sheet("自评表")["A1"] = "总分"
    draft = wb.create_sheet("草稿")
    draft["A1"] = "草稿内容"
    draft.sheet_state = "hidden"
    wb.defined_names["本年预算数"] = DefinedName("本年预算数", attr_text="基础数据表!$B$2:$B$3")
    return wb


def upsert_note(rng: xw.Range, text: str) -> None:
    """The re-run-safe note pattern of research §7.3."""
    if rng.note:
        rng.note.text = text
    else:
        rng.add_note(text)


def rgb(color: Any) -> str:
    return str(color.rgb)[-6:].upper()


# --------------------------------------------------------------------------- payload only


def test_payload_shape() -> None:
    payload = payload_from_workbook(
        make_workbook(), book_name="自评.xlsx", formula_values={("基础数据表", "C4"): 2000}
    )
    assert payload["client"] == "Office.js"
    assert payload["version"] == xw.__version__
    assert payload["book"] == {
        "name": "自评.xlsx",
        "active_sheet_index": 0,
        "selection": "A1",
        "calculation": "Automatic",
    }
    assert payload["names"] == [
        {
            "name": "本年预算数",
            "refers_to": "=基础数据表!$B$2:$B$3",
            "type": "Range",
            "sheet_index": 0,
            "address": "B2:B3",
            "scope_sheet_name": None,
            "scope_sheet_index": None,
            "book_scope": True,
        }
    ]
    first, second, draft = payload["sheets"]
    assert draft["values"] == [["草稿内容"]]
    assert [s["name"] for s in payload["sheets"]] == ["基础数据表", "自评表", "草稿"]
    assert [s["visibility"] for s in payload["sheets"]] == ["Visible", "Visible", "Hidden"]
    assert first["values"] == [
        ["项目", "", ""],
        ["", 1000, ""],
        ["", "2025-03-31T00:00:00.000Z", ""],
        ["", "", 2000],
        ["", "旧值", ""],
        ["", "", ""],
        ["待清除", 12.5, ""],
    ]
    assert first["notes"] == [{"address": "B5"}] and first["notes_supported"] is True
    assert (first["used_range_address"], first["used_range_row_count"]) == ("A1:C7", 7)
    assert first["used_range_column_count"] == 3
    assert second["values"] == [["总分"]] and second["used_range_address"] == "A1"
    for key in ("pictures", "shapes", "charts", "tables", "pivot_tables"):
        assert first[key] == []
    assert first["show_gridlines"] is True and first["print_area"] is None


def test_payload_formula_without_value_and_empty_sheet() -> None:
    wb = make_workbook()
    wb.create_sheet("空表")
    payload = payload_from_workbook(wb, notes_supported=False)
    first, *_rest, empty = payload["sheets"]
    assert first["values"][3][2] == ""  # formula result unknown to openpyxl
    assert first["notes"] == [] and first["notes_supported"] is False
    assert empty["values"] == [[""]]
    assert (empty["used_range_address"], empty["used_range_row_count"]) == (None, 0)


# --------------------------------------------------------------------------- actions only


def _action(
    func: str, args: list[Any], *, at: tuple[int, int, int, int] | None = None, values: Any = None
) -> dict[str, Any]:
    """A hand-written action in xlwings' format, on sheet 0."""
    row, col, nrows, ncols = at or (None, None, None, None)
    return {
        "func": func,
        "args": args,
        "values": values,
        "sheet_position": 0,
        "start_row": row,
        "start_column": col,
        "row_count": nrows,
        "column_count": ncols,
    }


def test_set_values_parse_like_typed_input() -> None:
    wb = make_workbook()
    ws = wb["基础数据表"]
    values = [["001", "002", "2025-01-02", "2025-01-02 08:30:00", "=B2+1", "", None, "文字", 1.5]]
    unknown = apply_actions(wb, [_action("setValues", [None], at=(1, 3, 1, 9), values=values)])
    assert unknown == []
    assert ws["D2"].value == 1  # General cell: Excel turns "001" into a number
    assert ws["E2"].value == "002"  # text-formatted cell keeps the string
    assert ws["F2"].value == dt.datetime(2025, 1, 2)
    assert ws["G2"].value == dt.datetime(2025, 1, 2, 8, 30)
    assert ws["H2"].value == "=B2+1"
    assert ws["I2"].value is None
    assert ws["L2"].value == 1.5


def test_unknown_actions_are_reported() -> None:
    wb = make_workbook()
    unknown = apply_actions(wb, [_action("rangeMerge", [False], at=(0, 0, 1, 2)), _action("calculate", [])])
    assert unknown == ["rangeMerge"]


def test_note_actions_check_existence_like_the_client() -> None:
    wb = make_workbook()
    with pytest.raises(ValueError, match="already a note"):
        apply_actions(wb, [_action("addNote", ["$B$5", "重复"])])
    with pytest.raises(ValueError, match="no note"):
        apply_actions(wb, [_action("setNoteText", ["$B$2", "不存在"])])
    assert apply_actions(wb, [_action("deleteNote", ["$B$5"]), _action("deleteNote", ["$B$5"])]) == []
    assert wb["基础数据表"]["B5"].comment is None


# --------------------------------------------------------------------------- real xlwings


@remote
def test_roundtrip_through_xlwings(remote_engine: None, tmp_path: Path) -> None:
    wb = make_workbook()
    book = xw.Book(json=payload_from_workbook(wb, formula_values={("基础数据表", "C4"): 2000}))
    sht = book.sheets["基础数据表"]

    # Reads go through the payload.
    assert sht["B2"].value == 1000
    assert sht["B3"].value == dt.datetime(2025, 3, 31)
    assert sht["C4"].value == 2000
    assert sht["B7"].value == 12.5
    assert book.names["本年预算数"].refers_to_range.value == [1000, dt.datetime(2025, 3, 31)]

    # Writes through the plain xlwings API.
    sht["D2"].value = [[0.85, "007", dt.date(2025, 12, 31)], ["=B2*0.9", None, "说明"]]
    sht["D2:D3"].number_format = "0.00%"
    sht["B2"].color = "#FFC7CE"
    sht["B3"].color = None
    upsert_note(sht["B5"], "执行数超预算")  # has a note in the payload → setNoteText
    upsert_note(sht["B2"], "预算数需核对")  # no note yet → addNote
    sht["A1"].font.bold = True
    sht["A1"].font.color = (192, 0, 0)
    sht["A7:B7"].clear_contents()
    sht["A:A"].column_width = 30  # points
    results = book.sheets.add(name="校验结果", after=book.sheets["自评表"])
    results["A1"].value = [["工作表", "单元格", "问题"], ["基础数据表", "$B$2", "超预算"]]
    book.sheets["草稿"].clear_contents()
    book.app.alert("校验完成：发现 1 个问题", title="绩效自评")
    book.save()

    actions = book.json()["actions"]
    assert [a["func"] for a in actions if a["func"] in ("addNote", "setNoteText")] == [
        "setNoteText",
        "addNote",
    ]
    applied = apply_actions(wb, actions)
    assert applied == []
    assert applied.alerts == [
        {
            "prompt": "校验完成：发现 1 个问题",
            "title": "绩效自评",
            "buttons": "ok",
            "mode": "",
            "callback": "",
        }
    ]
    assert applied.saves == 1

    out = tmp_path / "out.xlsx"
    wb.save(out)
    wb2 = openpyxl.load_workbook(out)
    assert wb2.sheetnames == ["基础数据表", "自评表", "校验结果", "草稿"]
    ws = wb2["基础数据表"]
    assert [ws["D2"].value, ws["E2"].value, ws["F2"].value] == [0.85, "007", dt.datetime(2025, 12, 31)]
    assert [ws["D3"].value, ws["E3"].value, ws["F3"].value] == ["=B2*0.9", None, "说明"]
    assert ws["D2"].number_format == ws["D3"].number_format == "0.00%"
    assert ws["B2"].fill.fill_type == "solid" and rgb(ws["B2"].fill.fgColor) == "FFC7CE"
    assert ws["B3"].fill.fill_type is None
    assert ws["B5"].comment.text == "执行数超预算" and ws["B5"].comment.author == NOTE_AUTHOR
    assert ws["B2"].comment.text == "预算数需核对"
    assert ws["A1"].font.bold is True and rgb(ws["A1"].font.color) == "C00000"
    assert ws["A7"].value is None and ws["B7"].value is None
    assert ws.column_dimensions["A"].width == pytest.approx(5.0)
    assert [[c.value for c in row] for row in wb2["校验结果"].iter_rows()] == [
        ["工作表", "单元格", "问题"],
        ["基础数据表", "$B$2", "超预算"],
    ]
    assert wb2["草稿"]["A1"].value is None and wb2["草稿"].sheet_state == "hidden"
    assert wb2["自评表"]["A1"].value == "总分"


@remote
def test_sheet_position_follows_earlier_actions(remote_engine: None) -> None:
    wb = make_workbook()
    book = xw.Book(json=payload_from_workbook(wb))
    book.sheets.add(name="封面", before=book.sheets[0])
    book.sheets["自评表"].delete()
    book.sheets["基础数据表"]["A2"].value = "写到原第一张表"
    book.sheets["草稿"].visible = True
    assert apply_actions(wb, book.json()["actions"]) == []
    assert wb.sheetnames == ["封面", "基础数据表", "草稿"]
    assert wb["基础数据表"]["A2"].value == "写到原第一张表"
    assert wb["草稿"].sheet_state == "visible"


@remote
def test_add_note_without_notes_support_raises(remote_engine: None) -> None:
    book = xw.Book(json=payload_from_workbook(make_workbook(), notes_supported=False))
    with pytest.raises(NotImplementedError):
        book.sheets[0]["B2"].add_note("批注")


@remote
def test_second_add_note_raises(remote_engine: None) -> None:
    book = xw.Book(json=payload_from_workbook(make_workbook()))
    sht = book.sheets[0]
    with pytest.raises(ValueError, match="already has a note"):
        sht["B5"].add_note("payload already has a note here")
    sht["B2"].add_note("第一次")
    with pytest.raises(ValueError, match="already has a note"):
        sht["B2"].add_note("第二次")
