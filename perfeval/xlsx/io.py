"""Saving and loading workbooks safely.

- Outputs are written atomically: a temporary file in the target folder, then ``os.replace``; an error
  before the rename leaves no partial file and the previous file (if any) untouched.
- The input file is never the output (:func:`ensure_distinct`).
- A write that fails (read-only folder, file open in Excel, disk full, bad name) raises
  :class:`OutputWriteError`, a :class:`WorkbookError` whose text says in Chinese what to do.
- Inside :func:`output_guard` (the command line's policy) an existing file is never replaced unless
  ``overwrite`` is given, and the files written so far are recorded.
- :func:`normalise_zip` makes a saved workbook byte-reproducible (fixed zip dates and document times),
  used for the committed templates.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from perfeval import limits

if TYPE_CHECKING:  # openpyxl is imported where a workbook is loaded or saved: the fast path does without it
    from openpyxl import Workbook

FIXED_TIME = "2024-01-01T00:00:00Z"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class WorkbookError(Exception):
    """A workbook that cannot be opened or written; ``str()`` is a Chinese message for the user."""


class OutputWriteError(WorkbookError, OSError):
    """Writing an output failed; ``str()`` is a Chinese message naming the file and what to do.

    Also an :class:`OSError`, so callers that caught the original error keep working."""


class OutputExistsError(WorkbookError):
    """The output file exists and the active :func:`output_guard` does not allow replacing it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"文件已存在：{path}。为免误覆盖，已有的文件不会被替换："
                         "请另选输出文件名，或确认后加 --overwrite 覆盖。")
        self.path = path


@dataclass
class OutputGuard:
    """The policy for outputs written while it is active (see :func:`output_guard`)."""

    overwrite: bool = False
    written: list[Path] = field(default_factory=list)


_GUARD: ContextVar[OutputGuard | None] = ContextVar("perfeval_output_guard", default=None)


@contextmanager
def output_guard(*, overwrite: bool = False, written: list[Path] | None = None) -> Iterator[OutputGuard]:
    """While active, :func:`atomic_write_bytes` refuses to replace an existing file (unless ``overwrite``)
    and appends each file it wrote to ``guard.written`` (the list ``written`` when given, so that it
    survives an interruption). Without a guard, an existing file is replaced (library callers such as the
    add-in choose their own names)."""
    guard = OutputGuard(overwrite=overwrite, written=written if written is not None else [])
    token = _GUARD.set(guard)
    try:
        yield guard
    finally:
        _GUARD.reset(token)


def ensure_distinct(src: Path, dst: Path) -> None:
    """Refuse to write ``dst`` when it is the input ``src`` (also through a link or another spelling)."""
    same = False
    try:
        same = dst.exists() and src.exists() and os.path.samefile(src, dst)
    except OSError:
        same = Path(os.path.abspath(src)) == Path(os.path.abspath(dst))
    if same:
        raise WorkbookError(f"输出文件不能与输入文件相同：{dst}（为保护原文件，请另选输出路径）")


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_ENOSPC = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), getattr(errno, "EFBIG", errno.ENOSPC)}
_EACCES = {errno.EACCES, errno.EPERM, errno.EROFS, errno.EBUSY, getattr(errno, "ETXTBSY", errno.EBUSY)}
_WIN_SHARING_VIOLATION, _WIN_LOCK_VIOLATION = 32, 33  # winerror of a file open in Excel
_WIN_BAD_NAME, _WIN_DISK_FULL, _WIN_HANDLE_DISK_FULL = 123, 112, 39


