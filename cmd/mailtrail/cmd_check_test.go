package main

import (
	"strings"
	"testing"
)

func TestCheck_ok(t *testing.T) {
	for _, name := range []string{"vehicle-check", "work-order", "invoice-reminder"} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := previewRun(t, "check", "--template", "../../testdata/"+name+".md", "--data", "../../testdata/"+name+".json")
			if code != 0 || out != "../../testdata/"+name+".md: ok\n" {
				t.Errorf("exit %d out %q err %q", code, out, errs)
			}
		})
	}
	code, out, _ := previewRun(t, "check", "--template", "../../testdata/vehicle-check.md", "--locale", "fr")
	if code != 0 || out != "../../testdata/vehicle-check.fr.md: ok\n" {
		t.Errorf("locale fr: exit %d out %q", code, out)
	}
}

func TestCheck_problems(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, src, data string
		want            []string
	}{
		{"syntax", "---\nsubject: s\n---\n{{#items}}\n{{> /etc/passwd}}\n{{=<% %>=}}\n{{/other}}\n", "",
			[]string{"t.md:4:1: unclosed section {{#items}}: no {{/items}}", "t.md:5:1: partials are not supported: {{>/etc/passwd}}",
				"t.md:6:1: delimiter changes are not supported: {{=<% %>}}", "t.md:7:1: {{/other}} does not match {{#items}} opened at 4:1"}},
		{"unclosed tag", "---\nsubject: s\n---\nHello {{name\n", "", []string{"t.md:4:7: unclosed tag: {{ without }}"}},
		{"markup and data", "---\nsubject: s {{who}}\n---\nHi {{nmae}} <b>x</b>\n\n<iframe src=x></iframe>\n\n[x](javascript:y) [t](https://x.example/{{id}})\n",
			`{"who": "w", "name": "n", "id": 1}`,
			[]string{"t.md:4:4: no value for {{nmae}} in the sample data", "t.md:4:13: raw HTML <b> is omitted from the message (use Markdown)",
				"t.md:4:17: raw HTML </b> is omitted from the message (use Markdown)",
				"t.md:6:1: raw HTML block <iframe src=x></iframe> is omitted from the message (use Markdown)",
				"t.md:8:2: link URL javascript:y is removed by sanitizing (only http, https, mailto and relative URLs are kept)"}},
		{"no subject", "Hello\n", "", []string{"t.md:1:1: no subject: start the file with a front-matter block (---, subject: …, ---)"}},
		{"invalid utf8", "---\nsubject: s\n---\nh\xe9llo\n", "", []string{"t.md:4:2: invalid UTF-8"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl := previewWrite(t, dir, "t.md", tc.src)
			args := []string{"check", "--template", tpl}
			if tc.data != "" {
				args = append(args, "--data", previewWrite(t, dir, "t.json", tc.data))
			}
			code, out, errs := previewRun(t, args...)
			want := dir + "/" + strings.Join(tc.want, "\n"+dir+"/") + "\n"
			if code != 1 || out != want {
				t.Errorf("exit %d, stdout\n%s\nwant exit 1 and\n%s\nstderr %s", code, out, want, errs)
			}
		})
	}
}

func TestCheck_usageAndData(t *testing.T) {
	dir := t.TempDir()
	tpl := previewWrite(t, dir, "t.md", "---\nsubject: s\n---\nx\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no template", nil, 2, "missing --template"},
		{"extra arg", []string{"--template", tpl, "x"}, 2, "unexpected argument"},
		{"data not object", []string{"--template", tpl, "--data", previewWrite(t, dir, "d.json", `"str"`)}, 1, "d.json:1:1: data must be a JSON object, not a string"},
		{"data unreadable", []string{"--template", tpl, "--data", dir + "/none.json"}, 1, "none.json"},
		{"template unreadable", []string{"--template", dir + "/none.md"}, 1, "none.md"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := previewRun(t, append([]string{"check"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.stderr) {
				t.Errorf("exit %d stderr %q, want %d and %q", code, errs, tc.code, tc.stderr)
			}
		})
	}
	code, _, errs := previewRun(t, "check", "--help")
	if code != 0 || !strings.Contains(errs, "example:\n  mailtrail check --template") {
		t.Errorf("help: exit %d %q", code, errs)
	}
}
