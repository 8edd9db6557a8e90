# Debian's Chromium for the email previews and their check (tests/src/chromium.rs drives it).
# Sourced after lib.sh.

# Installs the chromium package once per machine (apt-get, as root or through sudo), with the
# Liberation fonts: metric-compatible with the Arial the emails ask for, so that lines break on
# every machine where they do in mail clients. Set CHROMIUM to use another Chromium instead.
ensure_chromium() {
  if [[ -n "${CHROMIUM:-}" ]] || command -v chromium >/dev/null; then return; fi
  log "installing Debian's chromium and fonts-liberation with apt-get (once per machine)"
  local sudo=()
  [[ $EUID -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
}
