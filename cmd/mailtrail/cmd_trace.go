package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
)

const traceExample = `
mailtrail trace --from fleet@example.com --json reply.eml`

// runTrace reads a received message (a file, or standard input for "-" or
// no argument) and prints the id of the resource it is about. It exits 0
// when found, 1 when the message names no resource of the application (or
// names one with a forged signature), 2 on a usage error or unreadable
// input.
func runTrace(ctx context.Context, e *env, args []string) error {
	o, err := traceParse(e, args)
	if err != nil {
		return err
	}
	app, err := appFlag(e, o.from)
	if err != nil {
		return err
	}
	authOpts, err := authOptions(o.trust)
	if err != nil {
		return err
	}
	name, raw, m, err := traceReadRaw(ctx, e, o.file)
	if err != nil {
		return err
	}
	res, err := inbound.Trace(m, app)
	if err != nil {
		return traceError(name, app, res, err)
	}
	if err := traceNotes(ctx, e, o, name, raw, res, authOpts); err != nil {
		return err
	}
	return tracePrint(e, res, o.asJSON)
}

// traceOptions are trace's flags and its argument.
type traceOptions struct {
	from, trust         string
	asJSON, requireAuth bool
	file                string // "" or "-" for standard input
}

// traceParse reads trace's flags and its argument.
func traceParse(e *env, args []string) (*traceOptions, error) {
	var o traceOptions
	fs := newFlags(e, "trace", "--from APP@DOMAIN [--json] [--require-auth] [--smime-trust FILE] [FILE.eml|-]", traceExample)
	fs.BoolVar(&o.requireAuth, "require-auth", false, "when only the subject tag matched, require a passing S/MIME or DKIM signature (exit 1 otherwise)")
	fs.StringVar(&o.trust, "smime-trust", "", smimeTrustUsage)
	fs.StringVar(&o.from, "from", "", "the application's address `APP@DOMAIN` (as given to render, \"Name <APP@DOMAIN>\" too): only its plus addresses and ids count")
	fs.BoolVar(&o.asJSON, "json", false, `print {"resource", "source", "exact", "kind"} as JSON, plus "verified": false when a signed address was read without MAILTRAIL_KEYS; `+
		`a subject tag is a readable id whole ([INV-2026-0117]) or a UUID's first 8 characters ([a74e22bb])`)
	if err := parseArgs(fs, args, 1); err != nil {
		return nil, err
	}
	if o.from == "" {
		return nil, usagef("missing --from APP@DOMAIN")
	}
	o.file = fs.Arg(0)
	return &o, nil
}

// traceError is the exit of a message that traces to nothing: 1 when it
// names no resource of app (or a forged one), 2 when it cannot be read.
func traceError(name string, app identity.App, res *inbound.Result, err error) error {
	var te *identity.TokenError
	switch {
	case errors.As(err, &te):
		return &exitError{code: 1, err: fmt.Errorf("%s: %w", name, err)}
	case errors.Is(err, identity.ErrNotFound):
		kind := ""
		if res != nil && res.Kind != inbound.Reply {
			kind = " (" + res.Kind.String() + ")"
		}
		return &exitError{code: 1, err: fmt.Errorf("%s: no resource of %s found%s", name, app, kind)}
	}
	return &exitError{code: 2, err: fmt.Errorf("%s: %w", name, err)}
}

