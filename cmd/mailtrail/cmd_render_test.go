package main

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// renderTestEnv returns an env with captured output and the given
// environment variables.
func renderTestEnv(vars map[string]string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &env{
		stdin:  strings.NewReader(""),
		stdout: &stdout,
		stderr: &stderr,
		getenv: func(k string) string { return vars[k] },
	}, &stdout, &stderr
}

// renderFixture writes a template and a data file into a new folder and
// returns their paths.
func renderFixture(t *testing.T) (tmpl, data string) {
	t.Helper()
	dir := t.TempDir()
	tmpl = filepath.Join(dir, "vehicle-check.md")
	data = filepath.Join(dir, "check.json")
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(tmpl, "---\nsubject: Vehicle check {{vehicle.plate_number}}\n---\nDear partner,\n\nPlease check vehicle **{{vehicle.plate_number}}** located {{vehicle.address}}.\n")
	write(filepath.Join(dir, "vehicle-check.fr.md"), "---\nsubject: Contrôle {{vehicle.plate_number}}\n---\nBonjour,\n\nVéhicule **{{vehicle.plate_number}}**.\n")
	write(data, `{"vehicle": {"plate_number": "AB-123-CD", "address": "3 rue de la Paix"}}`)
	write(filepath.Join(dir, "evil.json"), `{"vehicle": {"plate_number": "AB\r\nBcc: evil@example.com", "address": "x"}}`)
	write(filepath.Join(dir, "bad.json"), `{"vehicle": `)
	return tmpl, data
}

// renderParse parses a rendered message and checks the wire rules.
func renderParse(t *testing.T, data []byte) *mail.Message {
	t.Helper()
	if bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatalf("bare LF in the output")
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatalf("output does not end in CRLF")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("mail.ReadMessage() = %v", err)
	}
	return msg
}

func TestRender_stdout(t *testing.T) {
	tmpl, data := renderFixture(t)
	e, stdout, stderr := renderTestEnv(nil)
	code := run(context.Background(), e, []string{"render", "--template", tmpl, "--data", data,
		"--from", "Fleet desk <fleet@example.com>", "--to", "partner@example.net, B <b@example.net>", "--to", "c@example.net",
		"--resource", "WO-42"})
	if code != 0 {
		t.Fatalf("render exit %d: %s", code, stderr)
	}
	msg := renderParse(t, stdout.Bytes())
	if got := msg.Header.Get("Subject"); got != "[WO-42] Vehicle check AB-123-CD" {
		t.Errorf("Subject = %q", got)
	}
	if got := msg.Header.Get("Reply-To"); got != "fleet+WO-42@example.com" {
		t.Errorf("Reply-To = %q", got)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 3 {
		t.Errorf("To = %v (%v), want 3 addresses", to, err)
	}
	if mt, _, _ := mime.ParseMediaType(msg.Header.Get("Content-Type")); mt != "multipart/alternative" {
		t.Errorf("Content-Type = %q", mt)
	}
}

func TestRender_locale(t *testing.T) {
	tmpl, data := renderFixture(t)
	e, stdout, stderr := renderTestEnv(nil)
	code := run(context.Background(), e, []string{"render", "--template", tmpl, "--data", data,
		"--from", "fleet@example.com", "--to", "partner@example.net", "--resource", "WO-42", "--locale", "fr"})
	if code != 0 {
		t.Fatalf("render exit %d: %s", code, stderr)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(renderParse(t, stdout.Bytes()).Header.Get("Subject"))
	if subject != "[WO-42] Contrôle AB-123-CD" {
		t.Errorf("Subject = %q", subject)
	}
}

func TestRender_outputFile(t *testing.T) {
	tmpl, data := renderFixture(t)
	out := filepath.Join(t.TempDir(), "check.eml")
	e, stdout, stderr := renderTestEnv(nil)
	code := run(context.Background(), e, []string{"render", "--template", tmpl, "--data", data,
		"--from", "fleet@example.com", "--to", "partner@example.net", "--resource", "WO-42", "-o", out})
	if code != 0 {
		t.Fatalf("render exit %d: %s", code, stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("render -o wrote %d bytes to stdout", stdout.Len())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	renderParse(t, b)
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the output", len(entries))
	}
}

// TestRender_errorWritesNoFile checks that render exits non-zero with a
// clear message and writes nothing at -o for every kind of bad input.
func TestRender_errorWritesNoFile(t *testing.T) {
	tmpl, data := renderFixture(t)
	dir := filepath.Dir(tmpl)
	base := func(extra ...string) []string {
		args := []string{"render", "--template", tmpl, "--data", data, "--from", "fleet@example.com",
			"--to", "partner@example.net", "--resource", "WO-42"}
		return append(args, extra...)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"bad address", base("--to", `"a@b> ORCPT=c"@d`), 1, "dot-atom"},
		{"address injection", base("--to", "a@b\r\nRCPT TO:<x>"), 1, "carriage return"},
		{"subject injection", append(base(), "--data", filepath.Join(dir, "evil.json")), 1, "subject"},
		{"bad JSON", append(base(), "--data", filepath.Join(dir, "bad.json")), 1, "bad.json"},
		{"missing data", append(base(), "--data", filepath.Join(dir, "nope.json")), 1, "nope.json"},
		{"missing template", append(base(), "--template", filepath.Join(dir, "nope.md")), 1, "nope.md"},
		{"resource too long", append(base(), "--resource", strings.Repeat("r", 60)), 1, "64"},
		{"resource with space", append(base(), "--resource", "WO 42"), 1, "resource id"},
		{"bad from", append(base(), "--from", "fleet"), 1, "From"},
		{"missing attachment", base("--attach", filepath.Join(dir, "nope.pdf")), 1, "nope.pdf"},
		{"missing flags", []string{"render", "--template", tmpl}, 2, "missing --from, --data, --to, --resource"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			outDir := t.TempDir()
			out := filepath.Join(outDir, "out.eml")
			e, stdout, stderr := renderTestEnv(nil)
			code := run(context.Background(), e, append(tc.args, "-o", out))
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.wantCode, stderr)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr = %q, want it to mention %q", stderr, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
				t.Errorf("render left %d files after an error", len(entries))
			}
		})
	}
}

