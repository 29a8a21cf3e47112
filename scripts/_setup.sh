# shellcheck shell=bash
# Shared set-up for scripts/run-tests and scripts/run-demo.  Source it, do not run it.
#
#   perfeval_setup_venv          .venv (Python >= 3.11) + `pip install -e '.[test]'`, skipped when
#                                the stamp (hash of pyproject.toml + python version) is current
#   perfeval_ensure_libreoffice  LibreOffice headless + UNO + pdfinfo + fonts, installed with
#                                apt-get when missing and we are root; a visible note otherwise
#
# Works on a fresh Debian machine with only Python 3.11 and access to PyPI + Debian packages.
# Environment: PERFEVAL_PYTHON (interpreter for a new venv), PERFEVAL_NO_APT=1 (never apt-get).

PERFEVAL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$PERFEVAL_ROOT/.venv"
VENV_PY="$VENV/bin/python"
PERFEVAL_SETUP_VERSION=1 # bump to force a re-install everywhere

perfeval_log() { printf '[perfeval] %s\n' "$*" >&2; }

_perfeval_py_ok() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

_perfeval_is_root() { [ "$(id -u)" -eq 0 ]; }

_perfeval_can_apt() {
  _perfeval_is_root && [ "${PERFEVAL_NO_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1
}

_PERFEVAL_APT_UPDATED=0
# apt-get install with one `apt-get update` per run; waits for another apt's lock.
_perfeval_apt_install() {
  local aptlog
  aptlog="$(mktemp -t perfeval-apt.XXXXXX)"
  export DEBIAN_FRONTEND=noninteractive
  if [ "$_PERFEVAL_APT_UPDATED" = 0 ]; then
    perfeval_log "apt-get update"
    if ! apt-get -o DPkg::Lock::Timeout=300 update >"$aptlog" 2>&1; then
      tail -n 20 "$aptlog" >&2
      perfeval_log "WARNING: apt-get update failed (log $aptlog)"
    fi
    _PERFEVAL_APT_UPDATED=1
  fi
  perfeval_log "apt-get install $*"
  if ! apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$@" >>"$aptlog" 2>&1; then
    tail -n 30 "$aptlog" >&2
    perfeval_log "ERROR: apt-get install $* failed (log $aptlog)"
    return 1
  fi
  rm -f "$aptlog"
}

_perfeval_pick_python() {
  local candidate
  for candidate in "${PERFEVAL_PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && _perfeval_py_ok "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

_perfeval_stamp_value() {
  {
    echo "setup=$PERFEVAL_SETUP_VERSION"
    "$VENV_PY" -c 'import sys; print(sys.version)'
    cat "$PERFEVAL_ROOT/pyproject.toml"
  } | "$VENV_PY" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
}

perfeval_setup_venv() {
  local python stamp_file want
  if [ -e "$VENV" ] || [ -L "$VENV_PY" ]; then
    if ! _perfeval_py_ok "$VENV_PY"; then
      perfeval_log "$VENV is broken or older than Python 3.11: recreating it"
      rm -rf "$VENV"
    fi
  fi
  if [ ! -x "$VENV_PY" ]; then
    if ! python="$(_perfeval_pick_python)"; then
      perfeval_log "ERROR: need python3.11 (or a python3 >= 3.11) to create $VENV"
      return 1
    fi
    perfeval_log "creating $VENV with $python"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      # Debian ships venv/ensurepip separately (python3.11-venv).
      rm -rf "$VENV"
      if _perfeval_can_apt; then
        _perfeval_apt_install python3-venv "python$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv" ||
          true
      fi
      if ! "$python" -m venv "$VENV"; then
        perfeval_log "ERROR: '$python -m venv' failed (Debian: apt-get install python3-venv)"
        return 1
      fi
    fi
  fi
  stamp_file="$VENV/.perfeval-setup-stamp"
  want="$(_perfeval_stamp_value)"
  # Also re-install when perfeval does not import from *this* checkout (moved/copied tree).
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$want" ] &&
    (cd / && "$VENV_PY" -c 'import sys, perfeval; sys.exit(not perfeval.__file__.startswith(sys.argv[1]))' \
      "$PERFEVAL_ROOT/") >/dev/null 2>&1; then
    return 0
  fi
  perfeval_log "installing perfeval (editable) with test extras into $VENV"
  "$VENV_PY" -m pip install --quiet --disable-pip-version-check -e "${PERFEVAL_ROOT}[test]"
  printf '%s\n' "$want" >"$stamp_file"
}

# Debian packages for the LibreOffice-based checks (--no-install-recommends keeps it to what
# headless Calc + UNO needs; the fonts are listed explicitly: Liberation = metric-compatible
# Arial/Times New Roman for faithful page breaks, Carlito = metric-compatible Calibri, the workbooks'
# default font that sets the width of a column unit, WenQuanYi Micro Hei = Chinese glyphs in PDFs).
perfeval_libreoffice_missing() {
  local missing=()
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
  # Writer opens the draft 自评报告 (.docx) in tests/test_report_draft_docx.py
  compgen -G "$(dirname "$(readlink -f "$(command -v soffice || echo /usr/lib/libreoffice/program/soffice)")")/libswlo.*" \
    >/dev/null || missing+=(libreoffice-writer-nogui)
  /usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || missing+=(python3-uno)
  command -v pdfinfo >/dev/null 2>&1 || missing+=(poppler-utils)
  if command -v fc-list >/dev/null 2>&1; then
    fc-list 2>/dev/null | grep -q 'Liberation Sans' || missing+=(fonts-liberation2)
    fc-list 2>/dev/null | grep -q 'Carlito' || missing+=(fonts-crosextra-carlito)
    fc-list ':lang=zh' family 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
  else
    missing+=(fonts-liberation2 fonts-crosextra-carlito fonts-wqy-microhei)
  fi
  [ "${#missing[@]}" -eq 0 ] || printf '%s\n' "${missing[@]}"
}

perfeval_ensure_libreoffice() {
  local missing=()
  mapfile -t missing < <(perfeval_libreoffice_missing)
  [ "${#missing[@]}" -gt 0 ] || return 0
  if ! _perfeval_can_apt; then
    case " ${missing[*]} " in
      *" libreoffice-calc-nogui "* | *" python3-uno "*)
        perfeval_log "NOTE: LibreOffice headless/UNO missing and cannot install (not root, no apt-get," \
          "or PERFEVAL_NO_APT=1): LibreOffice tests will be skipped (as root or in CI they fail)." ;;
      *)
        perfeval_log "NOTE: missing ${missing[*]} and cannot install: PDFs may use substitute fonts" \
          "(no Chinese glyphs) and pdf_pages() uses its fallback parser." ;;
    esac
    perfeval_log "NOTE: to fix: sudo apt-get install -y --no-install-recommends ${missing[*]}"
    return 0
  fi
  # An install failure is reported but not fatal here: as root the LibreOffice tests then
  # fail loudly (tests/support/libreoffice.py: require_libreoffice), naming what is missing.
  _perfeval_apt_install "${missing[@]}" || true
}
