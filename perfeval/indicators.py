"""Parse 年度指标值 / 实际完成值 texts into a structured value, keeping the raw text.

An indicator row of the 自评表 carries free text such as ``≥90%``, ``2次``, ``2023年12月31日前``,
``≤财政预算指标控制数`` or ``效果明显`` (rules.md §2.2, §2.3, ZP-021/022). :func:`parse_value` turns one such
cell into a :class:`ParsedValue`; :func:`format_value` gives a canonical display string back.

Guarantees:

* ``raw`` is kept verbatim; nothing is lost.
* The number is a :class:`~decimal.Decimal` *as written*: ``"95%"`` → ``Decimal("95")`` with unit ``"%"``;
  a bare number (e.g. a float ``0.95`` read from an Excel percent cell) is kept as-is with unit ``""``.
* Full-width digits/letters/symbols (``９５％``, ``＞``, ``，``) and the ideographic space are read as their
  ASCII counterparts; whitespace inside a number/unit is ignored; thousand separators (``1,000次``) are
  removed.
* Parsing is *stable*: ``parse_value(format_value(parse_value(x)))`` equals ``parse_value(x)`` except ``raw``.

Comparators are recognised as symbols (``≥ >= ＞ ≤ <= < = ==``), as words (``不低于``, ``不少于``, ``不高于``,
``不超过``, ``大于等于`` …), and as suffixes of a number (``95%以上`` → ≥, ``3天以内`` → ≤; in Chinese
usage 以上/以下 include the number itself). Words that only make sense before a number (``大于``, ``低于``,
``达到`` …) are comparators only when a number or date follows; otherwise the text stays as written.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import math
import re
from decimal import Decimal
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict

__all__ = [
    "NONE_MARKERS",
    "Comparator",
    "ParsedValue",
    "RawValue",
    "ValueKind",
    "explicit_comparator",
    "format_decimal",
    "format_value",
    "normalise_text",
    "parse_value",
]


class Comparator(StrEnum):
    """指标性质: the relation the 年度指标值 asks of the 实际完成值."""

    GE = "≥"
    GT = ">"
    LE = "≤"
    LT = "<"
    EQ = "="


class ValueKind(StrEnum):
    """What a cell holds."""

    QUANTITATIVE = "quantitative"  # a number, optionally with comparator and unit
    QUALITATIVE = "qualitative"  # text (possibly with a comparator but no number), including "无"
    DEADLINE = "deadline"  # a calendar date, e.g. 2023年12月31日前
    EMPTY = "empty"  # blank cell / None


#: Texts meaning "nothing here / not applicable" (compared after :func:`normalise_text`, case-insensitive).
NONE_MARKERS: Final[frozenset[str]] = frozenset({"无", "—", "——", "–", "-", "--", "/", "\\", "不适用", "n/a"})

RawValue = str | int | float | Decimal | datetime.date | None
"""What a spreadsheet cell can hand to :func:`parse_value`."""


class ParsedValue(BaseModel):
    """One parsed 年度指标值 or 实际完成值. Immutable."""

    model_config = ConfigDict(frozen=True)

    raw: str
    """The cell content verbatim (``str()`` of a non-text cell, ``""`` for None)."""
    kind: ValueKind
    comparator: Comparator | None = None
    number: Decimal | None = None
    """The number as written: ``"95%"`` → ``Decimal("95")``."""
    unit: str = ""
    """``"%"``, ``"次"``, ``"万元"``, ``"个"``, ``"公里"``, ``"天"`` …; ``""`` when none was written."""
    deadline: datetime.date | None = None
    """For kind DEADLINE: the date (``2023年12月底`` → 2023-12-31)."""
    text: str = ""
    """The non-numeric remainder: ``"财政预算指标控制数"`` for ``≤财政预算指标控制数``, ``"效果明显"``,
    or the words after a date (``"完成"`` in ``2023年12月31日前完成``)."""

    @property
    def is_none_marker(self) -> bool:
        """True for the "nothing here" texts: ``无``, ``—``, ``-``, ``/`` (see :data:`NONE_MARKERS`)."""
        return (
            self.kind is ValueKind.QUALITATIVE
            and self.comparator is None
            and normalise_text(self.text).lower() in NONE_MARKERS
        )

    @property
    def is_absent(self) -> bool:
        """True when the cell is blank or holds a none-marker (the 不适用 test of rules.md §2.4 / ZP-017)."""
        return self.kind is ValueKind.EMPTY or self.is_none_marker


# --------------------------------------------------------------------------- normalisation

# One character in, one character out, so that indices in the normalised string are valid in the raw one.
_TRANSLATION: Final[dict[int, int]] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TRANSLATION.update(
    {
        0x3000: ord(" "),  # ideographic space
        ord("≧"): ord("≥"),
        ord("⩾"): ord("≥"),
        ord("≦"): ord("≤"),
        ord("⩽"): ord("≤"),
        ord("﹥"): ord(">"),
        ord("﹤"): ord("<"),
        ord("﹦"): ord("="),
        ord("﹪"): ord("%"),
    }
)

_WHITESPACE_RE: Final = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Full-width ASCII (``９５％``, ``＞``, ``，``) → half-width, ``≧``/``≦`` → ``≥``/``≤``; strip.

    The mapping is character-for-character, so positions are preserved before stripping.
    """
    return text.translate(_TRANSLATION).strip()


