"""Model core shared by every form pack: value types, the 年度资金总额 row and the indicator table.

A form pack (:mod:`perfeval.forms`) builds its own report model from these parts; the 三级/二级/一级 indicator
rows and :class:`IndicatorTable` are what the shared scoring and the shared 自评表 rules (ZP-*) work on.

Conventions
- Amounts are ``Decimal`` 万元; rates are fractions (``Decimal("0.95")`` is 95%).
- Cells the official form computes (控制率, totals, 执行率, 得分 of 年度资金总额, 总分) are *stated* values:
  what the unit typed or printed, kept apart from what the engine computes (``perfeval.compute``).
  A stated value is a number, a text such as ``"—"``, or ``None`` (left to the formula).
- Texts typed by the unit (names, indicator values, goals) are kept verbatim.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from perfeval.numbers import NumberParseError, is_blank, normalise_text, to_decimal


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, Decimal) or value is None:
        return value
    return to_decimal(value)


def _stated(value: Any) -> Decimal | str | None:
    """A stated value: numbers (also numeric text such as "95%") become Decimal, other text stays."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, str) and is_blank(value):
        return None
    try:
        return to_decimal(value)
    except NumberParseError:
        return str(value).strip()


def _count(value: Any) -> int | None:
    number = _amount(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"人数应为整数：{value}")
    return int(number)


_CN_DATE = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    text = normalise_text(str(value))
    if text == "":
        return None
    match = _CN_DATE.match(text)
    if not match:
        raise ValueError(f"无法识别的日期：{value}")
    year, month, day = (int(g) for g in match.groups())
    return dt.date(year, month, day)


def _dec_json(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _stated_json(value: Decimal | str | None) -> str | None:
    return None if value is None else str(value)


Amount = Annotated[
    Decimal | None, BeforeValidator(_amount), PlainSerializer(_dec_json, when_used="json")
]
Stated = Annotated[
    Decimal | str | None, BeforeValidator(_stated), PlainSerializer(_stated_json, when_used="json")
]
Count = Annotated[int | None, BeforeValidator(_count)]
Date = Annotated[dt.date | None, BeforeValidator(_date)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class FundsRow(_Model):
    """年度资金总额 row of 附件1-2."""

    initial_budget: Amount = Field(default=None, description="年初预算数")
    full_year_budget: Amount = Field(default=None, description="全年预算数")
    executed: Amount = Field(default=None, description="全年执行数")
    weight: Amount = Field(default=Decimal("10"), description="分值")
    execution_rate_stated: Stated = Field(default=None, description="执行率 (stated)")
    score_stated: Stated = Field(default=None, description="得分 (stated)")


class Level3(_Model):
    """One 三级指标 row."""

    name: str = Field(default="", description="三级指标")
    target: str = Field(default="", description="年度指标值 (raw text)")
    actual: str = Field(default="", description="实际完成值 (raw text)")
    weight: Amount = Field(default=None, description="分值")
    score: Amount = Field(default=None, description="得分 (the unit's)")
    deviation: str = Field(default="", description="偏差原因分析及改进措施")
    comparator: str = Field(default="", description="指标性质 (≥ ≤ = ＞ ＜ or 定性); blank: read from 年度指标值")
    unit: str = Field(default="", description="度量单位; blank: read from 年度指标值")

    def parsed_target(self) -> Any:
        from perfeval.indicators import parse_value

        return parse_value(self.target)

    def parsed_actual(self) -> Any:
        from perfeval.indicators import parse_value

        return parse_value(self.actual)

    def scoring_target(self) -> Any:
        """The parsed 年度指标值 as scoring reads it: a number written without comparator (``90%``) takes the
        explicit ``comparator`` field (指标性质), and without unit the ``unit`` field; the text wins otherwise."""
        from perfeval.indicators import ValueKind, explicit_comparator

        target = self.parsed_target()
        if target.kind is not ValueKind.QUANTITATIVE:
            return target
        update: dict[str, Any] = {}
        comparator = explicit_comparator(self.comparator)
        if target.comparator is None and comparator is not None:
            update["comparator"] = comparator
        if not target.unit and self.unit.strip():
            update["unit"] = self.unit.strip()
        return target.model_copy(update=update) if update else target


class Level2(_Model):
    name: str = Field(min_length=1, description="二级指标, e.g. 数量指标")
    rows: list[Level3] = Field(default_factory=lambda: [Level3()], min_length=1)


class Level1(_Model):
    name: str = Field(min_length=1, description="一级指标, e.g. 产出指标")
    weight: Amount = Field(default=None, description="declared weight printed in the label, e.g. （50分）")
    secondaries: list[Level2] = Field(min_length=1)


class IndicatorTable(_Model):
    """What every 自评表 has: 年度资金总额 row, 年度总体目标, the 一级/二级/三级 indicators and 总分.

    The shared 自评表 rules (:mod:`perfeval.rules.table`) and scoring work on this; a form's own table adds its
    header fields (预算单位名称; 项目名称/主管部门/实施单位) and the rows only it has.
    """

    funds: FundsRow = Field(default_factory=FundsRow)
    goal_expected: str = Field(default="", description="年度总体目标 — 预期目标")
    goal_actual: str = Field(default="", description="年度总体目标 — 实际完成情况")
    indicators: list[Level1] = Field(default_factory=list)
    total_weight_stated: Stated = Field(default=None, description="总分 — 分值 (stated)")
    total_score_stated: Stated = Field(default=None, description="总分 — 得分 (stated)")

    def rows(self) -> list[tuple[int, int, int, Level1, Level2, Level3]]:
        """Every 三级 row with its indices (i1, i2, i3) and parents, in sheet order."""
        out = []
        for i1, l1 in enumerate(self.indicators):
            for i2, l2 in enumerate(l1.secondaries):
                for i3, row in enumerate(l2.rows):
                    out.append((i1, i2, i3, l1, l2, row))
        return out


#: The official 一级/二级 skeleton of the 2020 自评表: (一级, declared weight, 二级 names).
DEFAULT_INDICATORS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("产出指标", 50, ("数量指标", "质量指标", "时效指标", "成本指标")),
    ("效益指标", 30, ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")),
    ("满意度指标", 10, ("服务对象满意度指标",)),
)


def default_indicators(weights: dict[str, Decimal] | None = None) -> list[Level1]:
    """The official 一级/二级 skeleton, one empty 三级 row each; ``weights`` overrides the declared 一级 values."""
    return [
        Level1(name=n1, weight=(weights or {}).get(n1, Decimal(w)),
               secondaries=[Level2(name=n2) for n2 in n2s])
        for n1, w, n2s in DEFAULT_INDICATORS
    ]
