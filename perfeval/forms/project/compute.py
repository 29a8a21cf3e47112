"""Project pack: derived quantities of each 项目支出绩效自评表 (rules.md §1 F7/F7s, §2) and the 计算结果 items.

Per project ``i`` (keys as :mod:`perfeval.compute` describes): what every 自评表 has, by
:func:`~perfeval.compute.compute_table` (``projects[i].…`` and ``calc.projects[i].indicators…``); the 执行率 of
each 其中 line; and for 计算结果 the project name, 总分, 等级, the re-normalised 总分 and, per amount column, the
sum of the 其中 lines (which should equal the 年度资金总额, XM-001), and the 总分 under the profile's caps by
execution rate where it has them; once, ``calc.profile`` (the scoring profile).
"""

from __future__ import annotations

from decimal import Decimal

from perfeval.compute import Computed, compute_table, execution_rate
from perfeval.config import DEFAULT_CONFIG, Config, profile_label
from perfeval.forms.project.model import FUNDS_COLUMNS, ProjectBook, ProjectTable
from perfeval.numbers import money_sum
from perfeval.scoring import grade


def parts_sum(table: ProjectTable, column: str) -> Decimal:
    """Σ of the 其中 lines in one amount column, each as printed (rules.md §4), blank as 0 (like N())."""
    return money_sum(getattr(part, column) for _, part in table.parts())


def compute(book: ProjectBook, config: Config = DEFAULT_CONFIG) -> Computed:
    out: Computed = {"calc.profile": profile_label(config)}
    for i, table in enumerate(book.projects):
        prefix, calc = f"projects[{i}]", f"calc.projects[{i}]"
        totals = compute_table(out, prefix, table, config, calc_prefix=calc)
        for key, part in table.parts():
            out[f"{prefix}.{key}.execution_rate_stated"] = execution_rate(part.executed, part.full_year_budget)
        out[f"{calc}.name"] = table.name
        out[f"{calc}.total_score"] = totals.total_score
        out[f"{calc}.grade"] = grade(totals.total_score, config)
        out[f"{calc}.renormalised_total"] = totals.renormalised
        # None unless the profile caps the 总分 by execution rate (wave2 §2)
        out[f"{calc}.capped_total"] = totals.capped
        out[f"{calc}.capped_grade"] = None if totals.capped is None else grade(totals.capped, config)
        for column, _ in FUNDS_COLUMNS:
            out[f"{calc}.parts.{column}"] = parts_sum(table, column)
    return out


def summary_lines(book: ProjectBook, computed: Computed, config: Config = DEFAULT_CONFIG) -> list[tuple[str, str]]:
    """What ``perfeval demo`` prints: each project's 总分 and 等级, as displayed."""
    from perfeval.compare import display
    from perfeval.layout import VType

    lines = []
    for i, table in enumerate(book.projects):
        name = table.name.strip() or f"项目{i + 1}"
        calc = f"calc.projects[{i}]"
        lines.append((f"{name}：总分", display(computed.get(f"{calc}.total_score"), VType.SCORE, config)))
        lines.append((f"{name}：等级", display(computed.get(f"{calc}.grade"), VType.TEXT, config)))
        if config.total_caps:  # the profile caps the 总分 by execution rate
            lines.append((f"{name}：按执行率封顶后的总分",
                          display(computed.get(f"{calc}.capped_total"), VType.SCORE, config)))
            lines.append((f"{name}：封顶后的等级", display(computed.get(f"{calc}.capped_grade"), VType.TEXT, config)))
    lines.append(("评分口径", display(computed.get("calc.profile"), VType.TEXT, config)))
    return lines
