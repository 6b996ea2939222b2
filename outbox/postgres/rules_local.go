package postgres

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
)

// Defaults of the delivery rules.
const (
	DefaultConcurrency = 2
	DefaultMaxAge      = 5 * 24 * time.Hour
	DefaultMinBackoff  = time.Minute
	DefaultMaxBackoff  = time.Hour
)

// backoff returns the wait before retry number attempt (1 for the first):
// min doubled per attempt up to max, less a random part of up to half.
func backoff(attempt int, lo, hi time.Duration) time.Duration {
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	half := d / 2
	return d - half + time.Duration(rand.Int64N(int64(half)+1))
}

// serverLevel reports whether err concerns the connection rather than the
// message: a dial, TLS, greeting, EHLO, STARTTLS or AUTH failure.
func serverLevel(err error) bool {
	var se *mailer.SendError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Op {
	case mailer.OpDial, mailer.OpTLS, mailer.OpGreeting, mailer.OpHello, mailer.OpStartTLS, mailer.OpAuth:
		return true
	}
	return false
}
