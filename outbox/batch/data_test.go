package batch

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// decodeDataStd is the plain path decodeData shortcuts: encoding/json's
// Decoder with UseNumber.
func decodeDataStd(raw []byte) (any, error) {
	var v any
	dd := json.NewDecoder(bytes.NewReader(raw))
	dd.UseNumber()
	err := dd.Decode(&v)
	return v, err
}

// checkSameData fails unless decodeData gives what decodeDataStd gives:
// the same value, or the same error message.
func checkSameData(t *testing.T, raw []byte) {
	t.Helper()
	got, gotErr := decodeData(raw)
	want, wantErr := decodeDataStd(raw)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("decodeData(%q) error = %v, encoding/json: %v", raw, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeData(%q) = %#v, encoding/json: %#v", raw, got, want)
	}
}

var dataCases = []string{
	`{}`,
	`{"a":1}`,
	` { "a" : [ ] , "b" : { } , "c" : [1, -0, 0.5, -12.5e+3, 1E9, 2e-2] } `,
	`{"t":true,"f":false,"n":null,"s":"Marie-Hélène","e":"","u":"13:30–15:00"}`,
	`{"dup":1,"dup":"last wins"}`,
	`{"nested":{"list":[{"a":[[["deep"]]]},"x",3]}}`,
	`{"esc":"a\"b\\c\/d\n\u00e9\ud83d\ude00"}`,
	`{"lone surrogate":"\ud800"}`,
	"{\"bad utf8\":\"\xff\xfe\"}",
	"{\"ctl\":\"a\tb\"}",
	`{"a":01}`,
	`{"a":1.}`,
	`{"a":-}`,
	`{"a":1e}`,
	`{"a":tru}`,
	`{"a":1,}`,
	`{"a":[1,]}`,
	`{"a" 1}`,
	`{a:1}`,
	`{"a":1}}`,
	`{"a":1} {"b":2}`,
	`{"a":"unterminated}`,
	`{"a":[1,2}`,
	`{`,
	``,
	strings.Repeat(`[`, 1200) + strings.Repeat(`]`, 1200),
	`{"d":` + strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000) + `}`,
}

func TestDecodeData_sameAsEncodingJSON(t *testing.T) {
	for _, c := range dataCases {
		checkSameData(t, []byte(c))
	}
}

// TestDecodeData_workload decodes every record of the workload records
// (testdata) both ways.
func TestDecodeData_workload(t *testing.T) {
	raw, err := os.ReadFile("../../mailer/testdata/bench/records.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var rec struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		checkSameData(t, rec.Data)
		n++
	}
	if n == 0 {
		t.Fatal("no workload records")
	}
}

func FuzzDecodeData(f *testing.F) {
	for _, c := range dataCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkSameData(t, raw)
	})
}
