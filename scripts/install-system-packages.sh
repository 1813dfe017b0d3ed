#!/usr/bin/env bash
# The Debian packages the test suite needs, installed when missing. `npm test` (scripts/bootstrap.cjs) and CI
# (.ci/run) both run this script, so a fresh machine gets the same packages either way.
#
#   golang-go, openjdk-17-jre-headless, maven  build the Temporal CLI and fetch the time-skipping test server
#                                              on a closed network (scripts/temporal-binaries.ts)
#   poppler-utils                              pdftoppm renders receipts and invoices to PNG in the tests
#   docker-compose                             the tests validate docker-compose.yml
#   chromium                                   the web console's browser tests (playwright-core drives it)
#
# usage: install-system-packages.sh           install what is missing (as root), or stop naming the command
#        install-system-packages.sh --check   print what is missing, install nothing
set -euo pipefail

# Space-separated Debian packages whose commands are not on PATH (chromium: CHROMIUM_PATH, else /usr/bin/chromium).
missing_packages() {
  local need=()
  command -v go >/dev/null 2>&1 || need+=(golang-go)
  command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null 2>&1 || need+=(maven)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
  echo "${need[*]}"
}

missing="$(missing_packages)"
if [ "${1:-}" = "--check" ]; then
  [ -n "$missing" ] && echo "$missing"
  exit 0
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "[system] missing Debian packages: ${missing}. Install them as root, then run the command again: sudo apt-get update && sudo apt-get install -y ${missing}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[system] missing packages: ${missing} (Debian names), and this machine has no apt-get: install their equivalents, then run the command again." >&2
  exit 1
fi
echo "[system] installing Debian packages: ${missing}"
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing} >/dev/null
still="$(missing_packages)"
if [ -n "$still" ]; then
  echo "[system] still missing after apt-get install: ${still}" >&2
  exit 1
fi
