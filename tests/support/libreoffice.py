"""LibreOffice (headless) helpers for tests and export checks.

openpyxl writes formulas without cached results, so nothing in Python can tell what a
workbook *shows*.  These helpers open a workbook in a real spreadsheet engine
(LibreOffice Calc, headless) and report what it computes, prints and protects:

* :func:`recalc_values` - open the .xlsx through UNO, ``calculateAll()``, read every
  non-empty cell: ``{sheet: {"B5": value}}`` (numbers -> ``float``, text -> ``str``,
  error cells -> the error text such as ``"#DIV/0!"``, a formula giving ``""`` -> ``""``).
* :func:`sheet_protection` - ``{sheet: isProtected()}`` plus ``"__document_structure__"``.
* :func:`optimal_row_heights` - each row's stored height and LibreOffice's auto-fit height.
* :func:`convert` - ``soffice --convert-to`` (``"pdf"``, ``"csv"``, ``"xlsx"``, or a full
  ``"csv:Filter:options"`` spec).
* :func:`sheet_csvs` - every sheet exported to its own UTF-8 CSV, parsed into rows.
* :func:`pdf_pages` - page sizes of a PDF in points.
* :func:`available` / :func:`require_libreoffice` - detection and the test skip/fail policy.

How it runs: every call starts its own ``soffice`` with a fresh, private profile directory
(``-env:UserInstallation=file:///tmp/perfeval-lo-...``), so calls never share state, can run
in parallel and never touch a user's LibreOffice.  The profile is seeded to *always
recalculate on load* (OOXML and ODF), so conversions never print stale cached values.
UNO work runs in a subprocess under a Python that can ``import uno`` (normally the system
``/usr/bin/python3`` with Debian's ``python3-uno``; the project venv cannot), talking to
soffice over a named pipe; the result comes back as JSON on stdout.  soffice and helper
processes are started in their own process group and are always stopped (terminate, then
kill) before a call returns; every wait has a timeout
(default 100 s of work per call, plus at most ~12 s to stop).

Environment overrides: ``PERFEVAL_SOFFICE`` (path to soffice), ``PERFEVAL_UNO_PYTHON``
(python that can import uno).

Known limits (LibreOffice 7.4): LibreOffice does not import the OOXML
``<workbookProtection lockStructure="1">`` element, so ``"__document_structure__"`` is
``False`` for an .xlsx even when Excel would lock the structure; it is meaningful for ODS
and for documents protected by LibreOffice itself.  Check the OOXML flag with openpyxl
(``load_workbook(p).security.lockStructure``) instead.
PDF output uses the installed fonts: Chinese text needs a CJK font (scripts/run-tests installs
fonts-wqy-microhei) and Liberation fonts keep Arial/Times metrics (fonts-liberation2).  A sheet
without ``page_setup.paperSize`` prints on LibreOffice's default paper (``paperconf`` or the
locale), so workbooks should always set it.  Cost: about 1.5 s per call on an idle 2-core
machine (each call starts LibreOffice afresh).
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_TIMEOUT",
    "DOCUMENT_STRUCTURE_KEY",
    "LibreOfficeError",
    "available",
    "convert",
    "csv_filter_spec",
    "find_soffice",
    "optimal_row_heights",
    "pdf_pages",
    "recalc_values",
    "require_libreoffice",
    "sheet_csvs",
    "sheet_protection",
    "soffice_version",
    "uno_python",
]

DEFAULT_TIMEOUT = 100.0
"""Seconds one helper call may spend starting LibreOffice, loading and working.

Stopping the processes afterwards adds at most ~12 s, so a call never takes > 2 minutes."""

DOCUMENT_STRUCTURE_KEY = "__document_structure__"

CSV_FILTER = "Text - txt - csv (StarCalc)"

_SOFFICE_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)
_UNO_PYTHON_CANDIDATES = (
    "/usr/bin/python3",
    "/usr/lib/libreoffice/program/python",
    "/opt/libreoffice/program/python",
)
_HEADLESS_ARGS = (
    "--headless",
    "--invisible",
    "--norestore",
    "--nologo",
    "--nodefault",
    "--nolockcheck",
    "--nofirststartwizard",
)
# Seeded into every private profile: recalculate formulas whenever a file is loaded
# (0 = always, 1 = never, 2 = ask).  LibreOffice's default for xlsx is "never", which
# would show stale cached results in conversions.
_REGISTRY_SEED = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""  # noqa: E501
_RESULT_MARKER = "PERFEVAL_UNO_JSON:"


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, failed, or did not produce what was asked for."""


