package outbox_test

import (
	"context"
	"fmt"
	"os"

	"github.com/mailtrail/mailtrail/outbox"
)

func ExampleOpenFolder() {
	dir, _ := os.MkdirTemp("", "outbox")
	defer os.RemoveAll(dir)
	ob, err := outbox.OpenFolder(dir, nil) // nil: enqueue only; Run needs a Transport
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ob.Close()
	for _, sub := range []string{"queue", "sent", "failed", "unknown"} {
		_, err := os.Stat(ob.Path(mustState(sub), "", ""))
		fmt.Println(sub, err == nil)
	}
	c, err := ob.Counts(context.Background())
	fmt.Printf("%+v %v\n", c, err)
	// Output:
	// queue true
	// sent true
	// failed true
	// unknown true
	// {Queued:0 Sent:0 Failed:0 Unknown:0} <nil>
}

func mustState(s string) outbox.State {
	st, err := outbox.ParseState(s)
	if err != nil {
		panic(err)
	}
	return st
}

func ExampleParseState() {
	for _, s := range []string{"queued", "queue", "sent", "failed", "unknown", "lost"} {
		st, err := outbox.ParseState(s)
		fmt.Println(st, err)
	}
	// Output:
	// queued <nil>
	// queued <nil>
	// sent <nil>
	// failed <nil>
	// unknown <nil>
	// queued outbox: unknown state "lost": want queued, sent, failed or unknown
}
