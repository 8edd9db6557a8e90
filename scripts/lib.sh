# Shared shell helpers for the project's scripts. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
# Pinned so that every machine gets the stand-in whose behaviour the tests were written against.
PY_TOOLS=("moto[server]==5.2.5" "cargo-lambda==1.9.2")

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Project-local Python tools: the AWS stand-in (moto) and cargo-lambda with zig.
ensure_python_tools() {
  local stamp="$VENV/.installed-$(printf '%s ' "${PY_TOOLS[@]}" | sha256sum | cut -c1-16)"
  if [[ -f "$stamp" ]]; then return; fi
  log "installing moto and cargo-lambda into $VENV (once per machine)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PY_TOOLS[@]}"
  touch "$stamp"
}