// traceNotes says on standard error what the caller should know of a
// traced message: that it is not a partner's answer, that its signature
// was not checked, or that only its subject tag matched (which, with
// --require-auth, fails unless a signature verifies).
func traceNotes(ctx context.Context, e *env, o *traceOptions, name string, raw []byte, res *inbound.Result, authOpts *inbound.AuthOptions) error {
	if res.Kind != inbound.Reply {
		// Standard error, so that standard output keeps the contract's shape.
		fmt.Fprintf(e.stderr, "mailtrail trace: %s: this message is %s\n", name, traceKindPhrase(res.Kind))
	}
	if res.Unverified {
		fmt.Fprintf(e.stderr, "mailtrail trace: %s: the %s carries a signature that was not checked (MAILTRAIL_KEYS is not set): anyone who knows the id could have written it\n", name, res.Header)
	}
	if !res.Exact && o.requireAuth {
		// A subject tag is a prefix anyone can type: only a signature that
		// verifies says who wrote.
		a := inbound.VerifyAuth(ctx, raw, authOpts)
		if !a.Pass() {
			return &exitError{code: 1, err: fmt.Errorf("%s: only the subject tag matched and no signature verifies (s/mime %s, dkim %s)%s", name, a.SMIME, a.DKIM, authReason(a))}
		}
		fmt.Fprintf(e.stderr, "mailtrail trace: %s: only the subject tag matched; signed by %s\n", name, a.Signer)
	} else if !res.Exact {
		fmt.Fprintf(e.stderr, "mailtrail trace: %s: only the subject tag matched: a prefix anyone can type; check that %s may write about it\n", name, res.Sender)
	}
	return nil
}

// tracePrint prints the resource id, or with --json the contract's object.
func tracePrint(e *env, res *inbound.Result, asJSON bool) error {
	if !asJSON {
		fmt.Fprintln(e.stdout, res.Resource)
		return nil
	}
	// Exactly the keys and four sources of the CLI contract: scripts rely
	// on them. "verified" appears only as false, when a signature was read
	// but not checked.
	out := struct {
		Resource string `json:"resource"`
		Source   string `json:"source"`
		Exact    bool   `json:"exact"`
		Kind     string `json:"kind"`
		Verified *bool  `json:"verified,omitempty"`
	}{res.Resource, traceSource(res.Source), res.Exact, res.Kind.String(), nil}
	if res.Unverified {
		out.Verified = new(bool)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n", b)
	return nil
}

// traceSource names where the resource was found with one of the
// contract's four words. A bounce traced through the Message-ID of the
// original it returns is reported as "in-reply-to": the bounce answers that
// message, and the id is ours, exactly.
func traceSource(s identity.Source) string {
	if s == identity.SourceMessageID {
		return identity.SourceInReplyTo.String()
	}
	return s.String()
}

func traceKindPhrase(k inbound.Kind) string {
	switch k {
	case inbound.Bounce:
		return "a bounce (a delivery failure report), not a partner's answer"
	case inbound.AutoReply:
		return "an automatic reply, not a partner's answer"
	}
	return k.String()
}

// traceReadRaw reads and parses the message named by arg ("" or "-" for
// standard input) and returns its name, its bytes (for the signatures) and
// the parsed message. Any failure is an *exitError with code 2: the input
// is unreadable.
func traceReadRaw(ctx context.Context, e *env, arg string) (string, []byte, *inbound.Message, error) {
	name := arg
	var r io.Reader = e.stdin
	if arg == "" || arg == "-" {
		name = "standard input"
	} else {
		f, err := os.Open(arg)
		if err != nil {
			return name, nil, nil, &exitError{code: 2, err: err}
		}
		defer f.Close()
		r = f
	}
	// Read into one buffer of the file's size and parse those bytes in
	// place: the message is held once, not twice.
	raw, err := inbound.ReadRaw(ctx, r, nil)
	if err != nil {
		return name, nil, nil, &exitError{code: 2, err: fmt.Errorf("%s: %w", name, err)}
	}
	m, err := inbound.ParseBytes(ctx, raw, nil)
	if err != nil {
		return name, nil, nil, &exitError{code: 2, err: fmt.Errorf("%s: %w", name, err)}
	}
	if len(m.Header) == 0 {
		if bytes.HasPrefix(m.Content.Body, []byte(traceOLEMagic)) {
			return name, nil, nil, &exitError{code: 2, err: fmt.Errorf("%s: an Outlook .msg file, not an e-mail message: save or download the message as .eml", name)}
		}
		return name, nil, nil, &exitError{code: 2, err: fmt.Errorf("%s: no header fields: not an e-mail message", name)}
	}
	return name, raw, m, nil
}

// traceOLEMagic opens a compound file, the format of Outlook's .msg files
// (what dragging a message out of Outlook for Windows saves).
const traceOLEMagic = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
