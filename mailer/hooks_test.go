package mailer

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// TestLogSend sends through mailtest servers that accept or fail, with
// LogSend as the after-send hook, and reads back the JSON log record.
func TestLogSend(t *testing.T) {
	tests := []struct {
		name   string
		opts   []mailtest.Option
		smtp   func(*SMTPConfig)
		level  string
		msg    string
		class  string
		errHas string
	}{
		{name: "sent", level: "INFO", msg: "mailer: sent"},
		{name: "transient", opts: []mailtest.Option{mailtest.RejectData(451)},
			level: "WARN", msg: "mailer: send failed", class: "transient", errHas: "451"},
		{name: "permanent", opts: []mailtest.Option{mailtest.RejectData(554)},
			level: "ERROR", msg: "mailer: send failed", class: "permanent", errHas: "554"},
		{name: "unknown outcome", opts: []mailtest.Option{mailtest.StallAt(mailtest.StageDataEnd)}, smtp: short,
			level: "WARN", msg: "mailer: send failed", class: "unknown-outcome", errHas: "timeout"},
		{name: "wrong password", opts: []mailtest.Option{mailtest.RequireAuth("u", "right-pw")},
			smtp:  func(c *SMTPConfig) { c.Username, c.Password = "u", "wrong-pw-s3cret" },
			level: "ERROR", msg: "mailer: send failed", class: "permanent", errHas: "535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tt.opts...)
			var logs bytes.Buffer
			m := smtpMailer(t, srv, func(c *Config) {
				if tt.smtp != nil {
					tt.smtp(c.Transport.SMTP)
				}
				c.Hooks.AfterSend = LogSend(slog.New(slog.NewJSONHandler(&logs, nil)))
			})
			rc, err := m.Send(context.Background(), testMessage())
			if (err == nil) != (tt.class == "") {
				t.Fatalf("Send() = %v", err)
			}
			if strings.Contains(logs.String(), "s3cret") {
				t.Errorf("the password shows in the log: %s", logs.String())
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("log has %d lines, want 1:\n%s", len(lines), logs.String())
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"level": tt.level, "msg": tt.msg, "resource": "WO-42",
				"message_id": rc.MessageID, "recipients": 3.0}
			if tt.class != "" {
				want["class"] = tt.class
			}
			for k, v := range want {
				if rec[k] != v {
					t.Errorf("log %s = %v, want %v (record %s)", k, rec[k], v, lines[0])
				}
			}
			if tt.class == "" {
				if _, ok := rec["err"]; ok {
					t.Errorf("success logged an error: %s", lines[0])
				}
			} else if e, _ := rec["err"].(string); !strings.Contains(e, tt.errHas) {
				t.Errorf("log err = %q, want it to contain %q", e, tt.errHas)
			}
		})
	}
}

// TestLogSend_cancelled checks the class of an attempt that ctx ended.
func TestLogSend_cancelled(t *testing.T) {
	var logs bytes.Buffer
	env := &Envelope{Resource: "WO-1", MessageID: "<a@x.test>", To: []string{"b@x.test"}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	LogSend(slog.New(slog.NewTextHandler(&logs, nil)))(ctx, env, ctx.Err())
	if got := logs.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "class=cancelled") {
		t.Errorf("log = %q, want a warning of class cancelled", got)
	}
}
