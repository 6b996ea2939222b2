package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailtrail/mailtrail/internal/atomicfile"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

// renderOptions are the flags shared by render and send.
type renderOptions struct {
	Template string            // path of the template file, T.md
	Data     string            // path of the JSON data file, "-" for stdin
	From     string            // the application's address
	To       []string          // recipients, from repeated or comma-separated --to
	Cc, Bcc  []string          // copies; Bcc only on the envelope
	Header   map[string]string // extra header fields (the mailer's allow-list)
	Layout   string            // layout file; "" means layout.html beside the template, else the default
	Brand    string            // brand file; "" means brand.yaml beside the template, else none
	Resource string            // the resource id
	Locale   string            // the template variant
	Attach   []string          // files to attach
	Output   string            // render: the output file; "" means stdout
	Batch    string            // a JSONL file of records (batch mode)
	MaxData  int64             // the largest data file read
}

// renderAddrList is a flag that may be repeated and takes comma-separated
// addresses: --to a@x.test --to "B <b@x.test>, c@x.test".
type renderAddrList struct{ list *[]string }

func (l renderAddrList) String() string {
	if l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ", ")
}

func (l renderAddrList) Set(s string) error {
	for _, a := range renderSplitAddrs(s) {
		if a = strings.TrimSpace(a); a != "" {
			*l.list = append(*l.list, a)
		}
	}
	return nil
}

// renderSplitAddrs splits s at commas outside quoted strings and angle
// brackets, so that `"Dupont, E" <e@x.test>, f@x.test` gives two entries.
func renderSplitAddrs(s string) []string {
	var out []string
	quoted, angle, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			angle = true
		case c == '>' && !quoted:
			angle = false
		case c == ',' && !quoted && !angle:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// renderStringList is a repeatable flag.
type renderStringList struct{ list *[]string }

func (l renderStringList) String() string {
	if l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ",")
}

func (l renderStringList) Set(s string) error { *l.list = append(*l.list, s); return nil }

// renderFlags registers the flags render and send share.
func renderFlags(fs *flag.FlagSet, o *renderOptions) {
	fs.StringVar(&o.Template, "template", "", "template file `T.md` (its folder holds the locale variants)")
	fs.StringVar(&o.Data, "data", "", "JSON data file `D.json`, or - for standard input")
	fs.StringVar(&o.From, "from", "", "the application's address `APP@DOMAIN`, optionally \"Name <APP@DOMAIN>\"")
	fs.Var(renderAddrList{&o.To}, "to", "recipient `ADDR`; repeat the flag or separate with commas")
	fs.StringVar(&o.Resource, "resource", "", "the resource `ID` the message is about ([A-Za-z0-9_-])")
	fs.StringVar(&o.Locale, "locale", "", "template variant `L` such as fr (T.fr.md, falling back to T.md)")
	fs.Var(renderStringList{&o.Attach}, "attach", "attach `FILE`; repeat for more")
	fs.Var(renderAddrList{&o.Cc}, "cc", "copy to `ADDR`; repeat the flag or separate with commas")
	fs.Var(renderAddrList{&o.Bcc}, "bcc", "blind copy to `ADDR` (on the envelope only, never in the message); repeatable")
	fs.Var(headerList{&o.Header}, "header", "extra header field `\"Name: value\"` (X-*, List-*, Comments, Keywords, Importance, Priority, Sensitivity, Organization); repeatable")
	fs.StringVar(&o.Layout, "layout", "", "HTML layout `FILE` (html/template, or {{body}}/{{subject}} slots); default: layout.html beside the template, else the built-in one")
	fs.StringVar(&o.Brand, "brand", "", "brand `FILE` (YAML or JSON: name, logo, color, address, footer, unsubscribe); default: brand.yaml beside the template")
	dataSizeFlag(fs, &o.MaxData)
}

// dataSizeFlag registers --max-data, the size limit of data files.
func dataSizeFlag(fs *flag.FlagSet, n *int64) {
	*n = templates.DefaultMaxData
	fs.Var(sizeFlag{n}, "max-data", "refuse a data file larger than `SIZE` (e.g. 64MiB) before reading it")
}

// renderCheck checks the flags of one message (batch mode takes To, Data
// and Resource from the records instead).
func renderCheck(o *renderOptions, needResource bool) error {
	var missing []string
	if o.Template == "" {
		missing = append(missing, "--template")
	}
	if o.From == "" {
		missing = append(missing, "--from")
	}
	if o.Batch == "" {
		if o.Data == "" {
			missing = append(missing, "--data")
		}
		if len(o.To) == 0 {
			missing = append(missing, "--to")
		}
		if needResource && o.Resource == "" {
			missing = append(missing, "--resource")
		}
	} else if len(o.Cc)+len(o.Bcc)+len(o.Header) > 0 {
		return usagef("--cc, --bcc and --header are for one message; with --batch each record carries its own")
	}
	if len(missing) > 0 {
		return usagef("missing %s", strings.Join(missing, ", "))
	}
	return nil
}

