"""Speed and memory of ``perfeval collect`` on many exported 定稿, against baselines measured in the same run.

Generates N (default 1,000) exported 定稿 of both forms (half 部门整体支出, half 项目支出) with varied values:
a few dozen distinct reports, each varied through the model (scores lowered with a 偏差原因, extra 项目支出 rows,
executed amounts) and exported in-process by the workflow (``--force --reason`` where a variant has unexplained
warnings); the N files are then written from those 定稿 by giving each its own unit name — replaced in every
part of the package and the fingerprint recomputed, exactly as an export of that unit would record it — so every
file is an intact 定稿 of a distinct unit with its own hash. The folder is cached under the temporary directory
keyed by N (``--regenerate`` rebuilds it).

Then, in the same run, each as a whole process (``python -m perfeval.cli``, byte code cached as in an install):

- (a) ``perfeval collect DIR -o 汇总.xlsx --no-db --quiet``; then with a 台账 (first run, and the incremental
  re-run in which every file is already known);
- (b) the floor: python-calamine reading every sheet's values of the same files in one process;
- (c) what a receiver scripts today: one ``perfeval verify`` process per file, timed on a sample (``--sample``,
  default 50) and extrapolated to N (printed as such);
- memory: peak RSS of collect at N/4 and N files (the largest process, and the sum over the process tree sampled
  every 20 ms), and their ratio.

Targets (issue 10): collect of 1,000 files ≤ 10 s wall and within 3× of the calamine floor; memory flat in the
number of files.

Run: ``.venv/bin/python benchmarks/collect_bench.py [-n 1000] [--regenerate] [--jobs J] [--sample 50]``
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: bump when the generated files change, so that an old cache is not reused
GENERATOR_VERSION = "1"
VARIANTS = 24  # distinct reports per form
SEED_UNIT = "怀化市城乡建设事务中心"


def process_env() -> dict[str, str]:
    """The environment of every timed process: byte code cached (as ``pip install`` leaves it) in a folder of
    its own, not re-compiled on each start as under ``PYTHONDONTWRITEBYTECODE``."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "perfeval-bench-pycache")
    return env


# --------------------------------------------------------------------------- generation

def _vary_table(table: Any, rng: random.Random) -> None:
    """Lower a few 三级 scores (with a 偏差原因) and let the sheet compute the totals."""
    rows = [row for *_, row in table.rows() if row.weight and row.score and row.score > 1]
    for row in rng.sample(rows, k=min(len(rows), rng.randint(1, 4))):
        cut = Decimal(rng.choice(("0.5", "1", "1.5", "2")))
        row.score = max(Decimal(0), row.score - cut)
        row.deviation = "受项目实施进度影响，部分指标未完全达到年度目标；下一步将加强过程管理，按期完成。"
    table.total_score_stated = None


def department_variant(k: int) -> Any:
    from perfeval.forms.department.model import Amounts, Project, Report

    rng = random.Random(1000 + k)
    report = Report.model_validate_json((ROOT / "examples" / "huaihua-2023-corrected.json").read_text("utf-8"))
    basic, zp = report.basic, report.self_eval
    extra = k % 5  # extra 项目支出 rows, each adding the same amount to every total (consistent)
    if extra:
        amount = Decimal(rng.randint(1, 50))
        one = Amounts(prev_actual=amount, budget=amount, actual=amount)
        basic.projects = basic.projects + [Project(name=f"专项工作经费{i + 1}", amounts=one) for i in range(extra)]
        basic.projects_stated.prev_actual = basic.projects_stated.budget = basic.projects_stated.actual = None
        zp.income_total_stated = zp.expenditure_total_stated = None
        for name in ("expenditure_project", "income_general_public"):
            setattr(zp, name, (getattr(zp, name) or Decimal(0)) + extra * amount)
        for name in ("initial_budget", "full_year_budget", "executed"):
            setattr(zp.funds, name, (getattr(zp.funds, name) or Decimal(0)) + extra * amount)
        zp.funds.execution_rate_stated = zp.funds.score_stated = None
    _vary_table(zp, rng)
    return report


def project_variant(k: int) -> Any:
    from perfeval import forms

    rng = random.Random(2000 + k)
    book = forms.get("project").parse_json((ROOT / "examples" / "huaihua-2023-projects.json").read_text("utf-8"))
    book.projects = book.projects[:1 + k % len(book.projects)]
    for table in book.projects:
        _vary_table(table, rng)
    return book


