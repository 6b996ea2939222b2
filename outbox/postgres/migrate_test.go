package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/mailtrail/mailtrail/internal/pgtest"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/postgres"
)

// legacyArgs is a message job as the versions before the table
// mailtrail_message wrote it: the bytes in the arguments, as a JSON string
// when UTF-8, else as base64.
type legacyArgs struct {
	Key       string   `json:"key,omitempty" river:"unique"`
	From      string   `json:"from"`
	To        []string `json:"to"`
	MessageID string   `json:"message_id,omitempty"`
	Resource  string   `json:"resource,omitempty"`
	Text      string   `json:"text,omitempty"`
	Data      []byte   `json:"data,omitempty"`
}

func (legacyArgs) Kind() string { return "mailtrail_message" }

// legacyJob inserts env as an earlier version did, and returns its job id.
func legacyJob(t *testing.T, c *river.Client[pgx.Tx], key string, env *mailer.Envelope) int64 {
	t.Helper()
	a := legacyArgs{Key: key, From: env.From, To: env.To, MessageID: env.MessageID, Resource: env.Resource}
	if utf8.Valid(env.Data) {
		a.Text = string(env.Data)
	} else {
		a.Data = env.Data
	}
	meta, err := json.Marshal(map[string]any{"envelope": map[string]any{"key": key, "from": env.From, "to": env.To,
		"message_id": env.MessageID, "resource": env.Resource, "size": len(env.Data)}})
	if err != nil {
		t.Fatal(err)
	}
	opts := &river.InsertOpts{Queue: postgres.DefaultQueue, Metadata: meta}
	if key != "" {
		opts.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: rivertype.JobStates()}
	}
	res, err := c.Insert(context.Background(), a, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res.Job.ID
}

// A database of an earlier version, with messages queued, delivered and
// failed, upgrades: the messages that may still be sent have their bytes
// moved, byte for byte, and are delivered or retried as before; their keys
// still count.
func TestStore_Migrate_upgrade(t *testing.T) {
	ctx := context.Background()
	srv := mailtest.NewServer(t)
	var o postgres.Options
	res := &results{ch: make(chan outbox.Result, 100)}
	o.OnResult = func(r outbox.Result) { res.ch <- r }
	o.Logger, o.Transport = quiet, transport(t, srv.URL(), 2)
	s, err := postgres.Open(ctx, pgtest.URL(t), &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	// The earlier version: River's tables alone.
	m, err := rivermigrate.New(riverpgxv5.New(s.Pool()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		t.Fatal(err)
	}
	c, err := river.NewClient(riverpgxv5.New(s.Pool()), &river.Config{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	queued, unkeyed, sent, failed := envelope(1), envelope(2), envelope(3), envelope(4)
	unkeyed.Data = append(unkeyed.Data[:len(unkeyed.Data):len(unkeyed.Data)], "caf\xe9\r\n"...) // not UTF-8: base64
	legacyJob(t, c, "old-1", queued)
	unkeyedID := legacyJob(t, c, "", unkeyed)
	sentID := legacyJob(t, c, "old-3", sent)
	failedID := legacyJob(t, c, "old-4", failed)
	if _, err := s.Pool().Exec(ctx, `UPDATE river_job SET state = 'completed', finalized_at = now() WHERE id = $1`, sentID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE river_job SET state = 'cancelled', finalized_at = now(),
		metadata = metadata || '{"output": {"state": "failed", "attempts": 1, "failure": {"class": "permanent", "code": 554}}}'
		WHERE id = $1`, failedID); err != nil {
		t.Fatal(err)
	}

	// This version's code on the old tables: nothing runs, nothing is
	// half-written.
	if err := s.Run(ctx); !errors.Is(err, postgres.ErrNotMigrated) {
		t.Fatalf("Run() before the upgrade = %v, want ErrNotMigrated", err)
	}
	if _, err := s.Enqueue(ctx, envelope(5)); !errors.Is(err, postgres.ErrNotMigrated) {
		t.Fatalf("Enqueue() before the upgrade = %v, want ErrNotMigrated", err)
	}
	if c := status(t, s); c != (outbox.Counts{Queued: 2, Sent: 1, Failed: 1}) {
		t.Fatalf("Counts() before the upgrade = %+v", c)
	}

	v, err := s.Migrate(ctx)
	if err != nil || !slices.Equal(v, []string{"mailtrail 1"}) {
		t.Fatalf("Migrate() = %v, %v; want [mailtrail 1]", v, err)
	}
	var moved, args int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE j.args ? 'text' OR j.args ? 'data')
		FROM mailtrail_message m JOIN river_job j ON j.id = m.job_id`).Scan(&moved, &args); err != nil {
		t.Fatal(err)
	}
	if moved != 3 || args != 0 {
		t.Errorf("after the upgrade: %d messages moved (%d still in their arguments), want 3 (0)", moved, args)
	}
	var sentArgs []byte
	if err := s.Pool().QueryRow(ctx, `SELECT args FROM river_job WHERE id = $1`, sentID).Scan(&sentArgs); err != nil {
		t.Fatal(err)
	}
	var kept legacyArgs
	if err := json.Unmarshal(sentArgs, &kept); err != nil || kept.Text != string(sent.Data) {
		t.Errorf("a delivered message's arguments changed: %s, %v", sentArgs, err)
	}
	if e, err := s.Lookup(ctx, strconv.FormatInt(unkeyedID, 10)); err != nil || e.Size != len(unkeyed.Data) || e.MessageID != unkeyed.MessageID {
		t.Fatalf("Lookup(unkeyed) = %+v, %v", e, err)
	}

	run(t, s)
	for range 2 {
		if r := res.wait(t); r.State != outbox.StateSent {
			t.Fatalf("attempt after the upgrade = %+v, want sent", r)
		}
	}
	if n, err := s.Retry(ctx, []string{"old-4"}); err != nil || n != 1 {
		t.Fatalf("Retry(old-4) = %d, %v", n, err)
	}
	if r := res.wait(t); r.State != outbox.StateSent || r.Entry.MessageID != failed.MessageID {
		t.Fatalf("attempt after Retry = %+v, want old-4 sent", r)
	}
	waitStatus(t, s, outbox.Counts{Sent: 4})
	want := map[string]bool{string(queued.Data): true, string(unkeyed.Data): true, string(failed.Data): true}
	msgs := srv.Messages()
	if len(msgs) != 3 {
		t.Fatalf("server got %d messages, want 3", len(msgs))
	}
	for _, msg := range msgs {
		if !want[string(msg.Data)] {
			t.Errorf("server got %q, want the bytes enqueued before the upgrade", msg.Data)
		}
		delete(want, string(msg.Data))
	}
	for _, key := range []string{"old-1", "old-3"} {
		if _, err := s.EnqueueKey(ctx, key, envelope(9)); !errors.Is(err, outbox.ErrDuplicate) {
			t.Errorf("EnqueueKey(%s) after the upgrade = %v, want ErrDuplicate", key, err)
		}
	}
}
