"""Numbers as accountants type them: Decimal parsing, rounding and display.

Amounts are 万元 with 2 decimals (ROUND_HALF_UP); rates are fractions (``Decimal("1.0526")`` = 105.26%).
Cells may hold ints, floats (Excel stores every number as a double), Decimals or text such as
``"568.61"``, ``"568.61万元"``, ``"５６８．６１"``, ``"95%"``, ``"1,234.50"``; :func:`to_decimal` reads them all
and raises :class:`NumberParseError` (with a Chinese message) for anything else.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, getcontext, localcontext

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
#: Excel keeps (and shows) 15 significant digits of a number.
EXCEL_DIGITS = 15
#: No figure of the two tables (万元, 人, ㎡, 分) reaches this magnitude; one that does is a typo.
MAX_MAGNITUDE = Decimal("1e12")

#: Texts that mean "not applicable" in a rate cell (rules.md §1: zero denominator ⇒ "—").
NA_MARKERS = frozenset({"—", "-", "--", "－", "―", "─", "/", "／", "无", "不适用", "N/A", "n/a", "NA"})

_UNIT_SUFFIXES = ("万元", "元", "人", "㎡", "m2", "平方米", "分", "次", "个", "户")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class NumberParseError(ValueError):
    """A cell value that should be a number but is not; ``str()`` is a Chinese message."""


def normalise_text(text: str) -> str:
    """NFKC (full-width digits/letters → ASCII), strip whitespace incl. ideographic space."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and normalise_text(value) == "")


def is_na_marker(value: object) -> bool:
    return isinstance(value, str) and normalise_text(value) in NA_MARKERS


def to_decimal(value: object, *, percent: bool = False) -> Decimal | None:
    """Read a cell value as a Decimal; ``None`` for blank.

    With ``percent=True`` the result is a fraction: ``"95%"`` → 0.95 and a bare number is taken as already
    a fraction (Excel stores 95% as 0.95). Without it, ``"95%"`` is also read as 0.95 (a percent sign is
    never ignored). Floats are read at Excel's 15 significant digits, so 0.1 stays 0.1 and a formula's
    0.30000000000000004 is 0.3, as Excel shows it.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NumberParseError(f"“{value}”不是数字")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberParseError("单元格中的数值无效")
        return _float_decimal(value) if type(value) is float else _excel_decimal(value)
    if not isinstance(value, str):
        raise NumberParseError(f"“{value}”不是数字")
    text = normalise_text(value).replace(",", "").replace(" ", "")
    if text == "":
        return None
    is_pct = text.endswith("%")
    if is_pct:
        text = text[:-1]
    for suffix in _UNIT_SUFFIXES:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    if not _NUMBER_RE.match(text):
        raise NumberParseError(f"“{value}”不是可识别的数字")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise NumberParseError(f"“{value}”不是可识别的数字") from exc
    if is_pct:
        return number / HUNDRED
    return number


def _excel_decimal(value: float) -> Decimal:
    """A finite float at Excel's 15 significant digits."""
    return Decimal(format(value, f".{EXCEL_DIGITS}g")) if value else Decimal(0)


#: The same, once per distinct number (the workbooks a receiver reads repeat many; a Decimal is immutable).
_float_decimal = functools.lru_cache(maxsize=16384)(_excel_decimal)


def money(value: Decimal | int | None) -> Decimal | None:
    """Round an amount to 0.01 万元, half up."""
    if value is None:
        return None
    return round_to(Decimal(value), 2)


def money_sum(values: Iterable[Decimal | int | None]) -> Decimal:
    """A total as printed (rules.md §4): each amount rounded half up to 0.01 first, blank counting as 0."""
    total = Decimal("0.00")
    for value in values:
        if value is not None:
            total += round_to(Decimal(value), 2)
    return round_to(total, 2)


def decimals(value: Decimal) -> int:
    """Number of decimal places a number is written with beyond trailing zeros (12.340 → 2)."""
    if not value.is_finite():
        return 0
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


_EXPONENTS = {places: Decimal(1).scaleb(-places) for places in range(0, 13)}


def round_to(value: Decimal, places: int) -> Decimal:
    """Half-up rounding to ``places`` decimals, whatever the magnitude (never ``InvalidOperation``)."""
    exp = _EXPONENTS[places] if places in _EXPONENTS else Decimal(1).scaleb(-places)
    if not value.is_finite():
        return value
    if value.adjusted() + places + 3 <= getcontext().prec:  # the usual case: the context's precision suffices
        return value.quantize(exp, rounding=ROUND_HALF_UP)
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, value.adjusted() + places + 3)
        return value.quantize(exp, rounding=ROUND_HALF_UP)


def rate(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Decimal | None:
    """numerator / denominator as an unrounded fraction; ``None`` (not applicable) when either is
    missing or the denominator is 0 — never 0 or 100% for 0/0."""
    if numerator is None or denominator is None:
        return None
    d = Decimal(denominator)
    if d == 0:
        return None
    return Decimal(numerator) / d


def rate_display(value: Decimal | None, decimals: int = 2) -> Decimal | None:
    """A rate rounded to the display precision of a percentage (2 → 1.0526 for 105.26%)."""
    if value is None:
        return None
    return round_to(value, decimals + 2)


def fmt_amount(value: Decimal | None) -> str:
    return "—" if value is None else f"{money(value):.2f}"


def fmt_rate(value: Decimal | None, decimals: int = 2) -> str:
    if value is None:
        return "—"
    pct = round_to(value * HUNDRED, decimals)
    return f"{pct:.{decimals}f}%"


def fmt_number(value: Decimal | int | None) -> str:
    """Plain display of a count or score: no trailing zeros beyond what is needed."""
    if value is None:
        return "—"
    d = Decimal(value)
    if not d.is_finite():
        return str(d)
    if d == d.to_integral_value():
        return f"{round_to(d, 0):f}"
    return f"{round_to(d, 2).normalize():f}"
