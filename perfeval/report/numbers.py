"""Numbers in a report's sentences (wave2 §4): each kept with its sentence, paragraph, span and unit.

Forms read:

* Arabic and full-width digits (``568.61``, ``５６８．６１``), thousands separators (``1,234.50``);
* amounts ``万元`` / ``元`` / ``亿元``, converted to 万元 :class:`~decimal.Decimal` (``3000元`` → 0.3 万元);
* percentages ``95%`` / ``95％`` / ``百分之九十五`` / ``百分之95`` and ``个百分点``;
* Chinese numerals before a count unit (``四十人``, ``两次``, ``十二个``) through cn2an;
* ranges (``20-30万元``, ``20至30人``: ``low``/``high``, the value is the low end) and approximations
  (``约125公里``, ``120余名``, ``5万多份``: ``approx``);
* years (``2023年``) and dates (``2023年3月9-10日``, ``2024年1月底``).

Look-alikes that are *not* numbers of a unit: ``一岗双责``, ``三会一课``, ``一是``, ``一次性``, ``一项目一考评``
(a count unit followed by a character that makes it another word), ``41.66万户`` (not 万元). :func:`after_keyword`
is the binding the rules use: the first number of the wanted kind within :data:`WINDOW` characters after a
keyword, in the same sentence, never after a look-alike keyword (``占地``, ``占用`` for ``占``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from perfeval.report.text import Sentence, width_normalised

#: characters after a keyword within which its number must start (wave2 §4: ~30)
WINDOW = 30

AMOUNT, PERCENT, POINTS, COUNT, YEAR, DATE, PLAIN = "amount", "percent", "points", "count", "year", "date", "plain"
SCORE = "score"

_DIGITS = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN = "零〇一二两三四五六七八九十百千万"
COUNT_UNITS = ("人", "名", "次", "个", "项", "户", "处", "家", "期", "份", "条", "台", "件", "公里", "批", "场", "所")
#: a count unit followed by one of these is another word (一次性, 一项目, 三员, 十个百分点 …)
_UNIT_BREAKERS = {"次": "性", "项": "目", "个": "百", "人": "员民", "名": "称单义", "件": "事",
                  "分": "钟之别析类配享解工布批期管局支"}
_MONEY = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001")}

_NUMBER = re.compile(
    rf"(?P<approx>约为|约|大约|近|超过|逾)?\s*"
    rf"(?P<num>{_DIGITS})\s*(?:(?P<rsep>[-~～—至到])\s*(?P<num2>{_DIGITS}))?\s*"
    rf"(?P<more>余|多)?\s*"
    rf"(?P<unit>亿元|万元|元|个百分点|%|万(?=[^\d元])|{'|'.join(COUNT_UNITS)}|分|年|月|日)?(?P<more2>余|多)?"
)
_CN_COUNT = re.compile(rf"(?<![{_CN}])(?P<approx>约|近)?(?P<num>[{_CN}]+)(?P<more>余|多)?"
                       rf"(?P<unit>{'|'.join(COUNT_UNITS)})")
_CN_PERCENT = re.compile(rf"百分之(?P<num>[{_CN}点]+|{_DIGITS})")
_DATE = re.compile(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?:(?P<m>\d{1,2})\s*月\s*"
                   r"(?:(?P<d>\d{1,2}(?:\s*[-—~～至]\s*\d{1,2})?)\s*日|(?P<part>[上中下]旬|底|初|末))?)?")


@dataclass(frozen=True)
class Mention:
    """One number of a sentence. ``value``: 万元 for amounts, percent points for percentages (95% → 95), the
    count, the year; ``span``: (start, end) in the sentence text (add ``sentence.start`` for the paragraph)."""

    value: Decimal
    kind: str
    unit: str
    span: tuple[int, int]
    sentence: Sentence
    raw: str
    approx: bool = False
    high: Decimal | None = None  # a range's high end (``value`` is its low end)

    @property
    def paragraph(self) -> int:
        return self.sentence.paragraph

    @property
    def paragraph_span(self) -> tuple[int, int]:
        return (self.sentence.start + self.span[0], self.sentence.start + self.span[1])


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def cn_number(text: str) -> Decimal | None:
    """A Chinese numeral (四十, 两, 九十五, 一百二十, 三点五) as Decimal; None if cn2an cannot read it."""
    import cn2an

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return Decimal(str(value))


def _kind(unit: str) -> str:
    if unit in _MONEY:
        return AMOUNT
    if unit == "%":
        return PERCENT
    if unit == "个百分点":
        return POINTS
    if unit in COUNT_UNITS:
        return COUNT
    if unit == "分":
        return SCORE
    return PLAIN


def _breaks_unit(text: str, unit: str, end: int) -> bool:
    following = text[end:end + 1]
    return bool(following) and following in _UNIT_BREAKERS.get(unit, "")


def _date_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _DATE.finditer(text)]


def extract(sentence: Sentence) -> list[Mention]:
    """Every number of ``sentence`` in order of position (dates and years included, as ``date``/``year``)."""
    text = sentence.norm
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(span: tuple[int, int]) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in taken)

    for m in _DATE.finditer(text):
        kind = DATE if m.group("m") else YEAR
        found.append(Mention(Decimal(m.group("y")), kind, "年", m.span(), sentence, m.group()))
        taken.append(m.span())
    for m in _CN_PERCENT.finditer(text):
        raw = m.group("num")
        value = _dec(raw) if raw[0].isdigit() else cn_number(raw)
        if value is not None and free(m.span()):
            found.append(Mention(value, PERCENT, "%", m.span(), sentence, m.group()))
            taken.append(m.span())
    for m in _NUMBER.finditer(text):
        if not m.group("num"):
            continue
        if not free((m.start("num"), m.end("num"))):
            continue
        # a digit glued to letters (A4, 6.21 as a date-like name) stays a number; an amount needs its unit
        unit = m.group("unit") or ""
        if unit in ("年", "月", "日"):
            continue  # parts of dates the date pattern did not take (``9月15日``): not figures
        if unit == "万":  # 41.66万户, 5万多份: a count in ten-thousands of something else
            unit_kind, unit = COUNT, "万"
        else:
            unit_kind = _kind(unit)
        if unit in (*COUNT_UNITS, "分") and _breaks_unit(text, unit, m.end("unit")):
            unit_kind, unit = PLAIN, ""
        value = _dec(m.group("num"))
        if value is None:
            continue
        high = _dec(m.group("num2")) if m.group("num2") else None
        if unit_kind == AMOUNT:
            value = value * _MONEY[unit]
            high = high * _MONEY[unit] if high is not None else None
            unit = "万元"
        elif unit == "万":
            value, high = value * 10000, (high * 10000 if high is not None else None)
        approx = bool(m.group("approx") or m.group("more") or m.group("more2"))
        found.append(Mention(value, unit_kind, unit, (m.start(), m.end()), sentence, m.group().strip(),
                             approx=approx, high=high))
        taken.append((m.start("num"), m.end("num")))
    for m in _CN_COUNT.finditer(text):
        if not free(m.span()) or _breaks_unit(text, m.group("unit"), m.end()):
            continue
        value = cn_number(m.group("num"))
        if value is None:
            continue
        found.append(Mention(value, COUNT, m.group("unit"), m.span(), sentence, m.group(),
                             approx=bool(m.group("approx") or m.group("more"))))
        taken.append(m.span())
    return sorted(found, key=lambda x: x.span)


@dataclass(frozen=True)
class Bound:
    """A number bound to a keyword: the keyword's span in the sentence and the mention."""

    keyword: str
    at: int
    mention: Mention


