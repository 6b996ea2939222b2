package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/mailtrail/mailtrail/templates"
)

func parse(t testing.TB, src string) *templates.Template {
	t.Helper()
	tpl, err := templates.Parse("t.md", []byte(src))
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return tpl
}

func newRenderer(t testing.TB, opts *Options) *Renderer {
	t.Helper()
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// body returns the HTML part's body, without the layout.
func body(html string) string {
	const open, end = `<td class="content" style="`, "\n</td>\n</tr>\n</tbody></table>\n<table role=\"presentation\" class=\"card-foot\""
	i := strings.Index(html, open)
	j := strings.Index(html, end)
	if i < 0 || j < 0 {
		return html
	}
	k := strings.Index(html[i:], "\">\n")
	return html[i+k+3 : j]
}

func TestRender_valuesAreText(t *testing.T) {
	const v = "*stars* _x_ [a](javascript:b) <b>t</b>"
	tpl := parse(t, "---\nsubject: Re {{v}}\n---\n# {{v}}\n\nSee {{v}} and **{{v}}**\n\n- {{v}}\n")
	p, err := newRenderer(t, nil).Render(tpl, map[string]any{"v": v})
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Re "+v {
		t.Errorf("Subject = %q, want %q", p.Subject, "Re "+v)
	}
	if n := strings.Count(p.Text, v); n != 4 {
		t.Errorf("Text has the value %d times, want 4:\n%s", n, p.Text)
	}
	if strings.Contains(p.Text, `\`) {
		t.Errorf("Text has a backslash:\n%s", p.Text)
	}
	escaped := "*stars* _x_ [a](javascript:b) &lt;b&gt;t&lt;/b&gt;"
	b := body(p.HTML)
	if n := strings.Count(b, escaped); n != 4 {
		t.Errorf("HTML body has the escaped value %d times, want 4:\n%s", n, b)
	}
	for _, bad := range []string{"<b>t", "<em>", "href=\"javascript", "<a "} {
		if strings.Contains(b, bad) {
			t.Errorf("HTML body contains %q:\n%s", bad, b)
		}
	}
	if !strings.Contains(p.HTML, "<title>Re "+strings.ReplaceAll(escaped, "&#39;", "'")+"</title>") {
		t.Errorf("layout title lacks the escaped subject:\n%s", p.HTML)
	}
}

// TestRender_faults covers the Template rows of FAULTS.md that concern data.
func TestRender_faults(t *testing.T) {
	tests := []struct {
		name, tpl string
		value     string
		text      string   // the text part must contain this
		html      []string // the HTML body must contain these
		notHTML   []string // and none of these
	}{
		{"markdown link value", "x {{v}}", "[x](https://evil)", "x [x](https://evil)",
			[]string{"[x](https://evil)"}, []string{"<a ", "href"}},
		{"markdown image value", "x {{v}}", "![](http://t/p.gif)", "x ![](http://t/p.gif)",
			[]string{"![](http://t/p.gif)"}, []string{"<img"}},
		{"script value", "x {{v}}", "<script>alert(1)</script>", "x <script>alert(1)</script>",
			[]string{"&lt;script&gt;alert(1)&lt;/script&gt;"}, []string{"<script"}},
		{"onerror value", "x {{v}}", "<img src=x onerror=alert(1)>", "x <img src=x onerror=alert(1)>",
			[]string{"&lt;img src=x onerror=alert(1)&gt;"}, []string{"<img"}},
		{"value in link text", "[{{v}}](https://x.example/)", "<b>", "<b> (https://x.example/)",
			[]string{`<a href="https://x.example/" style="color:#0b69a3;">&lt;b&gt;</a>`}, nil},
		{"value in url path", "[track](https://x.example/t/{{v}})", "a/../b c?d#e\"><script>", "track (https://x.example/t/a%2F..%2Fb%20c%3Fd%23e%22%3E%3Cscript%3E)",
			[]string{`href="https://x.example/t/a%2F..%2Fb%20c%3Fd%23e%22%3E%3Cscript%3E"`}, []string{"<script"}},
		{"value in url query", "[t](https://x.example/?q={{v}}&z=1)", "a b&c=d", "t (https://x.example/?q=a+b%26c%3Dd&z=1)",
			[]string{`href="https://x.example/?q=a+b%26c%3Dd&amp;z=1"`}, nil},
		{"whole url value", "[t]({{v}})", "javascript:alert(1)", "t (javascript%3Aalert%281%29)",
			[]string{`href="javascript%3Aalert%281%29"`}, []string{`href="javascript:`}},
		{"value in image alt", "![{{v}}](https://x.example/i.png)", `" onerror="x`, "",
			[]string{`alt="&#34; onerror=&#34;x"`}, []string{`" onerror`}},
		{"value in heading", "# Hi {{v}}", "<i>x</i>", "# Hi <i>x</i>",
			[]string{"Hi &lt;i&gt;x&lt;/i&gt;</h1>"}, nil},
		{"value in code", "`{{v}}`", "a`b<c", "`a`b<c`", []string{"a`b&lt;c</code>"}, nil},
		{"value with newline", "x {{v}}", "a\nb\r\nc", "x a\nb\nc", []string{"x a<br>\nb<br>\nc"}, nil},
		{"value in pre", "```\n{{v}}\n```", "a\n<b>", "a\n<b>", []string{"<code>a\n&lt;b&gt;\n</code>"}, []string{"<br>"}},
		{"bidi and controls", "x {{v}}", "a\u202Eb\u2066c\x00d\x07e\xffz", "x abcde\uFFFDz", []string{"x abcde\uFFFDz"}, []string{"\u202E", "\x00"}},
		{"sentinel duplicated by a reference used twice", "[a][r] [b][r]\n\n[r]: https://x.example/{{v}}", "a b/c",
			"a (https://x.example/a%20b%2Fc) b (https://x.example/a%20b%2Fc)",
			[]string{`<a href="https://x.example/a%20b%2Fc" style="color:#0b69a3;">a</a> <a href="https://x.example/a%20b%2Fc" style="color:#0b69a3;">b</a>`}, nil},
		{"value in raw html is dropped", "<span title=\"{{v}}\">x</span> y", "<script>", "x y", []string{"x y"}, []string{"script", "Mtq", "title"}},
		{"javascript url in template keeps no value", "[x](javascript:go({{v}}))", "<b>", "x",
			nil, []string{"javascript", "<b>", "Mtq"}},
	}
	r := newRenderer(t, &Options{InlineCSS: map[string]string{"a": "color:#0b69a3;"}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl := parse(t, "---\nsubject: s\n---\n"+tc.tpl+"\n")
			p, err := r.Render(tpl, map[string]any{"v": tc.value})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(p.Text, tc.text) {
				t.Errorf("Text = %q, want it to contain %q", p.Text, tc.text)
			}
			b := body(p.HTML)
			for _, w := range tc.html {
				if !strings.Contains(b, w) {
					t.Errorf("HTML body = %q, want it to contain %q", b, w)
				}
			}
			for _, w := range tc.notHTML {
				if strings.Contains(b, w) {
					t.Errorf("HTML body = %q, must not contain %q", b, w)
				}
			}
			compareScratch(t, r, tpl, map[string]any{"v": tc.value})
		})
	}
}

