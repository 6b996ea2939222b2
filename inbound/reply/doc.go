// Package reply says what a partner wrote in a message parsed by package
// inbound, following the seed article: the application/json part when
// there is one; else the text/plain parts; else the HTML turned into text
// ([HTMLText]); quoted history and signatures removed ([StripQuote],
// [StripSignature]: Gmail, Outlook, Apple Mail, Thunderbird, phone
// clients; English, French, German, Spanish, Italian, Dutch and Portuguese,
// with the phrases as data in [Languages]); structured data read from what
// remains when it is JSON or YAML, with keys matched loosely
// ([Reply.Get]); and the attachments that matter (images, video, PDF,
// vendor types). [Parse] does all of it.
//
// Quote and signature removal are heuristics; they are tested against the
// github/email_reply_parser, mailgun/talon, crisp-oss and
// discourse/email_reply_trimmer fixtures (testdata/*/README.md). Every
// function runs in time linear in its input and is safe for concurrent
// use.
package reply
