package replytest

import (
	"html"
	"strings"
)

// reply assembles the message the configured client writes.
func (b *builder) reply() []byte {
	body := b.withData(b.clientBody())
	m := &message{}
	irt, refs := b.threading()
	h := replyHeader{
		irt: irt, refs: refs,
		from:    addr(b.name, b.email),
		subject: word(b.subject()),
		date:    b.date.Format("Mon, 2 Jan 2006 15:04:05 -0700"),
		content: body.header,
	}
	switch c := b.c.client; {
	case c == Gmail:
		b.gmailHeader(m, h)
	case c.outlookFamily():
		b.outlookHeader(m, h)
	case c == AppleMail:
		b.appleHeader(m, h)
	case c == IPhone:
		b.iphoneHeader(m, h)
	case c == Thunderbird:
		b.thunderbirdHeader(m, h)
	default:
		b.androidHeader(m, h)
	}
	m.body = body.body
	return m.bytes()
}

// clientBody is the body the configured client writes, before any data.
func (b *builder) clientBody() leaf {
	switch c := b.c.client; {
	case c == Gmail:
		return b.gmail()
	case c.outlookFamily():
		return b.outlook()
	case c == AppleMail:
		return b.apple()
	case c == Thunderbird:
		return b.thunderbird()
	case c == IPhone:
		return b.iphone()
	default:
		return b.android()
	}
}

// replyHeader holds the field values that every client writes, each in
// its own order; content holds the body's Content-* fields.
type replyHeader struct {
	irt, refs, from, subject, date string
	content                        []string
}

// gmailHeader writes Gmail's header fields, in its order.
func (b *builder) gmailHeader(m *message, h replyHeader) {
	m.add("MIME-Version", "1.0")
	m.add("Date", h.date)
	m.add("References", h.refs)
	m.add("In-Reply-To", h.irt)
	m.add("Message-ID", "<CAF"+b.tok[:30]+"@mail.gmail.com>")
	m.add("Subject", h.subject)
	m.add("From", h.from)
	m.add("To", b.to())
	m.fields = append(m.fields, h.content...)
}

// outlookHeader writes Outlook's (desktop, web, mobile) header fields, in its order.
func (b *builder) outlookHeader(m *message, h replyHeader) {
	id := strings.ToUpper(b.tok[:12])
	m.add("From", h.from)
	m.add("To", b.to())
	m.add("Subject", h.subject)
	topic := b.o.threadTopic
	if topic == "" {
		topic = b.o.subject
	}
	m.add("Thread-Topic", word(topic))
	m.add("Thread-Index", b.threadIndex())
	m.add("Date", h.date)
	m.add("Message-ID", "<AM0PR01MB"+id+"@AM0PR01MB"+id[:4]+".eurprd01.prod.outlook.com>")
	m.add("References", h.refs)
	m.add("In-Reply-To", h.irt)
	m.add("Content-Language", contentLanguage[b.c.lang])
	m.add("X-MS-Has-Attach", map[bool]string{true: "yes", false: ""}[b.c.jsonData != nil])
	m.add("MIME-Version", "1.0")
	m.fields = append(m.fields, h.content...)
}

// appleHeader writes Apple Mail's header fields, in its order.
func (b *builder) appleHeader(m *message, h replyHeader) {
	m.fields = append(m.fields, h.content...)
	m.add("Mime-Version", `1.0 (Mac OS X Mail 16.0 \(3774.600.62\))`)
	m.add("Subject", h.subject)
	m.add("From", h.from)
	m.add("In-Reply-To", h.irt)
	m.add("Date", h.date)
	m.add("Message-Id", "<"+uuid(b.tok, true)+"@"+b.partnerDomain()+">")
	m.add("References", h.refs)
	m.add("To", b.to())
	m.add("X-Mailer", "Apple Mail (2.3774.600.62)")
}

// iphoneHeader writes iPhone Mail's header fields, in its order.
func (b *builder) iphoneHeader(m *message, h replyHeader) {
	m.fields = append(m.fields, h.content...)
	m.add("From", h.from)
	m.add("Mime-Version", "1.0 (1.0)")
	m.add("Date", h.date)
	m.add("Subject", h.subject)
	m.add("Message-Id", "<"+uuid(b.tok, true)+"@"+b.partnerDomain()+">")
	m.add("References", h.refs)
	m.add("In-Reply-To", h.irt)
	m.add("To", b.to())
	m.add("X-Mailer", "iPhone Mail (21D61)")
}

// thunderbirdHeader writes Thunderbird's header fields, in its order.
func (b *builder) thunderbirdHeader(m *message, h replyHeader) {
	m.add("Message-ID", "<"+uuid(b.tok, false)+"@"+b.partnerDomain()+">")
	m.add("Date", h.date)
	m.add("MIME-Version", "1.0")
	m.add("User-Agent", "Mozilla Thunderbird")
	m.add("Subject", h.subject)
	m.add("Content-Language", contentLanguage[b.c.lang])
	m.add("To", b.to())
	m.add("References", h.refs)
	m.add("From", h.from)
	m.add("In-Reply-To", h.irt)
	m.fields = append(m.fields, h.content...)
}

