//go:build !unix

package mailer

import "time"

// cpuTime is not measured on this platform: the ratios use wall time only.
func cpuTime() time.Duration { return 0 }
