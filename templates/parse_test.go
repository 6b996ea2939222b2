package templates

import (
	"errors"
	"strings"
	"testing"
)

func TestParse_errors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // substrings of each error line, in order
		sentinel  error
	}{
		{"partial", "Hi\n{{> /etc/passwd}}\n", []string{"t.md:2:1: partials are not supported: {{>/etc/passwd}}"}, ErrUnsupported},
		{"delimiters", "{{=<% %>=}}", []string{"t.md:1:1: delimiter changes are not supported"}, ErrUnsupported},
		{"inheritance", "x {{<parent}}{{/parent}}", []string{"t.md:1:3: template inheritance is not supported"}, ErrUnsupported},
		{"unclosed tag", "Hello\n  {{name", []string{"t.md:2:3: unclosed tag: {{ without }}"}, ErrSyntax},
		{"byte order mark keeps columns", "\uFEFFHello {{name", []string{"t.md:1:7: unclosed tag: {{ without }}"}, ErrSyntax},
		{"unclosed triple", "{{{name}}", []string{"t.md:1:1: unclosed tag: {{{ without }}}"}, ErrSyntax},
		{"unclosed section", "a\n{{#items}}\nx", []string{"t.md:2:1: unclosed section {{#items}}: no {{/items}}"}, ErrSyntax},
		{"mismatched", "{{#a}}\n{{#b}}\n{{/a}}\n", []string{"t.md:3:1: {{/a}} does not match {{#b}} opened at 2:1"}, ErrSyntax},
		{"stray close", "x {{/a}}", []string{"t.md:1:3: {{/a}} closes no open section"}, ErrSyntax},
		{"empty tag", "x {{}}", []string{"t.md:1:3: empty tag {{}}"}, ErrSyntax},
		{"space in name", "{{first name}}", []string{"t.md:1:1: invalid name \"first name\": space inside a tag"}, ErrSyntax},
		{"unknown syntax", "{{%x}}", []string{"t.md:1:1: unknown tag syntax {{%x}}"}, ErrSyntax},
		{"empty segment", "{{a..b}}", []string{"t.md:1:1: invalid name \"a..b\": empty segment"}, ErrSyntax},
		{"invalid utf8", "ok\nh\xe9llo", []string{"t.md:2:2: invalid UTF-8"}, ErrSyntax},
		{"nul", "a\x00b", []string{"t.md:1:2: NUL byte in template"}, ErrSyntax},
		{"column counts runes", "é {{#x}}", []string{"t.md:1:3: unclosed section {{#x}}"}, ErrSyntax},
		{"deep nesting", strings.Repeat("{{#a}}", MaxDepth+5), []string{"sections nested too deeply"}, ErrSyntax},
		{"unclosed front matter", "---\nsubject: x\n", []string{"t.md:1:1: front matter opened with --- is not closed"}, ErrSyntax},
		{"unknown front matter", "---\nfrom: x\n---\nbody", []string{"t.md:2:1: unknown front-matter line \"from: x\""}, ErrSyntax},
		{"CR in subject", "---\nsubject: a\rBcc: x\n---\nbody", []string{"t.md:2:11: control character in subject"}, ErrSyntax},
		{"error in subject", "---\nsubject: Hi {{name\n---\nbody", []string{"t.md:2:13: unclosed tag"}, ErrSyntax},
		{"error in preheader", "---\nsubject: S\npreheader: Due {{date\n---\nbody", []string{"t.md:3:16: unclosed tag"}, ErrSyntax},
		{"preheader twice", "---\npreheader: a\npreheader: b\n---\nbody", []string{"t.md:3:1: preheader given twice"}, ErrSyntax},
		{"several problems", "{{> a}}\n{{#b}}\n{{/c}}\n", []string{"t.md:1:1: partials", "t.md:2:1: unclosed section {{#b}}", "t.md:3:1: {{/c}} does not match {{#b}}"}, nil},
		{"too large", strings.Repeat("x", MaxSize+1), []string{"t.md:1:1: template is 1.0 MB, over the 1 MiB limit"}, ErrTooLarge},
		{"10 MB", strings.Repeat("{{x}}", 2_000_000), []string{"t.md:1:1: template is 10.0 MB, over the 1 MiB limit"}, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Parse("t.md", []byte(tc.src))
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tc.src, tpl)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse error %T is not an ErrorList", err)
			}
			if len(list) != len(tc.want) {
				t.Fatalf("Parse(%q) gave %d errors, want %d:\n%v", tc.src, len(list), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.Contains(list[i].Error(), w) {
					t.Errorf("error %d = %q, want it to contain %q", i, list[i].Error(), w)
				}
			}
			var one *Error
			if !errors.As(err, &one) {
				t.Errorf("errors.As(*Error) failed")
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.sentinel)
			}
		})
	}
}

