"""A workbook remembers the scoring profile it was made or computed with: later commands and the ribbon buttons
use it when no --profile/--config is given, so a 定稿 exported with the 导出 button scores like the 计算 the unit
ran from the command line."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.forms.department.layout import ZP_SHEET, layout_for
from perfeval.profiles import config_for, load_profile
from perfeval.sheets import CALC_SHEET, META_SHEET
from perfeval.xlsx.workflow import compute_file, fill, validate_file, write_new
from perfeval.xlsx.writer import workbook_config
from tests.conftest import load_example

SICHUAN = config_for(load_profile("sichuan-2023"))


def _report_at_95_percent() -> object:
    """The corrected seed with 全年执行数 = 742.01 of 781.06: 执行率 95.00 % (742.01 / 781.06 = 0.950004…)."""
    report = load_example("huaihua-2023-corrected.json")
    report.self_eval.funds.executed = Decimal("742.01")
    report.self_eval.funds.score_stated = None
    return report


def _profile_row(path: Path) -> str:
    ws = load_workbook(path)[CALC_SHEET]
    return next(str(ws.cell(row=r, column=2).value) for r in range(1, ws.max_row + 1)
                if ws.cell(row=r, column=1).value == "评分口径")


def test_fill_records_the_profile_and_later_commands_use_it(tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(_report_at_95_percent(), filled, SICHUAN)
    recorded = workbook_config(load_workbook(filled))
    assert recorded is not None and recorded.profile == "sichuan-2023"
    # ZP-006: 执行率 95 % needs a reason below 100 % (mof-2020), not below 90 % (sichuan-2023)
    assert "ZP-006" not in validate_file(filled).findings.codes()
    assert "ZP-006" in validate_file(filled, config=DEFAULT_CONFIG).findings.codes()
    out = tmp_path / "computed.xlsx"
    result = compute_file(filled, out)
    assert result.config.profile == "sichuan-2023"
    assert "sichuan-2023" in _profile_row(out)


def test_a_given_profile_wins_and_is_recorded(tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(_report_at_95_percent(), filled, SICHUAN)
    out = tmp_path / "computed.xlsx"
    compute_file(filled, out, DEFAULT_CONFIG)
    recorded = workbook_config(load_workbook(out))
    assert recorded is not None and recorded.profile == "mof-2020"
    assert "ZP-006" in validate_file(out).findings.codes()


def test_without_a_record_the_defaults_apply(tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(_report_at_95_percent(), filled)
    assert workbook_config(load_workbook(filled)) is None
    assert validate_file(filled).config == DEFAULT_CONFIG


@pytest.mark.parametrize("record", ["{not json", json.dumps({"funds_weight": "十"}), 42])
def test_a_hand_edited_record_falls_back_to_the_defaults(tmp_path: Path, record: object) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(_report_at_95_percent(), filled, SICHUAN)
    wb = load_workbook(filled)
    ws = wb[META_SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "config")
    ws.cell(row=row, column=2, value=record)
    wb.save(filled)
    assert validate_file(filled).config == DEFAULT_CONFIG


def test_new_with_a_profile_sets_the_template_weights(tmp_path: Path) -> None:
    """hb-20-40-40: 预算执行 20 and 产出 40 (效益 and 满意度 keep their printed 30/10 until the unit shares the 40)."""
    config = config_for(load_profile("hb-20-40-40"))
    path = write_new(tmp_path / "new.xlsx", year=2025, unit_name="某单位", config=config)
    wb = load_workbook(path)
    layout = layout_for(_blank_like(config))
    zp = wb[ZP_SHEET]
    assert zp[layout.find("self_eval.funds.weight").address].value == 20
    assert str(zp[layout.find("self_eval.indicators[0]").address].value).replace("\n", "") == "产出指标（40分）"
    recorded = workbook_config(wb)
    assert isinstance(recorded, Config) and recorded.profile == "hb-20-40-40"


def _blank_like(config: Config) -> object:
    from perfeval.xlsx.workflow import template_report

    return template_report(2025, "某单位", config=config)


def test_the_ribbon_uses_the_recorded_profile(tmp_path: Path) -> None:
    import os

    import xlwings as xw
    from officejs_sim import apply_actions, payload_from_workbook

    from addin import macros

    previous = os.environ.get("XLWINGS_LICENSE_KEY")
    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
    try:
        if "remote" not in [engine.name for engine in xw.engines]:
            from xlwings.main import Engine
            from xlwings.pro import _xlremote

            xw.engines.add(Engine(impl=_xlremote.engine))
        filled = tmp_path / "filled.xlsx"
        fill(_report_at_95_percent(), filled, SICHUAN)
        wb = load_workbook(filled)
        book = xw.Book(json=payload_from_workbook(wb, book_name=str(filled)))
        assert macros.book_config(book) == SICHUAN
        macros.compute_book(book)
        assert apply_actions(wb, book.json()["actions"]) == []
        out = tmp_path / "addin.xlsx"
        wb.save(out)
        assert "sichuan-2023" in _profile_row(out)
    finally:
        if previous is None:
            os.environ.pop("XLWINGS_LICENSE_KEY", None)
        else:
            os.environ["XLWINGS_LICENSE_KEY"] = previous
