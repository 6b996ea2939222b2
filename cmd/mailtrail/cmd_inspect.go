package main

import (
	"context"
	"encoding/json"

	"github.com/mailtrail/mailtrail/inbound"
)

const inspectExample = `
mailtrail inspect reply.eml`

// runInspect reads a received message (a file, or standard input for "-"
// or no argument) and prints it as indented JSON: the ASGI email shape
// (from, to, headers, content; see inbound.Message.ASGI) with one more
// key, "reply", holding what the sender said (inbound.ParseReply): text,
// signature, structured data and attachments (file name, type, size). It
// exits 2 on a usage error or unreadable input.
func runInspect(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "inspect", "[FILE.eml|-]", inspectExample)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("unexpected argument %q", fs.Arg(1))
	}
	_, m, err := traceReadMessage(e, fs.Arg(0))
	if err != nil {
		return err
	}
	a := m.ASGI()
	out := struct {
		inbound.ASGIMessage
		Reply map[string]any `json:"reply"`
	}{inbound.ASGIMessage{From: a["from"], To: a["to"], Headers: a["headers"], Defects: a["defects"], Content: a["content"]},
		inspectReply(inbound.ParseReply(m))}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

type inspectAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content-type"`
	Size        int    `json:"size"`
}

func inspectReply(r *inbound.Reply) map[string]any {
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
