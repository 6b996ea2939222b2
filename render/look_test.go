package render

import (
	"strings"
	"testing"
)

func TestRender_lineBreaks(t *testing.T) {
	tpl := parse(t, "---\nsubject: s\n---\nThank you,\n{{sender}}\n\n> {{a}}\n> {{b}}\n")
	p, err := newRenderer(t, nil).Render(tpl, map[string]any{"sender": "Ana", "a": "one", "b": "two"})
	if err != nil {
		t.Fatal(err)
	}
	b := body(p.HTML)
	for _, want := range []string{"Thank you,<br>\nAna</p>", "one<br>\ntwo</p>"} {
		if !strings.Contains(b, want) {
			t.Errorf("HTML body lacks %q:\n%s", want, b)
		}
	}
	if want := "Thank you,\nAna\n\n> one\n> two\n"; p.Text != want {
		t.Errorf("Text = %q, want %q", p.Text, want)
	}
}

func TestRender_button(t *testing.T) {
	tests := []struct {
		name, src     string
		html, notHTML string
		text          string
	}{
		{"alone", "[[Pay the invoice]](https://pay.example/{{id}})\n",
			`<table role="presentation" class="button" cellpadding="0" cellspacing="0" border="0" style="`, "[Pay",
			"Pay the invoice: https://pay.example/I%2F1\n"},
		{"with emphasis", "[[Pay **now**]](https://pay.example/x)\n", `>Pay <strong style="font-weight:700">now</strong></a></td></tr></table>`, "",
			"Pay **now**: https://pay.example/x\n"},
		{"inside a sentence stays a link", "Please [[pay]](https://pay.example/x) today.\n", `<a href="https://pay.example/x" style="`, `class="button"`,
			"Please [pay] (https://pay.example/x) today.\n"},
		{"no brackets is a link", "[Pay](https://pay.example/x)\n", `<a href="https://pay.example/x" style="`, `class="button"`,
			"Pay (https://pay.example/x)\n"},
		{"unsafe URL is no button", "[[Pay]](javascript:alert(1))\n", "", `class="button"`, "[Pay]\n"},
	}
	r := newRenderer(t, &Options{Brand: &Brand{Color: "#c2410c"}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := r.Render(parse(t, "---\nsubject: s\n---\n"+tc.src), map[string]any{"id": "I/1"})
			if err != nil {
				t.Fatal(err)
			}
			b := body(p.HTML)
			if tc.html != "" && !strings.Contains(b, tc.html) {
				t.Errorf("HTML body lacks %q:\n%s", tc.html, b)
			}
			if tc.notHTML != "" && strings.Contains(b, tc.notHTML) {
				t.Errorf("HTML body has %q:\n%s", tc.notHTML, b)
			}
			if p.Text != tc.text {
				t.Errorf("Text = %q, want %q", p.Text, tc.text)
			}
		})
	}
	p, err := r.Render(parse(t, "---\nsubject: s\n---\n[[Pay]](https://pay.example/x)\n"), map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`bgcolor="#c2410c"`, "background-color:#c2410c", "color:#ffffff", `href="https://pay.example/x" target="_blank"`} {
		if !strings.Contains(p.HTML, want) {
			t.Errorf("button lacks %q:\n%s", want, body(p.HTML))
		}
	}
}

func TestRender_preheader(t *testing.T) {
	r := newRenderer(t, nil)
	p, err := r.Render(parse(t, "---\nsubject: s\npreheader: Due {{d}}\n---\nHi\n"), map[string]any{"d": "<soon>\nreally"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Preheader != "Due <soon> really" {
		t.Errorf("Preheader = %q", p.Preheader)
	}
	if !strings.Contains(p.HTML, `mso-hide:all">Due &lt;soon&gt; really&#847;&zwnj;&nbsp;`) {
		t.Errorf("HTML lacks the hidden, escaped preheader with its filler")
	}
	p, err = r.Render(parse(t, "---\nsubject: s\n---\nHi\n"), map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Preheader != "" || !strings.Contains(p.HTML, `mso-hide:all"></div>`) {
		t.Errorf("a template without preheader has preheader text or filler")
	}
}

func TestParseLayout_inlined(t *testing.T) {
	const src = `<!DOCTYPE html><html><head><title>{{subject}}</title>
<style>
  .box { background-color: #eeeeee; padding: 10px; }
  .box p { color: #333333; margin: 0 0 8px 0; }
  .box a { color: #aa0000; }
  .box table.button a { color: #ffffff; background-color: #aa0000; }
</style>
<style data-premailer="ignore">@media (max-width: 480px) { .box { padding: 4px !important; } }</style>
</head><body><div class="box">{{body}}</div><div class="pre">{{preheader}}</div></body></html>`
	lt, err := ParseLayout("l.html", src)
	if err != nil {
		t.Fatal(err)
	}
	r := newRenderer(t, &Options{Layout: lt})
	if !r.layout.inline || !r.layout.fast {
		t.Fatalf("layout inline=%v fast=%v, want both: CSS inlined once, messages filled from the split layout", r.layout.inline, r.layout.fast)
	}
	p, err := r.Render(parse(t, "---\nsubject: Hi & bye\npreheader: P\n---\nText [a](https://x.example/)\n\n[[Go]](https://x.example/go)\n"), map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<div class="box" style="background-color:#eeeeee;padding:10px">`,
		`<p style="color:#333333;margin:0 0 8px 0">Text <a href="https://x.example/" style="color:#aa0000">a</a></p>`,
		`style="color:#ffffff;background-color:#aa0000">Go</a>`,
		`@media (max-width: 480px)`,
		`<title>Hi &amp; bye</title>`,
		`<div class="pre">P&#847;`,
	} {
		if !strings.Contains(p.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, p.HTML)
		}
	}
	if strings.Contains(p.HTML, ".box p {") {
		t.Errorf("the inlined rules stayed in a <style> block:\n%s", p.HTML)
	}
}

func TestParseLayout_bodyTwice(t *testing.T) {
	lt, err := ParseLayout("l.html", "<html><head><style>p{color:red}</style></head><body><div>{{body}}</div><div>{{body}}</div></body></html>")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(&Options{Layout: lt}); err == nil || !strings.Contains(err.Error(), "must hold the body once") {
		t.Errorf("New() = %v, want an error about where the body sits", err)
	}
}
