#!/usr/bin/env bash
# Browser tests of "preview --serve" and "sink --ui": install Debian's chromium
# when it is missing, run the headless tests (required, not skipped), and keep
# their screenshots in testout/browser (git-ignored).
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
go test -race -count=1 -run '^TestBrowser_' -v ./cmd/mailtrail
ls -l "$MAILTRAIL_TEST_OUT"/*/