# --------------------------------------------------------------------------- detection


def find_soffice() -> str | None:
    """Path of the ``soffice`` launcher, or ``None``.

    Order: ``$PERFEVAL_SOFFICE``, ``soffice``/``libreoffice`` on ``PATH``, usual install paths.
    """
    env = os.environ.get("PERFEVAL_SOFFICE")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _SOFFICE_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


@functools.cache
def _can_import_uno(python: str) -> bool:
    try:
        proc = subprocess.run(
            [python, "-c", "import uno"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def uno_python() -> str | None:
    """A Python interpreter that can ``import uno`` (normally ``/usr/bin/python3``), or ``None``.

    Order: ``$PERFEVAL_UNO_PYTHON``, ``/usr/bin/python3``, LibreOffice's bundled python,
    ``python3`` on ``PATH``.  Each candidate is checked by actually importing ``uno``.
    """
    env = os.environ.get("PERFEVAL_UNO_PYTHON")
    candidates = [env] if env else [*_UNO_PYTHON_CANDIDATES, shutil.which("python3")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and _can_import_uno(candidate):
            return candidate
    return None


def available() -> tuple[bool, str]:
    """``(True, "")`` when soffice and a UNO-capable python exist, else ``(False, reason)``."""
    problems = []
    if find_soffice() is None:
        problems.append("no 'soffice' found (Debian: apt-get install libreoffice-calc-nogui)")
    if uno_python() is None:
        problems.append("no python that can 'import uno' (Debian: apt-get install python3-uno)")
    return (not problems, "; ".join(problems))


@functools.cache
def soffice_version() -> str | None:
    """``soffice --version`` output, e.g. ``"LibreOffice 7.4.7.2 40(Build:2)"``, or ``None``."""
    soffice = find_soffice()
    if soffice is None:
        return None
    with _profile() as profile:
        try:
            out = _run_soffice([soffice, f"-env:UserInstallation={profile.as_uri()}", "--version"], 60)
        except LibreOfficeError:
            return None
    lines = [line.strip() for line in out.splitlines() if line.strip().startswith("LibreOffice")]
    return lines[0] if lines else None


def _truthy_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def require_libreoffice() -> None:
    """Test policy: return if LibreOffice is usable, else skip or fail the calling test.

    Missing LibreOffice *fails* the test when running as root or in CI (``CI`` set), because
    ``scripts/run-tests`` installs it there, so a missing install is a bug.  Elsewhere (a
    developer without root) the test is skipped with the reason.
    """
    import pytest  # local import: the rest of this module is usable without pytest

    ok, reason = available()
    if ok:
        return
    geteuid = getattr(os, "geteuid", None)
    if (geteuid is not None and geteuid() == 0) or _truthy_env("CI"):
        pytest.fail(
            f"LibreOffice missing although the test command should have installed it: {reason}",
            pytrace=False,
        )
    pytest.skip(f"LibreOffice not available: {reason}")


# --------------------------------------------------------------------------- processes


@contextmanager
def _profile() -> Iterator[Path]:
    """A fresh LibreOffice user profile directory, seeded with recalc-on-load settings."""
    root = Path(tempfile.mkdtemp(prefix="perfeval-lo-"))
    try:
        user = root / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_REGISTRY_SEED, encoding="utf-8")
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _popen(args: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    # Own session => own process group, so the whole tree (soffice script -> oosplash ->
    # soffice.bin) can be stopped by the group id of the process we started.
    try:
        return subprocess.Popen(list(args), start_new_session=True, **kwargs)
    except OSError as exc:
        raise LibreOfficeError(f"cannot start {args[0]!r}: {exc}") from exc


def _kill_group(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """Stop the process group led by ``proc`` (which we started): TERM, wait, KILL."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    # Leftover children (e.g. soffice.bin after its launcher died) keep the group alive.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass


def _tail(text: str, limit: int = 2000) -> str:
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]


def _run_soffice(args: Sequence[str], timeout: float) -> str:
    """Run a one-shot soffice command (e.g. ``--convert-to``); return its combined output."""
    proc = _popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise LibreOfficeError(f"soffice did not finish within {timeout:.0f} s: {' '.join(args)}") from exc
    finally:
        _kill_group(proc)
    text = out.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise LibreOfficeError(f"soffice exited with {proc.returncode}: {' '.join(args)}\n{_tail(text)}")
    return text


def _require_file(path: Path) -> Path:
    path = Path(path).resolve()
    if not path.is_file():
        raise LibreOfficeError(f"no such file: {path}")
    return path


def _require_soffice() -> str:
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(available()[1] or "soffice not found")
    return soffice


# --------------------------------------------------------------------------- UNO worker

# Runs under uno_python(); reads a JSON request on stdin, prints one marker line with JSON.
_UNO_WORKER = r"""
import json
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

MARKER = "@MARKER@"


def emit(obj, code=0):
    sys.stdout.write(MARKER + json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    sys.exit(code)


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def col_letters(index):
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_values(sheet):
    # VALUE | DATETIME | STRING | FORMULA (com.sun.star.sheet.CellFlags)
    out = {}
    ranges = sheet.queryContentCells(1 | 2 | 4 | 16)
    for addr in ranges.getRangeAddresses():
        block = sheet.getCellRangeByPosition(
            addr.StartColumn, addr.StartRow, addr.EndColumn, addr.EndRow
        ).getDataArray()
        for r, row in enumerate(block):
            for c, value in enumerate(row):
                key = col_letters(addr.StartColumn + c) + str(addr.StartRow + r + 1)
                out[key] = value
    # Error results come back as None from getDataArray: use their display text.
    errors = sheet.queryFormulaCells(4)  # com.sun.star.sheet.FormulaResult.ERROR
    for cell in errors.Cells:
        a = cell.CellAddress
        out[col_letters(a.Column) + str(a.Row + 1)] = cell.getString()
    return out


def row_heights(sheet):
    # {row: [height as stored, LibreOffice's optimal height]} in points, for every used row
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    rows = sheet.getRows()
    out = {}
    for i in range(cursor.getRangeAddress().EndRow + 1):
        row = rows.getByIndex(i)
        stored = row.Height
        row.OptimalHeight = True
        out[str(i + 1)] = [stored * 72 / 2540, row.Height * 72 / 2540]
    return out


def main():
    req = json.loads(sys.stdin.read())
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + req["connect_timeout"]
    ctx = None
    while ctx is None:
        try:
            ctx = resolver.resolve(req["uno_url"])
        except Exception as exc:
            if time.monotonic() > deadline:
                emit({"error": "could not connect to soffice: %s" % exc}, 2)
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    props = (prop("Hidden", True), prop("MacroExecutionMode", 0), prop("UpdateDocMode", 0))
    doc = desktop.loadComponentFromURL(req["url"], "_blank", 0, props)
    if doc is None:
        emit({"error": "LibreOffice could not load %s" % req["url"]}, 2)
    result = {}
    try:
        if not hasattr(doc, "getSheets"):
            emit({"error": "not a spreadsheet: %s" % req["url"]}, 2)
        names = list(doc.getSheets().getElementNames())
        result["sheet_names"] = names
        wanted = req.get("sheets") or names
        missing = [n for n in wanted if n not in names]
        if missing:
            emit({"error": "no such sheet(s) %r; sheets are %r" % (missing, names)}, 2)
        if "values" in req["ops"]:
            doc.calculateAll()
            result["values"] = {n: read_values(doc.getSheets().getByName(n)) for n in wanted}
        if "row_heights" in req["ops"]:
            result["row_heights"] = {n: row_heights(doc.getSheets().getByName(n)) for n in wanted}
        if "protection" in req["ops"]:
            prot = {n: bool(doc.getSheets().getByName(n).isProtected()) for n in wanted}
            try:
                prot["__document_structure__"] = bool(doc.isProtected())
            except Exception:
                pass
            result["protection"] = prot
    finally:
        try:
            doc.close(True)
        except Exception:
            pass
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge is disposed while soffice shuts down
    emit(result)


try:
    main()
except SystemExit:
    raise
except BaseException as exc:
    emit({"error": "%s: %s" % (type(exc).__name__, exc)}, 3)
""".replace("@MARKER@", _RESULT_MARKER)


def _uno_call(xlsx: Path, ops: list[str], sheets: Sequence[str] | None, timeout: float) -> dict[str, Any]:
    """Start a private soffice, run the UNO worker on ``xlsx``, return its JSON result."""
    path = _require_file(xlsx)
    soffice = _require_soffice()
    python = uno_python()
    if python is None:
        raise LibreOfficeError(available()[1] or "no python with 'import uno'")
    deadline = time.monotonic() + timeout
    pipe_name = f"perfeval_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    request = {
        "uno_url": f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext",
        "url": path.as_uri(),
        "ops": ops,
        "sheets": list(sheets) if sheets is not None else None,
        "connect_timeout": max(5.0, timeout - 10.0),
    }
    with _profile() as profile:
        log_path = profile / "soffice.log"
        with log_path.open("wb") as log:
            office = _popen(
                [
                    soffice,
                    *_HEADLESS_ARGS,
                    f"-env:UserInstallation={profile.as_uri()}",
                    f"--accept=pipe,name={pipe_name};urp;StarOffice.ComponentContext",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                worker_script = profile / "perfeval_uno_worker.py"
                worker_script.write_text(_UNO_WORKER, encoding="utf-8")
                out, err, code = _run_worker(python, worker_script, request, office, deadline, log_path)
            except LibreOfficeError as exc:
                raise LibreOfficeError(f"{exc} (file {path}, timeout {timeout:g} s)") from None
            finally:
                # The worker asked soffice to terminate; give it a moment, then make sure.
                try:
                    office.wait(timeout=max(1.0, min(15.0, deadline - time.monotonic())))
                except subprocess.TimeoutExpired:
                    pass
                _kill_group(office)
    payload = _parse_worker_output(out)
    if payload is None:
        raise LibreOfficeError(
            f"UNO helper (exit {code}) returned no result for {path.name}\nstdout: {_tail(out)}\nstderr: {_tail(err)}"
        )
    if "error" in payload:
        raise LibreOfficeError(f"{payload['error']} (file {path})")
    return payload


def _run_worker(
    python: str,
    script: Path,
    request: dict[str, Any],
    office: subprocess.Popen[bytes],
    deadline: float,
    log_path: Path,
) -> tuple[str, str, int]:
    worker = _popen(
        [python, str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    data: bytes | None = json.dumps(request).encode("utf-8")
    office_gone_at: float | None = None
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LibreOfficeError(f"LibreOffice UNO call timed out; soffice log: {_tail(_read(log_path))}")
            try:
                out, err = worker.communicate(data, timeout=min(0.5, remaining))
                break
            except subprocess.TimeoutExpired:
                data = None  # sent; a retried communicate() must not pass input again
            if office.poll() is not None:
                # soffice also exits normally right after the worker's terminate(); only
                # complain if the worker does not finish soon after.
                office_gone_at = office_gone_at or time.monotonic()
                if time.monotonic() - office_gone_at > 15:
                    raise LibreOfficeError(
                        f"soffice exited ({office.returncode}) before the UNO helper finished; "
                        f"soffice log: {_tail(_read(log_path))}"
                    )
    finally:
        _kill_group(worker, grace=2.0)
    return out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), worker.returncode


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _parse_worker_output(out: str) -> dict[str, Any] | None:
    for line in reversed(out.splitlines()):
        if line.startswith(_RESULT_MARKER):
            payload = json.loads(line[len(_RESULT_MARKER) :])
            return payload if isinstance(payload, dict) else None
    return None


# --------------------------------------------------------------------------- public API


def recalc_values(
    xlsx: Path, sheets: list[str] | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, dict[str, object]]:
    """Recalculate ``xlsx`` in LibreOffice and return every non-empty cell's value.

    Returns ``{sheet_name: {"B5": value}}`` for ``sheets`` (default: all, in workbook order).
    Values: numbers (also dates, booleans, numeric formula results) -> ``float``; text and
    text results -> ``str`` (a formula giving ``""`` is reported as ``""``); error results ->
    LibreOffice's error text (``"#DIV/0!"``, ``"#NAME?"``, ``"#REF!"``, ``"#VALUE!"``, ...).
    Empty cells are absent.  Raises :class:`LibreOfficeError` on any failure.
    """
    payload = _uno_call(Path(xlsx), ["values"], sheets, timeout)
    values: dict[str, dict[str, object]] = payload["values"]
    return values


def sheet_protection(xlsx: Path, *, timeout: float = DEFAULT_TIMEOUT) -> dict[str, bool]:
    """``{sheet_name: sheet.isProtected()}`` plus ``"__document_structure__"``.

    The extra key is the document's ``XProtectable.isProtected()`` (structure protection:
    sheets cannot be inserted/deleted/renamed/moved).  LibreOffice 7.4 does not import
    OOXML ``<workbookProtection lockStructure="1"/>``, so for .xlsx files this is ``False``
    even when Excel would lock the structure (check that flag with openpyxl instead).
    """
    payload = _uno_call(Path(xlsx), ["protection"], None, timeout)
    protection: dict[str, bool] = payload["protection"]
    return protection


def optimal_row_heights(
    xlsx: Path, sheets: list[str] | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, dict[int, tuple[float, float]]]:
    """``{sheet: {row: (stored height, optimal height)}}`` in points for every used row.

    The optimal height is what LibreOffice's own auto-fit (Format > Rows > Optimal Height) gives the
    row with the installed fonts; like Excel's, it ignores merged cells.
    """
    payload = _uno_call(Path(xlsx), ["row_heights"], sheets, timeout)
    return {
        sheet: {int(row): (float(pair[0]), float(pair[1])) for row, pair in rows.items()}
        for sheet, rows in payload["row_heights"].items()
    }


def convert(xlsx: Path, fmt: str, outdir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Convert with ``soffice --headless --convert-to fmt --outdir outdir``; return the output.

    ``fmt`` is an extension (``"pdf"``, ``"csv"``, ``"xlsx"``, ``"ods"``) or a full
    ``"ext:FilterName:options"`` spec.  Formulas are recalculated on load (see module doc).
    Plain ``"csv"`` means :func:`csv_filter_spec` with ``sheet=0``: the first sheet (not the
    active one) as UTF-8 CSV; use :func:`sheet_csvs` for all sheets.
    PDF: all sheets, each with its own page setup (paper size, orientation, scaling).
    """
    source = _require_file(Path(xlsx))
    ext = fmt.split(":", 1)[0].strip().lower()
    if not ext:
        raise LibreOfficeError(f"bad format spec {fmt!r}")
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{source.stem}.{ext}"
    if target == source:
        raise LibreOfficeError(f"converting {source} to itself; choose another outdir")
    target.unlink(missing_ok=True)  # never mistake an old file for fresh output
    if fmt.strip().lower() == "csv":
        fmt = csv_filter_spec(sheet=0)  # UTF-8 instead of LibreOffice's legacy default charset
    output = _convert_raw(source, fmt, outdir, timeout)
    if not target.is_file():
        raise LibreOfficeError(f"soffice produced no {target.name} in {outdir}\n{_tail(output)}")
    return target


def _convert_raw(source: Path, fmt: str, outdir: Path, timeout: float) -> str:
    soffice = _require_soffice()
    with _profile() as profile:
        return _run_soffice(
            [
                soffice,
                *_HEADLESS_ARGS,
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                str(source),
            ],
            timeout,
        )


def csv_filter_spec(*, as_shown: bool = False, sheet: int = -1) -> str:
    """``--convert-to`` spec for UTF-8, comma-separated, ``"``-quoted CSV.

    Tokens: separator 44 (,), text delimiter 34 ("), charset 76 (UTF-8), first line 1,
    column formats (none), language 0, quote-all-text false, detect-special-numbers true,
    save-as-shown ``as_shown``, export-formulas false, remove-spaces false, sheet ``sheet``
    (0 = first sheet to ``<stem>.csv``; N = N-th sheet, 1-based, to ``<stem>-<SheetName>.csv``;
    -1 = every sheet to ``<stem>-<SheetName>.csv``; N and -1 need LibreOffice >= 7.2).
    """
    shown = "true" if as_shown else "false"
    return f"csv:{CSV_FILTER}:44,34,76,1,,0,false,true,{shown},false,false,{sheet}"


def sheet_csvs(
    xlsx: Path, outdir: Path, *, as_shown: bool = False, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, list[list[str]]]:
    """Export every sheet to its own UTF-8 CSV in ``outdir`` and return ``{sheet: rows}``.

    Formulas are recalculated.  ``as_shown=False`` writes numbers in general format
    (``1234.5``, ``0.333333333333333``: 15 significant digits) but LibreOffice 7.4 still
    writes percent, date and boolean cells as displayed (``50%``, ``2024-01-02``, ``TRUE``);
    ``as_shown=True`` writes every cell as displayed (``1,234.50``, ``100.0%``).
    Error cells appear as their error text.  Rows are padded with empty fields up to the
    sheet's used width.  Files are ``<stem>-<SheetName>.csv``.
    """
    source = _require_file(Path(xlsx))
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    names = _sheet_names(source)
    prefix = f"{source.stem}-"
    for name in names:
        (outdir / f"{prefix}{name}.csv").unlink(missing_ok=True)
    output = _convert_raw(source, csv_filter_spec(as_shown=as_shown), outdir, timeout)
    result: dict[str, list[list[str]]] = {}
    for name in names:
        path = outdir / f"{prefix}{name}.csv"
        if not path.is_file():
            raise LibreOfficeError(
                f"soffice wrote no CSV for sheet {name!r} (expected {path.name}); "
                f"LibreOffice >= 7.2 is needed for per-sheet CSV export\n{_tail(output)}"
            )
        with path.open(encoding="utf-8", newline="") as handle:
            result[name] = [list(row) for row in csv.reader(handle)]
    return result


def _sheet_names(xlsx: Path) -> list[str]:
    from openpyxl import load_workbook  # project dependency; only the workbook part is read

    workbook = load_workbook(xlsx, read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


_PDFINFO_SIZE = re.compile(rb"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)", re.MULTILINE)
_PDFINFO_ROT = re.compile(rb"^Page\s+(\d+)\s+rot:\s+(-?\d+)", re.MULTILINE)


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """Page sizes ``(width, height)`` in points, in page order (rotation applied).

    Uses ``pdfinfo`` (poppler-utils) when installed, else a small parser of the page
    objects' ``/MediaBox`` (sufficient for LibreOffice's uncompressed page dictionaries).
    A4 portrait is about ``(595.3, 841.9)``.
    """
    path = Path(pdf)
    if not path.is_file():
        raise LibreOfficeError(f"no such file: {path}")
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        try:
            proc = subprocess.run(
                [pdfinfo, "-f", "1", "-l", "1000000", str(path)],
                capture_output=True,
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"pdfinfo timed out on {path}") from exc
        if proc.returncode != 0:
            raise LibreOfficeError(f"pdfinfo failed on {path}: {_tail(proc.stderr.decode(errors='replace'))}")
        rotations = {int(m[1]): int(m[2]) % 180 for m in _PDFINFO_ROT.finditer(proc.stdout)}
        pages = []
        for m in _PDFINFO_SIZE.finditer(proc.stdout):
            width, height = float(m[2]), float(m[3])
            if rotations.get(int(m[1])) == 90:
                width, height = height, width
            pages.append((width, height))
        return pages
    return _pdf_pages_mediabox(path.read_bytes())


_PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b(.*?)\bendobj", re.DOTALL)
_PDF_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*\]")
_PDF_PAGE_TYPE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_PDF_PAGES_TYPE = re.compile(rb"/Type\s*/Pages\b")
_PDF_ROTATE = re.compile(rb"/Rotate\s+(-?\d+)")


def _pdf_pages_mediabox(data: bytes) -> list[tuple[float, float]]:
    """Fallback parser: page objects' /MediaBox (inherited from /Pages when absent).

    Pages are returned in file order, which is page order for LibreOffice's output.
    Does not handle object streams (compressed page dictionaries).
    """
    inherited: tuple[float, float] | None = None
    pages: list[tuple[bytes, tuple[float, float] | None]] = []
    for obj in _PDF_OBJECT.finditer(data):
        body = obj[1]
        # only look at the dictionary, not at a (binary) stream that follows it
        body = body.split(b"stream", 1)[0]
        box = _PDF_MEDIABOX.search(body)
        size = (abs(float(box[3]) - float(box[1])), abs(float(box[4]) - float(box[2]))) if box else None
        if _PDF_PAGES_TYPE.search(body):
            inherited = inherited or size
        elif _PDF_PAGE_TYPE.search(body):
            pages.append((body, size))
    result = []
    for body, size in pages:
        size = size or inherited
        if size is None:
            raise LibreOfficeError("PDF page without /MediaBox")
        rotate = _PDF_ROTATE.search(body)
        if rotate and int(rotate[1]) % 180 == 90:
            size = (size[1], size[0])
        result.append(size)
    return result
