package replytest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/reply"
	"github.com/mailtrail/mailtrail/inbound/replytest"
)

// The public fixtures the reply reader was tested on: inbound's own
// (inbound/testdata/replies) and the CLI's reply templates
// (cmd/mailtrail/testdata/replies, whose @MARKERS@ stand for the
// original's identifiers).
const (
	inboundFixtures = "../testdata/replies"
	cliFixtures     = "../../cmd/mailtrail/testdata/replies"
)

// TestReply_fixtureShape checks that what Reply, Bounce and AutoReply make
// has the shape of the fixture of the same client, language and form: the
// same MIME tree, the fixture's header fields in the fixture's order, and
// the same outline of the text part (text, attribution, quote, rule,
// header block, separator, signature).
func TestReply_fixtureShape(t *testing.T) {
	orig := sent(t, resource)
	reply := func(opts ...replytest.Option) func() ([]byte, error) {
		return func() ([]byte, error) { return replytest.Reply(orig, opts...) }
	}
	tests := []struct {
		fixture string
		make    func() ([]byte, error)
		tree    bool     // compare MIME trees
		skip    []string // fixture fields the client does not always write
	}{
		{inboundFixtures + "/outlook.eml", reply(replytest.Outlook, replytest.German), true, nil},
		{cliFixtures + "/outlook.eml.in", reply(replytest.Outlook, replytest.French), true, nil},
		{inboundFixtures + "/gmail.eml", reply(replytest.Gmail, replytest.English), true, nil},
		{cliFixtures + "/gmail.eml.in", reply(replytest.Gmail, replytest.English), true, []string{"Delivered-To"}},
		{cliFixtures + "/apple.eml.in", reply(replytest.AppleMail, replytest.English), true, nil},
		{inboundFixtures + "/apple_mail.eml", reply(replytest.AppleMail, replytest.French), false, []string{"Content-Transfer-Encoding"}},
		{inboundFixtures + "/iphone.eml", reply(replytest.IPhone, replytest.English), true, nil},
		{inboundFixtures + "/thunderbird.eml", reply(replytest.Thunderbird, replytest.Spanish, replytest.BottomPosted, replytest.YAML("status: done")), true, nil},
		{cliFixtures + "/thunderbird.eml.in", reply(replytest.Thunderbird, replytest.French), true, []string{"Cc"}},
		{cliFixtures + "/forwarded.eml.in", reply(replytest.Gmail, replytest.English, replytest.Forwarded), false, nil},
		{cliFixtures + "/bounce_rfc822.eml.in", func() ([]byte, error) { return replytest.Bounce(orig, "5.1.1") }, true, []string{"Delivered-To"}},
		{inboundFixtures + "/bounce_rfc822.eml", func() ([]byte, error) { return replytest.Bounce(orig, "5.1.1") }, true, []string{"Received"}},
		{cliFixtures + "/bounce_headers.eml.in", func() ([]byte, error) { return replytest.Bounce(orig, "5.2.2", replytest.DSNHeaders) }, true, nil},
		{cliFixtures + "/bounce_mixed.eml.in", func() ([]byte, error) { return replytest.Bounce(orig, "5.1.1", replytest.AttachedOriginal) }, true, nil},
		{cliFixtures + "/ooo_autosubmitted.eml.in", func() ([]byte, error) { return replytest.AutoReply(orig, replytest.OutOfOffice) }, false, nil},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.fixture), func(t *testing.T) {
			want := readFixture(t, tt.fixture, orig)
			raw, err := tt.make()
			if err != nil {
				t.Fatal(err)
			}
			got := parse(t, raw)
			if tt.tree {
				if g, w := tree(got.Content), tree(want.Content); g != w {
					t.Errorf("MIME tree = %s, fixture's %s", g, w)
				}
			}
			have := fields(raw, nil)
			for _, f := range fields(fixtureBytes(t, tt.fixture), tt.skip) {
				if !contains(have, f) {
					t.Errorf("no %s field; the fixture has one (fields %v)", f, have)
				}
			}
			if g, w := outline(got), outline(want); g != w || w == "" {
				t.Errorf("text outline = %s, fixture's %s\n%s", g, w, raw)
			}
		})
	}
}

