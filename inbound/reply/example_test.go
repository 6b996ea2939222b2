package reply_test

import (
	"fmt"
	"strings"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/reply"
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
	m, _ := inbound.Parse(strings.NewReader(exampleReply))
	r := reply.Parse(m)
	status, _ := r.Get("Status")
	mileage, _ := r.Get("mileage")
	fmt.Println(status, mileage)
	fmt.Printf("%q\n", r.Text)
	// Output:
	// done 48213
	// "status: done\nMileage: 48213\n---\nAll good."
}

func ExampleStripQuote() {
	fmt.Println(reply.StripQuote("Fine by me.\n\nOn Tue, Mar 3, 2026 at 9:00 AM Fleet <fleet@example.com> wrote:\n> Can we come on Friday?\n"))
	// Output: Fine by me.
}
