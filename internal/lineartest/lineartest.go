// Package lineartest checks, without timing anything, that the cost of a
// function grows linearly with the size of its input: it counts the bytes
// the function allocates on an input of size n and on one of size 8n. A
// linear function allocates about 8 times as much on the larger input; a
// quadratic one (a value built by string concatenation, a slice copied at
// every step) about 64 times. Allocation is the cost that the quadratic
// shapes found in parsers share, and unlike time it does not depend on
// the machine or its load.
package lineartest

import (
	"fmt"
	"runtime"
	"testing"
)

// Growth is the factor between the two sizes Check compares.
const Growth = 8

// MaxRatio is the largest ratio of the bytes allocated at Growth×n to
// those at n that Check accepts: three times the linear ratio (slices
// grown by append and size classes make linear code step above Growth),
// well under the quadratic Growth².
const MaxRatio = 3 * Growth

// Allocated returns the bytes allocated while fn runs (by every
// goroutine: run it where nothing else works).
func Allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Noise is the allocation, in bytes, under which Check accepts any ratio:
// a function that allocates next to nothing (0 bytes at n, a hundred at
// Growth×n, often from the runtime beside it) is not quadratic, and a
// quadratic one on the sizes tests use allocates megabytes.
const Noise = 16 << 10

// Check builds the input of size n and of size Growth×n with input (not
// measured), runs run on each, and fails t when the bytes allocated grow
// by more than MaxRatio (and more than Noise at Growth×n). It returns the
// ratio.
func Check[T any](t testing.TB, n int, input func(n int) T, run func(T)) float64 {
	t.Helper()
	small, large := input(n), input(Growth*n)
	run(small) // warm up: lazily built tables, pools
	a1 := Allocated(func() { run(small) })
	a8 := Allocated(func() { run(large) })
	if a1 == 0 {
		a1 = 1
	}
	ratio := float64(a8) / float64(a1)
	if ratio > MaxRatio && a8 > Noise {
		t.Errorf("allocated %d bytes at size %d and %d at size %d: ×%.1f for ×%d input, want ≤ ×%d (super-linear)",
			a1, n, a8, Growth*n, ratio, Growth, MaxRatio)
	}
	return ratio
}

// Bench runs run as sub-benchmarks on inputs of size 10×, 100× and 1000×
// base, with SetBytes set to size(input), so that ns/op and MB/s can be
// compared between the sizes: linear code keeps MB/s flat.
func Bench[T any](b *testing.B, base int, input func(n int) T, size func(T) int, run func(T)) {
	for _, k := range []int{10, 100, 1000} {
		in := input(k * base)
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			b.SetBytes(int64(size(in)))
			b.ReportAllocs()
			for b.Loop() {
				run(in)
			}
		})
	}
}
