package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/outboxtest"
	"github.com/mailtrail/mailtrail/outbox/postgres"
)

// jobRow reads River's own columns of a message's job.
func jobRow(t *testing.T, s *postgres.Store, id string) (state string, attempt int, snoozes int) {
	t.Helper()
	err := s.Pool().QueryRow(context.Background(),
		`SELECT state, attempt, coalesce((metadata->>'snoozes')::int, 0) FROM river_job WHERE id = $1::bigint`, id).
		Scan(&state, &attempt, &snoozes)
	if err != nil {
		t.Fatal(err)
	}
	return state, attempt, snoozes
}

// A relay outage snoozes the message: River spends none of its attempts,
// so an outage of any length discards nothing; MaxAge alone gives up.
func TestWork_outageSnoozes(t *testing.T) {
	s, res := deliveryStore(t, "smtp+insecure://"+outboxtest.ClosedPort(t), &postgres.Options{Rules: fast})
	id, err := s.Enqueue(context.Background(), envelope(1))
	if err != nil {
		t.Fatal(err)
	}
	run(t, s)
	for range 3 {
		r := res.wait(t)
		if r.State != outbox.StateQueued || r.Err == nil {
			t.Fatalf("attempt during an outage = %+v, want queued with an error", r)
		}
	}
	waitFor(t, func() bool {
		state, attempt, snoozes := jobRow(t, s, id)
		return snoozes >= 3 && attempt <= 1 && state != "discarded"
	}, "the job snoozed 3 times without spending River's attempts")
}

// A permanent refusal is filed as failed with the server's answer, the job
// cancelled (River never runs it again); Retry queues it again, with the
// same bytes.
func TestWork_permanentThenRetry(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageDataEnd, Code: 554, Text: "spam detected", Times: 1}))
	s, res := deliveryStore(t, srv.URL(), nil)
	ctx := context.Background()
	env := envelope(1)
	id, err := s.Enqueue(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	run(t, s)
	if r := res.wait(t); r.State != outbox.StateFailed {
		t.Fatalf("attempt = %+v, want failed", r)
	}
	waitStatus(t, s, outbox.Counts{Failed: 1})
	if state, _, _ := jobRow(t, s, id); state != "cancelled" {
		t.Errorf("River state = %q, want cancelled", state)
	}
	list, err := s.List(ctx, outbox.StateFailed)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != id || list[0].Failure == nil || list[0].Failure.Code != 554 ||
		list[0].Failure.Reply != "spam detected" || list[0].Failure.Class != "permanent" || list[0].MessageID != env.MessageID ||
		list[0].Size != len(env.Data) {
		t.Fatalf("List(Failed) = %+v, want the message with the server's 554 answer", list)
	}

	if n, err := s.Retry(ctx, []string{id}); err != nil || n != 1 {
		t.Fatalf("Retry() = %d, %v; want 1", n, err)
	}
	if r := res.wait(t); r.State != outbox.StateSent {
		t.Fatalf("attempt after Retry = %+v, want sent", r)
	}
	waitStatus(t, s, outbox.Counts{Sent: 1})
	if msgs := srv.Messages(); len(msgs) != 1 || string(msgs[0].Data) != string(env.Data) {
		t.Fatalf("server got %d messages, want the same bytes once", len(msgs))
	}
	if n, err := s.Retry(ctx, []string{id, "999999"}); !errors.Is(err, outbox.ErrNotFound) || n != 0 {
		t.Errorf("Retry() of a sent message and of none = %d, %v; want 0, ErrNotFound", n, err)
	}
}

// A connection lost after the final "." leaves the outcome unknown: not
// retried, listed for a person, until RetryState queues it again.
func TestWork_unknownOutcome(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageDataEnd, Action: mailtest.Drop, Times: 1}))
	s, res := deliveryStore(t, srv.URL(), nil)
	ctx := context.Background()
	if _, err := s.Enqueue(ctx, envelope(1)); err != nil {
		t.Fatal(err)
	}
	run(t, s)
	if r := res.wait(t); r.State != outbox.StateUnknown {
		t.Fatalf("attempt = %+v, want unknown", r)
	}
	waitStatus(t, s, outbox.Counts{Unknown: 1})
	list, err := s.List(ctx, outbox.StateUnknown)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Failure == nil || list[0].Failure.Class != "unknown" || list[0].Unknown != 1 {
		t.Fatalf("List(Unknown) = %+v, want the message, class unknown", list)
	}
	select {
	case r := <-res.ch:
		t.Fatalf("an unknown outcome was retried on its own: %+v", r)
	case <-time.After(500 * time.Millisecond):
	}
	n, err := s.RetryState(ctx, outbox.StateUnknown)
	if err != nil || n != 1 {
		t.Fatalf("RetryState(Unknown) = %d, %v; want 1", n, err)
	}
	if r := res.wait(t); r.State != outbox.StateSent {
		t.Fatalf("attempt after RetryState = %+v, want sent", r)
	}
	// The server kept both copies: the same Message-ID, for it to drop one.
	msgs := srv.Messages()
	if len(msgs) != 2 || string(msgs[0].Data) != string(msgs[1].Data) {
		t.Fatalf("server got %d messages, want the same bytes twice", len(msgs))
	}
}

