package identity_test

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

func TestTag(t *testing.T) {
	tests := []struct{ in, want string }{
		{uuidR, "[a74e22bb]"},
		{uuidU, "[A74E22BB]"},
		{"42", "[42]"},
		{"12345678", "[12345678]"},
		{"123456789", "[123456789]"},
		{"INV-2026-0117", "[INV-2026-0117]"},
		{"ABCDEFGHIJKLMNOPQRSTUVWX", "[ABCDEFGHIJKLMNOPQRSTUVWX]"}, // MaxTagLen: whole
		{"ABCDEFGHIJKLMNOPQRSTUVWXY", "[ABCDEFGH]"},                // longer: short form
	}
	for _, tt := range tests {
		if got := identity.Tag(tt.in); got != tt.want {
			t.Errorf("Tag(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStamp_Subject(t *testing.T) {
	st := must[*identity.Stamp](t)(app(t).Stamp(uuidR, tokA))
	short := must[*identity.Stamp](t)(app(t).Stamp("42", tokA))
	inv := must[*identity.Stamp](t)(app(t).Stamp("INV-2026-0117", tokA))
	tests := []struct {
		name  string
		stamp *identity.Stamp
		in    string
		want  string
	}{
		{"plain", st, "Vehicle check", "[a74e22bb] Vehicle check"},
		{"short id", short, "Invoice", "[42] Invoice"},
		{"already tagged", st, "[a74e22bb] Vehicle check", "[a74e22bb] Vehicle check"},
		{"reply", st, "Re: [a74e22bb] Vehicle check", "Re: [a74e22bb] Vehicle check"},
		{"tag anywhere", st, "Vehicle check [a74e22bb]", "Vehicle check [a74e22bb]"},
		{"tag upper", st, "RE: [A74E22BB] Vehicle check", "RE: [A74E22BB] Vehicle check"},
		{"other tag", st, "[b74e22bb] Vehicle check", "[a74e22bb] [b74e22bb] Vehicle check"},
		{"unbracketed id", st, "a74e22bb check", "[a74e22bb] a74e22bb check"},
		{"empty", st, "", "[a74e22bb]"},
		{"non-ASCII", st, "Contrôle du véhicule", "[a74e22bb] Contrôle du véhicule"},
		// Kept as given: the header writer (package mailer) refuses them.
		{"CR LF kept for the header writer to refuse", st, "Hi\r\nBcc: x@evil.test", "[a74e22bb] Hi\r\nBcc: x@evil.test"},
		{"idempotent", st, "[a74e22bb] Hi", "[a74e22bb] Hi"},
		{"readable id whole", inv, "Invoice", "[INV-2026-0117] Invoice"},
		{"readable id reply", inv, "Re: [INV-2026-0117] Invoice", "Re: [INV-2026-0117] Invoice"},
		{"readable id reply lower", inv, "RE: [inv-2026-0117] Invoice", "RE: [inv-2026-0117] Invoice"},
		{"readable id old short tag", inv, "Re: [INV-2026] Invoice", "Re: [INV-2026] Invoice"},
		{"sibling's whole tag", inv, "Re: [INV-2026-0118] Invoice", "[INV-2026-0117] Re: [INV-2026-0118] Invoice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.stamp.Subject(tt.in)
			if got != tt.want {
				t.Fatalf("Subject(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := tt.stamp.Subject(got); again != got {
				t.Fatalf("Subject(Subject(%q)) = %q, want it unchanged", tt.in, again)
			}
		})
	}
}

func TestSubjectTag(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // "" means none
	}{
		{"plain", "[a74e22bb] Vehicle check", "a74e22bb"},
		{"Re", "Re: [a74e22bb] Vehicle check", "a74e22bb"},
		{"stacked", "RE: AW: [a74e22bb] Vehicle check", "a74e22bb"},
		{"many", "Re: RE: AW: SV: Fwd: WG: FW: TR: RV: Antw: VS: [a74e22bb] x", "a74e22bb"},
		{"no space", "Re:[a74e22bb]x", "a74e22bb"},
		{"counter", "Re[2]: [a74e22bb] x", "a74e22bb"},
		{"counter parens", "Re(3): [a74e22bb] x", "a74e22bb"},
		{"French", "Rép. : [a74e22bb] Contrôle", "a74e22bb"},
		{"French upper", "RÉP. : [a74e22bb] Contrôle", "a74e22bb"},
		{"French ref", "Réf. : [a74e22bb] Contrôle", "a74e22bb"},
		{"full-width colon", "Re： [a74e22bb] x", "a74e22bb"},
		{"encoded Q", "=?UTF-8?Q?R=C3=A9p._:_[a74e22bb]_Contr=C3=B4le?=", "a74e22bb"},
		{"encoded B", "=?UTF-8?B?UmU6IFthNzRlMjJiYl0gQ29udHLDtGxl?=", "a74e22bb"},
		{"encoded split", "=?UTF-8?Q?Re:_[a74e?= =?UTF-8?Q?22bb]_x?=", "a74e22bb"},
		{"encoded latin1", "=?ISO-8859-1?Q?R=E9p._:_[a74e22bb]_Contr=F4le?=", "a74e22bb"},
		{"encoded windows-1252", "=?windows-1252?Q?AW:_=84[a74e22bb]=93?=", "a74e22bb"},
		{"encoded iso-8859-15", "=?iso-8859-15?B?Uulw?= [a74e22bb]", "a74e22bb"},
		{"unknown charset", "=?x-unknown?Q?R=E9p?= : [a74e22bb]", "a74e22bb"},
		{"broken word", "=?UTF-8?Q?Re:?= =?UTF-8?B?###?= [a74e22bb]", "a74e22bb"},
		{"gateway marker", "RE: [EXTERNAL] RE: [a74e22bb] x", "a74e22bb"},
		{"gateway marker first", "[SPAM] [a74e22bb] x", "a74e22bb"},
		{"anywhere", "Automatic reply: Re: [a74e22bb] x", "a74e22bb"},
		{"trailing", "Vehicle check [a74e22bb]", "a74e22bb"},
		{"short id", "Re: [42] Invoice", "42"},
		{"upper as found", "RE: [A74E22BB] x", "A74E22BB"},
		{"first of two", "Re: [a74e22bb] [b74e22bb]", "a74e22bb"},
		{"too long", "Re: [a74e22bb-3313-4dc4-af28-6c] x", ""},
		{"whole readable id", "Re: [INV-2026-0117] Invoice", "INV-2026-0117"},
		{"whole readable id mid-subject", "Invoice [INV-2026-0117] reminder", "INV-2026-0117"},
		{"bad char", "Re: [a74e 22bb] x", ""},
		{"empty brackets", "Re: [] x", ""},
		{"unclosed", "Re: [a74e22bb x", ""},
		{"none", "Re: Vehicle check", ""},
		{"empty", "", ""},
		{"only marker", "[EXTERNAL] hello", ""},
		{"later after junk", "Re: [a74e 22bb] [a74e22bb]", "a74e22bb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := identity.SubjectTag(tt.in)
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("SubjectTag(%q) = %q, %v, want %q", tt.in, got, ok, tt.want)
			}
		})
	}
}

