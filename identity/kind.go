package identity

import (
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailtrail/mailtrail/internal/charset"
)

// Kind classifies an incoming message.
type Kind int

// The kinds of incoming message.
const (
	Reply     Kind = iota // written by a person (the default)
	AutoReply             // automatic: out-of-office, vacation, read receipt, other auto-submitted mail
	Bounce                // a delivery failure (or a strong hint of one)
)

var kindNames = [...]string{Reply: "reply", AutoReply: "auto-reply", Bounce: "bounce"}

// String returns "reply", "auto-reply" or "bounce".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText returns the String form, for JSON.
func (k Kind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("identity: unknown kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText parses the String form.
func (k *Kind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if string(b) == n {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("identity: unknown kind %q", b)
}

// Classify tells, from headers alone, whether a message is a person's
// reply, an automatic reply or a bounce. h holds raw header values. The
// signals, in order:
//
//   - Bounce: Content-Type multipart/report; report-type=delivery-status
//     (RFC 3464), X-Failed-Recipients, a From of MAILER-DAEMON or
//     postmaster (in any case, with or without '-', '_' or '.': also
//     "post_master"), or, when the From address is empty ("MAILER-DAEMON
//     <>"), a display name saying so ("Mail Delivery System" too).
//   - AutoReply: multipart/report; report-type=disposition-notification
//     (a read receipt, RFC 8098); Auto-Submitted other than "no" (RFC
//     3834); X-Autoreply; X-Autorespond; Precedence auto_reply, bulk or
//     junk; a subject that opens like an out-of-office notice in English,
//     French, German, Spanish, Italian, Dutch or Portuguese ("Automatic
//     reply:", "Réponse automatique", "Abwesenheitsnotiz", "Respuesta
//     automática", "Risposta automatica", "Automatisch antwoord",
//     "Resposta automática", …).
//   - Bounce: a null Return-Path, "<>", with none of the above.
//
// The subject rules are a heuristic, and a partner's own automation that
// marks its mail Auto-Submitted: auto-generated is an AutoReply too: the
// kind is advice for the caller, which still gets the resource. A bounce
// is only certain from its body: a caller that has the embedded original
// uses [TraceBounce].
func Classify(h mail.Header) Kind {
	if mt, params, err := mime.ParseMediaType(get(h, "Content-Type")); err == nil && mt == "multipart/report" {
		switch strings.ToLower(params["report-type"]) {
		case "delivery-status":
			return Bounce
		case "disposition-notification":
			return AutoReply
		}
	}
	if has(h, "X-Failed-Recipients") {
		return Bounce
	}
	if fromDaemon(h) {
		return Bounce
	}
	if isAutoReply(h) {
		return AutoReply
	}
	if rp := strings.TrimSpace(get(h, "Return-Path")); rp == "<>" {
		return Bounce
	}
	return Reply
}

// daemonNames are the From local parts and display names of delivery
// systems, lower case, letters only.
var daemonNames = map[string]bool{
	"mailerdaemon": true, "postmaster": true, "maildeliverysystem": true, "maildeliverysubsystem": true,
}

// fromDaemon reports whether h's From is a mail delivery system: by its
// local part, or by its display name when the address is empty.
func fromDaemon(h mail.Header) bool {
	if addr := fromAddress(h); addr != "" {
		return daemonNames[lettersOnly(localPart(addr))]
	}
	name, _, _ := strings.Cut(charset.DecodeHeader(get(h, "From")), "<")
	return daemonNames[lettersOnly(name)]
}

// lettersOnly returns s lower-cased with everything but ASCII letters
// dropped: "Mailer-Daemon" and "post_master" become "mailerdaemon" and
// "postmaster".
func lettersOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if 'a' <= c && c <= 'z' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isAutoReply(h mail.Header) bool {
	if v := strings.TrimSpace(get(h, "Auto-Submitted")); v != "" {
		// RFC 3834 section 5: a keyword, then optional parameters and
		// comments.
		kw := v
		if i := strings.IndexAny(v, " \t;("); i >= 0 {
			kw = v[:i]
		}
		if !strings.EqualFold(kw, "no") {
			return true
		}
	}
	if has(h, "X-Autoreply") || has(h, "X-Autorespond") || has(h, "X-Autoresponder") {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(get(h, "Precedence"))) {
	case "auto_reply", "bulk", "junk":
		return true
	}
	return isOutOfOffice(get(h, "Subject"))
}

// outOfOffice holds the openings of out-of-office subjects, lower case.
var outOfOffice = []string{
	// English
	"automatic reply", "auto reply", "auto-reply", "autoreply", "auto response",
	"auto-response", "autoresponse", "automatic response", "out of office",
	"out of the office", "vacation reply", "away from the office",
	// French
	"réponse automatique", "reponse automatique", "absence du bureau",
	"absent du bureau", "absente du bureau", "message d'absence", "message d’absence",
	// German
	"automatische antwort", "abwesenheitsnotiz", "abwesenheit", "abwesend",
	"nicht im büro", "nicht im buero", "außer haus", "ausser haus",
	// Spanish
	"respuesta automática", "respuesta automatica", "fuera de la oficina",
	"fuera de oficina", "ausente de la oficina", "ausencia",
	// Italian
	"risposta automatica", "fuori ufficio", "fuori sede", "assenza dall'ufficio",
	// Dutch
	"automatisch antwoord", "automatisch bericht", "afwezig", "niet aanwezig", "buiten kantoor", "afwezigheidsbericht",
	// Portuguese
	"resposta automática", "resposta automatica", "fora do escritório", "fora do escritorio", "ausência", "ausente do escritório",
}

// isOutOfOffice reports whether a raw subject opens, after any reply
// prefixes, like an out-of-office notice: one of the phrases, then the end
// or a character that is not a letter (French clients write a no-break
// space before the colon: "Réponse automatique\u00a0: …").
func isOutOfOffice(subject string) bool {
	s := strings.ToLower(stripPrefixes(charset.DecodeHeader(subject)))
	for _, p := range outOfOffice {
		rest, ok := strings.CutPrefix(s, p)
		if !ok {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(rest); rest == "" || !unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
