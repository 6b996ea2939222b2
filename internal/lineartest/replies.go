package lineartest

import (
	"bytes"
	"encoding/base64"
	"mime/quotedprintable"
	"strings"
)

// LargeReplies returns replies of about size bytes, the inputs of the
// memory bounds of inbound.Parse, trace and inspect: a long text answer
// in 8-bit or in quoted-printable, and a short answer with a large base64
// attachment. The keys name them.
func LargeReplies(size int) map[string][]byte {
	head := "From: Partner <p@garage.example>\r\nTo: fleet+r1@example.com\r\nSubject: Re: [r1] check\r\n" +
		"Message-ID: <big@garage.example>\r\nMIME-Version: 1.0\r\n"
	line := "Le véhicule AB-123-CD a été contrôlé, tout est en ordre, rien à signaler ici.\r\n"
	text := strings.Repeat(line, size/len(line))
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	w.Write([]byte(text[:len(text)*7/10])) // é and à take 3 bytes each
	w.Close()
	att := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, size*3/16))
	var b64 strings.Builder
	for i := 0; i < len(att); i += 76 {
		b64.WriteString(att[i:min(i+76, len(att))] + "\r\n")
	}
	return map[string][]byte{
		"text 8bit":             []byte(head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text),
		"text quoted-printable": []byte(head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp.String()),
		"attachment base64": []byte(head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the photo.\r\n" +
			"--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=p.png\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64.String() + "--b--\r\n"),
	}
}