# --------------------------------------------------------------------------- comparators

_SYMBOL_COMPARATORS: Final[dict[str, Comparator]] = {
    ">=": Comparator.GE,
    "=>": Comparator.GE,
    "≥": Comparator.GE,
    "<=": Comparator.LE,
    "=<": Comparator.LE,
    "≤": Comparator.LE,
    "==": Comparator.EQ,
    ">": Comparator.GT,
    "<": Comparator.LT,
    "=": Comparator.EQ,
}
_WORD_COMPARATORS: Final[dict[str, Comparator]] = {
    "大于或等于": Comparator.GE,
    "大于等于": Comparator.GE,
    "不低于": Comparator.GE,
    "不少于": Comparator.GE,
    "不小于": Comparator.GE,
    "小于或等于": Comparator.LE,
    "小于等于": Comparator.LE,
    "不高于": Comparator.LE,
    "不超过": Comparator.LE,
    "不多于": Comparator.LE,
    "不大于": Comparator.LE,
}
#: Words that are comparators only when a number or a date follows ("高于全省平均水平" stays text).
_NUMBER_ONLY_WORDS: Final[dict[str, Comparator]] = {
    "大于": Comparator.GT,
    "高于": Comparator.GT,
    "超过": Comparator.GT,
    "多于": Comparator.GT,
    "小于": Comparator.LT,
    "低于": Comparator.LT,
    "少于": Comparator.LT,
    "等于": Comparator.EQ,
    "达到": Comparator.GE,
}
_PREFIXES: Final[tuple[tuple[str, Comparator, bool], ...]] = tuple(
    sorted(
        [(k, v, False) for k, v in (_SYMBOL_COMPARATORS | _WORD_COMPARATORS).items()]
        + [(k, v, True) for k, v in _NUMBER_ONLY_WORDS.items()],
        key=lambda item: -len(item[0]),
    )
)
#: Suffixes after a number; 以上/以下 include the number itself in Chinese usage.
_SUFFIXES: Final[tuple[tuple[str, Comparator], ...]] = (
    ("及以上", Comparator.GE),
    ("以上", Comparator.GE),
    ("及以下", Comparator.LE),
    ("以下", Comparator.LE),
    ("以内", Comparator.LE),
)


def _match_prefix(norm: str) -> tuple[Comparator | None, int, bool]:
    """(comparator, its length, needs-a-number) for the start of a stripped normalised string."""
    for word, comparator, number_only in _PREFIXES:
        if norm.startswith(word):
            return comparator, len(word), number_only
    return None, 0, False


# --------------------------------------------------------------------------- numbers

_NUMBER = r"[-+]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"
_UNIT = r"%|‰|[A-Za-z\u4e00-\u9fff²³㎡℃°/·μ]{1,6}"
_QUANTITY_RE: Final = re.compile(rf"(?P<num>{_NUMBER})(?P<unit>{_UNIT})?")


