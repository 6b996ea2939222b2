package batch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readAll(t testing.TB, in string) []*Record {
	t.Helper()
	r := NewReader(strings.NewReader(in))
	var out []*Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, rec)
	}
}

func TestReader_Next(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		wantErr string // "" for a valid record
		wantTo  string
	}{
		{"one address", `{"to":"a@x.test","resource":"r1","data":{"n":1}}`, "", "a@x.test"},
		{"list of addresses", `{"to":["a@x.test"," b@x.test "],"data":{}}`, "", "a@x.test,b@x.test"},
		{"locale", `{"to":"a@x.test","locale":"fr","data":{}}`, "", "a@x.test"},
		{"not JSON", `{"to":`, "not a JSON object", ""},
		{"an array", `[1,2]`, "not a JSON object", ""},
		{"two values", `{"to":"a@x.test","data":{}} {}`, "more than one JSON value", ""},
		{"missing to", `{"data":{}}`, `missing "to"`, ""},
		{"to a number", `{"to":3,"data":{}}`, `"to" must be`, ""},
		{"empty address", `{"to":["a@x.test",""],"data":{}}`, "empty address", ""},
		{"empty list", `{"to":[],"data":{}}`, "empty list", ""},
		{"empty resource", `{"to":"a@x.test","resource":"","data":{}}`, `"resource" is empty`, ""},
		{"resource a number", `{"to":"a@x.test","resource":5,"data":{}}`, `field "resource"`, ""},
		{"missing data", `{"to":"a@x.test"}`, `missing "data"`, ""},
		{"data null", `{"to":"a@x.test","data":null}`, `missing "data"`, ""},
		{"data not an object", `{"to":"a@x.test","data":[1]}`, `"data" must be a JSON object`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := readAll(t, "\n"+tt.line+"\n")
			if len(recs) != 1 {
				t.Fatalf("got %d records, want 1", len(recs))
			}
			rec := recs[0]
			if rec.Line != 2 {
				t.Errorf("Line = %d, want 2 (the blank first line counts)", rec.Line)
			}
			if tt.wantErr == "" {
				if rec.Err != nil {
					t.Fatalf("Next(%s) error = %v, want none", tt.line, rec.Err)
				}
				if got := strings.Join(rec.To, ","); got != tt.wantTo {
					t.Errorf("To = %q, want %q", got, tt.wantTo)
				}
				return
			}
			var le *LineError
			if !errors.As(rec.Err, &le) || le.Line != 2 || !strings.Contains(rec.Err.Error(), tt.wantErr) {
				t.Errorf("Next(%s) error = %v, want a line-2 error containing %q", tt.line, rec.Err, tt.wantErr)
			}
		})
	}
}

func TestReader_numbersAndLines(t *testing.T) {
	in := "{\"to\":\"a@x.test\",\"data\":{\"n\":12345678901234567890}}\r\n\n  \n{\"to\":\"b@x.test\",\"data\":{}}"
	recs := readAll(t, in)
	if len(recs) != 2 || recs[0].Line != 1 || recs[1].Line != 4 {
		t.Fatalf("records = %+v, want lines 1 and 4", recs)
	}
	n := recs[0].Data.(map[string]any)["n"]
	if s, ok := n.(interface{ String() string }); !ok || s.String() != "12345678901234567890" {
		t.Errorf("number = %#v, want it kept as written", n)
	}
}

func TestReader_longLine(t *testing.T) {
	long := `{"to":"a@x.test","data":{"x":"` + strings.Repeat("y", MaxLine) + `"}}`
	recs := readAll(t, long+"\n"+`{"to":"b@x.test","data":{}}`+"\n")
	if len(recs) != 2 || recs[0].Err == nil || !strings.Contains(recs[0].Err.Error(), "longer than") || recs[1].Err != nil || recs[1].Line != 2 {
		t.Fatalf("records = %+v, want a too-long line 1 and a good line 2", recs)
	}
}

func TestReport_roundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.jsonl")
	w, err := CreateReport(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(Entry{Line: 1, To: "a@x.test", Resource: "r1", MessageID: "<m1@x.test>", Status: StatusSent})
	w.Write(Entry{Line: 2, To: "b@x.test", Status: StatusFailed, Error: "550 no"})
	w.Write(Entry{Line: 3, To: "c@x.test", Status: StatusSent})
	if _, err := os.Stat(path); err == nil {
		t.Errorf("report exists before Close, want it written at the end")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte(`"message_id":"<m1@x.test>"`)) {
		t.Errorf("report = %s, want readable angle brackets", b)
	}
	ledger, err := ReadLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 2 || ledger[Key(1, "r1")].MessageID != "<m1@x.test>" {
		t.Errorf("ledger = %+v, want lines 1 and 3 (sent)", ledger)
	}
	if _, ok := ledger[Key(3, "")]; !ok {
		t.Errorf("ledger lacks line 3 without resource")
	}
	none, err := ReadLedger(filepath.Join(t.TempDir(), "missing.jsonl"))
	if err != nil || len(none) != 0 {
		t.Errorf("ReadLedger(missing) = %v, %v; want empty", none, err)
	}
}

