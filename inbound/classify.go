package inbound

import "strings"

// Classify tells whether m is a person's reply, an automatic reply or a
// bounce, from its header fields and its structure; it is the one
// classifier, which [Trace] and the CLI use. The rules, in order:
//
//   - Bounce: a delivery status notification ([Message.BouncedHeader]: a
//     multipart/report of delivery status, or a message holding
//     message/delivery-status beside an enclosed original).
//   - Bounce or AutoReply from the header fields alone (below).
//   - Bounce: a message from a system sender (below) that encloses an
//     original (message/rfc822) and says in its subject or first text
//     part that delivery failed, without message/delivery-status (QUIRK:
//     some Japanese carriers' and older MTAs' bounces are a bare
//     multipart/mixed marked Auto-Submitted).
//   - Bounce: a mailing-list manager's rejection of a post ("not a
//     member", "you are not allowed to post", …) from a system sender or
//     a list address (List-Id, or a From ending in -owner, -bounces,
//     -request), with or without the original attached.
//   - Otherwise what the header fields said: Reply or AutoReply.
//
// The header rules, in order:
//
//   - Bounce: Content-Type multipart/report; report-type=delivery-status
//     (RFC 3464), X-Failed-Recipients, a From of MAILER-DAEMON or
//     postmaster (in any case, with or without '-', '_' or '.': also
//     "post_master"), or, when the From address is empty ("MAILER-DAEMON
//     <>"), a display name saying so ("Mail Delivery System" too).
//   - AutoReply: multipart/report; report-type=disposition-notification
//     (a read receipt, RFC 8098); Auto-Submitted other than "no" (RFC
//     3834); X-Autoreply; X-Autorespond; Precedence auto_reply, bulk or
//     junk; a subject that opens, after reply prefixes, like an
//     out-of-office notice in English, French, German, Spanish, Italian,
//     Dutch or Portuguese ("Automatic reply:", "Réponse automatique",
//     "Abwesenheitsnotiz", "Respuesta automática", "Risposta automatica",
//     "Automatisch antwoord", "Resposta automática", …).
//   - Bounce: a null Return-Path, "<>", with none of the above.
//
// A system sender is one with an Auto-Submitted field other than "no", a
// null Return-Path ("<>"), or no From address. A person who forwards one
// of our messages as an attachment, or writes "not a member" in a reply,
// is none of these and stays a Reply. The phrases are in bounceSubjects,
// bounceTexts and listRejections; the text read is the first 4 KiB of the
// first text/plain part outside enclosed messages.
//
// The subject rules are a heuristic, and a partner's own automation that
// marks its mail Auto-Submitted: auto-generated is an AutoReply too: the
// kind is advice for the caller, which still gets the resource. A
// [Message] holding only a Header (canonical keys, raw values) is
// classified by its header fields alone.
func Classify(m *Message) Kind {
	if m == nil {
		return Reply
	}
	if _, ok := m.BouncedHeader(); ok {
		return Bounce
	}
	return m.classify()
}

// classify is Classify for a message that is not a delivery status
// notification: the header rules, then the structure rules. [Trace] has
// checked for a delivery status notification already and calls it
// directly, so that each rule runs once per message.
func (m *Message) classify() Kind {
	k := classifyHeader(m.Header)
	if k == Bounce || m.Content == nil {
		return k
	}
	system := k == AutoReply || strings.TrimSpace(m.Header.Get("Return-Path")) == "<>" || !hasFromAddress(m)
	list := m.Header.Get("List-Id") != "" || listSender(m.Header.Get("From"))
	if !system && !list {
		return k
	}
	subject := strings.ToLower(m.Header.Get("Subject"))
	text := strings.ToLower(m.firstText(4 << 10))
	if _, enclosed, _ := m.enclosedOriginal(); system && enclosed && (containsAny(subject, bounceSubjects) || containsAny(text, bounceTexts)) {
		return Bounce
	}
	if containsAny(subject, listRejections) || containsAny(text, listRejections) {
		return Bounce
	}
	return k
}

// hasFromAddress reports whether m's From holds an address.
func hasFromAddress(m *Message) bool {
	return strings.Contains(m.Header.Get("From"), "@")
}

// listSender reports whether a From value is a list manager's address:
// its local part ends in -owner, -bounces, -request or -admin, or is
// mailman, sympa, listserv or majordomo.
func listSender(from string) bool {
	from = strings.ToLower(from)
	at := strings.LastIndexByte(from, '@')
	if at < 0 {
		return false
	}
	local := from[:at]
	if i := strings.LastIndexAny(local, "<\" \t"); i >= 0 {
		local = local[i+1:]
	}
	switch local {
	case "mailman", "sympa", "listserv", "majordomo", "ezmlm":
		return true
	}
	for _, suf := range []string{"-owner", "-bounces", "-request", "-admin"} {
		if strings.HasSuffix(local, suf) {
			return true
		}
	}
	return false
}

// bounceSubjects open or fill the subject of a delivery failure report.
var bounceSubjects = []string{
	"undeliverable", "undelivered mail", "returned mail", "delivery status notification",
	"delivery failure", "delivery failed", "mail delivery failed", "failure notice", "delivery has failed",
	"non remis", "non délivré", "unzustellbar", "nicht zustellbar", "no se puede entregar",
	"non recapitabile", "onbestelbaar", "não entregue",
}

// bounceTexts say, in a report's text, that delivery failed.
var bounceTexts = []string{
	"could not be delivered", "couldn't be delivered", "was not delivered", "wasn't delivered",
	"undeliverable", "delivery to the following recipient", "permanent fatal error", "user unknown",
	"unknown user", "no such user", "mailbox unavailable", "recipient address rejected",
	"message not delivered", "delivery has failed",
}

// listRejections are what mailing-list managers (Mailman, Sympa, Google
// Groups, ezmlm, LISTSERV) say when they refuse a post.
var listRejections = []string{
	"not a member", "non-member", "nonmember", "not allowed to post", "not authorized to post",
	"permission to post", "only members can post", "only members may post", "you are not subscribed",
	"posting to a restricted list", "rejected by the list", "n'est pas abonné", "kein mitglied",
}

func containsAny(s string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// firstText returns up to max bytes of the first text/plain part of m
// outside enclosed messages.
func (m *Message) firstText(max int) string {
	var out string
	found := false
	m.Content.Walk(func(p *Part) error {
		if nested(p.ContentType) {
			return SkipParts
		}
		if found || len(p.Parts) > 0 || p.ContentType != "text/plain" {
			return nil
		}
		found = true
		out, _ = p.Text()
		if len(out) > max {
			out = out[:max]
		}
		return nil
	})
	return out
}
