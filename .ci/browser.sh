#!/usr/bin/env bash
# Browser tests of "preview --serve" and "sink --ui": install Debian's chromium
# when it is missing, run the headless tests (required, not skipped), and keep
# their screenshots in testout/browser (git-ignored). The tests are in e2e/,
# a nested module.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
	sudo=""
	if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo=sudo; fi
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi

export MAILTRAIL_TEST_OUT="${MAILTRAIL_TEST_OUT:-$PWD/testout/browser}"
export MAILTRAIL_REQUIRE_BROWSER=1
mkdir -p "$MAILTRAIL_TEST_OUT"
echo "== browser tests (screenshots in $MAILTRAIL_TEST_OUT)"
# The browser tests are a module of their own (e2e/go.mod), so the browser
# driver is not a dependency of the library.
(cd e2e && go vet ./... && go test -race -count=1 -run '^TestBrowser_' -v ./...)
ls -l "$MAILTRAIL_TEST_OUT"/*/
