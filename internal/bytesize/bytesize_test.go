package bytesize

import "testing"

func TestString(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{
		{0, "0 bytes"}, {300, "300 bytes"}, {1024, "1 KiB"}, {64 << 10, "64 KiB"}, {1000, "1000 bytes"},
		{1 << 20, "1 MiB"}, {25 << 20, "25 MiB"}, {1_500_000, "1.5 MB"}, {(1 << 20) + 1, "1.0 MB"},
	} {
		if got := String(tt.n); got != tt.want {
			t.Errorf("String(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
