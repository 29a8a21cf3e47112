"""Project pack model: the 项目支出绩效自评表 (MOF 2020 layout, rules.md §3.3), one per project, and the workbook
of a unit's projects together (:class:`ProjectBook`).

A :class:`ProjectTable` is an :class:`~perfeval.model.IndicatorTable` (年度资金总额 row, goals, indicators, 总分 —
what the shared 自评表 rules check) with the project's header fields and the three 其中 lines of 项目资金.
Conventions (amounts, stated values) as in :mod:`perfeval.model`.

指标性质 and 度量单位 (``Level3.comparator`` / ``Level3.unit``) are fields of every 三级 row although the printed
form shows them only inside 年度指标值 (``≥90%``): :func:`fill_indicator_fields` fills a blank one from the
text, which is what the reader does; scoring uses an explicit 指标性质 only where the text has none
(:meth:`perfeval.model.Level3.scoring_target`).
"""

from __future__ import annotations

from pydantic import Field

from perfeval.indicators import ValueKind, parse_value
from perfeval.model import Amount, IndicatorTable, Level3, Stated, _Model

SCHEMA_VERSION = "1"

#: The word the reader fills in as 指标性质 of a text target (``效果明显``).
QUALITATIVE = "定性"


class FundsPart(_Model):
    """One 其中 line of 项目资金（万元）: 当年财政拨款, 上年结转资金 or 其他资金 (no 分值 or 得分 of its own)."""

    initial_budget: Amount = Field(default=None, description="年初预算数")
    full_year_budget: Amount = Field(default=None, description="全年预算数")
    executed: Amount = Field(default=None, description="全年执行数")
    execution_rate_stated: Stated = Field(default=None, description="执行率 (stated)")


#: The 其中 lines in printed order: (field, printed label, caption).
FUNDS_PARTS: tuple[tuple[str, str, str], ...] = (
    ("funds_current", "其中：当年财政拨款", "当年财政拨款"),
    ("funds_carryover", "上年结转资金", "上年结转资金"),
    ("funds_other", "其他资金", "其他资金"),
)
#: The amount columns of 项目资金: (field, printed header).
FUNDS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("initial_budget", "年初预算数"),
    ("full_year_budget", "全年预算数"),
    ("executed", "全年执行数"),
)


class ProjectTable(IndicatorTable):
    """One 项目支出绩效自评表. ``funds`` (inherited) is the 年度资金总额 row."""

    name: str = Field(default="", description="项目名称")
    department: str = Field(default="", description="主管部门")
    implementer: str = Field(default="", description="实施单位")
    funds_current: FundsPart = Field(default_factory=FundsPart, description="其中：当年财政拨款（本年财政拨款）")
    funds_carryover: FundsPart = Field(default_factory=FundsPart, description="上年结转资金")
    funds_other: FundsPart = Field(default_factory=FundsPart, description="其他资金")

    def parts(self) -> list[tuple[str, FundsPart]]:
        """The 其中 lines with their field names, in printed order."""
        return [(key, getattr(self, key)) for key, _, _ in FUNDS_PARTS]


class ProjectBook(_Model):
    """A unit's 项目支出绩效自评表 of one 评价年度, one sheet per project."""

    schema_version: str = SCHEMA_VERSION
    year: int = Field(description="评价年度", ge=2000, le=2100)
    note: str = Field(default="", description="说明 (kept in the JSON only; not printed, not read from a workbook)")
    projects: list[ProjectTable] = Field(default_factory=lambda: [ProjectTable()], min_length=1)


def indicator_fields(target: str) -> tuple[str, str]:
    """(指标性质, 度量单位) as the text of a 年度指标值 shows them: ``≥90%`` → ("≥", "%"), ``效果明显`` → ("定性", ""),
    ``2023年12月31日前`` → ("≤", ""), ``2次`` → ("", "次"), blank or ``无`` → ("", "")."""
    parsed = parse_value(target)
    if parsed.is_absent:
        return "", ""
    if parsed.comparator is not None:
        comparator = parsed.comparator.value
    elif parsed.kind is ValueKind.QUALITATIVE:
        comparator = QUALITATIVE
    else:
        comparator = ""
    return comparator, parsed.unit if parsed.kind is ValueKind.QUANTITATIVE else ""


def fill_row_fields(row: Level3) -> None:
    """Fill a blank 指标性质 / 度量单位 of one row from its 年度指标值 (a field already set is kept)."""
    comparator, unit = indicator_fields(row.target)
    if not row.comparator.strip() and comparator:
        row.comparator = comparator
    if not row.unit.strip() and unit:
        row.unit = unit


def fill_indicator_fields(book: ProjectBook) -> ProjectBook:
    """Every 三级 row's blank 指标性质 / 度量单位 filled from its 年度指标值, in place; returns ``book``."""
    for table in book.projects:
        for *_, row in table.rows():
            fill_row_fields(row)
    return book


__all__ = ["FUNDS_COLUMNS", "FUNDS_PARTS", "QUALITATIVE", "SCHEMA_VERSION", "FundsPart", "ProjectBook",
           "ProjectTable", "fill_indicator_fields", "fill_row_fields", "indicator_fields"]
