package templates

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseData(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" for success, else the error text
	}{
		{"object", `{"n": 9007199254740993, "a": {"b": 1234567}}`, ""},
		{"byte order mark", "\uFEFF{\"n\": 1}", ""},
		{"trailing space", "{\"n\": 1}\n\n", ""},
		{"syntax error", "{\n  \"a\": 1,\n  oops\n}", "d.json:3:3: invalid JSON: invalid character 'o' looking for beginning of object key string"},
		{"truncated", "{\"a\": [1, 2", "d.json:1:12: invalid JSON: the file ends inside a value"},
		{"empty", "", "d.json:1:1: empty, want a JSON object"},
		{"two values", "{}\n{}", "d.json:2:1: more than one JSON value"},
		{"list", "[1, 2]", "d.json:1:1: data must be a JSON object, not an array"},
		{"string", `"x"`, "d.json:1:1: data must be a JSON object, not a string"},
		{"null", "null", "d.json:1:1: data must be a JSON object, not null"},
		{"non-ASCII column counts runes", "{\"é\": 1 x}", "d.json:1:9: invalid JSON: invalid character 'x' after object key:value pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseData("d.json", []byte(tt.in))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ParseData(%q) = %v, want success", tt.in, err)
				}
				if m == nil {
					t.Fatalf("ParseData(%q) = nil map", tt.in)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseData(%q) = %v, want error %q", tt.in, m, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseData(%q) error = %q, want %q", tt.in, err, tt.want)
			}
			var te *Error
			if !errors.Is(err, ErrData) || !errors.As(err, &te) {
				t.Errorf("ParseData(%q) error %v: want an *Error wrapping ErrData", tt.in, err)
			}
		})
	}
}

func TestParseData_numbersKeepTheirSpelling(t *testing.T) {
	m, err := ParseData("d.json", []byte(`{"big": 9007199254740993, "n": 1234567, "f": 1.50}`))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"big": "9007199254740993", "n": "1234567", "f": "1.50"} {
		if got, ok := m[k].(json.Number); !ok || string(got) != want {
			t.Errorf("ParseData: %s = %#v, want json.Number(%q)", k, m[k], want)
		}
	}
}

// FuzzParseData checks the data file reader of preview, check, render and
// send: no panic, and either a JSON object or an *Error naming the file.
func FuzzParseData(f *testing.F) {
	for _, s := range []string{`{"a": 1}`, "\uFEFF{}", `[1]`, "{\n  \"a\": ", `{"a":1} {"b":2}`, "", `{"n": 9007199254740993}`, "{\"a\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseData("d.json", b)
		if err != nil {
			var te *Error
			if !errors.As(err, &te) || te.File != "d.json" || te.Line < 1 || te.Col < 1 {
				t.Fatalf("ParseData(%q) error %v: want an *Error at d.json:line:col", b, err)
			}
			return
		}
		if m == nil {
			t.Fatalf("ParseData(%q) = nil map, nil error", b)
		}
	})
}
