package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var previewUpdate = flag.Bool("preview-update", false, "rewrite testdata/preview golden files")

// previewRun runs the CLI in process and returns exit code, stdout, stderr.
func previewRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func previewGolden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", "preview", name)
	if *previewUpdate {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -run Preview -preview-update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", file, got, want)
	}
}

func previewWrite(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPreview_golden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"default", []string{"--template", "../../testdata/vehicle-check.md", "--data", "../../testdata/vehicle-check.json"}, "vehicle-check.txt"},
		{"locale fr", []string{"--template", "../../testdata/vehicle-check.md", "--data", "../../testdata/vehicle-check.json", "--locale", "fr"}, "vehicle-check.fr.txt"},
		{"locale without variant", []string{"--template", "../../testdata/work-order.md", "--locale", "de"}, "work-order.txt"},
		{"part json", []string{"--template", "../../testdata/work-order.md", "--part", "json"}, "work-order.json"},
		{"part subject", []string{"--template", "../../testdata/invoice-reminder.md", "--part", "subject"}, "invoice-reminder.subject"},
		{"part html", []string{"--template", "../../testdata/invoice-reminder.md", "--part", "html"}, "invoice-reminder.html"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := previewRun(t, append([]string{"preview"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, errs)
			}
			previewGolden(t, tc.golden, out)
		})
	}
}

func TestPreview_layout(t *testing.T) {
	dir := t.TempDir()
	layout := previewWrite(t, dir, "l.html", "<title>{{subject}}</title><main>{{body}}</main>")
	code, out, errs := previewRun(t, "preview", "--template", "../../testdata/work-order.md", "--part", "html", "--layout", layout)
	if code != 0 || !strings.HasPrefix(out, "<title>Work order WO-0042 at Garage Müller &amp; Fils</title><main><h1>") {
		t.Errorf("exit %d, out %q, stderr %s", code, out, errs)
	}
}

func TestPreview_errors(t *testing.T) {
	dir := t.TempDir()
	tpl := previewWrite(t, dir, "t.md", "---\nsubject: Hi {{name}}\n---\nHello {{nmae}}\n")
	broken := previewWrite(t, dir, "b.md", "Hello {{#x}}\n{{name\n")
	good := previewWrite(t, dir, "d.json", `{"name": "Ann"}`)
	array := previewWrite(t, dir, "a.json", `[1, 2]`)
	bad := previewWrite(t, dir, "bad.json", "{\n  \"a\": 1,\n  oops\n}")
	crlf := previewWrite(t, dir, "crlf.json", `{"name": "x\r\nBcc: evil@example.com", "nmae": "y"}`)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"missing placeholder", []string{"--template", tpl, "--data", good}, 1, "t.md:4:7: no value for {{nmae}}"},
		{"parse errors", []string{"--template", broken, "--data", good}, 1, "b.md:2:1: unclosed tag: {{ without }}"},
		{"data not an object", []string{"--template", tpl, "--data", array}, 1, "a.json:1:1: data must be a JSON object, not an array"},
		{"data invalid", []string{"--template", tpl, "--data", bad}, 1, "bad.json:3:3: invalid JSON"},
		{"data missing", []string{"--template", tpl, "--data", filepath.Join(dir, "nope.json")}, 1, "data: open"},
		{"template missing", []string{"--template", filepath.Join(dir, "nope.md"), "--data", good}, 1, "template: stat"},
		{"bad locale", []string{"--template", tpl, "--data", good, "--locale", "x/y"}, 1, "invalid locale \"x/y\""},
		{"unknown locale", []string{"--template", tpl, "--data", good, "--locale", "fe"}, 1, "invalid locale \"fe\" for template \"t\": not a known language tag"},
		{"subject injection", []string{"--template", tpl, "--data", crlf}, 1, "t.md:2:13: value of {{name}} would put '\\r' into the subject"},
		{"no template", []string{"--data", good}, 2, "missing --template"},
		{"no data", []string{"--template", tpl}, 2, "missing --data"},
		{"bad part", []string{"--template", tpl, "--data", good, "--part", "pdf"}, 2, "--part must be"},
		{"unknown flag", []string{"--nope"}, 2, "flag provided but not defined"},
		{"serve with template", []string{"--serve", "127.0.0.1:0", "--template", tpl}, 2, "--serve takes --templates"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := previewRun(t, append([]string{"preview"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.stderr) {
				t.Errorf("exit %d stderr %q, want exit %d and %q", code, errs, tc.code, tc.stderr)
			}
			if out != "" {
				t.Errorf("stdout %q on failure", out)
			}
		})
	}
	code, out, errs := previewRun(t, "preview", "--template", tpl, "--data", good, "--lenient")
	if code != 0 || out != "Subject: Hi Ann\n\nHello\n" && out != "Subject: Hi Ann\n\nHello \n" || !strings.Contains(errs, "warning: "+tpl+":4:7: no value for {{nmae}}") {
		t.Errorf("lenient: exit %d out %q err %q", code, out, errs)
	}
}

func TestPreview_help(t *testing.T) {
	code, _, errs := previewRun(t, "preview", "--help")
	if code != 0 || !strings.Contains(errs, "example:\n  mailtrail preview --template") {
		t.Errorf("exit %d, help %q", code, errs)
	}
	// The --part placeholder names the argument, not one of its values.
	if !strings.Contains(errs, "  -part PART\n") {
		t.Errorf("help lacks %q:\n%s", "-part PART", errs)
	}
}