def _export_variants(out_dir: Path) -> list[Path]:
    from perfeval.xlsx.export import ExportBlocked, export_file
    from perfeval.xlsx.workflow import fill

    finals = []
    for form, make in (("department", department_variant), ("project", project_variant)):
        for k in range(VARIANTS):
            src, final = out_dir / f"{form}-{k}.xlsx", out_dir / f"{form}-{k}-定稿.xlsx"
            fill(make(k), src)
            try:
                export_file(src, final)
            except ExportBlocked:  # unexplained warnings of a variant: what --force --reason does
                try:
                    export_file(src, final, force_reason="基准测试生成的定稿")
                except ExportBlocked as exc:
                    print(f"  variant {form}-{k} not exportable, skipped: {exc}", file=sys.stderr)
                    continue
            finals.append(final)
    return finals


@dataclass
class Template:
    """An exported 定稿 as its package parts, ready to be re-stamped with another unit name."""

    entries: list[tuple[zipfile.ZipInfo, bytes]]
    cells: list[tuple[str, str, str]]  # the canonical cell list the 定稿 recorded
    fingerprint: str


def _template(path: Path) -> Template:
    from perfeval.xlsx.exportmeta import parse_export_meta
    from perfeval.xlsx.fast import open_fast
    from perfeval.xlsx.verify import EXPORT_SHEET

    book = open_fast(path)
    assert book is not None, path
    meta, cells = parse_export_meta(book.rows(EXPORT_SHEET, 3))
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    return Template(entries, cells, meta["fingerprint"])


def _charrefs(text: str) -> bytes:
    """``text`` as the sheet parts of a 定稿 hold it (every non-ASCII character a numeric character reference)."""
    return "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in text).encode("ascii")