// TestRender_sanitizing covers markup in the template itself.
func TestRender_sanitizing(t *testing.T) {
	tests := []struct {
		name, tpl string
		notHTML   []string
	}{
		{"raw script", "Hi <script>alert(1)</script>\n\n<script>\nalert(2)\n</script>\n", []string{"<script", "alert(2)"}},
		{"iframe", "<iframe src=\"https://evil\"></iframe>\n\nx <iframe src=y></iframe>", []string{"<iframe", "evil"}},
		{"event handler", "<img src=x onerror=alert(1)>\n\n<p onclick=\"x()\">p</p>\n", []string{"onerror", "onclick", "<img"}},
		{"javascript link", "[click](javascript:alert(1)) [v](VBScript:x) <javascript:alert(2)>", []string{`href="javascript`, "vbscript", "VBScript", "href=\"\""}},
		{"javascript image", "![x](javascript:alert(1))", []string{"javascript", "src="}},
		{"data image", "![x](data:image/png;base64,iVBORw0KGgo=) ![y](data:text/html;base64,PHNjcmlwdD4=)", []string{"data:", "src="}},
		{"style injection", "<style>body{display:none}</style>\n\n<span style=\"position:fixed\">x</span>\n\n<div style=\"background:url(javascript:x)\">y</div>", []string{"<style", "position:fixed", "display:none", "url("}},
		{"form meta base", "<form action=\"https://evil\"><input name=p></form>\n\n<meta http-equiv=\"refresh\" content=\"0;url=https://evil\">\n\n<base href=\"https://evil/\">", []string{"<form", "<input", "<meta", "<base", "evil"}},
		{"comment", "a <!-- <script>x</script> --> b", []string{"<!--", "<script"}},
	}
	r := newRenderer(t, &Options{InlineCSS: map[string]string{}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl := parse(t, "---\nsubject: s\n---\n"+tc.tpl+"\n")
			p, err := r.Render(tpl, map[string]any{})
			if err != nil {
				t.Fatal(err)
			}
			b := body(p.HTML)
			for _, w := range tc.notHTML {
				if strings.Contains(b, w) {
					t.Errorf("HTML body = %q, must not contain %q", b, w)
				}
			}
			if strings.Contains(p.Text, "<script") || strings.Contains(p.Text, "<iframe") {
				t.Errorf("Text keeps raw HTML: %q", p.Text)
			}
		})
	}
}