def _match_quantity(compact: str) -> tuple[Decimal, str, Comparator | None] | None:
    """Number, unit and suffix comparator of a whitespace-free string, or None if it is not a quantity."""
    suffixed = next(
        ((compact[: -len(suffix)], comparator)
         for suffix, comparator in _SUFFIXES
         if compact.endswith(suffix) and len(compact) > len(suffix)),
        None,
    )
    candidates: list[tuple[str, Comparator | None]] = [] if suffixed is None else [suffixed]
    candidates.append((compact, None))
    for body, suffix_comparator in candidates:
        match = _QUANTITY_RE.fullmatch(body)
        if match is None:
            continue
        unit = match.group("unit") or ""
        if unit.endswith(tuple(suffix for suffix, _ in _SUFFIXES)):
            continue  # "5个以上以上": never let a unit swallow a comparator suffix
        number = Decimal(match.group("num").replace(",", ""))
        return number, unit, suffix_comparator
    return None


# --------------------------------------------------------------------------- dates

_BEFORE = r"(?P<before>之前|以前|前)?"
_REST = r"(?P<rest>[^0-9]*)"
_DATE_RES: Final = (
    # 2023年12月31日 / 2023-12-31 / 2023/12/31 / 2023.12.31
    re.compile(
        r"(?:于|在)?(?P<y>[0-9]{4})(?:年(?P<m1>[0-9]{1,2})月(?P<d1>[0-9]{1,2})[日号]?"
        r"|(?P<sep>[-/.])(?P<m2>[0-9]{1,2})(?P=sep)(?P<d2>[0-9]{1,2}))" + _BEFORE + _REST
    ),
    # 2023年12月 / 2023年12月底 → last day of the month
    re.compile(r"(?:于|在)?(?P<y>[0-9]{4})年(?P<m1>[0-9]{1,2})月(?:底|末|份)?" + _BEFORE + _REST),
    # 2023年底 / 2023年末 / 2023年内 / 2023年度内 → 31 December
    re.compile(r"(?:于|在)?(?P<y>[0-9]{4})年(?:底|末|内|度内)" + _BEFORE + _REST),
)


def _match_deadline(compact: str) -> tuple[datetime.date, bool, str] | None:
    """(date, "前" written, trailing words) for a whitespace-free date text, or None."""
    for pattern in _DATE_RES:
        match = pattern.fullmatch(compact)
        if match is None:
            continue
        groups = match.groupdict()
        year = int(groups["y"])
        month_text = groups.get("m1") or groups.get("m2")
        day_text = groups.get("d1") or groups.get("d2")
        month = int(month_text) if month_text else 12
        try:
            if not 1 <= month <= 12:
                return None
            day = int(day_text) if day_text else calendar.monthrange(year, month)[1]
            date = datetime.date(year, month, day)
        except ValueError:
            return None
        return date, bool(groups["before"]), groups["rest"]
    return None


# --------------------------------------------------------------------------- parse / format


def _from_number(raw: int | float | Decimal) -> ParsedValue:
    text = str(raw)
    if isinstance(raw, float):
        if math.isnan(raw):
            return ParsedValue(raw=text, kind=ValueKind.EMPTY)  # pandas-style blank cell
        if math.isinf(raw):
            return ParsedValue(raw=text, kind=ValueKind.QUALITATIVE, text=text)
        number = Decimal(repr(raw))  # shortest repr: 0.95 → Decimal("0.95"), not the binary expansion
    elif isinstance(raw, Decimal):
        if raw.is_nan():
            return ParsedValue(raw=text, kind=ValueKind.EMPTY)
        if raw.is_infinite():
            return ParsedValue(raw=text, kind=ValueKind.QUALITATIVE, text=text)
        number = raw
    else:
        number = Decimal(raw)
    return ParsedValue(raw=text, kind=ValueKind.QUANTITATIVE, number=number)


