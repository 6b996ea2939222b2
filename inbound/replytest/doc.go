// Package replytest builds the mail that comes back to an application, as
// real mail clients and servers write it, for tests of the inbound side:
// a partner's reply ([Reply]), a bounce ([Bounce]) and an automatic answer
// ([AutoReply]), each from a message the application sent.
//
//	sent := srv.Messages()[1].Data // a mailtest.Server's
//	raw, err := replytest.Reply(sent, replytest.Outlook, replytest.French)
//	// deliver raw to an imaptest.Server, or hand it to inbound.Parse
//
// Replies come from Gmail, Outlook (desktop, web, mobile, HTML only),
// Apple Mail, Thunderbird, iOS Mail and Samsung Email on Android, in
// English, French, German, Spanish, Italian, Dutch and Portuguese; top-
// or bottom-posted, forwarded, sent to the From address instead of the
// Reply-To, or stripped by a gateway down to the subject tag; with a JSON
// part or YAML data. Each is a complete RFC 5322 message made the way its
// client makes it (header fields, Message-ID, In-Reply-To and References,
// Thread-Index, reply prefix, MIME structure, charset, transfer encoding,
// attribution line or header block, quote and signature) with the phrases
// the reply reader of package inbound knows, and with the shape of the
// public fixtures that reader is tested on. Bounces are RFC 3464 delivery
// status notifications (with the original, or its header only) and the
// common shapes without RFC 3464 (Exim's attached original, qmail's copy
// in the text); automatic answers are RFC 3834 vacation responses and
// Exchange's out-of-office replies.
//
// The same input gives the same bytes: dates, Message-IDs and boundaries
// derive from the original (see [Date] to set the date).
//
// It does not sign (DKIM, S/MIME) and does not imitate every version of
// every client: the forms are those the fixtures show, and they change
// when clients do.
package replytest