func TestParse_frontMatter(t *testing.T) {
	tests := []struct {
		name, src, subject, body string
		preheader                string
	}{
		{"plain", "---\nsubject: Hello {{name}}\n---\n# Hi\n", "Hello {{name}}", "# Hi\n", ""},
		{"preheader", "---\nsubject: S\npreheader: Due on {{date}}\n---\nx", "S", "x", "Due on {{date}}"},
		{"preheader first", "---\npreheader: 'P'\nsubject: S\n---\nx", "S", "x", "P"},
		{"quoted", "---\nsubject: \"Vehicle: {{p}}\"\n---\nx", "Vehicle: {{p}}", "x", ""},
		{"crlf", "---\r\nsubject: S\r\n---\r\nx", "S", "x", ""},
		{"comment and blank", "---\n# note\n\nsubject: S\n---\nx", "S", "x", ""},
		{"none", "# Title\n\n---\n", "", "# Title\n\n---\n", ""},
		{"byte order mark", "\uFEFF---\r\nsubject: S\r\n---\r\nx", "S", "x", ""},
		{"byte order mark without front matter", "\uFEFF# Title\n", "", "# Title\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Parse("t.md", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(tpl.Subject); got != tc.subject {
				t.Errorf("subject = %q, want %q", got, tc.subject)
			}
			if got := dump(tpl.Body); got != tc.body {
				t.Errorf("body = %q, want %q", got, tc.body)
			}
			if got := dump(tpl.Preheader); got != tc.preheader {
				t.Errorf("preheader = %q, want %q", got, tc.preheader)
			}
		})
	}
}

// dump writes nodes back as template text.
func dump(nodes []Node) string {
	var b strings.Builder
	for _, n := range nodes {
		switch n := n.(type) {
		case *Text:
			b.WriteString(n.Text)
		case *Var:
			b.WriteString(n.Tag())
		case *Section:
			b.WriteString(n.Tag() + dump(n.Nodes) + "{{/" + n.Name + "}}")
		}
	}
	return b.String()
}

func TestParse_positions(t *testing.T) {
	src := "---\nsubject: A {{x}}\n---\nLine\n  é {{y.z}}\n{{#s}}\n{{w}}\n{{/s}}\n"
	tpl, err := Parse("p.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	x := tpl.Subject[1].(*Var)
	if x.Pos.Line != 2 || x.Pos.Col != 12 {
		t.Errorf("{{x}} at %d:%d, want 2:12", x.Pos.Line, x.Pos.Col)
	}
	y := tpl.Body[1].(*Var)
	if y.Pos.Line != 5 || y.Pos.Col != 5 || strings.Join(y.Path, "|") != "y|z" {
		t.Errorf("{{y.z}} at %d:%d path %q, want 5:5 y|z", y.Pos.Line, y.Pos.Col, y.Path)
	}
	s := tpl.Body[3].(*Section)
	w := s.Nodes[0].(*Var)
	if w.Pos.Line != 7 || w.Pos.Col != 1 {
		t.Errorf("{{w}} at %d:%d, want 7:1", w.Pos.Line, w.Pos.Col)
	}
	if p := tpl.Position(y.Pos.Offset); p != y.Pos {
		t.Errorf("Position(%d) = %v, want %v", y.Pos.Offset, p, y.Pos)
	}
	if tpl.Name != "p" || tpl.Locale != "" {
		t.Errorf("Name, Locale = %q, %q", tpl.Name, tpl.Locale)
	}
}

func TestParse_tripleIsPlain(t *testing.T) {
	tpl, err := Parse("t.md", []byte("{{{a}}} {{& b }} {{c}}"))
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(tpl.Body); got != "{{a}} {{b}} {{c}}" {
		t.Errorf("dump = %q", got)
	}
}
