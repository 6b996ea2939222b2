package inbound

import (
	"strings"
	"testing"
)

// TestMessage_ASGI_headers checks the draft's "headers": names lower-cased,
// values RFC 2047-decoded (any charset), repeated fields joined by "\n",
// and the same for the headers of a part.
func TestMessage_ASGI_headers(t *testing.T) {
	raw := "From: =?ISO-8859-1?Q?Fran=E7ois?= <francois@garage.example>\r\n" +
		"To: fleet+a74e22bb-3313-4dc4-af28-6c2bd1351c0f@example.com\r\n" +
		"Subject: =?UTF-8?B?UsOpcC4gOiBbYTc0ZTIyYmJdIENvbnRyw7RsZQ==?=\r\n" +
		"Received: from a\r\n" +
		"received: from b\r\n" +
		"X-Plain: caf\xe9\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n" +
		"\r\n" +
		"--b\r\n" +
		"Content-Type: application/pdf\r\n" +
		"Content-Description: =?UTF-8?Q?Rapport_v=C3=A9hicule?=\r\n" +
		"\r\n" +
		"%PDF\r\n" +
		"--b--\r\n"
	m, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	a := m.ASGI()
	h, ok := a["headers"].(map[string]string)
	if !ok {
		t.Fatalf(`ASGI()["headers"] = %T, want map[string]string`, a["headers"])
	}
	tests := []struct{ name, want string }{
		{"from", "François <francois@garage.example>"},
		{"subject", "Rép. : [a74e22bb] Contrôle"},
		{"received", "from a\nfrom b"},
		{"x-plain", "café"},
	}
	for _, tt := range tests {
		if got := h[tt.name]; got != tt.want {
			t.Errorf("headers[%q] = %q, want %q", tt.name, got, tt.want)
		}
	}
	for k := range h {
		if k != strings.ToLower(k) {
			t.Errorf("header name %q is not lower case", k)
		}
	}
	if a["from"] != "francois@garage.example" {
		t.Errorf(`ASGI()["from"] = %v, want the bare From address`, a["from"])
	}
	content := a["content"].(map[string]any)
	pdf := content["parts"].([]any)[0].(map[string]any)
	if got := pdf["headers"].(map[string]string)["content-description"]; got != "Rapport véhicule" {
		t.Errorf("part headers[content-description] = %q, want %q", got, "Rapport véhicule")
	}
	if pdf["body"] != "JVBERg==" || pdf["body-encoding"] != "base64" {
		t.Errorf("pdf body = %v (%v), want base64 of %%PDF", pdf["body"], pdf["body-encoding"])
	}
}
