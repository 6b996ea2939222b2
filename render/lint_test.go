package render

import (
	"strings"
	"testing"
)

func TestRenderer_Warnings(t *testing.T) {
	big := strings.Repeat("A long line of text that fills the message. ", 3000)
	tests := []struct {
		name, src string
		data      any
		want      []string // each a prefix of one warning, in order
	}{
		{"all well", "---\nsubject: s\n---\nHello ![the fleet](https://x.example/f.png) and some words.\n", nil, nil},
		{"image without alt", "---\nsubject: s\n---\nSee:\n\n![](https://x.example/f.png)\n", nil,
			[]string{`t.md:6:1: image "https://x.example/f.png" has no alt text`}},
		{"too large for Gmail", "---\nsubject: s\n---\n{{big}}\n", map[string]any{"big": big},
			[]string{"t.md: the HTML part is "}},
		{"mostly images", "---\nsubject: s\n---\n![a](https://x.example/1.png) ![b](https://x.example/2.png)\n\nBuy now.\n", map[string]any{},
			[]string{"t.md: the message is mostly images (2 images, 4 words of text)"}},
	}
	r := newRenderer(t, &Options{MaxValueSize: 1 << 20})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := r.Warnings(parse(t, tc.src), tc.data)
			if len(got) != len(tc.want) {
				t.Fatalf("Warnings() = %v, want %d warnings", got, len(tc.want))
			}
			for i, w := range got {
				s := w.File + ": " + w.Msg
				if w.Line > 0 {
					s = w.Error()
				}
				if !strings.HasPrefix(s, tc.want[i]) {
					t.Errorf("warning %d = %q, want prefix %q", i, s, tc.want[i])
				}
			}
		})
	}
}

func TestLayoutWarnings(t *testing.T) {
	src := "<html><head><style>\n.a { display: flex; }\n@font-face { font-family: X; }\n</style></head>\n<body><div style=\"float:left;box-shadow: 0 0 2px #000\">{{body}}</div><p style=\"display:block\">x</p></body></html>\n"
	got := LayoutWarnings("l.html", src)
	want := []string{
		"l.html:2:6: CSS display:flex is dropped by Outlook (Windows) (caniemail.com/features/css-display-flex)",
		"l.html:3:1: CSS @font-face is dropped by Gmail (web) and Outlook (Windows)",
		"l.html:5:19: CSS float is dropped by Outlook (Windows) (caniemail.com/features/css-float): table and img elements can use an align attribute instead",
		"l.html:5:30: CSS box-shadow is dropped by Gmail (web) and Outlook (Windows)",
	}
	if len(got) != len(want) {
		t.Fatalf("LayoutWarnings() = %v, want %d warnings", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i].Error(), want[i]) {
			t.Errorf("warning %d = %q, want prefix %q", i, got[i].Error(), want[i])
		}
	}
	if got := LayoutWarnings("layout.html", defaultLayout); len(got) != 0 {
		t.Errorf("the default layout uses CSS that major clients drop: %v", got)
	}
}
