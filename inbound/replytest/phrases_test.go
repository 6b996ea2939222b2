package replytest

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound/reply"
)

// TestPhrases_known checks that replytest speaks every language the reply
// reader knows, and writes only phrases the reader's tables hold: its
// attribution openers and verbs, header labels, separators, forward
// lines, device lines and closings.
func TestPhrases_known(t *testing.T) {
	tables := reply.Languages()
	if len(tables) != len(Languages) {
		t.Errorf("the reader knows %d languages, replytest %d", len(tables), len(Languages))
	}
	for _, l := range tables {
		ph := known[Language(l.Code)]
		if ph == nil {
			t.Errorf("language %q of the reader: replytest does not speak it", l.Code)
			continue
		}
		check := func(what, phrase string, list []string, prefix bool) {
			t.Helper()
			for _, k := range list {
				if strings.EqualFold(phrase, k) || prefix && len(phrase) > len(k) &&
					strings.EqualFold(phrase[:len(k)], k) && phrase[len(k)] == ' ' {
					return
				}
			}
			t.Errorf("%s: %s %q is not one the reader knows (%q)", l.Code, what, phrase, list)
		}
		for _, attr := range []string{ph.attr(ph.gmailAttr), ph.attr(ph.appleAttr), ph.attr(ph.tbAttr)} {
			check("attribution opener", attr, l.AttributionOpeners, true)
			verb := false
			for _, v := range l.AttributionVerbs {
				verb = verb || strings.Contains(strings.ToLower(attr), " "+strings.ToLower(v))
			}
			if !verb {
				t.Errorf("%s: attribution %q has none of the verbs %q", l.Code, attr, l.AttributionVerbs)
			}
		}
		check("From label", ph.outlookLabels[0], l.FromLabels, false)
		check("From label", ph.samsungLabels[0], l.FromLabels, false)
		for _, label := range append(ph.outlookLabels[1:], ph.samsungLabels[1:]...) {
			check("header label", label, l.OtherLabels, false)
		}
		for _, sep := range []string{ph.original, ph.gmailFwd, ph.tbFwd} {
			check("separator", sep, l.Separators, false)
		}
		check("forward line", ph.appleFwd, l.ForwardLines, false)
		for _, dev := range []string{ph.iphone, ph.samsung, ph.outlookMobile} {
			check("device line", dev, l.DeviceSignatures, true)
		}
		check("closing", strings.TrimSuffix(ph.closing, ","), l.Closings, false)
	}
}
