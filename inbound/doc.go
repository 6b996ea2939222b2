// Package inbound reads the mail that comes back: it parses an incoming
// message liberally, classifies it (reply, automatic reply, bounce) and
// finds the resource it is about. What the partner wrote is read by
// package inbound/reply; the IMAP poller that feeds messages in is
// package inbound/imap.
//
// # Parsing
//
// [Parse] and [ParseWith] read a raw message (RFC 5322, MIME of RFC 2045
// to 2049) into a tree of [Part]s: any line endings, 8-bit bytes, RFC 2047
// encoded words (decoded by [DecodeHeader] and in every header value of
// the JSON shape), RFC 2231 parameters (continuations and charsets), base64
// and quoted-printable decoded leniently, charsets converted to UTF-8 by
// [Part.Text] (the WHATWG and IANA labels of golang.org/x/text). Broken MIME
// (missing or unclosed boundaries, back-to-back boundaries, a missing blank
// line after the header, a multipart without boundary) is read as Python's
// email package (compat32) reads it, and each problem is listed as a
// [Defect] on the part and on [Message.Defects]; the tree of every CPython
// test message matches Python's, except that message/delivery-status stays
// one leaf instead of a list of header blocks.
//
// Limits (see [Options]; nil means the defaults): 25 MiB per message,
// refused with a [*SizeError] after reading at most one byte more; 1000
// parts and 20 levels of nesting, beyond which the parse is cut short with
// [DefectPartLimit] or [DefectDepthLimit]. Time and memory are linear in
// the size of the message.
//
// The tree has the shape of the ASGI email draft ([Message.ASGI],
// [Message.MarshalJSON]), and the conveniences of Python's object model:
// [Message.Walk], [Message.BodyPart] (get_body with a preference list) and
// [Message.Attachments].
//
// # Tracing
//
// [Trace] finds the resource a message is about, with the identity
// package, in this order of trust:
//
//  1. our plus address (app+<id>@domain) in To, Cc, Delivered-To,
//     X-Original-To, Envelope-To, X-Envelope-To;
//  2. our Message-ID or thread root in In-Reply-To;
//  3. the same in References, newest first;
//  4. the subject tag ("[INV-2026-0117]", "[a74e22bb]"): anyone can type it, so the
//     Result is not Exact and carries the Sender, which the caller should
//     check against the resource before trusting it.
//
// A bounce (a delivery status notification, RFC 3464 and RFC 6522) is
// traced exactly through the original message it embeds (message/rfc822
// or text/rfc822-headers) and has [Result].Kind [Bounce]; an automatic
// reply (Auto-Submitted, X-Autoreply, Precedence, out-of-office subjects)
// has Kind [AutoReply]. Neither should be mistaken for a partner's
// answer. [Classify] is the one classifier over header fields and MIME
// structure; it also knows bounces that are no RFC 3464 report (a bare
// multipart/mixed from a system sender, a mailing-list manager's "not a
// member" rejection).
//
// # Replies
//
// Package [github.com/mailtrail/mailtrail/inbound/reply] reads what the
// partner said in a parsed message: data, text without quoted history or
// signature, and attachments.
//
// # What it does not do
//
// It does not verify S/MIME or PGP signatures (a signed message is read
// as its parts), does not decode uuencoded bodies or message/partial
// fragments, and does not check DKIM, SPF or DMARC: the sender of a
// message is what its header says. Quote and signature removal are
// heuristics; they are tested against the github/email_reply_parser and
// mailgun/talon fixtures.
//
// All functions are safe for concurrent use; a Message is not modified
// after Parse returns, so several goroutines may read it.
package inbound