func fixtureBytes(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readFixture parses a fixture, with the CLI templates' markers replaced by
// the original's identifiers.
func readFixture(t *testing.T, path string, orig []byte) *inbound.Message {
	b := fixtureBytes(t, path)
	if strings.HasSuffix(path, ".in") {
		o := parse(t, orig)
		lf := strings.ReplaceAll(string(orig), "\r\n", "\n")
		head, _, _ := strings.Cut(lf, "\n\n")
		rt, mid, subj := o.Header.Get("Reply-To"), o.Header.Get("Message-Id"), o.Header.Get("Subject")
		b = []byte(strings.NewReplacer("@RTLOWER@", rt, "@RTUPPER@", rt, "@RT@", rt, "@MIDUPPER@", mid, "@MID@", mid,
			"@REFS@", o.Header.Get("References"), "@QSUBJ@", "x", "@SUBJ@", subj, "@OUTHEAD@", head, "@OUT@", lf).Replace(string(b)))
	}
	return parse(t, b)
}

func parse(t *testing.T, raw []byte) *inbound.Message {
	t.Helper()
	m, err := inbound.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tree writes a MIME tree as "multipart/alternative[text/plain text/html]".
func tree(p *inbound.Part) string {
	if len(p.Parts) == 0 || p.ContentType == "message/rfc822" {
		return p.ContentType
	}
	var kids []string
	for _, k := range p.Parts {
		kids = append(kids, tree(k))
	}
	return p.ContentType + "[" + strings.Join(kids, " ") + "]"
}

// fields lists the header field names of raw, lower case, once each,
// without those in skip.
func fields(raw []byte, skip []string) []string {
	lf := strings.ReplaceAll(string(raw), "\r\n", "\n")
	head, _, _ := strings.Cut(lf, "\n\n")
	var names []string
	for _, l := range strings.Split(head, "\n") {
		name, _, ok := strings.Cut(l, ":")
		if !ok || l[0] == ' ' || l[0] == '\t' {
			continue
		}
		name = strings.ToLower(name)
		if !contains(names, name) && !contains(skip, name) {
			names = append(names, name)
		}
	}
	return names
}

func contains(list []string, name string) bool {
	for _, s := range list {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

var (
	ruleLine  = regexp.MustCompile(`^_{10,}$`)
	sepLine   = regexp.MustCompile(`^(?:-{2,}\s*\S.*\S\s*-{2,}|.*(?:forwarded message|message réexpédié)\s*:)$`)
	labelLine = regexp.MustCompile(`^\*?(?:From|Sent|Date|To|Cc|Subject|De|Envoyé|À|Objet|Von|Gesendet|An|Betreff|Enviado|Para|Asunto)\*?\s?:\s`)
	attrLine  = regexp.MustCompile(`(?:wrote|écrit|schrieb.*|escribió)\s*:$`)
)

// outline sums up the first text part (or the HTML as text) line by line:
// T text, A attribution, Q quote, R rule, H header label, S separator,
// G signature delimiter; blank lines dropped, runs of one kind as one.
func outline(m *inbound.Message) string {
	var text string
	if p := m.BodyPart("text/plain"); p != nil {
		text, _ = p.Text()
	} else if p := m.BodyPart("text/html"); p != nil {
		h, _ := p.Text()
		text = reply.HTMLText(h)
	}
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		k := "T"
		s := strings.TrimSpace(l)
		switch {
		case s == "":
			continue
		case strings.HasPrefix(l, ">"):
			k = "Q"
		case s == "--":
			k = "G"
		case ruleLine.MatchString(s):
			k = "R"
		case sepLine.MatchString(s):
			k = "S"
		case labelLine.MatchString(s):
			k = "H"
		case attrLine.MatchString(s):
			k = "A"
		}
		if len(out) == 0 || out[len(out)-1] != k {
			out = append(out, k)
		}
	}
	return strings.Join(out, " ")
}
