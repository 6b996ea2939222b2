package replytest_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/reply"
	"github.com/mailtrail/mailtrail/inbound/replytest"
)

// A message the application sent (in a test: a mailtest.Message's Data).
var sentMessage = []byte("From: Fleet desk <fleet@example.com>\r\n" +
	"To: Jean Dupont <jean.dupont@garage.example>\r\n" +
	"Reply-To: fleet+WO-42@example.com\r\n" +
	"Subject: [WO-42] Vehicle check AB-123-CD\r\n" +
	"Date: Tue, 3 Mar 2026 09:00:00 +0100\r\n" +
	"Message-ID: <fleet+WO-42.3xkq7nbn@example.com>\r\n" +
	"References: <fleet+WO-42@example.com>\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
	"Dear partner,\r\n\r\nPlease check vehicle AB-123-CD.\r\n")

var fleet = identity.App{Name: "fleet", Domain: "example.com"}

// A partner answers from Outlook in French; the application reads it.
func ExampleReply() {
	raw, err := replytest.Reply(sentMessage, replytest.Outlook, replytest.French, replytest.Text("Le véhicule est prêt."))
	if err != nil {
		panic(err)
	}
	m, _ := inbound.Parse(bytes.NewReader(raw))
	fmt.Println("subject:", m.Subject())
	fmt.Println("thread-topic:", m.Header.Get("Thread-Topic"))
	tr, _ := inbound.Trace(m, fleet)
	fmt.Println("resource:", tr.Resource, "from", tr.Source)
	fmt.Printf("text: %q\n", reply.Parse(m).Text)
	// Output:
	// subject: RE : [WO-42] Vehicle check AB-123-CD
	// thread-topic: [WO-42] Vehicle check AB-123-CD
	// resource: WO-42 from address
	// text: "Le véhicule est prêt."
}

// The text part of an iPhone reply in German, as the phone writes it.
func ExampleReply_iPhone() {
	raw, _ := replytest.Reply(sentMessage, replytest.IPhone, replytest.German)
	m, _ := inbound.Parse(bytes.NewReader(raw))
	text, _ := m.BodyPart("text/plain").Text()
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		fmt.Println(strings.TrimRight(line, " ")) // "> " has a trailing blank
	}
	// Output:
	// Erledigt, alles ist in Ordnung.
	//
	// Von meinem iPhone gesendet
	//
	// > Am 03.03.2026 um 09:00 schrieb Fleet desk <fleet@example.com>:
	// >
	// > Dear partner,
	// >
	// > Please check vehicle AB-123-CD.
}

// Shapes that test the tracer: a reply to the From address leads back
// through In-Reply-To; one stripped by a gateway only through the subject
// tag, which is a hint, not an exact id.
func ExampleShape() {
	for _, shape := range []replytest.Shape{replytest.TopPosted, replytest.ToFrom, replytest.SubjectOnly} {
		raw, _ := replytest.Reply(sentMessage, replytest.Gmail, shape)
		m, _ := inbound.Parse(bytes.NewReader(raw))
		tr, _ := inbound.Trace(m, fleet)
		fmt.Println(shape, tr.Resource, tr.Source, tr.Exact)
	}
	// Output:
	// top-posted WO-42 address true
	// to-from WO-42 in-reply-to true
	// subject-only WO-42 subject false
}

// Data from a partner's system, as a JSON part.
func ExampleJSON() {
	raw, _ := replytest.Reply(sentMessage, replytest.JSON(map[string]any{"status": "done", "mileage": 48213}))
	m, _ := inbound.Parse(bytes.NewReader(raw))
	r := reply.Parse(m)
	status, _ := r.Get("status")
	mileage, _ := r.Get("mileage")
	fmt.Println(r.DataType, status, mileage)
	// Output: application/json done 48213
}

// Data a partner types above the answer, read back as YAML.
func ExampleYAML() {
	raw, _ := replytest.Reply(sentMessage, replytest.Thunderbird, replytest.YAML("status: done\nmileage: 48213"),
		replytest.Text("Tyres changed too."))
	m, _ := inbound.Parse(bytes.NewReader(raw))
	r := reply.Parse(m)
	status, _ := r.Get("status")
	fmt.Println(r.DataType, status)
	fmt.Println(r.Text)
	// Output:
	// text done
	// status: done
	// mileage: 48213
	// ---
	// Tyres changed too.
}

// The partner, the date and the text of a reply.
func ExampleFrom() {
	raw, _ := replytest.Reply(sentMessage, replytest.AppleMail, replytest.Spanish,
		replytest.From("Carlos Ruiz <carlos@mecanica.example>"),
		replytest.Date(time.Date(2026, 3, 4, 8, 30, 0, 0, time.UTC)),
		replytest.Text("Revisado."))
	m, _ := inbound.Parse(bytes.NewReader(raw))
	fmt.Println(m.Header.Get("From"))
	fmt.Println(m.Header.Get("Date"))
	fmt.Println(reply.Parse(m).Text)
	// Output:
	// Carlos Ruiz <carlos@mecanica.example>
	// Wed, 4 Mar 2026 08:30:00 +0000
	// Revisado.
}

// A bounce for an unknown user, in each form; every one traces to the
// resource through the original it returns.
func ExampleBounce() {
	for _, shape := range replytest.BounceShapes {
		raw, _ := replytest.Bounce(sentMessage, "5.1.1", shape)
		m, _ := inbound.Parse(bytes.NewReader(raw))
		tr, _ := inbound.Trace(m, fleet)
		fmt.Println(shape, tr.Kind, tr.Resource)
	}
	// Output:
	// dsn bounce WO-42
	// dsn-headers bounce WO-42
	// attached-original bounce WO-42
	// inline-original bounce WO-42
}

// An Exchange out-of-office answer in Spanish.
func ExampleAutoReply() {
	raw, _ := replytest.AutoReply(sentMessage, replytest.OutOfOffice, replytest.Spanish)
	m, _ := inbound.Parse(bytes.NewReader(raw))
	tr, _ := inbound.Trace(m, fleet)
	fmt.Println(m.Subject())
	fmt.Println(tr.Kind, tr.Resource, "from", tr.Source)
	fmt.Println(reply.Parse(m).Text)
	// Output:
	// Respuesta automática: [WO-42] Vehicle check AB-123-CD
	// auto-reply WO-42 from in-reply-to
	// Estoy fuera de la oficina hasta el lunes.
}
