"""LibreOffice headless recalculates the project sheets' native formulas (and 计算结果's) to the engine's values."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from perfeval.config import DEFAULT_CONFIG
from perfeval.forms.project import FORM
from perfeval.forms.project.model import ProjectBook
from perfeval.layout import NA_TEXT, Role, VType
from perfeval.numbers import to_decimal
from perfeval.paths import set_path
from perfeval.sheets import CALC_SHEET
from perfeval.xlsx.workflow import fill
from tests.project_strategies import books
from tests.project_support import load_projects
from tests.support.libreoffice import recalc_values, require_libreoffice

pytestmark = pytest.mark.libreoffice


def formulas_only(book: ProjectBook) -> ProjectBook:
    """The same book with every stated value removed, so every derived cell keeps its formula."""
    b = book.model_copy(deep=True)
    for cell in FORM.layout_for(b).cells():
        if cell.role == Role.DERIVED and cell.path:
            set_path(b, cell.path, None)
    return b


def assert_recalc_matches_engine(book: ProjectBook, tmp: Path) -> dict[str, dict[str, object]]:
    book = formulas_only(book)
    out = tmp / "r.xlsx"
    fill(book, out)
    values = recalc_values(out)
    computed = FORM.compute(book, DEFAULT_CONFIG)
    checked = 0
    for cell in FORM.layout_for(book).cells():
        if cell.role != Role.DERIVED or not cell.formula or cell.calc_key is None:
            continue
        got = values[cell.sheet].get(cell.address, "")
        want = computed[cell.calc_key]
        where = f"{cell.sheet}!{cell.address} {cell.caption}"
        if want is None:
            assert got == NA_TEXT, (where, got)
        elif isinstance(want, str):
            assert got == want, (where, got, want)
        else:
            assert isinstance(got, float), (where, got)
            tol = Decimal("0.000001") if cell.vtype == VType.RATE else Decimal("0.005")
            assert abs(to_decimal(got) - want) <= tol, (where, got, want)  # type: ignore[operator]
        checked += 1
    assert checked > 0
    return values


def test_example_recalculates_to_engine_values(tmp_path: Path) -> None:
    require_libreoffice()
    book = load_projects()
    book.projects[1].funds.executed = Decimal("20.00")  # 20.00 / 25.13 = 79.59%: 得分 7.96
    book.projects[1].funds_current.executed = Decimal("20.00")
    book.projects[2].funds_carryover.initial_budget = None  # a blank 其中 cell counts as 0 (N())
    book.projects[3].funds.full_year_budget = Decimal(0)  # no budget: 执行率 and 得分 "—"
    values = assert_recalc_matches_engine(book, tmp_path)
    # spot checks through LibreOffice itself, derived by hand
    layout = FORM.layout_for(formulas_only(book))
    assert values["污水处理专项业务费"]["H7"] == 7.96  # 10 × 20.00/25.13 = 7.9586… → 7.96
    total = layout.find("projects[1].total_score_stated")
    assert values[total.sheet][total.address] == 97.96  # 90 + 7.96
    assert values["污泥干化处置费"]["G7"] == NA_TEXT and values["污泥干化处置费"]["H7"] == NA_TEXT
    assert values["专项（业务）经费"]["G9"] == NA_TEXT  # 上年结转资金 0.00 / 0.00
    calc = {c.calc_key: c.address for c in layout.sheets[CALC_SHEET].cells if c.calc_key}
    assert values[CALC_SHEET][calc["calc.projects[5].total_score"]] == 97.0  # 87 + 10
    assert values[CALC_SHEET][calc["calc.projects[5].grade"]] == "优"
    assert values[CALC_SHEET][calc["calc.projects[0].parts.initial_budget"]] == 80.0  # 80.00 + 0.00 + 0.00


@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(book=books)
def test_generated_books_recalculate_to_engine_values(book: ProjectBook) -> None:
    require_libreoffice()
    with tempfile.TemporaryDirectory() as d:
        assert_recalc_matches_engine(book, Path(d))
