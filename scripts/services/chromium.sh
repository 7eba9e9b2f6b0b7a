#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (playwright-core drives it; toolchain.md section 6).
#
#   bash scripts/services/chromium.sh install   # installs the Debian package when /usr/bin/chromium is missing
#   bash scripts/services/chromium.sh path      # prints the binary's path (exit 1 when missing)
#
# Playwright's own browser download is never used (no network beyond the package registries). Installing needs
# root; `apt-get update` runs only when the first install attempt fails. Progress goes to stderr.
set -euo pipefail

BIN="${D7Y_CHROMIUM:-/usr/bin/chromium}"
say() { echo "chromium.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

install() {
  if [ -x "$BIN" ]; then return; fi
  [ "$(id -u)" = 0 ] || die "$BIN is missing; installing needs root: apt-get install -y --no-install-recommends chromium"
  say "installing chromium (Debian package)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2; then
    apt-get update >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2 || die "apt-get install chromium failed"
  fi
  [ -x "$BIN" ] || die "$BIN still missing after installation"
}

case "${1:-}" in
  install) install ;;
  path) [ -x "$BIN" ] && echo "$BIN" || die "$BIN is missing (run: bash $0 install)" ;;
  *) die "usage: $0 install|path" ;;
esac
