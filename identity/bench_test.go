package identity_test

import (
	"net/mail"
	"os"
	"sync"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

func BenchmarkApp_Stamp(b *testing.B) {
	a := app(b)
	for b.Loop() {
		if _, err := a.Stamp(uuidR, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApp_Stamp_signed(b *testing.B) {
	a := signed(b)
	for b.Loop() {
		if _, err := a.Stamp(uuidR, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func benchTrace(b *testing.B, file string, a identity.App) {
	f, err := os.Open("testdata/" + file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	m, err := mail.ReadMessage(f)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := identity.Trace(m.Header, a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrace_address(b *testing.B) { benchTrace(b, "gmail-reply.eml", app(b)) }

func BenchmarkTrace_subject(b *testing.B) { benchTrace(b, "phone-subject-only.eml", app(b)) }

// TestConcurrent runs the makers and Trace from many goroutines: run it
// under -race.
func TestConcurrent(t *testing.T) {
	a := signed(t, keyK, keyA)
	h := header(t, "To: "+ourAddr+"\nSubject: Re: [a74e22bb] x")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				st, err := a.Stamp(identity.New(), "")
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := a.ParseReplyTo(st.ReplyTo); err != nil {
					t.Error(err)
					return
				}
				_, _ = identity.Trace(h, a)
				_ = st.Subject("x")
			}
		})
	}
	wg.Wait()
}
