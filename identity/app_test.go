package identity_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

func TestParseApp(t *testing.T) {
	tests := []struct {
		name, in   string
		wantName   string
		wantDomain string
		wantErr    bool
	}{
		{"plain", "mail-api@example.com", "mail-api", "example.com", false},
		{"dots and underscore", "back.office_1@mail.example.co.uk", "back.office_1", "mail.example.co.uk", false},
		{"upper case kept", "Mail-API@Example.COM", "Mail-API", "Example.COM", false},
		{"single label domain", "app@localhost", "app", "localhost", false},
		{"empty", "", "", "", true},
		{"no at", "mail-api", "", "", true},
		{"empty name", "@example.com", "", "", true},
		{"empty domain", "mail-api@", "", "", true},
		{"plus in name", "mail+api@example.com", "", "", true},
		{"CR LF in name", "mail\r\nBcc: x@evil.test@example.com", "", "", true},
		{"LF in domain", "mail-api@example.com\nBcc: x@evil.test", "", "", true},
		{"NUL", "mail-api@exam\x00ple.com", "", "", true},
		{"space", "mail api@example.com", "", "", true},
		{"display name", "Mail API <mail-api@example.com>", "", "", true},
		{"angle brackets", "<mail-api@example.com>", "", "", true},
		{"leading dot", ".mail@example.com", "", "", true},
		{"trailing dot", "mail.@example.com", "", "", true},
		{"double dot", "ma..il@example.com", "", "", true},
		{"quoted", `"mail-api"@example.com`, "", "", true},
		{"domain literal", "mail-api@[192.0.2.1]", "", "", true},
		{"domain empty label", "mail-api@example..com", "", "", true},
		{"domain label dash", "mail-api@-example.com", "", "", true},
		{"domain underscore", "mail-api@ex_ample.com", "", "", true},
		{"non-ASCII name", "réponse@example.com", "", "", true},
		{"two ats", "a@b@example.com", "", "", true},
		{"name too long", strings.Repeat("a", 63) + "@example.com", "", "", true},
		{"longest name", strings.Repeat("a", 62) + "@example.com", strings.Repeat("a", 62), "example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := identity.ParseApp(tt.in)
			if tt.wantErr {
				if !errors.Is(err, identity.ErrInvalidApp) {
					t.Fatalf("ParseApp(%q) = %+v, %v, want ErrInvalidApp", tt.in, a, err)
				}
				if strings.ContainsAny(err.Error(), "\r\n\x00") {
					t.Fatalf("ParseApp(%q) error %q holds CR, LF or NUL", tt.in, err)
				}
				return
			}
			if err != nil || a.Name != tt.wantName || a.Domain != tt.wantDomain {
				t.Fatalf("ParseApp(%q) = %+v, %v, want %s@%s", tt.in, a, err, tt.wantName, tt.wantDomain)
			}
			if a.String() != tt.in {
				t.Fatalf("ParseApp(%q).String() = %q", tt.in, a.String())
			}
		})
	}
}

func TestApp_Check_keys(t *testing.T) {
	tests := []struct {
		name    string
		keys    []identity.Key
		wantErr string // substring; "" means valid
	}{
		{"none", nil, ""},
		{"one", []identity.Key{keyK}, ""},
		{"rotation", []identity.Key{keyK, keyA}, ""},
		{"digit id", []identity.Key{{ID: "7", Secret: keyK.Secret}}, ""},
		{"empty id", []identity.Key{{ID: "", Secret: keyK.Secret}}, "not one character"},
		{"two char id", []identity.Key{{ID: "ab", Secret: keyK.Secret}}, "not one character"},
		{"upper id", []identity.Key{{ID: "K", Secret: keyK.Secret}}, "not one character"},
		{"dot id", []identity.Key{{ID: ".", Secret: keyK.Secret}}, "not one character"},
		{"duplicate id", []identity.Key{keyK, {ID: "k", Secret: keyA.Secret}}, "used twice"},
		{"short secret", []identity.Key{{ID: "k", Secret: []byte("fifteen octets!")}}, "at least 16"},
		{"nil secret", []identity.Key{{ID: "k"}}, "at least 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := app(t)
			a.Keys = tt.keys
			err := a.Check()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Check() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, identity.ErrInvalidApp) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check() = %v, want ErrInvalidApp mentioning %q", err, tt.wantErr)
			}
			if _, err := a.Stamp(uuidR, ""); !errors.Is(err, identity.ErrInvalidApp) {
				t.Fatalf("Stamp() with bad keys = %v, want ErrInvalidApp", err)
			}
		})
	}
}