// androidHeader writes Samsung Email's header fields, in its order.
func (b *builder) androidHeader(m *message, h replyHeader) {
	m.add("Date", h.date)
	m.add("Message-ID", "<"+b.tok[:24]+"@email.android.com>")
	m.add("Subject", h.subject)
	m.add("From", h.from)
	m.add("To", b.to())
	m.add("In-Reply-To", h.irt)
	m.add("References", h.refs)
	m.add("MIME-Version", "1.0")
	m.fields = append(m.fields, h.content...)
}

var contentLanguage = map[Language]string{English: "en-US", French: "fr-FR", German: "de-DE", Spanish: "es-ES",
	Italian: "it-IT", Dutch: "nl-NL", Portuguese: "pt-PT"}

// uuid formats the token as a UUID, in upper case as Apple writes it.
func uuid(t string, upper bool) string {
	u := t[:8] + "-" + t[8:12] + "-4" + t[13:16] + "-a" + t[17:20] + "-" + t[20:32]
	if upper {
		return strings.ToUpper(u)
	}
	return u
}

// attribution fills one of the language's attribution templates with the
// original's date and sender.
func (b *builder) attribution(tmpl string) string {
	return expand(b.ph.attr(tmpl), b.ph, b.o.date, b.o.name(), b.o.name()+" <"+b.o.from.Address+">")
}

// labelled writes "Label: value" lines with the language's colon.
func (b *builder) labelled(pairs ...string) string {
	var lines []string
	for i := 0; i+1 < len(pairs); i += 2 {
		lines = append(lines, pairs[i]+b.ph.colon+" "+pairs[i+1])
	}
	return strings.Join(lines, "\n")
}

func (b *builder) origFrom() string { return b.o.name() + " <" + b.o.from.Address + ">" }
func (b *builder) partner() string  { return b.name + " <" + b.email + ">" }

// forwardBlock is the header block over a forwarded original: From, Date,
// Subject, To in the language.
func (b *builder) forwardBlock(prefix string) string {
	l := b.ph.samsungLabels
	block := b.labelled(l[0], b.origFrom(), l[1], expand(b.ph.outlookDate, b.ph, b.o.date, "", ""), l[3], b.o.subject, l[2], b.partner())
	if prefix == "" {
		return block
	}
	return prefix + strings.ReplaceAll(block, "\n", "\n"+prefix)
}

func (b *builder) gmail() leaf {
	attr := b.attribution(b.ph.gmailAttr)
	answer := b.answer()
	var text string
	switch b.c.shape {
	case BottomPosted:
		text = attr + "\n\n" + b.o.quoted() + "\n\n" + answer + "\n"
	case Forwarded:
		text = answer + "\n\n---------- " + b.ph.gmailFwd + " ---------\n" + b.forwardBlock("") + "\n\n\n" + b.o.text + "\n"
	default:
		text = answer + "\n\n" + attr + "\n\n" + b.o.quoted() + "\n"
	}
	ans := `<div dir="ltr">` + strings.ReplaceAll(html.EscapeString(answer), "\n", "<br>") + "</div>"
	quote := `<div class="gmail_quote"><div dir="ltr" class="gmail_attr">` + html.EscapeString(attr) + `<br></div>` +
		`<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">` +
		htmlText(b.o.text) + "</blockquote></div>"
	var h string
	switch b.c.shape {
	case BottomPosted:
		h = quote + "<br>" + ans + "\n"
	case Forwarded:
		h = ans + `<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- ` + html.EscapeString(b.ph.gmailFwd) +
			" ---------<br>" + strings.ReplaceAll(html.EscapeString(b.forwardBlock("")), "\n", "<br>") + "<br></div><br><br>" + htmlText(b.o.text) + "</div>\n"
	default:
		h = ans + "<br>" + quote + "\n"
	}
	return nest("multipart/alternative", "0000000000"+b.tok[:16],
		textLeaf("plain", "UTF-8", "quoted-printable", text), textLeaf("html", "UTF-8", "quoted-printable", h))
}

