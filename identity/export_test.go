package identity

import "testing"

// SignatureFor exposes the signature of resource to the external tests.
func (a App) SignatureFor(resource string) string { return a.signature(resource) }

// Scanned returns the octets the address and msg-id readers step over
// while fn runs. Not safe beside other goroutines calling the readers.
func Scanned(fn func()) int {
	n := 0
	scanned = func(k int) { n += k }
	defer func() { scanned = nil }()
	fn()
	return n
}

// LowerMaxParsedList sets the length above which address fields are
// scanned rather than parsed to n until the test ends.
func LowerMaxParsedList(t testing.TB, n int) {
	maxParsedList = n
	t.Cleanup(func() { maxParsedList = MaxParsedList })
}