func TestApp_Check_zero(t *testing.T) {
	var a identity.App
	if err := a.Check(); !errors.Is(err, identity.ErrInvalidApp) {
		t.Fatalf("App{}.Check() = %v, want ErrInvalidApp", err)
	}
	if _, err := a.Stamp(uuidR, ""); !errors.Is(err, identity.ErrInvalidApp) {
		t.Fatalf("App{}.Stamp() = %v, want ErrInvalidApp", err)
	}
	if _, err := identity.Trace(nil, a); !errors.Is(err, identity.ErrInvalidApp) {
		t.Fatalf("Trace(nil, App{}) = %v, want ErrInvalidApp", err)
	}
}

func TestApp_MaxIDLen(t *testing.T) {
	tests := []struct {
		name string
		app  identity.App
		want int
	}{
		{"unsigned", app(t), 55},
		{"signed", signed(t), 41},
		{"short name", identity.App{Name: "a", Domain: "x.test"}, 62},
		{"short name signed", identity.App{Name: "a", Domain: "x.test", Keys: []identity.Key{keyK}}, 48},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.app.MaxIDLen(); got != tt.want {
				t.Fatalf("MaxIDLen() = %d, want %d", got, tt.want)
			}
			id := strings.Repeat("x", tt.want)
			addr, err := tt.app.ReplyTo(id)
			if err != nil {
				t.Fatalf("ReplyTo(%d octets) = %v", len(id), err)
			}
			if local := addr[:strings.LastIndexByte(addr, '@')]; len(local) != identity.MaxLocalPart {
				t.Fatalf("ReplyTo(%d octets) local part is %d octets, want %d", len(id), len(local), identity.MaxLocalPart)
			}
			if err := tt.app.CheckID(id + "x"); !errors.Is(err, identity.ErrTooLong) {
				t.Fatalf("CheckID(%d octets) = %v, want ErrTooLong", len(id)+1, err)
			}
		})
	}
}

func TestApp_CheckID_tooLong(t *testing.T) {
	id := strings.Repeat("x", 50)
	err := signed(t).CheckID(id)
	var ie *identity.IDError
	if !errors.As(err, &ie) || !errors.Is(err, identity.ErrTooLong) {
		t.Fatalf("CheckID() = %v, want *IDError wrapping ErrTooLong", err)
	}
	if ie.ID != id || ie.Limit != 64 || ie.Len != 73 {
		t.Fatalf("CheckID() = %+v, want ID %q, Len 73, Limit 64", ie, id)
	}
	for _, want := range []string{id, "64", "73", "41"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckID() error %q does not mention %q", err, want)
		}
	}
}

func TestKey_redacted(t *testing.T) {
	a := signed(t, keyK, keyA)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{a, a.Keys, keyK, &a} {
			got := fmt.Sprintf(format, v)
			if strings.Contains(got, "secret") || strings.Contains(got, fmt.Sprint(keyK.Secret[:4])) ||
				strings.Contains(got, fmt.Sprintf("%#v", keyK.Secret[:4])[len("[]byte{"):]) || strings.Contains(got, "Secret") {
				t.Errorf("Sprintf(%q, %T) = %s, shows a secret", format, v, got)
			}
		}
	}
}