// A temporary refusal is retried after the backoff with the same bytes.
func TestWork_temporaryRetried(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageDataEnd, Code: 451, Times: 2}))
	s, res := deliveryStore(t, srv.URL(), &postgres.Options{Rules: fast})
	env := envelope(1)
	if _, err := s.Enqueue(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	run(t, s)
	for i := range 2 {
		if r := res.wait(t); r.State != outbox.StateQueued {
			t.Fatalf("attempt %d = %+v, want queued for a retry", i+1, r)
		}
	}
	if r := res.wait(t); r.State != outbox.StateSent {
		t.Fatalf("attempt 3 = %+v, want sent", r)
	}
	if msgs := srv.Messages(); len(msgs) != 1 || string(msgs[0].Data) != string(env.Data) {
		t.Fatalf("server got %d messages, want the same bytes once", len(msgs))
	}
}

// fast are rules with short backoffs, for tests.
var fast = outbox.Rules{MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}

// waitFor polls cond for up to 30 seconds.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A message whose bytes are gone (deleted by hand) cannot be sent: it is
// filed as failed, saying so, and nothing reaches the server.
func TestWork_bytesMissing(t *testing.T) {
	srv := mailtest.NewServer(t)
	s, res := deliveryStore(t, srv.URL(), nil)
	ctx := context.Background()
	id, err := s.Enqueue(ctx, envelope(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `DELETE FROM mailtrail_message WHERE job_id = $1::bigint`, id); err != nil {
		t.Fatal(err)
	}
	run(t, s)
	if r := res.wait(t); r.State != outbox.StateFailed || r.Err == nil || !strings.Contains(r.Err.Error(), "bytes are missing") {
		t.Fatalf("attempt = %+v, want failed: the bytes are missing", r)
	}
	waitStatus(t, s, outbox.Counts{Failed: 1})
	list, err := s.List(ctx, outbox.StateFailed)
	if err != nil || len(list) != 1 || list[0].Failure == nil || !strings.Contains(list[0].Failure.Error, "bytes are missing") {
		t.Fatalf("List(Failed) = %+v, %v; want the message, saying its bytes are missing", list, err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("server got %d messages, want none", n)
	}
}

// Deleting a message's job deletes its bytes (River's cleaner of
// delivered messages, Options.KeepSent, does).
func TestStore_bytesDeletedWithJob(t *testing.T) {
	s := openStore(t, nil)
	ctx := context.Background()
	id, err := s.Enqueue(ctx, envelope(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `DELETE FROM river_job WHERE id = $1::bigint`, id); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM mailtrail_message`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("after deleting the job, %d messages' bytes are left (%v), want none", n, err)
	}
}

// Workers read the bytes of the jobs River prefetched for them several at
// a time: each message still goes out once, with its own bytes to its own
// recipient (from the job's envelope).
func TestWork_manyMessages(t *testing.T) {
	srv := mailtest.NewServer(t)
	s, res := deliveryStore(t, srv.URL(), &postgres.Options{Concurrency: 4})
	ctx := context.Background()
	const n = 300
	items := make([]outbox.Item, n)
	want := make(map[string]string, n) // bytes → recipient
	for i := range items {
		env := envelope(i)
		env.To = []string{fmt.Sprintf("partner%d@example.net", i)}
		items[i] = outbox.Item{Env: env}
		want[string(env.Data)] = env.To[0]
	}
	if err := s.EnqueueBatch(ctx, items); err != nil {
		t.Fatal(err)
	}
	run(t, s)
	for range n {
		if r := res.wait(t); r.State != outbox.StateSent {
			t.Fatalf("attempt = %+v, want sent", r)
		}
	}
	msgs := srv.Messages()
	if len(msgs) != n {
		t.Fatalf("server got %d messages, want %d", len(msgs), n)
	}
	for _, m := range msgs {
		rcpt, ok := want[string(m.Data)]
		if !ok || len(m.To) != 1 || m.To[0] != rcpt {
			t.Fatalf("server got %q for %v: not one of the messages, twice, or to another's recipient", m.Data, m.To)
		}
		delete(want, string(m.Data))
	}
}