func TestRender_layoutCSSStaysAfterSanitizing(t *testing.T) {
	tpl := parse(t, "---\nsubject: s\n---\n<p style=\"color:red\">x</p>\n\n[a](https://x.example/) and *b*\n")
	p, err := newRenderer(t, nil).Render(tpl, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.HTML, "<style") || !strings.Contains(p.HTML, `<a href="https://x.example/" style="color:#0b69a3;text-decoration:underline">`) {
		t.Errorf("layout CSS or inline style missing:\n%s", p.HTML)
	}
	if strings.Contains(p.HTML, "color:red") {
		t.Errorf("template style survived:\n%s", p.HTML)
	}
}

func TestRender_numbers(t *testing.T) {
	tpl := parse(t, "---\nsubject: {{a}} {{b}} {{c}}\n---\n{{a}} {{b}} {{c}} {{d}}\n")
	data := map[string]any{"a": json.Number("9007199254740993"), "b": 1234567.0, "c": json.Number("1234567"), "d": 0.000001}
	p, err := newRenderer(t, nil).Render(tpl, data)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "9007199254740993 1234567 1234567" {
		t.Errorf("Subject = %q", p.Subject)
	}
	if p.Text != "9007199254740993 1234567 1234567 0.000001\n" {
		t.Errorf("Text = %q", p.Text)
	}
	if !strings.Contains(p.HTML, "9007199254740993 1234567 1234567 0.000001") {
		t.Errorf("HTML lacks exact numbers")
	}
	want := "{\n  \"a\": 9007199254740993,\n  \"b\": 1234567,\n  \"c\": 1234567,\n  \"d\": 0.000001\n}\n"
	if string(p.JSON) != want {
		t.Errorf("JSON = %s, want %s", p.JSON, want)
	}
}

func TestRender_JSON(t *testing.T) {
	type item struct {
		Z string `json:"z"`
		A int    `json:"a"`
	}
	tpl := parse(t, "x")
	p, err := newRenderer(t, nil).Render(tpl, map[string]any{"s": "é<>&\u2028\"\\\n\x01", "l": []item{{"q", 1}}, "e": map[string]any{}, "n": nil, "t": true})
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"e\": {},\n  \"l\": [\n    {\n      \"a\": 1,\n      \"z\": \"q\"\n    }\n  ],\n  \"n\": null,\n  \"s\": \"é<>&\\u2028\\\"\\\\\\n\\u0001\",\n  \"t\": true\n}\n"
	if string(p.JSON) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", p.JSON, want)
	}
	var back any
	if err := json.Unmarshal(p.JSON, &back); err != nil {
		t.Errorf("JSON does not parse: %v", err)
	}
	if _, err := newRenderer(t, nil).Render(tpl, map[string]any{"n": json.Number("12abc")}); err == nil {
		t.Error("invalid json.Number accepted")
	}
}

func TestRender_missing(t *testing.T) {
	tpl := parse(t, "---\nsubject: Hi {{who}}\n---\nHello {{nmae}}\n{{#gone}}never {{x}}{{/gone}}\n")
	_, err := newRenderer(t, nil).Render(tpl, map[string]any{"who": "a"})
	var te *templates.Error
	if !errors.As(err, &te) || !errors.Is(err, templates.ErrMissingValue) {
		t.Fatalf("Render = %v, want *templates.Error wrapping ErrMissingValue", err)
	}
	if got := err.Error(); got != "t.md:4:7: no value for {{nmae}}" {
		t.Errorf("error = %q", got)
	}
	p, err := newRenderer(t, &Options{Lenient: true}).Render(tpl, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Hi " || p.Text != "Hello \n" {
		t.Errorf("lenient Subject %q Text %q", p.Subject, p.Text)
	}
	var got []string
	for _, w := range p.Warnings {
		got = append(got, w.Error())
	}
	if want := "t.md:2:13: no value for {{who}}|t.md:4:7: no value for {{nmae}}"; strings.Join(got, "|") != want {
		t.Errorf("Warnings = %q, want %q", got, want)
	}
}

