"""The file layer of the report check: a 自评报告 file (.docx, .txt, .pdf with a text layer) → ReportDocument.

Only reading happens here (the rules in :mod:`perfeval.report.rules` decide). Every failure is a
:class:`ReportFileError` with a Chinese message (the command line exits 2): a missing, empty, oversized, corrupt
or foreign file, a PDF without a text layer, and a text that is not a 绩效自评报告 at all.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from perfeval.report.text import ReportDocument, is_heading

_PARAGRAPH_END = ("。", "！", "？", "!", "?", "：", ":", "；", ";")

#: the largest report file read (a long report with pictures is a few MB)
MAX_REPORT_BYTES = 50 * 1024 * 1024
#: the largest uncompressed content of a .docx (zip bombs)
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
#: the longest text read (a report of 100 pages has ~100,000 characters)
MAX_REPORT_CHARS = 2_000_000
SUFFIXES = (".docx", ".txt", ".pdf")


class ReportFileError(ValueError):
    """A report file that cannot be used; ``str()`` is a Chinese message."""


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ReportFileError(f"找不到自评报告文件：{path}") from exc
    except OSError as exc:
        raise ReportFileError(f"无法读取自评报告文件 {path.name}：{exc.strerror or exc}") from exc
    if path.is_dir():
        raise ReportFileError(f"自评报告路径是一个文件夹：{path}")
    if size > MAX_REPORT_BYTES:
        raise ReportFileError(f"自评报告文件 {path.name} 过大（{size // (1024 * 1024)} MB，最多 "
                              f"{MAX_REPORT_BYTES // (1024 * 1024)} MB）")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReportFileError(f"无法读取自评报告文件 {path.name}：{exc.strerror or exc}") from exc


def _docx_blocks(data: bytes, name: str) -> list[str | list[list[str]]]:
    from perfeval.docx.reader import read_blocks

    broken = f"{name} 不是有效的 Word 文档（.docx）：文件已损坏，或是改了扩展名的其他文件"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_DOCX_UNCOMPRESSED:
                raise ReportFileError(f"{name} 解压后过大，不像是一份自评报告")
            if "word/document.xml" not in zf.namelist():
                raise ReportFileError(broken)
    except zipfile.BadZipFile as exc:
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise ReportFileError(f"{name} 是旧版 Word 文档（.doc）或已加密：请在 Word 中另存为 .docx 后再核对"
                                  ) from exc
        raise ReportFileError(broken) from exc
    try:
        return read_blocks(data)
    except ReportFileError:
        raise
    except Exception as exc:  # python-docx / lxml on a damaged part: the file is unusable, not our bug
        raise ReportFileError(broken) from exc


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportFileError(f"{name} 不是文本文件（无法按 UTF-8 或 GBK 读取）")


def _pdf_text(data: bytes, name: str) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ReportFileError(f"{name} 是加密的 PDF：请提供未加密的文件或 Word 文档")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReportFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ReportFileError(f"{name} 不是有效的 PDF 文件：文件已损坏，或是改了扩展名的其他文件") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise ReportFileError(f"{name} 没有文字层（可能是扫描件）：无法核对，请提供 Word 文档或带文字的 PDF")
    return text


def unwrap_pdf_lines(text: str) -> str:
    """A PDF's text layer breaks a paragraph at every printed line: join a line to the next unless it ends a
    sentence or either of them is a heading (``（二）人员编制情况``). Pages are separated by a line break."""
    out: list[str] = []
    for line in text.replace("\r", "").split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if out and not out[-1].endswith(_PARAGRAPH_END) and not is_heading(out[-1]) and not is_heading(stripped):
            out[-1] += stripped
        else:
            out.append(stripped)
    return "\n".join(out)


def read_report(path: Path) -> ReportDocument:
    """The report at ``path`` as a :class:`ReportDocument` (with the file's name and SHA-256)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReportFileError(f"自评报告应为 Word 文档（.docx）、文本文件（.txt）或带文字的 PDF：{path.name}")
    data = _read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ReportFileError(f"自评报告文件 {path.name} 是空的")
    if suffix == ".docx":
        doc = ReportDocument.from_blocks(_docx_blocks(data, path.name), path.name, digest)
    elif suffix == ".pdf":
        doc = ReportDocument.from_text(unwrap_pdf_lines(_pdf_text(data, path.name)), path.name, digest)
    else:
        doc = ReportDocument.from_text(_decode(data, path.name), path.name, digest)
    if len(doc.text) > MAX_REPORT_CHARS:
        raise ReportFileError(f"{path.name} 的文字过长（超过 {MAX_REPORT_CHARS} 个字符），不像是一份自评报告")
    if not doc.paragraphs:
        raise ReportFileError(f"自评报告 {path.name} 中没有文字")
    if not doc.looks_like_report():
        raise ReportFileError(f"{path.name} 不像是绩效自评报告（没有“部门整体支出”“绩效自评”等字样）：请确认选择了"
                              "正确的文件")
    return doc


__all__ = ["MAX_REPORT_BYTES", "ReportFileError", "read_report"]