@functools.lru_cache(maxsize=4096)  # a pure function of the text (ParsedValue is frozen); texts recur
def _parse_text(raw: str) -> ParsedValue:
    full = raw.translate(_TRANSLATION)
    norm = full.strip()
    if not norm:
        return ParsedValue(raw=raw, kind=ValueKind.EMPTY)
    start = len(full) - len(full.lstrip())
    comparator, length, number_only = _match_prefix(norm)
    rest_raw = raw[start + length :].strip()
    compact = _WHITESPACE_RE.sub("", norm[length:])

    deadline = _match_deadline(compact)
    if deadline is not None:
        date, before, rest = deadline
        if comparator is None and before:
            comparator = Comparator.LE
        return ParsedValue(raw=raw, kind=ValueKind.DEADLINE, comparator=comparator, deadline=date, text=rest)

    quantity = _match_quantity(compact)
    if quantity is not None:
        number, unit, suffix_comparator = quantity
        return ParsedValue(
            raw=raw,
            kind=ValueKind.QUANTITATIVE,
            comparator=comparator or suffix_comparator,
            number=number,
            unit=unit,
        )

    if number_only:  # "高于全省平均水平": keep the words as written
        comparator, rest_raw = None, raw.strip()
    return ParsedValue(raw=raw, kind=ValueKind.QUALITATIVE, comparator=comparator, text=rest_raw)


def parse_value(raw: RawValue) -> ParsedValue:
    """Parse one 年度指标值 / 实际完成值 cell.

    >>> parse_value("≥９０％").number, parse_value("≥９０％").unit
    (Decimal('90'), '%')
    >>> parse_value("2023年12月底前").deadline
    datetime.date(2023, 12, 31)

    ``None``/blank → EMPTY; ``int``/``float``/``Decimal`` → QUANTITATIVE with unit ``""`` (NaN → EMPTY);
    ``datetime.date``/``datetime.datetime`` (an Excel date cell) → DEADLINE without comparator.
    ``bool`` is rejected (TypeError): a checkbox is not an indicator value.
    """
    if raw is None:
        return ParsedValue(raw="", kind=ValueKind.EMPTY)
    if isinstance(raw, bool):
        raise TypeError("parse_value() does not accept bool")
    if isinstance(raw, datetime.datetime):
        return ParsedValue(raw=raw.isoformat(), kind=ValueKind.DEADLINE, deadline=raw.date())
    if isinstance(raw, datetime.date):
        return ParsedValue(raw=raw.isoformat(), kind=ValueKind.DEADLINE, deadline=raw)
    if isinstance(raw, int | float | Decimal):
        return _from_number(raw)
    if isinstance(raw, str):
        return _parse_text(raw)
    raise TypeError(f"parse_value() cannot read {type(raw).__name__}")


def explicit_comparator(text: str) -> Comparator | None:
    """An explicit 指标性质 (``≥``, ``>=``, ``不低于``, ``＜`` …) as a :class:`Comparator`; None for blank, ``定性`` or
    anything else."""
    norm = normalise_text(text or "")
    comparator, length, _ = _match_prefix(norm)
    return comparator if comparator is not None and length == len(norm) else None


def format_decimal(number: Decimal) -> str:
    """Plain notation, digits as written: ``Decimal("1E+3")`` → ``1000``, ``Decimal("95.0")`` → ``95.0``."""
    return format(number, "f")


def _format_date(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def format_value(pv: ParsedValue) -> str:
    """Canonical display string: ``≥90%``, ``2次``, ``2023年12月31日前``, ``≤财政预算指标控制数``, ``无``.

    Comparators print as their symbol (``不低于90%`` → ``≥90%``, ``95%以上`` → ``≥95%``); thousand separators
    are dropped; a ≤-deadline prints as ``…日前``. Parsing the result gives back ``pv`` (``raw`` aside).
    """
    symbol = pv.comparator.value if pv.comparator is not None else ""
    match pv.kind:
        case ValueKind.EMPTY:
            return ""
        case ValueKind.QUANTITATIVE:
            number = format_decimal(pv.number) if pv.number is not None else ""
            return f"{symbol}{number}{pv.unit}"
        case ValueKind.DEADLINE:
            date = _format_date(pv.deadline) if pv.deadline is not None else ""
            if pv.comparator is Comparator.LE:
                return f"{date}前{pv.text}"
            before = "前" if pv.text.startswith(("前", "之前", "以前")) and pv.comparator else ""
            return f"{symbol}{date}{before}{pv.text}"
        case _:
            candidate = f"{symbol}{pv.text}"
            if pv.comparator is not None:
                comparator, length, _ = _match_prefix(normalise_text(candidate))
                if (comparator, length) != (pv.comparator, len(symbol)):
                    candidate = f"{symbol} {pv.text}"  # "<" + "=x" must not read as "<=x"
            return candidate
