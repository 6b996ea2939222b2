package identity_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/identity"
)

// TestTrace_unverified: a signed identifier read by an App without keys
// still traces, but says that its signature was not checked.
func TestTrace_unverified(t *testing.T) {
	st := must[*identity.Stamp](t)(signed(t).Stamp("WO-42", tokA))
	tests := []struct {
		name, raw string
		want      bool
	}{
		{"signed address", "To: " + st.ReplyTo + "\nSubject: x", true},
		{"signed Message-ID", "To: jean@garage.example\nIn-Reply-To: " + st.MessageID + "\nSubject: x", true},
		{"signed thread root", "To: jean@garage.example\nReferences: " + st.References + "\nSubject: x", true},
		{"unsigned address", "To: mail-api+WO-42@example.com\nSubject: x", false},
		{"unsigned Message-ID", "To: jean@garage.example\nIn-Reply-To: <mail-api+WO-42." + tokA + "@example.com>\nSubject: x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := identity.Trace(header(t, tt.raw), app(t))
			if err != nil || res.Resource != "WO-42" || res.Unverified != tt.want {
				t.Fatalf("Trace() = %+v, %v, want WO-42 with Unverified %v", res, err, tt.want)
			}
		})
	}
	// With the keys, the same identifiers verify.
	res, err := identity.Trace(header(t, "To: "+st.ReplyTo+"\nSubject: x"), signed(t))
	if err != nil || res.Unverified || res.KeyID != "k" {
		t.Fatalf("Trace(signed app) = %+v, %v, want verified by key k", res, err)
	}
}

// TestTrace_caseResolved: a gateway's lower-cased plus address does not
// win over an In-Reply-To that carries the id with its case.
func TestTrace_caseResolved(t *testing.T) {
	tests := []struct {
		name, raw, want string
		src             identity.Source
	}{
		{"lower-cased address, exact In-Reply-To",
			"To: mail-api+wo-42@example.com\nIn-Reply-To: <mail-api+WO-42." + tokA + "@example.com>\nSubject: x", "WO-42", identity.SourceInReplyTo},
		{"lower-cased address, exact References",
			"To: mail-api+wo-42@example.com\nReferences: <mail-api+WO-42@example.com>\nSubject: x", "WO-42", identity.SourceReferences},
		{"address alone keeps what it has", "To: mail-api+wo-42@example.com\nSubject: x", "wo-42", identity.SourceAddress},
		{"same case stays the address", "To: mail-api+WO-42@example.com\nIn-Reply-To: <mail-api+WO-42." + tokA + "@example.com>\nSubject: x",
			"WO-42", identity.SourceAddress},
		{"another id does not override", "To: mail-api+wo-42@example.com\nIn-Reply-To: <mail-api+WO-43." + tokA + "@example.com>\nSubject: x",
			"wo-42", identity.SourceAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := identity.Trace(header(t, tt.raw), app(t))
			if err != nil || res.Resource != tt.want || res.Source != tt.src || !res.Exact {
				t.Fatalf("Trace() = %+v, %v, want %s from %v", res, err, tt.want, tt.src)
			}
		})
	}
}

// TestStamp_ThreadIndex checks the [MS-OXOMSG] 2.2.1.3 layout: 22 octets,
// 0x01, the time's 40 high FILETIME bits, then a GUID shared by every
// message of a resource and by no other resource.
func TestStamp_ThreadIndex(t *testing.T) {
	a := app(t)
	at := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	one := must[*identity.Stamp](t)(a.Stamp("WO-42", "t1"))
	two := must[*identity.Stamp](t)(a.Stamp("WO-42", "t2"))
	other := must[*identity.Stamp](t)(a.Stamp("WO-43", "t1"))
	decode := func(s string) []byte {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != 22 || b[0] != 1 {
			t.Fatalf("ThreadIndex() = %q (%d octets, %v), want base64 of 22 octets starting 0x01", s, len(b), err)
		}
		return b
	}
	b1 := decode(one.ThreadIndex(at))
	b2 := decode(two.ThreadIndex(at.Add(time.Hour)))
	b3 := decode(other.ThreadIndex(at))
	if string(b1[6:]) != string(b2[6:]) {
		t.Errorf("GUIDs of one resource differ: %x, %x", b1[6:], b2[6:])
	}
	if string(b1[6:]) == string(b3[6:]) {
		t.Errorf("GUIDs of two resources are equal: %x", b1[6:])
	}
	// FILETIME of 2026-03-03T09:00Z is 134170020000000000 = 0x01DCAAEC_1D9B6800;
	// its 40 high bits are 01 DC AA EC 1D.
	if got := b1[1:6]; string(got) != "\x01\xdc\xaa\xec\x1d" {
		t.Errorf("time octets = %x, want 01dcaaec1d", got)
	}
	if one.ThreadIndex(at) != one.ThreadIndex(at) {
		t.Error("ThreadIndex is not deterministic")
	}
	if one.ThreadTopic != "WO-42" {
		t.Errorf("ThreadTopic = %q, want the resource id", one.ThreadTopic)
	}
}