def _quietly(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except OSError:  # a name too long to look up, and the like
        return False


def write_error(path: Path, exc: OSError) -> OutputWriteError:
    """A Chinese message for an :class:`OSError` raised while writing ``path``."""
    winerror = getattr(exc, "winerror", None)
    where = f"无法写入 {path}"
    if isinstance(exc, IsADirectoryError) or _quietly(lambda: path.is_dir() and not path.is_symlink()):
        text = f"{where}：这个位置已有一个同名的文件夹，请给出文件名（例如 {path / '结果.xlsx'}）。"
    elif exc.errno in _ENOSPC or winerror in (_WIN_DISK_FULL, _WIN_HANDLE_DISK_FULL):
        text = f"{where}：磁盘空间不足。请清理磁盘或另选保存位置后重试。"
    elif exc.errno == errno.ENAMETOOLONG or winerror == 206:
        text = f"{where}：文件路径太长（{len(str(path))} 个字符）。请缩短文件名或换一个层级较浅的文件夹。"
    elif isinstance(exc, PermissionError) or exc.errno in _EACCES \
            or winerror in (_WIN_SHARING_VIOLATION, _WIN_LOCK_VIOLATION, 5):
        if _quietly(path.exists):
            text = (f"{where}：该文件正被占用或是只读的。如果它正在 Excel/WPS 中打开，请先在 Excel 中关闭该文件，"
                    "然后重试；否则请检查文件是否设为只读。")
        else:
            text = f"{where}：文件夹只读或没有写入权限。请另选一个可以保存文件的文件夹。"
    elif isinstance(exc, NotADirectoryError | FileNotFoundError | FileExistsError) \
            or exc.errno in (errno.ENOTDIR, errno.ENOENT, errno.EEXIST):  # EEXIST: mkdir where a file is
        text = f"{where}：文件夹不存在或无法创建（路径中有同名的文件？）。请检查输出路径。"
    elif exc.errno == errno.EINVAL or winerror == _WIN_BAD_NAME or exc.errno == errno.EILSEQ:
        text = f"{where}：文件名无效（文件名中不能有 < > : \" / \\ | ? * 等字符）。请换一个文件名。"
    else:
        detail = exc.strerror or str(exc) or type(exc).__name__
        text = f"{where}：{detail}（错误码 {exc.errno}）。请检查磁盘和输出路径后重试。"
    return OutputWriteError(text)


def atomic_write_bytes(path: Path, data: bytes, before_rename: Callable[[Path], None] | None = None) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`)."""
    atomic_write(path, lambda fh: fh.write(data), before_rename)


def atomic_write(path: Path, write: Callable[[BinaryIO], object],
                 before_rename: Callable[[Path], None] | None = None) -> None:
    """``write`` the content to a temp file beside ``path`` (given open for binary writing, so a large output is
    never held in memory whole), then rename it over ``path``.

    ``before_rename`` (used by tests to inject a failure) runs on the finished temp file. An
    :class:`OSError` becomes an :class:`OutputWriteError` with a Chinese message; whatever happens
    (also Ctrl-C), no temp file is left behind and an existing ``path`` is untouched. Under an
    :func:`output_guard` an existing ``path`` is not replaced unless the guard allows it.
    """
    path = Path(path)
    guard = _GUARD.get()
    tmp: str | None = None
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        if guard is not None and not guard.overwrite and os.path.lexists(path):
            raise OutputExistsError(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode())
        if before_rename is not None:
            before_rename(Path(tmp))
        if guard is not None and not guard.overwrite and os.path.lexists(path):
            raise OutputExistsError(path)  # appeared while we were writing
        if path.exists() and not os.access(path, os.W_OK):
            # a read-only file: Windows refuses to replace it, POSIX would; refuse everywhere
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        os.replace(tmp, path)
        tmp = None
    except OutputWriteError:
        raise
    except OSError as exc:
        raise write_error(path, exc) from exc
    finally:
        if tmp is not None and os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass
    if guard is not None:
        guard.written.append(path)


def workbook_bytes(wb: Workbook, *, deterministic: bool = False) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    return normalise_zip(data) if deterministic else data


def save_atomic(wb: Workbook, path: Path, *, deterministic: bool = False,
                before_rename: Callable[[Path], None] | None = None) -> None:
    """Save ``wb`` to ``path`` atomically. ``before_rename`` (tests) runs on the temp file first."""
    atomic_write_bytes(path, workbook_bytes(wb, deterministic=deterministic), before_rename)


_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_zip(data: bytes) -> bytes:
    """Rewrite an .xlsx so the same content gives the same bytes (fixed dates)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIMES.sub(lambda m: m.group(1) + FIXED_TIME.encode() + m.group(3), body)
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def read_package(path: Path) -> bytes:
    """The bytes of the workbook at ``path``, checked by :func:`perfeval.xlsx.guard.inspect_package` against
    :mod:`perfeval.limits` (what every reader parses: a file replaced meanwhile cannot slip past); a
    :class:`WorkbookError` in Chinese otherwise."""
    return read_checked(path)[0]


def read_checked(path: Path) -> tuple[bytes, Mapping[str, bytes] | None]:
    """:func:`read_package`, and the XML parts the check decompressed (zip entry name → bytes; None when it did
    not keep them), so that a reader need not decompress them again."""
    from perfeval.xlsx.guard import PackageRefused, check_package

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(
            f"不支持的文件类型：{path.name}（请使用 .xlsx 工作簿；.xls 请先在 Excel/WPS 中另存为 .xlsx）"
        )
    if path.is_dir():
        raise WorkbookError(f"{path} 是一个文件夹，不是 Excel 工作簿文件")
    if not path.exists():
        raise WorkbookError(f"找不到文件：{path}")
    if not path.is_file():  # a device, a pipe: reading it might never end
        raise WorkbookError(f"{path} 不是普通文件，无法作为 Excel 工作簿打开")
    try:
        with path.open("rb") as fh:
            data = fh.read(limits.MAX_FILE_BYTES + 1)  # never more than the limit, whatever the file claims
        if len(data) > limits.MAX_FILE_BYTES:
            raise WorkbookError(f"{path.name}：文件超过本工具支持的 {limits.MAX_FILE_BYTES // 1024 // 1024} MB")
    except PermissionError as exc:
        raise WorkbookError(f"没有读取 {path} 的权限（文件可能正被其他程序独占打开）") from exc
    except OSError as exc:
        raise WorkbookError(f"无法读取文件 {path}：{exc.strerror or type(exc).__name__}") from exc
    try:
        parts = _inspect_once(data, path.name, check_package)
    except PackageRefused as exc:
        raise WorkbookError(str(exc)) from exc
    return data, parts if isinstance(parts, Mapping) else None


def open_workbook(path: Path, *, data_only: bool = False) -> Workbook:
    """Open an .xlsx with a Chinese error message instead of a traceback.

    The file is read once; :func:`perfeval.xlsx.guard.inspect_package` checks those bytes against
    :mod:`perfeval.limits` before openpyxl parses them (so a file replaced meanwhile cannot slip past),
    and any failure of openpyxl on what remains becomes a :class:`WorkbookError`.
    """
    return open_workbook_bytes(read_package(path), path, data_only=data_only)


def open_workbook_bytes(data: bytes, path: Path, *, data_only: bool = False) -> Workbook:
    """:func:`open_workbook` of bytes already read and checked by :func:`read_package`."""
    from openpyxl import load_workbook

    from perfeval.xlsx.merges import fast_merged_ranges

    try:
        with warnings.catch_warnings(), fast_merged_ranges():
            warnings.simplefilter("ignore")  # openpyxl's notes on unsupported extensions are not for the user
            return load_workbook(io.BytesIO(data), data_only=data_only)
    except MemoryError as exc:
        raise WorkbookError(f"工作簿 {path.name} 过大，内存不足，无法打开") from exc
    except Exception as exc:  # any failure of openpyxl on a damaged part: KeyError, ParseError, TypeError, …
        if _from_defusedxml(exc):  # DTDForbidden, EntitiesForbidden, … (openpyxl re-raises them as ValueError)
            raise WorkbookError(f"工作簿 {path.name} 含有 XML 实体或文档类型声明，可能是恶意构造的文件，"
                                "拒绝打开") from exc
        raise WorkbookError(_unreadable(path, exc)) from exc


def _from_defusedxml(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__module__.startswith("defusedxml"):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


_BAD_SHEET_TITLE = re.compile(r"Invalid character (.) found in sheet title")


def _bad_sheet_title(exc: BaseException | None) -> re.Match[str] | None:
    """openpyxl's refusal of a sheet name (re-raised by load_workbook as a ValueError of its own)."""
    seen = 0
    while exc is not None and seen < 10:
        found = _BAD_SHEET_TITLE.search(str(exc)) if isinstance(exc, ValueError) else None
        if found:
            return found
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _unreadable(path: Path, exc: BaseException) -> str:
    bad = _bad_sheet_title(exc)
    if bad:  # a name another program wrote; Excel refuses these characters in a sheet name
        return (f"无法读取工作簿 {path.name}：有工作表的名称含有 Excel 不允许的字符“{bad.group(1)}”"
                "（工作表名称中不能有 [ ] : * ? / \\）。请在生成此文件的程序中给该工作表改名后重试")
    return (f"无法读取工作簿 {path.name}：文件内容已损坏，或含有本工具不支持的内容（{type(exc).__name__}）。"
            "请在 Excel/WPS 中打开并另存为 .xlsx 后重试")


_INSPECTED: dict[bytes, None] = {}  # digests of the files inspected in this process (a file is opened twice)


def _inspect_once(data: bytes, name: str, inspect: Callable[[bytes, str], object]) -> object:
    """``inspect(data, name)`` unless these bytes were inspected before in this process; what it returned
    (None for bytes inspected before)."""
    digest = hashlib.blake2b(data, digest_size=20).digest()
    if digest in _INSPECTED:
        return None
    result = inspect(data, name)
    if len(_INSPECTED) > 64:
        _INSPECTED.clear()
    _INSPECTED[digest] = None
    return result
