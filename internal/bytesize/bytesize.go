// Package bytesize writes a size in bytes the way error messages name a
// limit: "25 MiB", "64 KiB", "1.5 MB", "300 bytes".
package bytesize

import "fmt"

// String returns n bytes as text: whole mebibytes or kibibytes when n is a
// multiple of one, else megabytes with one decimal from a million bytes
// up, else bytes.
func String(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