def keyword_positions(text: str, keyword: str, lookalikes: Sequence[str] = ()) -> list[int]:
    """Where ``keyword`` starts in ``text``, leaving out the places where a look-alike word (``占地`` for
    ``占``) starts at the same position."""
    out = []
    for m in re.finditer(re.escape(keyword), text):
        if not any(text.startswith(look, m.start()) for look in lookalikes):
            out.append(m.start())
    return out


def after_keyword(sentence: Sentence, keywords: Iterable[str], kinds: Iterable[str] = (AMOUNT,), *,
                  window: int = WINDOW, lookalikes: Sequence[str] = (), stop: Sequence[str] = ()) -> list[Bound]:
    """For each occurrence of any keyword (longest first where they overlap), the first number of one of
    ``kinds`` starting within ``window`` characters after the keyword's end, with no ``stop`` word (a clause
    mark, another subject …) between them. Occurrences with no such number are left out. Keywords, stop words and
    look-alikes are compared width-normalised, as the sentence (``，`` and ``,`` are the same mark)."""
    text = sentence.norm
    kinds = tuple(kinds)
    keywords = [width_normalised(k) for k in keywords]  # the sentence is matched width-normalised
    stop = [width_normalised(w) for w in stop]
    lookalikes = [width_normalised(w) for w in lookalikes]
    mentions = [m for m in extract(sentence) if m.kind in kinds]
    starts: dict[int, str] = {}
    for kw in sorted(keywords, key=len, reverse=True):
        for pos in keyword_positions(text, kw, lookalikes):
            if not any(p <= pos < p + len(k) for p, k in starts.items()):
                starts[pos] = kw
    out = []
    for pos, kw in sorted(starts.items()):
        end = pos + len(kw)
        for m in mentions:
            if m.span[0] < end:
                continue
            if m.span[0] - end > window:
                break
            between = text[end:m.span[0]]
            if any(s in between for s in stop) or "。" in between:
                break
            out.append(Bound(kw, pos, m))
            break
    return out


__all__ = ["AMOUNT", "COUNT", "DATE", "PERCENT", "PLAIN", "POINTS", "SCORE", "WINDOW", "YEAR", "Bound", "Mention",
           "after_keyword", "cn_number", "extract", "keyword_positions"]
