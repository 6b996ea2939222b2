//go:build race

package lineartest

// Race reports whether the race detector is on. It changes what a
// function allocates, so absolute allocation bounds (bytes per byte of
// input) hold only without it; the ratios Check compares are kept.
const Race = true
