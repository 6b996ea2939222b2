package imap_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mailtrail/mailtrail/inbound/imap"
)

func ExampleOpenFileLedger() {
	dir, _ := os.MkdirTemp("", "ledger")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "inbox.ledger")

	l, err := imap.OpenFileLedger(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	l.Record(ctx, "<reply-1@garage.example>", imap.OutcomeProcessed)
	l.Close()

	// After a restart the ledger still knows where the message was filed.
	l, _ = imap.OpenFileLedger(path)
	defer l.Close()
	o, ok, err := l.Lookup(ctx, "<reply-1@garage.example>")
	fmt.Println(o, ok, err)
	_, ok, _ = l.Lookup(ctx, "<unknown@garage.example>")
	fmt.Println(ok)
	// Output:
	// processed true <nil>
	// false
}
