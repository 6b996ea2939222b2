package inbound_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mailtrail/mailtrail/inbound"
)

func ExampleMessage_ASGIStream() {
	m, err := inbound.Parse(strings.NewReader("From: a@example.com\r\nSubject: hi\r\n" +
		"Content-Type: text/plain; charset=iso-8859-1\r\n\r\nCaf\xe9\r\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Each body is decoded as it is encoded; encoding/json gives the
	// same JSON as for ASGI.
	streamed, _ := json.Marshal(m.ASGIStream()["content"])
	whole, _ := json.Marshal(m.ASGI()["content"])
	fmt.Println(string(streamed))
	fmt.Println(string(streamed) == string(whole))
	// Output:
	// {"body":"Café\n","charset":"iso-8859-1","content-type":"text/plain"}
	// true
}
