package inbound

import (
	"mime"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailtrail/mailtrail/identity"
)

// classifyHeader is the header half of [Classify], whose documentation
// lists its rules in order: it tells, from the fields of h alone
// (canonical keys, raw values), whether a message is a person's reply, an
// automatic reply or a bounce.
func classifyHeader(h mail.Header) Kind {
	if mt, params, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && mt == "multipart/report" {
		switch strings.ToLower(params["report-type"]) {
		case "delivery-status":
			return Bounce
		case "disposition-notification":
			return AutoReply
		}
	}
	if hasField(h, "X-Failed-Recipients") {
		return Bounce
	}
	if fromDaemon(h) {
		return Bounce
	}
	if isAutoReply(h) {
		return AutoReply
	}
	if rp := strings.TrimSpace(h.Get("Return-Path")); rp == "<>" {
		return Bounce
	}
	return Reply
}

// hasField reports whether h holds the field, even with an empty value.
func hasField(h mail.Header, name string) bool { return len(h[name]) > 0 }

// daemonNames are the From local parts and display names of delivery
// systems, lower case, letters only.
var daemonNames = map[string]bool{
	"mailerdaemon": true, "postmaster": true, "maildeliverysystem": true, "maildeliverysubsystem": true,
}

// fromDaemon reports whether h's From is a mail delivery system: by its
// local part, or by its display name when the address is empty.
func fromDaemon(h mail.Header) bool {
	if addr := identity.Sender(h); addr != "" {
		local := addr
		if at := strings.LastIndexByte(addr, '@'); at >= 0 {
			local = addr[:at]
		}
		return daemonNames[lettersOnly(local)]
	}
	name, _, _ := strings.Cut(DecodeHeader(h.Get("From")), "<")
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

// isAutoReply reports whether h's fields mark an automatic reply.
func isAutoReply(h mail.Header) bool {
	if v := strings.TrimSpace(h.Get("Auto-Submitted")); v != "" {
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
	if hasField(h, "X-Autoreply") || hasField(h, "X-Autorespond") || hasField(h, "X-Autoresponder") {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "auto_reply", "bulk", "junk":
		return true
	}
	return isOutOfOffice(h.Get("Subject"))
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
	s := strings.ToLower(identity.BaseSubject(subject))
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
