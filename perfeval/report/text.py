"""A 自评报告 as the checker sees it: paragraphs in document order, their sentences, and the tables as rows of text.

The file layer (:mod:`perfeval.report.files`, :mod:`perfeval.docx.reader`) builds a :class:`ReportDocument`;
the rules (:mod:`perfeval.report.rules`) read it. Nothing here touches a file.

* Each :class:`Paragraph` keeps its index (0-based, document order; a table is one paragraph of kind
  ``"table"`` whose ``rows`` hold the cell texts), its text as printed and its *heading*: the nearest earlier
  short numbered line (``1.收入预算``, ``（三）“三公”经费使用和管理情况``), which tells the rules which part of
  the report a sentence belongs to (the seed says 年初预算数 four times, in four sections).
* :func:`width_normalised` maps full-width ASCII (``５６８．６１``, ``（``, ``％``) to half width **keeping every
  offset**, so that a span found in the normalised text is the span in the printed text.
* :meth:`ReportDocument.sentences` splits at 。！？ and line breaks; numbers are found in
  :mod:`perfeval.report.numbers`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

#: at most this many characters make a heading line (``二、部门整体支出管理及使用情况`` has 15)
HEADING_MAX = 30
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.．、](?!\d))")
_SENTENCE_END = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+|\n|$)")
#: 【请填写：…】 markers the draft generator writes where only a person can write
PLACEHOLDER = re.compile(r"【\s*请填写[:：][^】]*】")
#: wording that every 部门整体支出 or 项目支出 自评报告 has (recognition; wave2 §4)
REPORT_MARKERS = ("绩效自评", "自评报告", "部门整体支出", "整体支出绩效", "项目支出绩效", "绩效评价")


def width_normalised(text: str) -> str:
    """Full-width ASCII → half width and the ideographic space → space, one character for one (offsets kept)."""
    return "".join(chr(ord(ch) - 0xFEE0) if 0xFF01 <= ord(ch) <= 0xFF5E else (" " if ch == "\u3000" else ch)
                   for ch in text)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a paragraph: its text as printed, where it starts in the paragraph, the paragraph's
    index and heading."""

    text: str
    paragraph: int
    start: int
    heading: str = ""

    @cached_property
    def norm(self) -> str:
        return width_normalised(self.text)

    @property
    def scope(self) -> str:
        """The heading and the sentence (normalised): what a rule matches its keywords against."""
        return width_normalised(self.heading) + "\n" + self.norm


@dataclass(frozen=True)
class Paragraph:
    index: int
    text: str
    kind: str = "p"  # "p" | "table"
    rows: tuple[tuple[str, ...], ...] = ()
    heading: str = ""

    def sentences(self) -> list[Sentence]:
        if self.kind == "table":  # a row is a sentence (cells joined by a tab)
            out, start = [], 0
            for line in self.text.split("\n"):
                if line.strip():
                    out.append(Sentence(line, self.index, start, self.heading))
                start += len(line) + 1
            return out
        found = []
        for m in _SENTENCE_END.finditer(self.text):
            if m.group().strip():
                found.append(Sentence(m.group(), self.index, m.start(), self.heading))
        return found


def is_heading(text: str) -> bool:
    stripped = text.strip()
    return (0 < len(stripped) <= HEADING_MAX and _HEADING.match(stripped) is not None
            and not stripped.endswith(("。", "；", ";")))


@dataclass
class ReportDocument:
    """A report's text. ``name``: the file's name (messages); ``sha256``: of the file's bytes (export)."""

    paragraphs: list[Paragraph] = field(default_factory=list)
    name: str = ""
    sha256: str = ""

    @classmethod
    def from_blocks(cls, blocks: list[str | list[list[str]]], name: str = "", sha256: str = "") -> ReportDocument:
        """Paragraph texts and tables (lists of rows of cell texts) in document order; blank paragraphs are
        dropped, each paragraph's heading is the last heading line before it."""
        paragraphs: list[Paragraph] = []
        heading = ""
        for block in blocks:
            index = len(paragraphs)
            if isinstance(block, str):
                text = block.strip("\r\n")
                if not text.strip():
                    continue
                if is_heading(text):
                    heading = text.strip()
                    paragraphs.append(Paragraph(index, text, heading=heading))
                else:
                    paragraphs.append(Paragraph(index, text, heading=heading))
            else:
                rows = tuple(tuple(c.strip() for c in row) for row in block)
                if not any(c for row in rows for c in row):
                    continue
                text = "\n".join("\t".join(row) for row in rows)
                paragraphs.append(Paragraph(index, text, kind="table", rows=rows, heading=heading))
        return cls(paragraphs, name, sha256)

    @classmethod
    def from_text(cls, text: str, name: str = "", sha256: str = "") -> ReportDocument:
        """Plain text: one paragraph per line."""
        return cls.from_blocks(list(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")), name, sha256)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    def sentences(self, *, tables: bool = False) -> Iterator[Sentence]:
        """Every sentence in document order (table rows only with ``tables``)."""
        for p in self.paragraphs:
            if p.kind == "p" or tables:
                yield from p.sentences()

    def paragraph(self, index: int) -> Paragraph:
        return self.paragraphs[index]

    def looks_like_report(self) -> bool:
        """Whether the text is a 绩效自评报告 at all (its usual wording appears)."""
        text = width_normalised(self.text)
        return any(marker in text for marker in REPORT_MARKERS)


__all__ = ["PLACEHOLDER", "Paragraph", "ReportDocument", "Sentence", "is_heading", "width_normalised"]
