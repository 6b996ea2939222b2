// Package mailer renders templated messages and sends them over SMTP,
// writes them into a folder of .eml files, or hands them to a durable
// outbox.
//
// A [Mailer] is made once with [New] from a [Config], whose groups say who
// sends ([Identity]), how messages are rendered ([RenderConfig]), how they
// are signed ([Signing]) and where they go ([TransportConfig], or an
// [Outbox]). [Mailer.Send] takes a [Message] (template, recipients,
// resource id, data, attachments), renders its parts with package render,
// stamps it with the identifiers of package identity, assembles it and
// delivers it. [Mailer.Render] runs the same code without delivering, and
// gives the exact bytes Send would transmit; a [Renderer] ([NewRenderer])
// does only that, and needs no transport.
//
//	m, err := mailer.New(mailer.Config{
//		Identity:  mailer.Identity{From: "fleet@example.com"},
//		Render:    mailer.RenderConfig{Templates: os.DirFS("templates")},
//		Transport: mailer.TransportConfig{URL: "smtp://user:pass@mail.example.com:587"},
//	})
//	rc, err := m.Send(ctx, &mailer.Message{Template: "vehicle-check", To: []string{"partner@example.net"}, Data: data})
//	// rc.Resource: the new resource id; rc.MessageID: store it against the resource
//
// # The message
//
// Every message is multipart/alternative with, in this order,
// application/json (the data, exactly), text/plain and text/html (RFC 2046
// §5.1.4: the last is the preferred one); [RenderConfig].JSON can move the JSON
// out of the alternative into a data.json attachment. Attachments put a
// multipart/mixed around the alternative, each with a Content-Disposition
// whose file name is written as RFC 2231 UTF-8 parameters when it is not
// plain ASCII.
//
// The header block is, in this order: Date, From (with its optional display
// name), To, Cc (Bcc recipients are only on the SMTP envelope), Reply-To
// (app+<resource>@domain), Subject (tagged "[<id>] " for a readable id, "[<first 8 of the id>] " for a UUID, once),
// Message-ID (unique per message, naming the resource), References (the
// resource's thread root, the same for every message about it),
// Thread-Topic and Thread-Index (Outlook's: the resource id, and a
// conversation index whose GUID is the resource's; see
// [identity.Stamp.ThreadIndex]), MIME-Version, Auto-Submitted: auto-generated (RFC 3834; see
// [RenderConfig].OmitAutoSubmitted for the trade-off), X-Auto-Response-Suppress:
// OOF, AutoReply (so that Exchange sends no out-of-office replies, while
// delivery reports still come back), List-Id when configured (RFC 2919),
// the message's extra fields in name order, and Content-Type. No
// In-Reply-To is written: a first message replies to nothing, and
// References alone groups a resource's messages in Gmail, Apple Mail and
// Thunderbird, Thread-Index in Outlook. Mail providers may replace the Message-ID (Amazon
// SES does); the thread root in References and the reply address survive.
//
// # Wire rules
//
// The output is 7-bit, with CRLF line ends only, no bare CR or LF, no NUL,
// and no line longer than 998 octets (RFC 5322 §2.1.1); every rendered
// message is checked against these rules before it leaves [Mailer.Render].
// Header fields are folded at spaces within 78 octets wherever the text
// allows; non-ASCII text, and words too long to fold, become RFC 2047
// encoded words ("Q" encoding, UTF-8) of whole characters. Bodies are
// quoted-printable or base64, whichever is shorter for the part; JSON that
// holds line ends is always base64, so that it comes back byte for byte.
//
// Nothing from data reaches a header unchecked: CR, LF or NUL in a subject,
// address, display name, resource id, file name or extra header value is
// refused with an error wrapping [ErrInvalidMessage], as are invalid UTF-8
// and bidirectional override characters, before anything is sent or
// written. Addresses are parsed with net/mail and must then have a dot-atom
// local part of at most 64 octets and a host-name domain: quoted local
// parts (`"a@b> ORCPT=c"@d`), address literals and non-ASCII addresses
// are refused, so that no address can add an ESMTP parameter to an SMTP
// command.
//
// # Assembly
//
// One writer builds every body on the standard library's mime/multipart:
// the multipart/alternative, and the multipart/mixed around it when there
// are attachments, with the boundaries of [RenderConfig].Boundary, so that the
// same input gives the same bytes. Parts are quoted-printable (byte for
// byte what mime/quotedprintable writes, in one pass) or base64; file names
// are RFC 2231 parameters. Every header field, in the message header and in
// part headers, passes through one function that refuses CR, LF, NUL,
// other controls and non-ASCII octets and folds the line; raw text such as
// the subject is checked and RFC 2047-encoded on its way in.
//
// # Sending
//
// With [TransportConfig].SMTP, [TransportConfig].URL or the
// MAILTRAIL_SMTP_URL variable set, messages go over SMTP (see [ParseSMTPURL]: smtp:// requires
// STARTTLS, smtps:// is implicit TLS, smtp+insecure:// is for a local
// relay). The connection stays open between messages, so successive Sends
// reuse it (package outbox/batch sends a file of records on every core);
// [Mailer.Close] ends it. Failures are [*SendError] values matching
// [ErrTransient], [ErrPermanent] or [ErrUnknownOutcome]. Send reports
// success only after the server's 250 to the final ".".
//
// With none of them (and no Outbox), [New] fails with [ErrNoTransport],
// whose text says how to choose: a library does not store mail meant to
// be sent. A file: URL ("file:./mail") in [TransportConfig].URL or
// MAILTRAIL_SMTP_URL, or [TransportConfig].Use set to a [FileTransport], writes each message as
// <time>-<message-id>.eml into a folder, atomically (a temporary file in
// the same folder, fsync, rename, fsync of the folder); the mailtrail
// command does so into ./mail ([DefaultFileDir]) when nothing is
// configured, and says so. This is Django's file e-mail backend, chosen
// on purpose. The files hold exactly the bytes Send would transmit and are readable by
// their owner only (mode 0600: messages carry partners' data); Bcc
// recipients, being on the envelope only, do not appear in them.
//
// # Durable outbox
//
// With [Config].Outbox set, Send does not transmit: it hands the rendered
// message to the [Outbox] and returns once it is stored durably (the
// Receipt's OutboxID names it). Mailer defines only that small interface;
// package outbox holds the stores (a folder on disk, PostgreSQL), the one
// set of delivery rules (backoff, MaxAge, a paused queue on a server
// outage, unknown outcomes kept for a person) and the batch engine, and
// delivers with a [Transport].
//
// # Hooks
//
// [Hooks].BeforeSend sees each rendered [Envelope] before delivery and may
// veto it or change its recipients ([Redirect] sends everything to one
// test address on a staging system); [Hooks].AfterSend sees every
// delivery's outcome, for logs, metrics, or storing the Message-ID
// against the resource.
//
// # Signing
//
// With [Config].Signing, messages are signed before they leave Render:
// S/MIME (RFC 8551) puts the whole body, alternative and attachments, as
// the first part of a multipart/signed whose second part is a detached
// PKCS #7 signature (SHA-256, made by github.com/smallstep/pkcs7); the
// header fields, the identity fields among them, stay outside, unchanged.
// DKIM (RFC 6376, github.com/emersion/go-msgauth, relaxed/relaxed) comes
// last, over the final bytes. Package inbound verifies both on replies.
//
// # What it does not do
//
// No SMTPUTF8 (RFC 6531) or 8BITMIME: everything is 7-bit. No PGP and no
// S/MIME encryption. No retry without an outbox: a failed Send returns its
// error, and the caller decides.
package mailer