func TestRenderSplitAddrs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a@x.test", []string{"a@x.test"}},
		{"a@x.test, b@x.test", []string{"a@x.test", " b@x.test"}},
		{`"Dupont, E" <e@x.test>, f@x.test`, []string{`"Dupont, E" <e@x.test>`, " f@x.test"}},
		{`"a \" , b" <a@x.test>`, []string{`"a \" , b" <a@x.test>`}},
	}
	for _, tc := range tests {
		if got := renderSplitAddrs(tc.in); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("renderSplitAddrs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRender_noNetwork checks that render never connects anywhere, even
// with an SMTP server configured (FAULTS: a dry run makes no connection).
func TestRender_noNetwork(t *testing.T) {
	tmpl, data := renderFixture(t)
	srv := mailtest.NewServer(t)
	e, stdout, stderr := renderTestEnv(map[string]string{"MAILTRAIL_SMTP_URL": srv.URL()})
	code := run(context.Background(), e, []string{"render", "--template", tmpl, "--data", data,
		"--from", "fleet@example.com", "--to", "partner@example.net", "--resource", "WO-42"})
	if code != 0 {
		t.Fatalf("render exit %d: %s", code, stderr)
	}
	renderParse(t, stdout.Bytes())
	if n := srv.Stats().Connections; n != 0 {
		t.Errorf("render made %d SMTP connections, want none", n)
	}
}

// TestRender_dataFile covers the data file of render and send: one JSON
// object, from a file or standard input, with file:line:col on bad JSON.
func TestRender_dataFile(t *testing.T) {
	tmpl, _ := renderFixture(t)
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name  string
		data  string // a file's content, or with stdin set the flag value "-"
		stdin bool
		code  int
		want  string // in stderr on failure, in the Subject on success
	}{
		{"object", `{"vehicle": {"plate_number": "AB-1", "address": "x"}}`, false, 0, "[WO-42] Vehicle check AB-1"},
		{"byte order mark", "\uFEFF{\"vehicle\": {\"plate_number\": \"AB-3\", \"address\": \"x\"}}", false, 0, "[WO-42] Vehicle check AB-3"},
		{"object on stdin", `{"vehicle": {"plate_number": "AB-2", "address": "x"}}`, true, 0, "[WO-42] Vehicle check AB-2"},
		{"array", `[1, 2]`, false, 1, "d.json:1:1: data must be a JSON object, not an array"},
		{"string on stdin", `"x"`, true, 1, "standard input:1:1: data must be a JSON object, not a string"},
		{"null", `null`, false, 1, "d.json:1:1: data must be a JSON object, not null"},
		{"syntax error", "{\n  \"vehicle\": {\n    oops\n}", false, 1, "d.json:3:5: invalid JSON"},
		{"truncated", "{\n  \"vehicle\": ", false, 1, "d.json:2:14: invalid JSON: the file ends inside a value"},
		{"empty", "", false, 1, "d.json:1:1: empty, want a JSON object"},
		{"two values", `{"a": 1} {"b": 2}`, false, 1, "d.json:1:10: more than one JSON value"},
	}
	for _, cmd := range []string{"render", "send"} {
		for _, tc := range tests {
			t.Run(cmd+"/"+tc.name, func(t *testing.T) {
				e, stdout, stderr := renderTestEnv(nil)
				dataArg := "-"
				if tc.stdin {
					e.stdin = strings.NewReader(tc.data)
				} else {
					dataArg = write("d.json", tc.data)
				}
				outbox := filepath.Join(t.TempDir(), "outbox")
				args := []string{cmd, "--template", tmpl, "--data", dataArg, "--from", "fleet@example.com",
					"--to", "partner@example.net", "--resource", "WO-42"}
				if cmd == "send" {
					args = append(args, "--smtp", "file:"+outbox)
				}
				code := run(context.Background(), e, args)
				if code != tc.code {
					t.Fatalf("%s exit %d, want %d; stderr: %s", cmd, code, tc.code, stderr)
				}
				if tc.code != 0 {
					if !strings.Contains(stderr.String(), tc.want) {
						t.Errorf("stderr = %q, want it to contain %q", stderr, tc.want)
					}
					if stdout.Len() != 0 {
						t.Errorf("stdout = %q on failure", stdout)
					}
					if _, err := os.Stat(outbox); err == nil {
						t.Errorf("an outbox was written after an error")
					}
					return
				}
				raw := stdout.Bytes()
				if cmd == "send" {
					files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
					if len(files) != 1 {
						t.Fatalf("outbox holds %d messages, want 1", len(files))
					}
					raw, _ = os.ReadFile(files[0])
				}
				if got := renderParse(t, raw).Header.Get("Subject"); got != tc.want {
					t.Errorf("Subject = %q, want %q", got, tc.want)
				}
			})
		}
	}
}

// TestRender_helpExamples runs --help of preview, check, render and send,
// then the first example each one prints, as a new user would copy it from
// the repository's root (testdata/ there is ../../testdata here).
func TestRender_helpExamples(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"preview", "check", "render", "send"} {
		t.Run(cmd, func(t *testing.T) {
			e, stdout, stderr := renderTestEnv(nil)
			if code := run(context.Background(), e, []string{cmd, "--help"}); code != 0 {
				t.Fatalf("%s --help: exit %d", cmd, code)
			}
			help := stdout.String() + stderr.String()
			_, example, ok := strings.Cut(help, "\nexample:\n")
			if !ok || !strings.Contains(help, "usage: mailtrail "+cmd+" ") {
				t.Fatalf("%s --help has no usage line or example:\n%s", cmd, help)
			}
			first, _, _ := strings.Cut(strings.TrimSpace(example), "\n")
			args := strings.Fields(first)
			if len(args) < 2 || args[0] != "mailtrail" || args[1] != cmd {
				t.Fatalf("first example %q does not run mailtrail %s", first, cmd)
			}
			t.Chdir(t.TempDir()) // -o and ./outbox land here
			for i, a := range args {
				if strings.HasPrefix(a, "testdata/") {
					args[i] = filepath.Join(root, a)
				}
			}
			e, stdout, stderr = renderTestEnv(nil)
			if code := run(context.Background(), e, args[1:]); code != 0 {
				t.Fatalf("%s: exit %d\nstderr: %s", first, code, stderr)
			}
			if stdout.Len() == 0 && stderr.Len() == 0 {
				t.Errorf("%s printed nothing", first)
			}
		})
	}
}

// TestRender_errorKeepsExistingFile checks that a failed render leaves an
// earlier -o file as it was: the output is written only once it is whole.
func TestRender_errorKeepsExistingFile(t *testing.T) {
	tmpl, _ := renderFixture(t)
	out := filepath.Join(t.TempDir(), "out.eml")
	if err := os.WriteFile(out, []byte("earlier message\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, _, stderr := renderTestEnv(nil)
	code := run(context.Background(), e, []string{"render", "--template", tmpl,
		"--data", filepath.Join(filepath.Dir(tmpl), "evil.json"), "--from", "fleet@example.com",
		"--to", "partner@example.net", "--resource", "WO-42", "-o", out})
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "earlier message\r\n" {
		t.Errorf("-o file = %q after a failed render, want it untouched", b)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the earlier file", len(entries))
	}
}
