"""绩效自评 worksheet functions (xlwings UDFs): thin wrappers over the engine, for spot checks in Excel.

This is the module named by the add-ins' ``UDF Modules = udfs`` setting (``addin/build.py``). Every
function is a one-line wrapper over an engine function plus argument conversion; the engine stays the
only place where a rule is written down.

=====================  =========================================  ======================================
Excel function         engine                                     returns
=====================  =========================================  ======================================
PE_EXEC_RATE           compute.execution_rate (F7 执行率)          fraction (1.0526 → 105.26% formatted)
PE_EXEC_SCORE          compute.execution_score (F7s 得分)          score, 0.01-rounded
PE_CONTROL_RATE        numbers.rate (F1 控制率)                    fraction
PE_CHANGE_RATE         compute.change_rate (F2/F8 变动率)          fraction (may be negative)
PE_INDICATOR_SCORE     scoring.score_indicator → suggested_score   score, or "—" (定性/不适用/无法计算)
PE_INDICATOR_TYPE      scoring.score_indicator → direction         正向 / 反向 / 等于 / 定性 / 不适用
PE_INDICATOR_NOTE      scoring.score_indicator → explanation       the Chinese arithmetic / reason text
PE_GRADE               scoring.grade                               优 / 良 / 中 / 差, or "—"
PE_CHECK_RATE          compare.agrees(VType.RATE)                  "" when it agrees, else "应为105.26%"
PE_CHECK_SUM           compare.agrees(VType.AMOUNT)                "" when it agrees, else "应为1234.50"
=====================  =========================================  ======================================

Conventions (all functions):

* Inputs arrive from Excel as float / str / bool / None (and lists for multi-cell ranges). Numbers go
  through :func:`perfeval.numbers.to_decimal`, so text numbers such as ``"781.06万元"``, ``"40人"``,
  ``"95%"`` or full-width digits are accepted; a blank cell is "missing".
* Numbers go back to Excel as ``float``; rates are fractions, so a percent number format shows them.
* ``"—"`` (:data:`NA`) means *not applicable*: a zero or missing denominator, a blank input, or an
  indicator the engine does not score (定性 — the unit judges in three bands —, 不适用, not computable).
  PE_INDICATOR_SCORE deliberately returns ``"—"`` and not a band for 定性 rows; PE_INDICATOR_NOTE says why.
* A function never raises. Bad input returns a text starting with ``"#输入无效："`` (:data:`INVALID`),
  e.g. ``#输入无效：预算数“abc”不是可识别的数字``; an unexpected engine failure returns
  ``"#计算出错：…"`` (:data:`FAILED`). Excel shows the text in the cell (it is text, not an Excel error
  value, so ``ISERROR`` is FALSE; test with ``LEFT(x,1)="#"``).
* The checks PE_CHECK_RATE / PE_CHECK_SUM follow :func:`perfeval.compare.agrees`: a blank stated cell
  agrees (nothing typed over), a "—" / "无" agrees only with not applicable, numbers compare at display
  precision (rates to 0.01 of a percent, amounts to 0.01 万元).
* Thresholds are the defaults of :data:`perfeval.config.DEFAULT_CONFIG` (a per-unit ``--config`` file of
  the command line is not read here).

These functions are a convenience only. The official template never uses them (its derived cells are
native Excel formulas), and ``perfeval export`` replaces every formula — a ``PE_`` call included — by its
value, so no ``PE_`` function survives in a final file (a recipient without the add-in would otherwise
see ``#NAME?``).

Names: ASCII with a ``PE_`` prefix (they become VBA function names on Windows, and Chinese identifiers
are unsafe in VBA across code pages); Python parameter names are ASCII too (they become VBA parameter
names), the Chinese wording lives in ``doc=``. Docstrings are one line ≤ 255 characters: Windows Excel's
``MacroOptions`` truncates descriptions there, and xlwings Server shows the docstring verbatim.

Where the decorators come from (``xlwings/__init__.py`` decides once, at import time):

* Windows with pywin32: classic UDFs (``xlwings.udfs``). ``ImportPythonUDFsToAddin`` (run once in the
  VBE, research §1.5) writes a VBA wrapper per function into the add-in; Excel then calls Python through
  the xlwings COM server.
* ``XLWINGS_ON_SERVER=true`` (+ a licence key): the Office.js custom functions of
  ``xlwings.pro.udfs_officejs``; ``xlwings.server.custom_functions_call(body, udfs)`` and
  ``custom_functions_meta(udfs)`` work on this module (tested in ``tests/test_udfs.py``).
* Anywhere else (Linux, macOS): no-op decorators, so the functions are plain Python and testable.

In every mode the decorated object *is* the function, so direct calls behave identically.

Type hints: every UDF parameter and result is annotated :data:`Cell` (= ``typing.Any``) on purpose.
xlwings turns a parameter's (and the result's) type hint into its converter and only knows plain
registered types; a union such as ``float | str`` has no converter and breaks the call in both the
classic and the server mode, and ``object`` would select xlwings' object-handle converter. ``Any``
selects the default value converter, which passes cell values through unchanged.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, Final

import xlwings as xw

from perfeval.compare import agrees, display
from perfeval.compute import change_rate, execution_rate, execution_score
from perfeval.config import DEFAULT_CONFIG
from perfeval.indicators import RawValue
from perfeval.layout import VType
from perfeval.numbers import NumberParseError, is_blank, is_na_marker, money, normalise_text, rate, to_decimal
from perfeval.scoring import IndicatorScore, grade, score_indicator

__all__ = [
    "CATEGORY",
    "FAILED",
    "INVALID",
    "NA",
    "PE_CHANGE_RATE",
    "PE_CHECK_RATE",
    "PE_CHECK_SUM",
    "PE_CONTROL_RATE",
    "PE_EXEC_RATE",
    "PE_EXEC_SCORE",
    "PE_GRADE",
    "PE_INDICATOR_NOTE",
    "PE_INDICATOR_SCORE",
    "PE_INDICATOR_TYPE",
    "Cell",
    "InvalidInput",
]

Cell = Any
"""A value crossing the Excel boundary: float / str / bool / None / nested lists in, float / str out.
``Any`` on purpose: xlwings uses the hint as converter (see the module docstring)."""

NA: Final = "—"
"""Not applicable (the engine's ``None``), as the official sheets show it."""
INVALID: Final = "#输入无效："
"""Prefix of the text returned for an input that cannot be read."""
FAILED: Final = "#计算出错："
"""Prefix of the text returned when the engine fails unexpectedly (a bug, please report it)."""
CATEGORY: Final = "绩效自评"
"""Function-wizard category (classic Windows UDFs)."""


class InvalidInput(ValueError):
    """An argument that cannot be read; ``str()`` is a Chinese message naming the argument."""


# --------------------------------------------------------------------------- argument conversion


def _scalar(value: Cell, label: str) -> Cell:
    """One cell's value; a multi-cell range or a logical value is an input error."""
    if isinstance(value, list | tuple):
        cells = list(_flatten(value))
        if len(cells) != 1:
            raise InvalidInput(f"{label}只能引用一个单元格")
        value = cells[0]
    if isinstance(value, bool):
        raise InvalidInput(f"{label}不能是逻辑值{'TRUE' if value else 'FALSE'}")
    return value


def _flatten(value: Cell) -> Iterator[Cell]:
    if isinstance(value, list | tuple):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _num(value: Cell, label: str) -> Decimal | None:
    """A number (text numbers and units allowed); ``None`` for a blank cell or a "—"/"无" marker."""
    value = _scalar(value, label)
    if is_na_marker(value):
        return None
    try:
        return to_decimal(value)
    except NumberParseError as exc:
        raise InvalidInput(f"{label}{exc}") from exc


def _weight(value: Cell, label: str = "分值", *, default: Decimal | None = None) -> Decimal | None:
    """A non-negative 分值 (``default`` when blank); an integral one without a decimal tail (20.0 → 20,
    for the explanation text)."""
    weight = _num(value, label)
    if weight is None:
        return default
    if weight < 0:
        raise InvalidInput(f"{label}不能为负数")
    return weight.quantize(Decimal(1)) if weight == weight.to_integral_value() else weight.normalize()


def _raw(value: Cell, label: str) -> RawValue:
    """A 年度指标值 / 实际完成值 cell as :func:`perfeval.indicators.parse_value` reads it."""
    value = _scalar(value, label)
    if value is None or isinstance(value, str | int | float | Decimal | datetime.date):
        return value
    raise InvalidInput(f"{label}“{value}”无法识别")


def _text(value: Cell, label: str) -> str | None:
    value = _scalar(value, label)
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _stated(value: Cell, label: str, *, percent: bool) -> Decimal | str | None:
    """A stated (typed) figure as :func:`perfeval.compare.agrees` takes it: a number, a "—"/"无" marker
    kept as text, None for blank; unreadable text is kept as text (it then disagrees, it is the finding)."""
    value = _scalar(value, label)
    if is_blank(value):
        return None
    if is_na_marker(value):
        return str(value)
    try:
        return to_decimal(value, percent=percent)
    except NumberParseError:
        return normalise_text(str(value))


# --------------------------------------------------------------------------- results


def _out(value: Decimal | None) -> float | str:
    if value is None:
        return NA
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInput("结果超出 Excel 能表示的数值范围")
    return number


def _check(stated: Decimal | str | None, computed: Decimal | None, vtype: VType) -> str:
    if agrees(stated, computed, vtype, DEFAULT_CONFIG):
        return ""
    if computed is None:
        return f"应为{NA}（不适用）"
    return f"应为{display(computed, vtype, DEFAULT_CONFIG)}"


def _guarded(compute: Callable[[], float | str]) -> float | str:
    """Run ``compute``; an error becomes a Chinese text for the cell (a UDF never raises into Excel)."""
    try:
        return compute()
    except (ValueError, TypeError, ArithmeticError) as exc:  # NumberParseError, InvalidInput are ValueErrors
        return f"{INVALID}{exc}"
    except Exception as exc:  # pragma: no cover - an engine bug; still never raise into Excel
        return f"{FAILED}{type(exc).__name__}: {exc}"


def _indicator(target: Cell, actual: Cell, weight: Cell, indicator_name: Cell) -> IndicatorScore:
    return score_indicator(
        _text(indicator_name, "三级指标"),
        _raw(target, "年度指标值"),
        _raw(actual, "实际完成值"),
        _weight(weight),
        DEFAULT_CONFIG,
    )


# --------------------------------------------------------------------------- rates


@xw.func(category=CATEGORY)
@xw.arg("executed", doc="全年执行数（万元）。可引用单元格，也可以是“781.06万元”这样的文字数字")
@xw.arg("budget", doc="全年预算数（万元）。为0或未填时返回“—”")
def PE_EXEC_RATE(executed: Cell, budget: Cell) -> Cell:
    """执行率 = 全年执行数 ÷ 全年预算数，返回小数（设为百分比格式显示）；预算数为0或未填时返回“—”。"""
    return _guarded(lambda: _out(execution_rate(_num(executed, "执行数"), _num(budget, "预算数"))))


@xw.func(category=CATEGORY)
@xw.arg("executed", doc="全年执行数（万元）")
@xw.arg("budget", doc="全年预算数（万元）。为0或未填时返回“—”")
@xw.arg("weight", doc="分值（可省略，默认10分）")
def PE_EXEC_SCORE(executed: Cell, budget: Cell, weight: Cell = None) -> Cell:
    """预算执行率得分 = 分值 × min(执行率, 100%)，保留两位小数；分值省略时按10分计；预算数为0或未填时返回“—”。"""
    return _guarded(lambda: _out(execution_score(
        _num(executed, "执行数"), _num(budget, "预算数"), _weight(weight, default=DEFAULT_CONFIG.funds_weight))))


@xw.func(category=CATEGORY)
@xw.arg("actual_staff", doc="实有人数")
@xw.arg("authorized_staff", doc="编制人数。为0或未填时返回“—”")
def PE_CONTROL_RATE(actual_staff: Cell, authorized_staff: Cell) -> Cell:
    """人员控制率 = 实有人数 ÷ 编制人数。返回小数（请设为百分比格式）；编制人数为0或未填时返回“—”。"""
    return _guarded(lambda: _out(rate(_num(actual_staff, "实有人数"), _num(authorized_staff, "编制人数"))))


@xw.func(category=CATEGORY)
@xw.arg("current", doc="本期数（如本年决算数）")
@xw.arg("previous", doc="基期数（如上年决算数）。为0或未填时返回“—”")
def PE_CHANGE_RATE(current: Cell, previous: Cell) -> Cell:
    """变动率 = (本期数 − 基期数) ÷ 基期数。返回小数（请设为百分比格式，可为负数）；基期数为0或未填时返回“—”。"""
    return _guarded(lambda: _out(change_rate(_num(current, "本期数"), _num(previous, "基期数"))))


# --------------------------------------------------------------------------- indicators


@xw.func(category=CATEGORY)
@xw.arg("target", doc="年度指标值，如“≥90%”“2次”“≤50万元”")
@xw.arg("actual", doc="实际完成值，如“95%”“4次”")
@xw.arg("weight", doc="分值")
@xw.arg("indicator_name", doc="三级指标名称（可省略；名称含“成本”“投诉”等词时按反向指标计分）")
def PE_INDICATOR_SCORE(target: Cell, actual: Cell, weight: Cell, indicator_name: Cell = None) -> Cell:
    """三级指标建议得分（正向、反向、等于指标按评分规则计算）；定性、不适用或无法计算时返回“—”。"""
    return _guarded(lambda: _out(_indicator(target, actual, weight, indicator_name).suggested_score))


@xw.func(category=CATEGORY)
@xw.arg("target", doc="年度指标值")
@xw.arg("actual", doc="实际完成值")
@xw.arg("weight", doc="分值（指标值为空或“无”且未赋分值时为不适用）")
@xw.arg("indicator_name", doc="三级指标名称（可省略）")
def PE_INDICATOR_TYPE(target: Cell, actual: Cell, weight: Cell, indicator_name: Cell = None) -> Cell:
    """三级指标的计分类型：正向、反向、等于、定性或不适用（由年度指标值的写法和指标名称判断）。"""
    return _guarded(lambda: str(_indicator(target, actual, weight, indicator_name).direction))


@xw.func(category=CATEGORY)
@xw.arg("target", doc="年度指标值")
@xw.arg("actual", doc="实际完成值")
@xw.arg("weight", doc="分值")
@xw.arg("indicator_name", doc="三级指标名称（可省略）")
def PE_INDICATOR_NOTE(target: Cell, actual: Cell, weight: Cell, indicator_name: Cell = None) -> Cell:
    """三级指标计分说明：列出计算过程，或说明为什么不能按公式计分（如定性指标由单位按三档评分）。"""
    return _guarded(lambda: _indicator(target, actual, weight, indicator_name).explanation)


@xw.func(category=CATEGORY)
@xw.arg("total", doc="总分（0–100）")
def PE_GRADE(total: Cell) -> Cell:
    """评价等级：优（90分及以上）、良（80–89）、中（60–79）、差（60分以下）；总分未填时返回“—”。"""
    return _guarded(lambda: grade(_num(total, "总分"), DEFAULT_CONFIG) or NA)


# --------------------------------------------------------------------------- checks


@xw.func(category=CATEGORY)
@xw.arg("stated", doc="要检查的比率单元格（填报值）")
@xw.arg("numerator", doc="分子，如全年执行数、实有人数")
@xw.arg("denominator", doc="分母，如全年预算数、编制人数")
def PE_CHECK_RATE(stated: Cell, numerator: Cell, denominator: Cell) -> Cell:
    """检查填报的比率是否等于 分子÷分母（按两位小数的百分比比较）：一致返回空文本，否则返回如“应为105.26%”。"""
    return _guarded(lambda: _check(
        _stated(stated, "填报值", percent=True),
        rate(_num(numerator, "分子"), _num(denominator, "分母")), VType.RATE))


@xw.func(category=CATEGORY)
@xw.arg("stated", doc="要检查的合计单元格（填报值）")
@xw.arg("values", doc="被合计的单元格或区域，可以有多个；空白和“—”按0计")
def PE_CHECK_SUM(stated: Cell, *values: Cell) -> Cell:
    """检查填报的合计数是否等于各项之和（按0.01万元比较）：一致返回空文本，否则返回如“应为1234.50”。"""
    return _guarded(lambda: _check(
        _stated(stated, "填报值", percent=False),
        money(sum((_num(v, "被合计的单元格") or Decimal(0) for v in _flatten(values)), Decimal(0))),
        VType.AMOUNT))