def _stamp(template: Template, unit: str) -> bytes:
    """The 定稿 as if exported for ``unit``: the seed unit's name replaced in every part (cells, the recorded cell
    list, metadata, document properties) and the fingerprint recomputed from the replaced cell list."""
    from perfeval.fingerprint import fingerprint_of_cells

    cells = [(s, a, t.replace(SEED_UNIT, unit)) for s, a, t in template.cells]
    new_fp = fingerprint_of_cells(cells)
    pairs = [(SEED_UNIT.encode(), unit.encode()), (_charrefs(SEED_UNIT), _charrefs(unit)),
             (template.fingerprint.encode(), new_fp.encode())]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in template.entries:
            if info.filename.endswith((".xml", ".rels")):
                for old, new in pairs:
                    data = data.replace(old, new)
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def generate(n: int, folder: Path) -> None:
    """N 定稿 in ``folder`` (see the module docstring)."""
    from perfeval.xlsx.verify import VerifyStatus, verify_file

    t0 = time.perf_counter()
    work = folder.with_name(folder.name + ".work")
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    work.mkdir(parents=True)
    finals = _export_variants(work)
    templates = {form: [_template(p) for p in finals if p.name.startswith(form)]
                 for form in ("department", "project")}
    staging = folder.with_name(folder.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for i in range(n):
        form = ("department", "project")[i % 2]
        pool = templates[form]
        unit = f"{SEED_UNIT}第{i + 1:05d}分中心"
        (staging / f"{i + 1:05d}_{form}_定稿.xlsx").write_bytes(_stamp(pool[(i // 2) % len(pool)], unit))
    for path in sorted(staging.iterdir())[:4]:  # the stamping must leave intact exports
        result = verify_file(path)
        assert result.status == VerifyStatus.INTACT, (path, result.message)
    shutil.rmtree(work)
    staging.rename(folder)
    print(f"generated {n} files from {len(finals)} exported variants in {time.perf_counter() - t0:.1f} s: {folder}")


def cached_folder(n: int, regenerate: bool) -> Path:
    folder = Path(tempfile.gettempdir()) / "perfeval-collect-bench" / f"n{n}-v{GENERATOR_VERSION}"
    if regenerate or not folder.is_dir():
        generate(n, folder)
    return folder


def subset(folder: Path, n: int) -> Path:
    """The first ``n`` files of ``folder`` in a folder of their own (hard links: no copy)."""
    out = folder.with_name(f"{folder.name}-first{n}")
    if out.is_dir() and len(list(out.iterdir())) == n:
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    for path in sorted(folder.iterdir())[:n]:
        try:
            os.link(path, out / path.name)
        except OSError:
            shutil.copy2(path, out / path.name)
    return out


# --------------------------------------------------------------------------- measuring

@dataclass
class Run:
    seconds: float
    returncode: int
    max_rss_kb: int  # the largest single process of the tree (wait4's ru_maxrss)
    tree_rss_kb: int  # the largest sum over the process tree, sampled
    stdout: str
    cpu: float = 0.0  # user + system CPU seconds of the process and the workers it waited for


def _tree_rss_kb(pid: int) -> int:
    """Sum of VmRSS over ``pid`` and its descendants (Linux /proc); 0 where /proc is not there."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as fh:
                todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run(args: list[str], cwd: Path = ROOT) -> Run:
    """``args`` as a whole process, timed, with its peak memory."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=process_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read() if proc.stdout is not None else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, proc.returncode, int(usage.ru_maxrss), peak, out.decode("utf-8", "replace"),
               usage.ru_utime + usage.ru_stime)


FLOOR_CODE = """
import sys
from pathlib import Path
from python_calamine import CalamineWorkbook
cells = 0
for path in sorted(Path(sys.argv[1]).iterdir()):
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
print(cells)
"""


# --------------------------------------------------------------------------- the scale on paper (docs/scale.zh.md)

def _real_submissions(folder: Path, count: int) -> list[Any]:
    """What collect read of the first ``count`` files (real findings, scores and messages)."""
    from perfeval.receiving import Submission
    from perfeval.xlsx.collect import fingerprint_file, inspect_file

    subs = [inspect_file(fingerprint_file(p)) for p in sorted(folder.iterdir())[:count]]
    return [s for s in subs if isinstance(s, Submission)]


def synthetic(folder: Path, rows: int) -> Any:
    """``rows`` submissions of distinct units, copied from real ones (see :func:`_real_submissions`), kept in a
    :class:`perfeval.receiving.Spool` as ``collect`` keeps them (the sequence of all of them)."""
    from dataclasses import replace

    from perfeval.receiving import Spool

    real = _real_submissions(folder, 48)
    spool = Spool()
    for i in range(rows):
        base = real[i % len(real)]
        unit = f"{SEED_UNIT}第{i + 1:06d}号"
        spool.append(replace(base, unit=unit, name=f"{i + 1:06d}.xlsx", path=str(folder / f"{i + 1:06d}.xlsx"),
                             sha256=hashlib.sha256(unit.encode()).hexdigest()))
    return spool.view()


def scale_child(what: str, rows: int, folder: Path, tmp: Path) -> None:
    """In a process of its own (so that its peak RSS is its own): build and write a 汇总 of ``rows`` submissions,
    or record them into a fresh 台账 and query it. Prints one line of ``key=value``."""
    import resource

    subs = synthetic(folder, rows)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if what == "summary":
        from perfeval.receiving import CollectResult
        from perfeval.xlsx.summary import write_summary

        t0 = time.perf_counter()
        out = write_summary(CollectResult(submissions=subs, generated_at="2024-03-31T12:00:00+08:00"),
                            tmp / f"汇总{rows}.xlsx")
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"seconds={seconds:.2f} rss_before_mb={before / 1024:.0f} peak_mb={peak / 1024:.0f} "
              f"file_mb={out.stat().st_size / 1e6:.1f}")
        return
    from perfeval.ledger import Ledger
    from perfeval.rules import RULESET_VERSION

    db = tmp / f"台账{rows}.sqlite"
    with Ledger.open(db) as ledger:
        t0 = time.perf_counter()
        for sub in subs:
            ledger.record(sub, RULESET_VERSION, "recorded")
        record = (time.perf_counter() - t0) / rows
        probes = subs[:: max(1, rows // 200)]
        t0 = time.perf_counter()
        for sub in probes:
            assert ledger.known(sub.sha256, RULESET_VERSION, "recorded") is not None
        known = (time.perf_counter() - t0) / len(probes)
        t0 = time.perf_counter()
        for sub in probes[:50]:
            assert ledger.history(sub.unit or "")
        history = (time.perf_counter() - t0) / len(probes[:50])
    size = sum(p.stat().st_size for p in tmp.glob(f"台账{rows}.sqlite*"))
    print(f"record_ms={record * 1000:.2f} known_ms={known * 1000:.2f} history_ms={history * 1000:.1f} "
          f"db_mb={size / 1e6:.1f} kb_per_file={size / rows / 1024:.1f}")


def scale(folder: Path, rows: int) -> None:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as d:
        for what in ("summary", "ledger"):
            for count in (rows // 4, rows):
                r = subprocess.run([sys.executable, __file__, "--scale-child", what, str(count), str(folder), d],
                                   cwd=ROOT, env=process_env(), capture_output=True, text=True)
                print(f"{what:<8}{count:>8} submissions: {r.stdout.strip() or r.stderr[-2000:]}", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def breakdown(files: list[Path]) -> list[tuple[str, float]]:
    """Where one file's time goes in collect (in this process, ms per file over ``files``): the steps of
    :func:`perfeval.xlsx.collect.inspect_file` timed one by one."""
    from perfeval import forms
    from perfeval.reading import read_grid
    from perfeval.rules import run_rules
    from perfeval.xlsx.collect import _profile_config
    from perfeval.xlsx.fast import fast_from_bytes
    from perfeval.xlsx.io import read_checked
    from perfeval.xlsx.verify import fast_package, verify_package

    steps = dict.fromkeys(("read + package guard (perfeval.xlsx.guard)", "fast reader (calamine + XML parts)",
                           "核验 (fingerprint)", "read_grid (form pack reading)", "compute + rules + scores"), 0.0)
    names = list(steps)
    for path in files:
        t = [time.perf_counter()]
        data, parts = read_checked(path)
        t.append(time.perf_counter())
        book = fast_from_bytes(data, path, parts)
        assert book is not None
        t.append(time.perf_counter())
        verified = verify_package(fast_package(book), path)
        t.append(time.perf_counter())
        read = read_grid(book)
        t.append(time.perf_counter())
        pack = forms.get(read.layout.form)
        config = _profile_config(verified.meta("profile"))
        computed = pack.compute(read.report, config)
        run_rules(read.report, read.layout, computed, config=config, read_issues=read.issues)
        pack.score_entries(read.report, read.layout, computed, config)
        t.append(time.perf_counter())
        for i, name in enumerate(names):
            steps[name] += t[i + 1] - t[i]
    return [(name, 1000 * sec / len(files)) for name, sec in steps.items()]


def collect_cmd(folder: Path, out: Path, jobs: int | None, *extra: str) -> list[str]:
    cmd = [sys.executable, "-m", "perfeval.cli", "collect", str(folder), "-o", str(out), "--quiet", *extra]
    return cmd + (["--jobs", str(jobs)] if jobs else [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="number of files (default 1000)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached folder of files")
    parser.add_argument("--jobs", type=int, help="collect --jobs (default: collect's own, the number of cores)")
    parser.add_argument("--sample", type=int, default=50, help="files of the verify loop (extrapolated to N)")
    parser.add_argument("--scale", type=int, metavar="ROWS",
                        help="instead: the 汇总 writer and the 台账 with ROWS (and ROWS/4) synthetic submissions "
                             "copied from real ones of the generated files (docs/scale.zh.md)")
    parser.add_argument("--scale-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_child:
        what, count, where, tmp = args.scale_child
        scale_child(what, int(count), Path(where), Path(tmp))
        return 0
    n = args.n
    folder = cached_folder(n, args.regenerate)
    if args.scale:
        scale(folder, args.scale)
        return 0
    files = sorted(folder.iterdir())
    size = sum(p.stat().st_size for p in files)
    quarter = subset(folder, max(1, n // 4))
    print(f"{n} files ({size / len(files) / 1024:.0f} KB each on average) in {folder}")
    print(f"cores: {os.cpu_count()}, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        subprocess.run([sys.executable, "-m", "perfeval.cli", "--help"], cwd=ROOT, env=process_env(),
                       capture_output=True, check=True)  # byte code written once, before anything is timed
        warm = run(collect_cmd(quarter, tmp / "warm.xlsx", args.jobs, "--no-db"))  # also warms the page cache
        floor = run([sys.executable, "-c", FLOOR_CODE, str(folder)])
        whole = run(collect_cmd(folder, tmp / "汇总.xlsx", args.jobs, "--no-db"))
        part = run(collect_cmd(quarter, tmp / "汇总4.xlsx", args.jobs, "--no-db"))
        db = tmp / "台账.sqlite"
        first = run(collect_cmd(folder, tmp / "汇总db.xlsx", args.jobs, "--db", str(db)))
        again = run(collect_cmd(folder, tmp / "汇总db2.xlsx", args.jobs, "--db", str(db)))
        db_bytes = db.stat().st_size
        sample = files[:: max(1, len(files) // args.sample)][:args.sample]
        t0 = time.perf_counter()
        codes = [run([sys.executable, "-m", "perfeval.cli", "verify", str(p)]).returncode for p in sample]
        per_verify = (time.perf_counter() - t0) / len(sample)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())

    for name, r in (("warm-up", warm), ("collect", whole), ("collect N/4", part), ("collect 台账 1st", first),
                    ("collect 台账 again", again)):
        if r.returncode not in (0, 1):
            print(f"{name} failed (exit {r.returncode}):\n{r.stdout}")
            return 1
    said = [line for line in whole.stdout.splitlines() if line.startswith(("核验结果", "计入汇总"))]
    verify_loop = per_verify * n
    print("collect says: " + " ".join(said))
    print(f"verify sample: {len(sample)} files, exit codes {sorted(set(codes))}")
    print()
    print(f"{'':<50}{'wall s':>9}{'files/s':>10}{'cpu s':>8}  ratio (wall)")
    rows = [
        ("(b) floor: python-calamine, all sheets, 1 process", floor.seconds, floor.cpu, "1.00 (floor)"),
        ("(a) collect --no-db", whole.seconds, whole.cpu, f"{whole.seconds / floor.seconds:.2f} × floor"),
        ("    collect --db (first run)", first.seconds, first.cpu, f"{first.seconds / floor.seconds:.2f} × floor"),
        ("    collect --db again (all known)", again.seconds, again.cpu,
         f"{again.seconds / whole.seconds:.2f} × collect"),
        (f"(c) verify loop, 1 process per file (from {len(sample)})", verify_loop, float("nan"),
         f"{verify_loop / whole.seconds:.1f} × collect"),
    ]
    from perfeval.console import ljust

    for label, seconds, cpu, ratio in rows:
        print(f"{ljust(label, 50)}{seconds:>9.2f}{n / seconds:>10.0f}{cpu:>8.2f}  {ratio}")
    print(f"    (c) is extrapolated: {per_verify:.3f} s per verify process × {n} files")
    print(f"    cpu s: user + system of the process and its pool workers; collect/floor in CPU: "
          f"{whole.cpu / floor.cpu:.2f}")
    print()
    print(f"where a file's time goes (in-process, first {min(100, n)} files, ms per file):")
    for name, ms in breakdown(files[:100]):
        print(f"  {ljust(name, 48)}{ms:>8.2f}")
    print()
    print(f"memory of collect{'':<16}{'largest process MB':>20}{'process tree MB':>17}")
    print(f"  {n // 4:>6} files{'':<20}{part.max_rss_kb / 1024:>20.0f}{part.tree_rss_kb / 1024:>17.0f}")
    print(f"  {n:>6} files{'':<20}{whole.max_rss_kb / 1024:>20.0f}{whole.tree_rss_kb / 1024:>17.0f}")
    print(f"  ratio N / (N/4){'':<16}{whole.max_rss_kb / part.max_rss_kb:>20.2f}"
          f"{whole.tree_rss_kb / max(1, part.tree_rss_kb):>17.2f}")
    print(f"台账 after {n} files: {db_bytes / 1024:.0f} KB ({db_bytes / n / 1024:.1f} KB per file)")
    print(f"load average after: {load_after}")
    print()
    ok_wall = whole.seconds <= 10 * n / 1000
    ok_floor = whole.seconds <= 3 * floor.seconds
    print(f"target collect ≤ {10 * n / 1000:g} s: {'yes' if ok_wall else 'NO'}; "
          f"within 3× of the floor: {'yes' if ok_floor else 'NO'}; "
          f"memory ratio N/(N/4) of the largest process {whole.max_rss_kb / part.max_rss_kb:.2f} (flat: ≈1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