// renderMailerConfig returns the Mailer configuration for o: templates from
// the template file's folder, log lines on stderr.
func renderMailerConfig(e *env, o *renderOptions) (mailer.Config, string, error) {
	st, err := os.Stat(o.Template)
	if err != nil {
		return mailer.Config{}, "", fmt.Errorf("template: %w", err)
	}
	if st.IsDir() {
		return mailer.Config{}, "", fmt.Errorf("template %s is a folder, want a .md file", o.Template)
	}
	dir, file := filepath.Split(o.Template)
	if dir == "" {
		dir = "."
	}
	name := strings.TrimSuffix(file, ".md")
	keys, err := readKeys(e)
	if err != nil {
		return mailer.Config{}, "", &usageError{msg: err.Error()}
	}
	layout, brand, err := loadLook(dir, o.Layout, o.Brand)
	if err != nil {
		return mailer.Config{}, "", err
	}
	signing, err := readSigning(e)
	if err != nil {
		return mailer.Config{}, "", &usageError{msg: err.Error()}
	}
	cfg := mailer.Config{
		Identity: mailer.Identity{From: o.From, Keys: keys},
		Render: mailer.RenderConfig{
			Brand:     brand,
			Options:   &render.Options{Layout: layout},
			Templates: os.DirFS(dir),
		},
		Signing: signing,
		// Only send says where messages go (it sets Transport);
		// render never sends, and never looks at the environment.
		Logger: renderLogger(e.stderr),
	}
	return cfg, name, nil
}

// renderLogger logs to w without timestamps: the CLI's log lines are read
// by people. It shows warnings and errors only: the mailer's informational
// lines (such as the notice of the file transport) repeat what the command prints.
func renderLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// renderReadData reads the JSON data file (or stdin for "-"): one JSON
// object, numbers kept as written, syntax errors at file:line:col, at
// most limit bytes.
func renderReadData(e *env, path string, limit int64) (any, error) {
	if path == "-" {
		return templates.ReadData("standard input", e.stdin, limit)
	}
	return readDataFile(path, limit)
}

// readDataFile reads a data file with templates.ReadData: every command
// reads its --data file here.
func readDataFile(path string, limit int64) (map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	return templates.ReadData(path, f, limit)
}

// renderMessage builds the message of o.
func renderMessage(e *env, o *renderOptions, template string) (*mailer.Message, error) {
	data, err := renderReadData(e, o.Data, o.MaxData)
	if err != nil {
		return nil, err
	}
	msg := &mailer.Message{
		Template: template,
		Locale:   o.Locale,
		To:       o.To,
		Cc:       o.Cc,
		Bcc:      o.Bcc,
		Header:   o.Header,
		Resource: o.Resource,
		Data:     data,
	}
	for _, path := range o.Attach {
		msg.Attachments = append(msg.Attachments, mailer.Attachment{Path: path})
	}
	return msg, nil
}

const renderUsage = "--template T.md --data D.json --from APP@DOMAIN --to ADDR --resource ID [--locale L] [--cc ADDR]... [--bcc ADDR]... [--header \"Name: value\"]... [--layout FILE] [--brand FILE] [--attach FILE]... [-o OUT.eml]"

const renderExample = `mailtrail render --template testdata/vehicle-check.md --data testdata/vehicle-check.json --from fleet@example.com --to partner@example.net --resource WO-42 -o check.eml
  mailtrail render --template testdata/vehicle-check.md --data - --from "Fleet desk <fleet@example.com>" --to partner@example.net --resource WO-42 --locale fr < testdata/vehicle-check.json
  mailtrail render --template testdata/branded/invoice.md --data testdata/branded/invoice.json --from "Acme Fleet <accounts@acme-fleet.example>" --to garage@example.net --cc desk@example.net --bcc audit@example.org --header "X-Order: 42" --resource INV-2026-0117 -o invoice.eml   # brand.yaml beside the template (or --brand FILE)`

// runRender writes the exact bytes send would transmit, CRLF line endings,
// to stdout or to -o. On any error it writes no file.
func runRender(ctx context.Context, e *env, args []string) error {
	var o renderOptions
	fs := newFlags(e, "render", renderUsage, renderExample)
	renderFlags(fs, &o)
	fs.StringVar(&o.Output, "o", "", "write the message to `OUT.eml` (atomically) instead of standard output")
	fs.StringVar(&o.Batch, "batch", "", "render every record of `records.jsonl` into the mbox file given with -o")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if err := renderCheck(&o, true); err != nil {
		return err
	}
	if o.Batch != "" {
		return renderBatch(ctx, e, &o)
	}
	cfg, name, err := renderMailerConfig(e, &o)
	if err != nil {
		return err
	}
	r, err := mailer.NewRenderer(cfg)
	if err != nil {
		return err
	}
	msg, err := renderMessage(e, &o, name)
	if err != nil {
		return err
	}
	env, err := r.Render(ctx, msg)
	if err != nil {
		return err
	}
	if o.Output == "" {
		_, err := e.stdout.Write(env.Data)
		return err
	}
	if err := atomicfile.WriteFile(o.Output, env.Data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s (resource %s, Message-ID %s)\n", o.Output, env.Resource, env.MessageID)
	return nil
}
