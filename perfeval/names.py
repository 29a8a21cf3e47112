"""Names compared across tables: unit names (X-012) and project names (X-005, duplicate project sheets).

Two normalisations, both for comparison only (the texts themselves are never changed):

* :func:`plain_name` — full/half width unified (NFKC) and every whitespace removed;
* :func:`project_key` — :func:`plain_name`, then a leading ordinal (``1.``, ``2、``, ``（3）``) dropped, the
  brackets ``()[]【】〔〕`` removed (their content kept) and letters case-folded: ``6.鹤城一体化燃气规划专项经费``
  (附件1-1) and ``鹤城一体化燃气规划专项经费`` (its project sheet) compare equal, and so do ``专项（业务）经费``
  and ``专项(业务)经费``.

:func:`similarity` scores two keys 0–100 (rapidfuzz's ratio, the normalised Indel similarity) for the
"可能是同一项目" near-miss of X-005.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_ORDINAL = re.compile(r"^(?:(?:\d+|[一二三四五六七八九十]+)[.、．]|\(\d+\))(?!\d)")
_BRACKETS = str.maketrans("", "", "()[]【】〔〕")


def plain_name(text: str) -> str:
    """Full/half width unified, whitespace removed."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def strip_ordinal(text: str) -> str:
    """The name without the row number a list prints before it (``6.鹤城…`` → ``鹤城…``); as written otherwise."""
    stripped = text.strip()
    match = _ORDINAL.match(unicodedata.normalize("NFKC", stripped))
    if match is None:
        return stripped
    # NFKC keeps the length of these characters (digits, 、 . ( ) and their full-width forms): cut the original.
    rest = stripped[match.end():].strip()
    return rest or stripped


def project_key(text: str) -> str:
    """How two project names are compared (see the module docstring); "" for a blank name."""
    plain = plain_name(text)
    match = _ORDINAL.match(plain)
    if match is not None and match.end() < len(plain):
        plain = plain[match.end():]
    return plain.translate(_BRACKETS).casefold()


def similarity(a: str, b: str) -> float:
    """0–100: how alike two :func:`project_key` values are (100 = equal)."""
    from rapidfuzz import fuzz

    return float(fuzz.ratio(a, b))


__all__ = ["plain_name", "project_key", "similarity", "strip_ordinal"]
