// Package identity makes and reads the identifiers that tie an e-mail
// message to the resource it is about, so that a partner's reply, from any
// mail client, leads back to that resource.
//
// # Resource ids
//
// A resource id is a token of one or more characters of [A-Za-z0-9_-]; [New]
// makes a random one, a version 4 UUID in lower case. The id keeps its case
// wherever it is written. Read back, a UUID comes in lower case whatever a
// gateway did to it, and any other id as it was found ([Canonical]). An id
// must leave the local part of the reply address within the 64 octets of
// RFC 5321 section 4.5.3.1.1; [App.CheckID] and every maker refuse a longer
// one with an [*IDError] naming the id and the limit, before anything is
// sent. [App.MaxIDLen] gives the budget.
//
// # Formats
//
// For the application address mail-api@example.com, resource
// a74e22bb-3313-4dc4-af28-6c2bd1351c0f and message token 3xkq7nbn2adqgmhwrd6a,
// an unsigned [App.Stamp] gives:
//
//	Header      Format                                     Example
//	Reply-To    name+<resource>@domain                     mail-api+a74e22bb-3313-4dc4-af28-6c2bd1351c0f@example.com
//	Subject     [<tag>] <subject>                          [a74e22bb] Vehicle check
//	Message-ID  <name+<resource>.<token>@domain>           <mail-api+a74e22bb-3313-4dc4-af28-6c2bd1351c0f.3xkq7nbn2adqgmhwrd6a@example.com>
//	References  <name+<resource>@domain>                   <mail-api+a74e22bb-3313-4dc4-af28-6c2bd1351c0f@example.com>
//
// With signing on (see below) a signature of 13 characters follows the
// resource in all three identifiers, after a dot; with Keys
// []Key{{ID: "k", Secret: []byte("example secret, 32 octets long!!")}}:
//
//	Reply-To    name+<resource>.<sig>@domain               mail-api+a74e22bb-3313-4dc4-af28-6c2bd1351c0f.k443b4aksiyjo@example.com
//	Message-ID  <name+<resource>.<sig>.<token>@domain>     <mail-api+a74e22bb-3313-4dc4-af28-6c2bd1351c0f.k443b4aksiyjo.3xkq7nbn2adqgmhwrd6a@example.com>
//	References  <name+<resource>.<sig>@domain>             <mail-api+a74e22bb-3313-4dc4-af28-6c2bd1351c0f.k443b4aksiyjo@example.com>
//
// The parts:
//
//   - name and domain: the application address ([App], [ParseApp]). The
//     name is a dot-atom of [A-Za-z0-9._-] without '+'; both are matched in
//     any case when read back.
//   - resource: the resource id, as given; it holds no '.' and no '+', so it
//     ends at the first '.' or '@'.
//   - token: the per-message part of the Message-ID, of [A-Za-z0-9_-], at
//     most 64 octets; [NewToken] makes 96 random bits in lower-case base32
//     (20 characters). It makes the Message-ID unique (RFC 5322 section
//     3.6.4) while the Message-ID still names the resource, so that an
//     In-Reply-To alone leads back to it.
//   - References carries one stable thread root per resource, which is the
//     reply address in angle brackets. Every message about the resource
//     names it, so clients that thread by References (Thunderbird, Apple
//     Mail; Gmail when the subjects also match) put them in one thread, and
//     a reply's References still lead back when a provider (Amazon SES, for
//     one) has replaced our Message-ID. Never rely on the Message-ID alone.
//     Outlook groups conversations by its own Thread-Index: [Stamp.ThreadIndex]
//     makes one per message ([MS-OXOMSG] 2.2.1.3: 0x01, the send time's 40
//     high FILETIME bits, and a conversation GUID derived from the
//     application and the resource, the same for every message about it),
//     and Stamp.ThreadTopic (the resource id) fills Thread-Topic.
//   - The subject tag is "[" + the whole id + "]" for a readable id of at
//     most 24 characters ("[INV-2026-0117]"), and "[" + its first 8
//     characters + "]" for a UUID or a longer id ("[a74e22bb]") ([Tag]);
//     [SubjectTag] reads both; [Stamp.Subject] puts it in front of
//     the subject once, and not again when the subject already carries it
//     anywhere, as a re-send or "Re: [a74e22bb] …" does. The tag keeps apart
//     messages about different resources in clients that thread by subject.
//   - sig: one character of key id then 12 characters of lower-case base32
//     (60 bits of HMAC-SHA256).
//
// All of these are dot-atoms (RFC 5322 section 3.2.3) made only of checked
// characters: no identifier this package makes holds CR, LF or NUL
// ([Stamp.Subject] keeps the caller's subject text as given; the header
// writer, package mailer, refuses CR, LF and NUL in it). The Parse
// functions are the exact inverses of the makers, for a resource in
// [Canonical] form:
//
//	App.ReplyTo(r)          App.ParseReplyTo(addr)   → r
//	App.ThreadID(r)         App.ParseThreadID(id)    → r
//	App.MessageID(r, t)     App.ParseMessageID(id)   → r, t
//	Tag(r)                  SubjectTag(subject)      → the tag
//
// # Order of trust
//
// [Trace] reads the header fields of an incoming message and returns the
// resource and where it was found, trying the exact sources first:
//
//	Trust  Source       Where                                           Result
//	first  address      our plus address in To, Cc, Delivered-To,       exact
//	                    X-Original-To, Envelope-To, X-Envelope-To
//	then   in-reply-to  our Message-ID or thread root in In-Reply-To    exact
//	then   references   the same in References, newest (last) first     exact
//	last   subject      the subject tag, through Re:/AW:/SV:/Fwd:/WG:/  a hint
//	                    Rép. : prefixes and RFC 2047 encoded words
//
// When an address and a message id of ours name the same id in different
// letter case (a gateway lower-cased fleet+wo-42@ while In-Reply-To
// carries WO-42), the message id's case wins: clients copy message ids
// back exactly. Only identifiers of our name at our domain count, both compared without
// regard to ASCII case; display names, angle brackets, quoting, comments and
// upper-casing by clients and gateways are tolerated. The first identifier of ours found decides; a forged one is an
// error, never a skip to the next.
//
// A subject tag is not an id: it is a prefix of one, and anyone can type
// it. A subject match has Result.Exact false, Result.Resource holding the
// tag, and Result.Sender holding the From address: check that this sender
// may speak about a resource whose id starts with the tag before trusting
// the match. Signing does not change this.
//
// [TraceBounce] traces a bounce, exactly, through the headers of the
// original message that the report embeds. Whether a message is a
// person's reply, an automatic reply or a bounce is not this package's
// question: package inbound's Classify answers it, from header fields and
// MIME structure, and its Trace returns the kind beside this package's
// Result. Automatic replies and bounces are still traced to their
// resource.
//
// # Signed reply addresses
//
// With the zero [App], identifiers are not signed and anyone who knows or
// guesses a resource id can write to its reply address. That is fine for
// random ids such as UUIDs, which are as hard to guess as a signature.
// Turn signing on when ids are sequential or guessable (invoice numbers,
// database keys): set App.Keys. The first [Key] signs; every key verifies,
// so a secret is rotated by putting a new key first and keeping the old
// one for as long as replies to old messages may arrive. Messages signed by
// a key that is later removed no longer trace ([ErrBadToken], unknown key
// id), and the thread root changes with the signing key, so messages sent
// on either side of a rotation thread apart in mail clients.
//
// The signature is HMAC-SHA256 under the key's secret of the application
// address and the resource id, both in lower case, cut to 60 bits and
// written in lower-case base32 behind the key id, so that gateways that
// change case cannot break it (ids that differ only in case share it). A
// forger can only guess online, one sent message per guess, so 60 bits is
// far out of reach, while a longer MAC would eat the 64 octets the id
// needs: a signed UUID fits behind names of up to 13 characters
// ([App.MaxIDLen]).
// The same signature rides in Message-ID and References, so a reply that
// lost its address still verifies.
//
// Trace verifies every identifier of ours when the App has keys. Without
// keys, a signed identifier still traces, with Result.Unverified set: its
// signature was not checked, so the match is only as strong as an
// unsigned one. Trace verifies every identifier of ours: a tampered MAC, an unknown key
// id, a signature made for another resource or application, or an address
// of ours with no signature at all gives a [*TokenError] wrapping
// [ErrBadToken] that says in which header it was found, and never a match.
// Identifiers made before signing was turned on stop tracing too; those
// made while it was on still trace, unverified, after it is turned off.
//
// Signatures carry no expiry and are not bound to a recipient, on purpose:
// a partner may answer months later, forward the thread to a colleague, or
// reply from another address, and all of these must still reach the
// resource. A signature proves that we made the address for that resource,
// not who is writing; check the sender where it matters.
//
// # What it does not do
//
// It reads header fields only: it does not parse bodies or MIME; a caller
// that has taken a delivery report apart passes the embedded original's
// header fields to [TraceBounce]. It does not
// look anything up: the caller maps a resource id, or a subject tag, to its
// own records. It writes no headers: the mailer puts a [Stamp]'s values in
// the message. It uses no custom header fields (RFC 6648), only Reply-To,
// Message-ID, References and Subject, and Outlook's Thread-Index and
// Thread-Topic.
//
// Everything in this package is safe for concurrent use.
package identity