// TestSubjectTag_hostile runs SubjectTag on large hostile subjects: a
// quadratic scan would not finish in the test's time.
func TestSubjectTag_hostile(t *testing.T) {
	const n = 200_000
	for name, s := range map[string]string{
		"open brackets":   strings.Repeat("[", n),
		"markers":         strings.Repeat("[SPAM]", n/6),
		"prefixes":        strings.Repeat("Re: ", n/4),
		"marker prefixes": strings.Repeat("[EXTERNAL] RE: ", n/15),
		"long brackets":   strings.Repeat("[abcdefghijklmnop", n/17),
	} {
		if tag, ok := identity.SubjectTag(s); ok {
			t.Errorf("SubjectTag(%s) = %q, want none", name, tag)
		}
		if tag, ok := identity.SubjectTag(s + "[a74e22bb]"); !ok || tag != "a74e22bb" {
			t.Errorf("SubjectTag(%s + tag) = %q, %v, want a74e22bb", name, tag, ok)
		}
	}
}

func TestSubjectTag_wordsInBracketsMidSubject(t *testing.T) {
	tests := []struct {
		subject string
		want    string
		ok      bool
	}{
		{"Lunch? [ok]", "", false},
		{"Re: Report [final] attached", "", false},
		{"Re: the vehicle [a74e22bb] again", "a74e22bb", true},
		{"Re: [WO-42] Work order", "WO-42", true},
		{"[wo] Work order", "wo", true}, // where Stamp.Subject puts it, any tag counts
	}
	for _, tt := range tests {
		got, ok := identity.SubjectTag(tt.subject)
		if got != tt.want || ok != tt.ok {
			t.Errorf("SubjectTag(%q) = %q, %v, want %q, %v", tt.subject, got, ok, tt.want, tt.ok)
		}
	}
}
