"""The reader's and the scorer's shortcuts give what the long way gives: a value assigned through its field's
validator (:func:`perfeval.paths.assign`) as through the model's assignment, a remembered row score
(:func:`perfeval.scoring.score_row`) as a fresh one, half-up rounding in the current context as in a widened one."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from perfeval.config import DEFAULT_CONFIG
from perfeval.forms.department.layout import layout_for
from perfeval.forms.department.model import Report
from perfeval.forms.project.layout import layout_for as project_layout_for
from perfeval.model import Level3
from perfeval.numbers import round_to
from perfeval.paths import assign, path_steps, set_path, walk
from perfeval.scoring import score_indicator, score_row
from perfeval.sheets import CALC_SHEET
from tests.project_support import load_projects

VALUES: tuple[Any, ...] = (None, "", "  ", " 文字 ", "12.5", "568.61万元", "95%", "—", "abc", Decimal("1.005"),
                           Decimal("-3"), 3, 2.5, True, "2024年6月6日", dt.date(2024, 6, 6), "40.5", "0")


def _outcome(parent: Any, name: str, value: Any, shortcut: bool) -> tuple[Any, ...]:
    parent = parent.model_copy(deep=True)
    try:
        if shortcut:
            assign(parent, name, value)
        else:
            set_path(parent, name, value)  # the model's own validate_assignment
    except ValueError:
        return ("refused", parent.model_dump())
    stored = parent.__dict__[name]
    return (type(stored), repr(stored), parent.model_dump())


def test_assign_converts_and_refuses_as_assignment_does(seed: Report) -> None:
    books: list[tuple[Any, Any]] = [(seed, layout_for(seed))]
    project = load_projects()
    books.append((project, project_layout_for(project)))
    fields: dict[tuple[type, str], Any] = {}  # every field a layout path names, with a model holding it
    for report, layout in books:
        for cell in layout.cells():
            if cell.path is None or cell.sheet == CALC_SHEET or cell.path.endswith("]"):
                continue  # (一级 labels name whole models, not read by path)
            steps, name = path_steps(cell.path)
            assert isinstance(name, str)
            parent = walk(report, steps)
            fields.setdefault((type(parent), name), parent)
    assert len(fields) > 40
    refused = accepted = 0
    for (_, name), parent in fields.items():
        for value in VALUES:
            long_way = _outcome(parent, name, value, shortcut=False)
            assert _outcome(parent, name, value, shortcut=True) == long_way, (name, value)
            refused += long_way[0] == "refused"
            accepted += long_way[0] != "refused"
    assert refused and accepted  # both kinds were compared


def test_a_remembered_row_score_is_the_fresh_one(seed: Report) -> None:
    rows = [row for *_, row in seed.self_eval.rows()] + [row for t in load_projects().projects for *_, row in t.rows()]
    # the same texts with a weight written differently must not share an explanation
    rows += [Level3(name="重点工作完成数", target="2次", actual="4次", weight=Decimal(w)) for w in ("20", "20.0")]
    rows += [Level3(name="满意度", target="90%", actual="95%", comparator="≥", weight=Decimal("10"))]
    rows += [Level3(name="满意度", target="90%", actual="95%", weight=Decimal("10"))]
    for _ in range(2):  # computed, then remembered
        for row in rows:
            fresh = score_indicator(row.name, row.scoring_target(), row.actual, row.weight, DEFAULT_CONFIG)
            assert score_row(row, DEFAULT_CONFIG) == fresh
    assert score_row(rows[-4]).explanation != score_row(rows[-3]).explanation  # "× 20" and "× 20.0"


def _reference_round(value: Decimal, places: int) -> Decimal:
    """round_to as first written: always in a context widened to the value."""
    exp = Decimal(1).scaleb(-places)
    if not value.is_finite():
        return value
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, value.adjusted() + places + 3)
        return value.quantize(exp, rounding=ROUND_HALF_UP)


@given(st.decimals(allow_nan=True, allow_infinity=True), st.integers(min_value=-4, max_value=20))
def test_round_to_is_the_widened_rounding(value: Decimal, places: int) -> None:
    assert str(round_to(value, places)) == str(_reference_round(value, places))


def test_round_to_at_the_precision_edge() -> None:
    for digits in range(20, 40):
        value = Decimal("9" * digits + ".5")
        for places in (0, 2, 4):
            assert str(round_to(value, places)) == str(_reference_round(value, places))
            assert str(round_to(-value, places)) == str(_reference_round(-value, places))