// A run that stops (or crashes) leaves its lines in the temporary file:
// the next ReadLedger reads them, and the next Close removes the file.
func TestReport_stopAndLedger(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.jsonl")
	os.WriteFile(path, []byte(`{"line":1,"status":"sent","message_id":"<a@x>"}`+"\n"), 0o644)
	w, _ := CreateReport(path)
	w.Write(Entry{Line: 2, Status: StatusSent, MessageID: "<b@x>"})
	w.Stop()
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "<a@x>") || strings.Contains(string(b), "<b@x>") {
		t.Errorf("report after Stop = %q, want the previous one", b)
	}
	ledger, err := ReadLedger(path)
	if err != nil || len(ledger) != 2 || ledger[Key(2, "")].MessageID != "<b@x>" {
		t.Fatalf("ReadLedger = %v, %v; want lines 1 and 2, 2 from the stopped run", ledger, err)
	}
	w, _ = CreateReport(path)
	w.Write(Entry{Line: 1, Status: StatusSent, Previously: true})
	w.Write(Entry{Line: 2, Status: StatusSent, Previously: true})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files left after a complete run, want only the report", len(ents))
	}
}

func FuzzReader(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "records.jsonl")); err == nil {
		f.Add(string(b))
	}
	f.Add(`{"to":"a@x.test","data":{}}` + "\n" + `{"to":[1]}`)
	f.Add("\n\n{\n")
	f.Fuzz(func(t *testing.T, in string) {
		r := NewReader(strings.NewReader(in))
		last := 0
		for {
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if rec.Line <= last {
				t.Fatalf("line %d after %d", rec.Line, last)
			}
			last = rec.Line
			if rec.Err == nil && (len(rec.To) == 0 || rec.Data == nil) {
				t.Fatalf("valid record without to or data: %+v", rec)
			}
		}
	})
}

func TestReader_Next_optionalFields(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		wantErr string
		want    Record
	}{
		{"cc and bcc as lists", `{"to":"a@x.test","cc":["c@x.test"],"bcc":["d@x.test","e@x.test"],"data":{}}`, "",
			Record{To: []string{"a@x.test"}, Cc: []string{"c@x.test"}, Bcc: []string{"d@x.test", "e@x.test"}}},
		{"cc as one address", `{"to":"a@x.test","cc":" c@x.test ","data":{}}`, "",
			Record{To: []string{"a@x.test"}, Cc: []string{"c@x.test"}}},
		{"headers and locale", `{"to":"a@x.test","headers":{"X-Order":"42","Importance":"high"},"locale":"fr","data":{}}`, "",
			Record{To: []string{"a@x.test"}, Header: map[string]string{"X-Order": "42", "Importance": "high"}, Locale: "fr"}},
		{"cc a number", `{"to":"a@x.test","cc":3,"data":{}}`, `"cc" must be an address or a list`, Record{}},
		{"bcc empty address", `{"to":"a@x.test","bcc":[""],"data":{}}`, `"bcc" holds an empty address`, Record{}},
		{"headers a list", `{"to":"a@x.test","headers":["X-A"],"data":{}}`, `"headers" must be an object`, Record{}},
		{"header value a number", `{"to":"a@x.test","headers":{"X-A":1},"data":{}}`, `"headers" must be an object`, Record{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := readAll(t, tt.line+"\n")
			if len(recs) != 1 {
				t.Fatalf("got %d records, want 1", len(recs))
			}
			rec := recs[0]
			if tt.wantErr != "" {
				if rec.Err == nil || !strings.Contains(rec.Err.Error(), tt.wantErr) {
					t.Errorf("Next(%s) error = %v, want one containing %q", tt.line, rec.Err, tt.wantErr)
				}
				return
			}
			if rec.Err != nil {
				t.Fatalf("Next(%s) error = %v", tt.line, rec.Err)
			}
			got := fmt.Sprintf("%q %q %q %v %q", rec.To, rec.Cc, rec.Bcc, rec.Header, rec.Locale)
			want := fmt.Sprintf("%q %q %q %v %q", tt.want.To, tt.want.Cc, tt.want.Bcc, tt.want.Header, tt.want.Locale)
			if got != want {
				t.Errorf("Next(%s) = %s, want %s", tt.line, got, want)
			}
		})
	}
}

// The line field is at least 7 digits wide and read back whatever its
// width: line 10 000 000 and later came back wrong when it was read as
// key[1:8].
func TestKeyLine(t *testing.T) {
	for _, tt := range []struct {
		line     int
		resource string
	}{
		{1, ""}, {42, "WO-42"}, {9_999_999, "r"}, {10_000_000, ""}, {12_345_678, "res-1"}, {1_234_567_890, "x"},
	} {
		key := Key(tt.line, tt.resource)
		got, ok := KeyLine(key)
		if !ok || got != tt.line {
			t.Errorf("KeyLine(Key(%d, %q) = %q) = %d, %v; want %d, true", tt.line, tt.resource, key, got, ok, tt.line)
		}
	}
	for _, bad := range []string{"", "L", "L-1", "Lx", "M0000001", "L+000001", "L0000000"} {
		if n, ok := KeyLine(bad); ok {
			t.Errorf("KeyLine(%q) = %d, true; want false", bad, n)
		}
	}
	if Key(7, "") >= Key(10, "") {
		t.Errorf("Key(7) = %q sorts after Key(10) = %q", Key(7, ""), Key(10, ""))
	}
}
