package identity_test

import (
	"encoding/json"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

func TestSource_String(t *testing.T) {
	tests := []struct {
		s    identity.Source
		want string
	}{
		{0, "none"},
		{identity.SourceAddress, "address"},
		{identity.SourceInReplyTo, "in-reply-to"},
		{identity.SourceReferences, "references"},
		{identity.SourceMessageID, "message-id"},
		{identity.SourceSubject, "subject"},
		{identity.Source(42), "Source(42)"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("Source(%d).String() = %q, want %q", int(tt.s), got, tt.want)
		}
	}
	var s identity.Source
	if err := s.UnmarshalText([]byte("nowhere")); err == nil {
		t.Errorf("UnmarshalText(nowhere) = nil error")
	}
}

func TestResult_JSON(t *testing.T) {
	r := identity.Result{Resource: uuidR, Source: identity.SourceInReplyTo, Exact: true}
	b, err := json.Marshal(struct {
		Resource string          `json:"resource"`
		Source   identity.Source `json:"source"`
		Exact    bool            `json:"exact"`
	}{r.Resource, r.Source, r.Exact})
	want := `{"resource":"` + uuidR + `","source":"in-reply-to","exact":true}`
	if err != nil || string(b) != want {
		t.Fatalf("json.Marshal() = %s, %v, want %s", b, err, want)
	}
}
