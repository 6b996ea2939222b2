#!/usr/bin/env bash
# Longer fuzzing: runs every fuzz target of the module, one after the other,
# each for DURATION (default 10m), one worker each unless FUZZ_PARALLEL says
# otherwise. PATTERN (a regular expression on "package/FuzzName") picks
# targets. MAILTRAIL_FUZZ_LARGE=1 makes the targets add their hostile seeds
# at full size (inputs of a few MB: folded headers, many fields, many parts,
# long lines). A crasher is written to the package's testdata/fuzz/ by
# go test; commit it as a regression seed once fixed.
#
#   .ci/fuzz.sh              # every target, 10 minutes each
#   .ci/fuzz.sh 30s          # a quick pass
#   .ci/fuzz.sh 10m 'inbound/'
set -uo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10m}
pattern=${2:-.}
export MAILTRAIL_FUZZ_LARGE=1
failed=()
while IFS= read -r file; do
	dir=$(dirname "$file")
	for name in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -c6-); do
		target="${dir#./}/$name"
		[[ "$target" =~ $pattern ]] || continue
		echo "== $target ($dur) $(date -u +%H:%M:%S)"
		if ! go test -run '^$' -timeout 0 -fuzz "^$name\$" -fuzztime "$dur" \
			-parallel "${FUZZ_PARALLEL:-1}" "$dir"; then
			failed+=("$target")
		fi
	done
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | sort)
echo "== done $(date -u +%H:%M:%S)"
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed: ${failed[*]}"
	exit 1
fi
