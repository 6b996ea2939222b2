package inbound_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
)

const exampleReply = "From: Jean <jean@garage.example>\r\n" +
	"To: fleet+a74e22bb-3313-4dc4-af28-6c2bd1351c0f@example.com\r\n" +
	"Subject: =?UTF-8?Q?R=C3=A9p._:_[a74e22bb]_Vehicle_check?=\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"status: done\r\n" +
	"Mileage: 48213\r\n" +
	"---\r\n" +
	"All good.\r\n" +
	"\r\n" +
	"Le mar. 3 mars 2026 à 09:00, Fleet <fleet@example.com> a écrit :\r\n" +
	"> Please check vehicle AB-123-CD.\r\n"

func ExampleParse() {
	m, err := inbound.Parse(strings.NewReader(exampleReply))
	if err != nil {
		panic(err)
	}
	fmt.Println(m.From)
	fmt.Println(m.Subject())
	fmt.Println(m.Content.ContentType, m.Content.Charset)
	// Output:
	// jean@garage.example
	// Rép. : [a74e22bb] Vehicle check
	// text/plain utf-8
}

func ExampleTrace() {
	m, _ := inbound.Parse(strings.NewReader(exampleReply))
	app, _ := identity.ParseApp("fleet@example.com")
	res, err := inbound.Trace(m, app)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Resource, res.Source, res.Exact, res.Kind)
	// Output: a74e22bb-3313-4dc4-af28-6c2bd1351c0f address true reply
}

func ExampleMessage_MarshalJSON() {
	m, _ := inbound.Parse(strings.NewReader("From: a@example.com\nTo: b@example.com\nSubject: hi\n\nHello\n"))
	b, _ := json.Marshal(m)
	fmt.Println(string(b))
	// Output: {"from":"a@example.com","to":["b@example.com"],"headers":{"from":"a@example.com","subject":"hi","to":"b@example.com"},"content":{"body":"Hello\n","content-type":"text/plain"}}
}
