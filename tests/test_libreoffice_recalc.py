"""LibreOffice headless recalculates the template's native formulas to the engine's values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from perfeval.forms.department.compute import compute
from perfeval.forms.department.layout import layout_for
from perfeval.forms.department.model import Report
from perfeval.layout import NA_TEXT, Role, VType
from perfeval.numbers import to_decimal
from perfeval.paths import get_path, set_path
from perfeval.sheets import CALC_SHEET
from perfeval.xlsx.workflow import fill
from tests.strategies import reports
from tests.support.libreoffice import recalc_values, require_libreoffice

pytestmark = pytest.mark.libreoffice


def formulas_only(report: Report) -> Report:
    """The same report with every stated value removed, so every derived cell keeps its formula."""
    r = report.model_copy(deep=True)
    for cell in layout_for(r).cells():
        if cell.role == Role.DERIVED and cell.path:
            set_path(r, cell.path, None)
    return r


def assert_recalc_matches_engine(report: Report, tmp: Path) -> int:
    report = formulas_only(report)
    out = tmp / "r.xlsx"
    fill(report, out)
    values = recalc_values(out)
    computed = compute(report)
    layout = layout_for(report)
    checked = 0
    for cell in layout.cells():
        if cell.role != Role.DERIVED or not cell.formula or cell.calc_key is None:
            continue
        if cell.sheet == CALC_SHEET and cell.calc_key.startswith("calc.indicators"):
            continue  # copies of the indicator cells, checked through the official sheet
        got = values[cell.sheet].get(cell.address)
        want = computed[cell.calc_key]
        where = f"{cell.sheet}!{cell.address} {cell.caption}"
        if want is None:
            assert got == NA_TEXT, where
        elif isinstance(want, str):
            assert got == want, where
        else:
            assert isinstance(got, float), (where, got)
            tol = Decimal("0.000001") if cell.vtype == VType.RATE else Decimal("0.005")
            assert abs(to_decimal(got) - want) <= tol, (where, got, want)  # type: ignore[operator]
        checked += 1
    return checked


def test_seed_formulas_recalculate_to_engine_values(tmp_path: Path, seed: Report) -> None:
    require_libreoffice()
    checked = assert_recalc_matches_engine(seed, tmp_path)
    assert checked >= 25
    # spot-check the headline numbers through LibreOffice itself
    report = formulas_only(seed)
    out = tmp_path / "s.xlsx"
    fill(report, out)
    values = recalc_values(out)
    layout = layout_for(report)
    rate = layout.find("basic.staff_control_rate_stated")
    assert round(values[rate.sheet][rate.address], 4) == 1.0526  # type: ignore[call-overload]
    total = layout.find("self_eval.total_score_stated")
    assert values[total.sheet][total.address] == 98.0
    grade = next(c for c in layout.sheets[CALC_SHEET].cells if c.calc_key == "calc.grade")
    assert values[CALC_SHEET][grade.address] == "优"
    area = layout.find("basic.building.area_control_stated")
    assert values[area.sheet][area.address] == NA_TEXT  # 0/0 is not applicable, not 0 or 100%
    assert get_path(report, "basic.building.area_control_stated") is None


@settings(max_examples=4, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(report=reports())
def test_generated_reports_recalculate_to_engine_values(tmp_path: Path, report: Report) -> None:
    require_libreoffice()
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        assert assert_recalc_matches_engine(report, Path(d)) > 0
