# Shared helpers for run.sh and test.sh (sourced, not run).

# Debian packages CallCenter needs at run or test time.
# fonts-wqy-microhei: a CJK font, or headless Chromium draws the Chinese pages (and their screenshots) as boxes.
CALLCENTER_PACKAGES=(postgresql sip-tester baresip-core espeak-ng sox chromium curl fonts-wqy-microhei)

log() { printf '[callcenter] %s\n' "$*" >&2; }

# Installs whatever of CALLCENTER_PACKAGES is missing (apt-get update only when something is).
ensure_packages() {
  local missing=() p
  for p in "${CALLCENTER_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { log "the .NET 10 SDK is required (https://dot.net); dotnet is not on PATH"; exit 1; }
}