func (b *builder) outlook() leaf {
	l := b.ph.outlookLabels
	block := b.labelled(l[0], b.origFrom(), l[1], expand(b.ph.outlookDate, b.ph, b.o.date, "", ""), l[2], b.partner(), l[3], b.o.subject)
	answer := b.answer()
	text := answer + "\n\n________________________________\n" + block + "\n\n" + b.o.text + "\n"
	var hb strings.Builder
	for i, line := range strings.Split(block, "\n") {
		label, value, _ := strings.Cut(line, b.ph.colon+" ")
		if i > 0 {
			hb.WriteString("<br>\n")
		}
		hb.WriteString("<b>" + html.EscapeString(label+b.ph.colon) + "</b> " + html.EscapeString(value))
	}
	h := "<html>\n<head>\n" + `<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">` + "\n</head>\n<body>\n" +
		htmlText(answer) + `<div id="appendonsend"></div>` + "\n" + `<hr style="display:inline-block;width:98%" tabindex="-1">` + "\n" +
		`<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">` +
		hb.String() + "</font>\n<div>&nbsp;</div>\n</div>\n" + htmlText(b.o.text) + "</body>\n</html>\n"
	htmlPart := textLeaf("html", "iso-8859-1", "quoted-printable", h)
	if b.c.client == OutlookHTML {
		return htmlPart
	}
	bound := "_000_AM0PR01MB" + strings.ToUpper(b.tok[:12]) + "_"
	return nest("multipart/alternative", bound, textLeaf("plain", "iso-8859-1", "quoted-printable", text), htmlPart)
}

// appleQuote is Apple's quote: the attribution inside it.
func (b *builder) appleQuote() string {
	return "> " + b.attribution(b.ph.appleAttr) + "\n> \n" + b.o.quoted()
}

func (b *builder) apple() leaf {
	answer := b.answer()
	var text string
	switch b.c.shape {
	case BottomPosted:
		text = b.appleQuote() + "\n\n" + answer + "\n"
	case Forwarded:
		text = answer + "\n\n" + b.ph.appleFwd + b.ph.colon + "\n\n" + b.forwardBlock("") + "\n\n" + b.o.text + "\n"
	default:
		text = answer + "\n\n" + b.appleQuote() + "\n"
	}
	h := `<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>` +
		`<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">` +
		htmlText(answer) + `<div><br><blockquote type="cite"><div>` + html.EscapeString(b.attribution(b.ph.appleAttr)) +
		"</div><br>" + htmlText(b.o.text) + "</blockquote></div></body></html>\n"
	return nest("multipart/alternative", "Apple-Mail="+uuid(b.tok, true),
		textLeaf("plain", "utf-8", "quoted-printable", text), textLeaf("html", "utf-8", "quoted-printable", h))
}

func (b *builder) iphone() leaf {
	answer := b.answer()
	var text string
	switch b.c.shape {
	case BottomPosted:
		text = b.appleQuote() + "\n\n" + answer + "\n"
	case Forwarded:
		text = answer + "\n\n" + b.ph.appleFwd + b.ph.colon + "\n\n" + b.forwardBlock("> ") + "\n> \n" + b.o.quoted() + "\n"
	default:
		text = answer + "\n\n" + b.appleQuote() + "\n"
	}
	if ascii(text) {
		return textLeaf("plain", "us-ascii", "7bit", text)
	}
	return textLeaf("plain", "utf-8", "quoted-printable", text)
}

func (b *builder) thunderbird() leaf {
	attr := b.attribution(b.ph.tbAttr)
	answer := b.answer()
	var text string
	switch b.c.shape {
	case BottomPosted:
		text = attr + "\n" + b.o.quoted() + "\n\n" + answer + "\n"
	case Forwarded:
		l := b.ph.samsungLabels
		block := b.labelled(l[3], "\t"+b.o.subject, l[1], "\t"+b.o.date.Format("Mon, 2 Jan 2006 15:04:05 -0700"),
			l[0], "\t"+b.origFrom(), l[2], "\t"+b.partner())
		text = answer + "\n\n\n-------- " + b.ph.tbFwd + " --------\n" + block + "\n\n\n" + b.o.text + "\n"
	default:
		text = answer + "\n\n" + attr + "\n" + b.o.quoted() + "\n"
	}
	return leaf{header: []string{"Content-Type: text/plain; charset=UTF-8; format=flowed", "Content-Transfer-Encoding: 8bit"}, body: text}
}

func (b *builder) android() leaf {
	l := b.ph.samsungLabels
	block := b.labelled(l[0], b.origFrom(), l[1], b.o.date.Format("02/01/2006 15:04")+" (GMT+00:00)", l[2], b.partner(), l[3], b.o.subject)
	answer := b.answer()
	text := answer + "\n\n-------- " + b.ph.original + " --------\n" + block + "\n\n" + b.o.text + "\n"
	h := "<html><head></head><body>" + htmlText(answer) + "<br><br><div style=\"font-size:100%;color:#000000\"><!-- originalMessage --><div>-------- " +
		html.EscapeString(b.ph.original) + " --------</div><div>" + strings.ReplaceAll(html.EscapeString(block), "\n", "</div><div>") +
		"</div><div><br></div>" + htmlText(b.o.text) + "</div></body></html>\n"
	return nest("multipart/alternative", "--_com.samsung.android.email_"+b.tok[:16],
		textLeaf("plain", "UTF-8", "base64", text), textLeaf("html", "UTF-8", "base64", h))
}
