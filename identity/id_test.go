package identity_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/mailtrail/mailtrail/identity"
)

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := identity.New()
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 || id != strings.ToLower(id) || len(id) != 36 {
			t.Fatalf("New() = %q, want a lower-case UUID v4", id)
		}
		if err := identity.CheckID(id); err != nil {
			t.Fatalf("CheckID(New()) = %v", err)
		}
		if seen[id] {
			t.Fatalf("New() = %q twice", id)
		}
		seen[id] = true
	}
}

func TestNewToken(t *testing.T) {
	re := regexp.MustCompile(`^[a-z2-7]{20}$`)
	seen := map[string]bool{}
	for range 100 {
		tok := identity.NewToken()
		if !re.MatchString(tok) {
			t.Fatalf("NewToken() = %q, want 20 characters of lower-case base32", tok)
		}
		if seen[tok] {
			t.Fatalf("NewToken() = %q twice", tok)
		}
		seen[tok] = true
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		name, id string
		want     error
	}{
		{"uuid", uuidR, nil},
		{"upper uuid", uuidU, nil},
		{"short", "42", nil},
		{"one char", "x", nil},
		{"underscore and dash", "INV_2024-0042", nil},
		{"64 octets", strings.Repeat("a", 64), nil},
		{"65 octets", strings.Repeat("a", 65), identity.ErrTooLong},
		{"empty", "", identity.ErrInvalidID},
		{"dot", "a.b", identity.ErrInvalidID},
		{"plus", "a+b", identity.ErrInvalidID},
		{"at", "a@b", identity.ErrInvalidID},
		{"space", "a b", identity.ErrInvalidID},
		{"CR LF", "a\r\nBcc: x@evil.test", identity.ErrInvalidID},
		{"NUL", "a\x00", identity.ErrInvalidID},
		{"non-ASCII", "café", identity.ErrInvalidID},
		{"slash", "a/b", identity.ErrInvalidID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := identity.CheckID(tt.id)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("CheckID(%q) = %v, want %v", tt.id, err, tt.want)
			}
			if err != nil {
				var ie *identity.IDError
				if !errors.As(err, &ie) || ie.ID != tt.id {
					t.Fatalf("CheckID(%q) = %#v, want *IDError naming the id", tt.id, err)
				}
				if strings.ContainsAny(err.Error(), "\r\n\x00") {
					t.Fatalf("CheckID(%q) error %q holds CR, LF or NUL", tt.id, err)
				}
			}
		})
	}
}

func TestCheckID_message(t *testing.T) {
	err := identity.CheckID("a\r\nb")
	want := `identity: resource id "a\r\nb": character 0x0D at offset 1 is not one of [A-Za-z0-9_-]`
	if err == nil || err.Error() != want {
		t.Fatalf("CheckID() = %v, want %s", err, want)
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{uuidR, uuidR},
		{uuidU, uuidR},
		{"A74e22bb-3313-4DC4-af28-6c2bd1351c0f", uuidR},
		{"INV-42", "INV-42"},
		{"A74E22BB", "A74E22BB"},
		{"G74E22BB-3313-4DC4-AF28-6C2BD1351C0F", "G74E22BB-3313-4DC4-AF28-6C2BD1351C0F"},
		{"A74E22BB_3313-4DC4-AF28-6C2BD1351C0F", "A74E22BB_3313-4DC4-AF28-6C2BD1351C0F"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := identity.Canonical(tt.in); got != tt.want {
			t.Errorf("Canonical(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
