"""Stated vs computed: comparison at display precision (rules.md §4 tolerance) and display text."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from perfeval.compute import Computed, Value
from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.layout import Cell, Layout, Role, VType
from perfeval.numbers import fmt_amount, fmt_number, fmt_rate, is_na_marker, money, rate_display, round_to
from perfeval.paths import get_path


def display(value: Value, vtype: VType, config: Config = DEFAULT_CONFIG) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if vtype == VType.RATE:
        return fmt_rate(value, config.rate_display_decimals)
    if vtype == VType.AMOUNT:
        return fmt_amount(value)
    return fmt_number(value)


def agrees(stated: Value, computed: Value, vtype: VType, config: Config = DEFAULT_CONFIG) -> bool:
    """Whether a stated value shows the computed one.

    A computed ``None`` (not applicable) is matched only by blank or an N/A marker ("—", "无"); a number
    never matches N/A (0/0 shown as 0 or 100% is a finding, BD-011). Numbers compare at display precision.
    """
    if stated is None:
        return True  # nothing typed over: the formula shows the computed value
    if computed is None:
        return isinstance(stated, str) and is_na_marker(stated)
    if isinstance(stated, str) or isinstance(computed, str):
        return str(stated).strip() == str(computed).strip()
    if vtype == VType.RATE:
        d = config.rate_display_decimals
        return rate_display(stated, d) == rate_display(computed, d)
    if vtype == VType.AMOUNT:
        return abs((money(stated) or Decimal(0)) - (money(computed) or Decimal(0))) < config.amount_tolerance
    return abs(round_to(stated, 2) - round_to(computed, 2)) < config.score_tolerance


@dataclass(frozen=True)
class Pair:
    cell: Cell
    stated: Value
    computed: Value
    agrees: bool


def stated_vs_computed(report: Any, layout: Layout, computed: Computed,
                       config: Config = DEFAULT_CONFIG) -> list[Pair]:
    """Every derived cell of the official sheets with what was stated and what the engine computes."""
    pairs = []
    for cell in layout.cells():
        if cell.role != Role.DERIVED or cell.path is None or cell.calc_key is None:
            continue
        stated = get_path(report, cell.path)
        value = computed.get(cell.calc_key)
        pairs.append(Pair(cell, stated, value, agrees(stated, value, cell.vtype, config)))
    return pairs
