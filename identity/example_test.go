package identity_test

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/mailtrail/mailtrail/identity"
)

func ExampleApp_Stamp() {
	app, err := identity.ParseApp("mail-api@example.com")
	if err != nil {
		panic(err)
	}
	// The token is normally "" (a fresh random one); it is fixed here so
	// that the output is stable.
	st, err := app.Stamp("a74e22bb-3313-4dc4-af28-6c2bd1351c0f", "3xkq7nbn2adqgmhwrd6a")
	if err != nil {
		panic(err)
	}
	fmt.Println("Reply-To:  ", st.ReplyTo)
	fmt.Println("Message-ID:", st.MessageID)
	fmt.Println("References:", st.References)
	fmt.Println("Subject:   ", st.Subject("Vehicle check"))
	// Output:
	// Reply-To:   mail-api+a74e22bb-3313-4dc4-af28-6c2bd1351c0f@example.com
	// Message-ID: <mail-api+a74e22bb-3313-4dc4-af28-6c2bd1351c0f.3xkq7nbn2adqgmhwrd6a@example.com>
	// References: <mail-api+a74e22bb-3313-4dc4-af28-6c2bd1351c0f@example.com>
	// Subject:    [a74e22bb] Vehicle check
}

func ExampleApp_Stamp_signed() {
	app := identity.App{
		Name:   "mail-api",
		Domain: "example.com",
		Keys:   []identity.Key{{ID: "k", Secret: []byte("example secret, 32 octets long!!")}},
	}
	st, err := app.Stamp("INV-2024-0042", "3xkq7nbn2adqgmhwrd6a")
	if err != nil {
		panic(err)
	}
	fmt.Println(st.ReplyTo)
	fmt.Println(st.References)

	_, err = app.ParseReplyTo("mail-api+INV-2024-0043." + st.Signature + "@example.com")
	fmt.Println(errors.Is(err, identity.ErrBadToken))
	// Output:
	// mail-api+INV-2024-0042.ktndfjfexlysv@example.com
	// <mail-api+INV-2024-0042.ktndfjfexlysv@example.com>
	// true
}

func ExampleApp_Stamp_tooLong() {
	app, _ := identity.ParseApp("mail-api@example.com")
	_, err := app.Stamp(strings.Repeat("x", 60), "")
	fmt.Println(errors.Is(err, identity.ErrTooLong))
	fmt.Println(err)
	// Output:
	// true
	// identity: resource id "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx": the local part of mail-api+…@example.com would be 69 octets, over the limit of 64 (ids up to 55 octets fit)
}

func ExampleStamp_Subject() {
	app, _ := identity.ParseApp("mail-api@example.com")
	st, _ := app.Stamp("a74e22bb-3313-4dc4-af28-6c2bd1351c0f", "")
	fmt.Println(st.Subject("Vehicle check"))
	fmt.Println(st.Subject("Re: [a74e22bb] Vehicle check")) // tagged once
	// Output:
	// [a74e22bb] Vehicle check
	// Re: [a74e22bb] Vehicle check
}

func ExampleTrace() {
	app, _ := identity.ParseApp("mail-api@example.com")
	msg := "From: =?UTF-8?Q?J=C3=A9r=C3=B4me?= <jerome@partner.test>\r\n" +
		"To: \"Mail API\" <MAIL-API+A74E22BB-3313-4DC4-AF28-6C2BD1351C0F@EXAMPLE.COM>\r\n" +
		"Subject: RE: [a74e22bb] Vehicle check\r\n" +
		"\r\n" +
		"Done, see attached.\r\n"
	m, err := mail.ReadMessage(strings.NewReader(msg))
	if err != nil {
		panic(err)
	}
	r, err := identity.Trace(m.Header, app)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Resource, r.Source, r.Exact, r.Sender)
	// Output: a74e22bb-3313-4dc4-af28-6c2bd1351c0f address true jerome@partner.test
}

func ExampleTrace_subjectOnly() {
	app, _ := identity.ParseApp("mail-api@example.com")
	h := mail.Header{
		"From":    {"Bob <bob@partner.test>"},
		"To":      {"desk@partner.test"},
		"Subject": {"=?UTF-8?Q?R=C3=A9p._:_AW:_[a74e22bb]_Contr=C3=B4le?="},
	}
	r, err := identity.Trace(h, app)
	if err != nil {
		panic(err)
	}
	// Only a tag: check that bob@partner.test may speak about a resource
	// whose id starts with a74e22bb before trusting it.
	fmt.Println(r.Resource, r.Source, r.Exact, r.Sender)
	// Output: a74e22bb subject false bob@partner.test
}
