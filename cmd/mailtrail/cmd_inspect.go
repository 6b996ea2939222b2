package main

import (
	"context"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/reply"
	"github.com/mailtrail/mailtrail/internal/jsonout"
)

const inspectExample = `
mailtrail inspect reply.eml
  mailtrail inspect --smime-trust partners.pem reply.eml   # S/MIME signers must chain to these
  mailtrail inspect --from fleet@example.com reply.eml   # adds "trace"`

// runInspect reads a received message (a file, or standard input for "-"
// or no argument) and prints it as indented JSON: the ASGI email shape
// (from, to, headers, content; see inbound.Message.ASGI) with one more
// key, "reply", holding what the sender said (reply.Parse): text,
// signature, structured data and attachments (file name, type, size), and
// "auth", what its signatures say (inbound.VerifyAuth: "smime" and "dkim"
// each "pass", "fail" or "none", and "signer"; --smime-trust FILE names the
// certificates S/MIME signers must chain to). It
// exits 2 on a usage error or unreadable input. With --from it adds
// "trace": the three keys trace --json prints (with the same four source
// words) and "kind" (reply, auto-reply or bounce), or {"error": …,
// "kind": …} when no resource is found.
func runInspect(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "inspect", "[--from APP@DOMAIN] [--smime-trust FILE] [FILE.eml|-]", inspectExample)
	var from, trust string
	fs.StringVar(&from, "from", "", "also trace the message for the application `APP@DOMAIN`")
	fs.StringVar(&trust, "smime-trust", "", smimeTrustUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var app identity.App
	if from != "" {
		a, err := appFlag(e, from)
		if err != nil {
			return err
		}
		app = a
	}
	if fs.NArg() > 1 {
		return usagef("unexpected argument %q", fs.Arg(1))
	}
	authOpts, err := authOptions(trust)
	if err != nil {
		return err
	}
	_, raw, m, err := traceReadRaw(ctx, e, fs.Arg(0))
	if err != nil {
		return err
	}
	// The document is written as it is walked: each body is decoded and
	// escaped a piece at a time straight into the output (see
	// inbound.Message.ASGIStream), so a large message is not held again.
	a := m.ASGIStream()
	out := jsonout.Object{{Key: "from", Value: a["from"]}, {Key: "to", Value: a["to"]}, {Key: "headers", Value: a["headers"]}}
	if d, ok := a["defects"]; ok {
		out = append(out, jsonout.Member{Key: "defects", Value: d})
	}
	out = append(out,
		jsonout.Member{Key: "content", Value: a["content"]},
		jsonout.Member{Key: "reply", Value: inspectReply(reply.Parse(m))},
		jsonout.Member{Key: "auth", Value: inbound.VerifyAuth(ctx, raw, authOpts)})
	if from != "" {
		out = append(out, jsonout.Member{Key: "trace", Value: inspectTrace(m, app)})
	}
	return jsonout.NewWriter(e.stdout, "  ").Encode(out)
}

// inspectTrace is the "trace" key: what trace --json says, or the error
// and the kind when no resource is found.
func inspectTrace(m *inbound.Message, app identity.App) map[string]any {
	res, err := inbound.Trace(m, app)
	if err == nil {
		return map[string]any{"resource": res.Resource, "source": traceSource(res.Source), "exact": res.Exact, "kind": res.Kind.String()}
	}
	out := map[string]any{"error": err.Error()}
	if res != nil {
		out["kind"] = res.Kind.String()
	}
	return out
}

type inspectAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content-type"`
	Size        int    `json:"size"`
}

func inspectReply(r *reply.Reply) map[string]any {
	atts := make([]inspectAttachment, 0, len(r.Attachments))
	for _, a := range r.Attachments {
		atts = append(atts, inspectAttachment{a.Filename, a.ContentType, a.Size})
	}
	out := map[string]any{
		"text":        r.Text,
		"text-type":   r.TextType,
		"signature":   r.Signature,
		"data":        r.Data,
		"attachments": atts,
	}
	if r.DataType != "" {
		out["data-type"] = r.DataType
	}
	return out
}