func TestRender_subjectInjection(t *testing.T) {
	tpl := parse(t, "---\nsubject: Hi {{name}}\n---\nbody {{name}}\n")
	r := newRenderer(t, nil)
	for _, v := range []string{"x\r\nBcc: evil@example.com", "x\nBcc: y", "x\x00y", "a\rb"} {
		p, err := r.Render(tpl, map[string]any{"name": v})
		if !errors.Is(err, ErrUnsafeSubject) {
			t.Errorf("Render(%q) = %v, %v; want ErrUnsafeSubject", v, p, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "t.md:2:13: value of {{name}} would put") {
			t.Errorf("error = %q", err)
		}
	}
	// The same value is fine in the body.
	tpl2 := parse(t, "---\nsubject: Hi\n---\nbody {{name}}\n")
	if _, err := r.Render(tpl2, map[string]any{"name": "x\r\nBcc: y"}); err != nil {
		t.Errorf("body value with CRLF: %v", err)
	}
}

func TestRender_limits(t *testing.T) {
	r := newRenderer(t, nil)
	big := strings.Repeat("x", 10_000_000)
	_, err := r.Render(parse(t, "{{v}}"), map[string]any{"v": big})
	if !errors.Is(err, templates.ErrTooLarge) || !strings.Contains(err.Error(), "value of {{v}} is 10.0 MB, over the 1 MiB limit") {
		t.Errorf("10 MB value: %v", err)
	}
	list := make([]any, 200_000)
	for i := range list {
		list[i] = strings.Repeat("y", 100)
	}
	_, err = r.Render(parse(t, "{{#l}}{{.}} {{/l}}"), map[string]any{"l": list})
	if !errors.Is(err, templates.ErrTooLarge) {
		t.Errorf("20 MB expansion: %v", err)
	}
}

func TestRender_sectionsAndShapes(t *testing.T) {
	tpl := parse(t, "---\nsubject: s\n---\n{{#items}}\n- {{name}}{{#urgent}} (**urgent**){{/urgent}}\n{{/items}}\n{{^items}}\nNothing.\n{{/items}}\n")
	r := newRenderer(t, &Options{MaxShapes: 2})
	for n := 0; n < 6; n++ {
		var items []any
		for i := 0; i < n; i++ {
			items = append(items, map[string]any{"name": fmt.Sprintf("<n%d>", i), "urgent": i%2 == 0})
		}
		data := map[string]any{"items": items}
		p, err := r.Render(tpl, data)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(p.Text, "- "); got != n {
			t.Errorf("n=%d: %d list items in %q", n, got, p.Text)
		}
		if n == 0 && p.Text != "Nothing.\n" {
			t.Errorf("n=0: Text = %q", p.Text)
		}
		compareScratch(t, r, tpl, data)
	}
	if got := len(r.prepare(tpl).shapes); got != 2 {
		t.Errorf("cached shapes = %d, want MaxShapes 2", got)
	}
}

func TestRender_concurrent(t *testing.T) {
	r := newRenderer(t, nil)
	cases := loadCorpus(t)
	want := make([]*Parts, len(cases))
	for i, c := range cases {
		p, err := r.render(c.tpl, c.data, false, false)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = p
	}
	fresh := newRenderer(t, nil) // empty caches: goroutines race to fill them
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				for i, c := range cases {
					p, err := fresh.Render(c.tpl, c.data)
					if err != nil {
						t.Error(err)
						return
					}
					if p.HTML != want[i].HTML || p.Text != want[i].Text || p.Subject != want[i].Subject || string(p.JSON) != string(want[i].JSON) {
						t.Errorf("%s: concurrent render differs", c.name)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestParseLayout(t *testing.T) {
	l, err := ParseLayout("l.html", "<html><title>{{ subject }}</title><body>{{body}}</body></html>")
	if err != nil {
		t.Fatal(err)
	}
	r := newRenderer(t, &Options{Layout: l})
	p, err := r.Render(parse(t, "---\nsubject: A+B <c>\n---\n*x*"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "<html><title>A&#43;B &lt;c&gt;</title><body><p><em>x</em></p>\n</body></html>"
	if p.HTML != want {
		t.Errorf("HTML = %q, want %q", p.HTML, want)
	}
	if !r.layout.fast {
		t.Error("slot layout not on the fast path")
	}
	// A layout using the subject in a URL cannot use the split safely.
	l2, _ := ParseLayout("l2.html", `<a href="https://x.test/?s={{.Subject}}">{{.Subject}}</a>{{.Body}}`)
	r2 := newRenderer(t, &Options{Layout: l2})
	if r2.layout.fast {
		t.Error("layout with subject in a URL is on the fast path")
	}
	tpl := parse(t, "---\nsubject: a b&c\n---\nx")
	compareScratch(t, r2, tpl, nil)
	if _, err := ParseLayout("bad", "{{.Body"); err == nil {
		t.Error("ParseLayout accepted a broken layout")
	}
	bad, _ := ParseLayout("bad", "{{.Nope}}")
	if _, err := New(&Options{Layout: bad}); err == nil {
		t.Error("New accepted a layout that fails to execute")
	}
}

func TestCheck(t *testing.T) {
	src := "---\nsubject: s {{who}}\n---\nHello {{a}} <b>x</b>\n\n<iframe src=x></iframe>\n\n" +
		"[js](javascript:alert(1)) ![d](data:image/png;base64,xx) [w]({{url}})\n\n{{#sec}}\n[ok](https://x.example/{{id}})\n{{/sec}}\n"
	tpl := parse(t, src)
	got := Check(tpl, map[string]any{"who": "x\ny", "url": "u"})
	want := []string{
		"t.md:2:12: value of {{who}} would put '\\n' into the subject",
		"t.md:4:13: raw HTML <b> is omitted from the message (use Markdown)",
		"t.md:4:17: raw HTML </b> is omitted from the message (use Markdown)",
		"t.md:6:1: raw HTML block <iframe src=x></iframe> is omitted from the message (use Markdown)",
		"t.md:8:2: link URL javascript:alert(1) is removed by sanitizing (only http, https, mailto and relative URLs are kept)",
		"t.md:8:29: image URL data:image/png;base64,xx is removed by sanitizing (only http, https, mailto and relative URLs are kept)",
		"t.md:8:59: placeholder {{url}} is the whole link URL: its value is encoded as a relative path; write the scheme and host in the template, e.g. https://example.com/…/{{url}}",
	}
	var lines []string
	for _, e := range got {
		lines = append(lines, e.Error())
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	got = Check(tpl, map[string]any{"who": "w", "url": "u"})
	if len(got) != 7 || !strings.Contains(got[0].Error(), "no value for {{a}} in the sample data") {
		t.Errorf("Check with missing a = %v", got)
	}
	if got := Check(parse(t, "no front matter"), nil); len(got) != 1 || !strings.Contains(got[0].Msg, "no subject") {
		t.Errorf("Check(no subject) = %v", got)
	}
	for _, c := range loadCorpus(t) {
		if c.name == "bench" {
			continue
		}
		if got := Check(c.tpl, c.data); got != nil {
			t.Errorf("Check(%s) = %v, want no problem", c.name, got)
		}
	}
}

func TestRender_entityCannotForgeSentinel(t *testing.T) {
	r := newRenderer(t, nil)
	probe := parse(t, "x")
	prefix := r.prepare(probe).prefix // the first prefix tried
	forged := "&#" + fmt.Sprint(int(prefix[0])) + ";" + prefix[1:] + "0x"
	tpl := parse(t, "---\nsubject: s\n---\n"+forged+" {{v}}\n")
	p, err := r.Render(tpl, map[string]any{"v": "<value>"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(p.HTML, "&lt;value&gt;") != 1 || !strings.Contains(p.HTML, prefix+"0x") {
		t.Errorf("entity-spelled sentinel was filled:\n%s", body(p.HTML))
	}
}

func TestRender_handBuiltTemplate(t *testing.T) {
	tpl := &templates.Template{File: "db:welcome",
		Subject: []templates.Node{&templates.Text{Text: "Hi\r\nBcc: x"}},
		Body:    []templates.Node{&templates.Text{Text: "Hello "}, &templates.Var{Name: "n", Path: []string{"n"}}}}
	// Template text is written as given: the mailer's header writer, not
	// the renderer, refuses a CR or LF on its way into a header.
	p, err := newRenderer(t, nil).Render(tpl, map[string]any{"n": "x"})
	if err != nil || p.Subject != "Hi\r\nBcc: x" {
		t.Errorf("Render = %v, %v, want the subject as written", p, err)
	}
	tpl.Subject = []templates.Node{&templates.Text{Text: "Hi"}}
	p, err = newRenderer(t, nil).Render(tpl, map[string]any{"n": "x"})
	if err != nil || p.Text != "Hello x\n" {
		t.Errorf("Render = %v, %v", p, err)
	}
}
