package identity_test

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"

	"github.com/mailtrail/mailtrail/identity"
)

func ExampleBaseSubject() {
	fmt.Println(identity.BaseSubject("AW: RE[2]: [a74e22bb] Vehicle check"))
	fmt.Println(identity.BaseSubject("=?UTF-8?Q?R=C3=A9p._:_Fwd:_Invoice?="))
	// Output:
	// [a74e22bb] Vehicle check
	// Invoice
}

func ExampleCanonical() {
	fmt.Println(identity.Canonical("A74E22BB-3313-4DC4-AF28-6C2BD1351C0F")) // a UUID: lower case
	fmt.Println(identity.Canonical("INV-2026-0117"))                        // any other id: unchanged
	// Output:
	// a74e22bb-3313-4dc4-af28-6c2bd1351c0f
	// INV-2026-0117
}

func ExampleCheckID() {
	for _, id := range []string{"INV-2026-0117", "inv 42", ""} {
		err := identity.CheckID(id)
		fmt.Println(errors.Is(err, identity.ErrInvalidID), err)
	}
	// Output:
	// false <nil>
	// true identity: resource id "inv 42": character ' ' at offset 3 is not one of [A-Za-z0-9_-]
	// true identity: resource id "": empty
}

func ExampleNew() {
	id := identity.New() // random: a version 4 UUID
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	fmt.Println(uuid.MatchString(id), identity.CheckID(id))
	fmt.Println(identity.Tag(id) == "["+id[:8]+"]")
	// Output:
	// true <nil>
	// true
}

func ExampleNewToken() {
	token := identity.NewToken() // random: 96 bits in base32
	fmt.Println(len(token), regexp.MustCompile(`^[a-z2-7]+$`).MatchString(token))
	// Output: 20 true
}

func ExampleParseApp() {
	app, err := identity.ParseApp("mail-api@Example.com")
	fmt.Println(app.Name, app.Domain, err)
	_, err = identity.ParseApp("Mail API <mail-api@example.com>")
	fmt.Println(errors.Is(err, identity.ErrInvalidApp))
	// Output:
	// mail-api Example.com <nil>
	// true
}

func ExampleSender() {
	for _, from := range []string{
		"=?UTF-8?Q?J=C3=A9r=C3=B4me?= <jerome@partner.test>",
		"MAILER-DAEMON",
		"broken <<jane@partner.test",
		"",
	} {
		fmt.Printf("%q\n", identity.Sender(mail.Header{"From": {from}}))
	}
	// Output:
	// "jerome@partner.test"
	// "MAILER-DAEMON"
	// "jane@partner.test"
	// ""
}

func ExampleSubjectTag() {
	for _, s := range []string{
		"RE: AW: [EXTERNAL] [a74e22bb] Vehicle check",
		"=?UTF-8?Q?R=C3=A9p._:_[INV-2026-0117]_Facture?=",
		"Lunch? [ok]",
	} {
		tag, ok := identity.SubjectTag(s)
		fmt.Printf("%q %v\n", tag, ok)
	}
	// Output:
	// "a74e22bb" true
	// "INV-2026-0117" true
	// "" false
}

func ExampleTag() {
	fmt.Println(identity.Tag("INV-2026-0117"))
	fmt.Println(identity.Tag("a74e22bb-3313-4dc4-af28-6c2bd1351c0f"))
	// Output:
	// [INV-2026-0117]
	// [a74e22bb]
}

func ExampleTraceBounce() {
	app, _ := identity.ParseApp("mail-api@example.com")
	report := mail.Header{
		"From":    {"Mail Delivery System <MAILER-DAEMON@mx.example.com>"},
		"Subject": {"Undelivered Mail Returned to Sender"},
	}
	original := mail.Header{ // the headers of the message we sent, from the report
		"Reply-To":   {"mail-api+INV-2026-0117@example.com"},
		"Message-Id": {"<mail-api+INV-2026-0117.3xkq7nbn2adqgmhwrd6a@example.com>"},
		"Subject":    {"[INV-2026-0117] Invoice"},
	}
	r, err := identity.TraceBounce(report, original, app)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Resource, r.Source, r.Exact, r.Sender)
	// Output: INV-2026-0117 address true MAILER-DAEMON@mx.example.com
}
