package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
)

// TestRules_Decide: every class of outcome meets its one rule, whatever the
// store.
func TestRules_Decide(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	rules := Rules{MinBackoff: time.Minute, MaxBackoff: time.Hour, MaxAge: 24 * time.Hour}
	partial := &mailer.SendError{Op: mailer.OpRcpt, Accepted: []string{"a@x.test"},
		Rejected: []mailer.RcptError{{Rcpt: "b@x.test", Code: 451}, {Rcpt: "c@x.test", Code: 550}}}
	tests := []struct {
		name        string
		err         error
		stopping    bool
		rules       Rules
		enqueued    time.Duration // before now
		wantAction  Action
		wantTries   int
		wantClass   string // of the Failure, "" for none
		wantTo      string
		wantPauseOK bool
	}{
		{name: "sent", wantAction: Sent, wantTries: 1},
		{name: "temporary", err: spoolTransient(451), wantAction: Retry, wantTries: 1},
		{name: "unclassified", err: errors.New("boom"), wantAction: Retry, wantTries: 1},
		{name: "permanent", err: spoolPermanent(554), wantAction: Fail, wantTries: 1, wantClass: "permanent"},
		{name: "unknown outcome", err: spoolUnknown(), wantAction: Hold, wantTries: 1, wantClass: "unknown"},
		{name: "unknown outcome, RetryUnknown", err: spoolUnknown(), rules: Rules{RetryUnknown: true}, wantAction: Retry, wantTries: 1},
		{name: "server down", err: &mailer.SendError{Op: mailer.OpDial, Err: errors.New("connection refused")},
			wantAction: Snooze, wantTries: 0, wantPauseOK: true},
		{name: "credentials refused", err: classed{&mailer.SendError{Op: mailer.OpAuth, Code: 535}, mailer.ErrPermanent},
			wantAction: Snooze, wantTries: 0, wantPauseOK: true},
		{name: "partial delivery", err: partial, wantAction: Retry, wantTries: 1, wantTo: "b@x.test"},
		{name: "stopping before the dot", err: context.Canceled, stopping: true, wantAction: Leave},
		{name: "stopping after the dot", err: spoolUnknown(), stopping: true, wantAction: Hold, wantTries: 1, wantClass: "unknown"},
		{name: "too old", err: spoolTransient(451), enqueued: 24 * time.Hour, wantAction: Fail, wantTries: 1, wantClass: "expired"},
		{name: "server down too long", err: &mailer.SendError{Op: mailer.OpDial}, enqueued: 24 * time.Hour, wantAction: Fail, wantClass: "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rules
			r.RetryUnknown = tt.rules.RetryUnknown
			e := &Entry{ID: "x", To: []string{"a@x.test", "b@x.test", "c@x.test"}, Enqueued: now.Add(-tt.enqueued)}
			d := r.Decide(e, tt.err, tt.stopping, 1, now)
			if d.Action != tt.wantAction {
				t.Fatalf("Decide(%v) = %v, want %v", tt.err, d.Action, tt.wantAction)
			}
			if e.Attempts != tt.wantTries {
				t.Errorf("Attempts = %d, want %d", e.Attempts, tt.wantTries)
			}
			switch {
			case tt.wantClass == "" && d.Failure != nil:
				t.Errorf("Failure = %+v, want none", d.Failure)
			case tt.wantClass != "" && (d.Failure == nil || d.Failure.Class != tt.wantClass):
				t.Errorf("Failure = %+v, want class %q", d.Failure, tt.wantClass)
			}
			if d.Action == Retry || d.Action == Snooze {
				if !d.At.After(now) || !e.Next.Equal(d.At) || e.LastError == "" {
					t.Errorf("At = %v, Next = %v, LastError %q; want a later time, kept, with the error", d.At, e.Next, e.LastError)
				}
			}
			if tt.wantPauseOK && (d.Pause <= 0 || d.Pause > rules.MinBackoff) {
				t.Errorf("Pause = %v, want (0, %v] after one failure", d.Pause, rules.MinBackoff)
			}
			if tt.wantTo != "" && strings.Join(e.To, ",") != tt.wantTo {
				t.Errorf("To = %v, want only %s, the temporarily refused", e.To, tt.wantTo)
			}
			if d.Action.State() != StateQueued && d.Action != Leave && e.Done.IsZero() {
				t.Errorf("Done is zero for a message that left the queue")
			}
		})
	}
}

func TestRules_Backoff(t *testing.T) {
	r := Rules{}.WithDefaults()
	for _, tt := range []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 30 * time.Second, time.Minute},
		{2, time.Minute, 2 * time.Minute},
		{7, 30 * time.Minute, time.Hour},
		{50, 30 * time.Minute, time.Hour},
	} {
		t.Run(fmt.Sprint(tt.attempt), func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 200 {
				d := r.Backoff(tt.attempt)
				if d < tt.min || d > tt.max {
					t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", tt.attempt, d, tt.min, tt.max)
				}
				seen[d] = true
			}
			if len(seen) < 10 {
				t.Errorf("Backoff(%d) took %d distinct values in 200 draws, want jitter", tt.attempt, len(seen))
			}
		})
	}
}

func TestParseState(t *testing.T) {
	for _, st := range states {
		if got, err := ParseState(st.String()); err != nil || got != st {
			t.Errorf("ParseState(%q) = %v, %v", st.String(), got, err)
		}
	}
	if _, err := ParseState("lost"); err == nil {
		t.Errorf("ParseState(lost) = nil error")
	}
}
