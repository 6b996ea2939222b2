package templates_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/templates"
)

// textHandler writes an expansion as plain text, the way a renderer does.
type textHandler struct{ b strings.Builder }

func (h *textHandler) Text(n *templates.Text) error { h.b.WriteString(n.Text); return nil }

func (h *textHandler) Var(n *templates.Var, value any, found bool) error {
	if s, ok := templates.FormatValue(value); ok && found {
		h.b.WriteString(s)
	} else {
		h.b.WriteString("(" + n.Name + " missing)")
	}
	return nil
}

func (h *textHandler) Section(*templates.Section, int) error { return nil }

func ExampleExecute() {
	t, err := templates.Parse("note.md", []byte("{{#items}}{{label}}: {{n}}\n{{/items}}{{^items}}nothing\n{{/items}}{{who}}\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := templates.Normalize(map[string]any{"items": []map[string]any{{"label": "tyres", "n": 4}, {"label": "brakes", "n": 2}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	h := &textHandler{}
	if err := templates.Execute(t.Body, data, h); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(h.b.String())
	// Output:
	// tyres: 4
	// brakes: 2
	// (who missing)
}

func ExampleFormatValue() {
	data, _ := templates.ParseData("d.json", []byte(`{"id": 9007199254740993, "ok": true, "none": null, "list": [1]}`))
	for _, k := range []string{"id", "ok", "none", "list"} {
		s, ok := templates.FormatValue(data[k])
		fmt.Printf("%s: %q %v\n", k, s, ok)
	}
	s, _ := templates.FormatValue(0.000001)
	fmt.Println(s)
	// Output:
	// id: "9007199254740993" true
	// ok: "true" true
	// none: "" true
	// list: "" false
	// 0.000001
}

func ExampleNewSet() {
	set := templates.NewSet(fstest.MapFS{
		"welcome.md":    {Data: []byte("Hello {{name}}\n")},
		"welcome.fr.md": {Data: []byte("Bonjour {{name}}\n")},
	})
	for _, locale := range []string{"fr-CA", ""} {
		t, err := set.Get("welcome", locale)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(t.File)
	}
	_, err := set.Get("missing", "")
	fmt.Println(err != nil)
	// Output:
	// welcome.fr.md
	// welcome.md
	// true
}

func ExampleNormalize() {
	type vehicle struct {
		Plate string `json:"plate"`
		Seats int    `json:"seats"`
	}
	v, err := templates.Normalize(map[string]any{"vehicle": vehicle{Plate: "AB-123", Seats: 5}})
	if err != nil {
		fmt.Println(err)
		return
	}
	veh := v.(map[string]any)["vehicle"].(map[string]any)
	fmt.Printf("%v %T\n", veh["plate"], veh["plate"])
	fmt.Printf("%v %T\n", veh["seats"], veh["seats"])
	// Output:
	// AB-123 string
	// 5 json.Number
}

func ExampleParseData() {
	data, err := templates.ParseData("vehicle.json", []byte(`{"plate": "AB-123", "km": 1234567}`))
	fmt.Println(data["plate"], data["km"], err)

	_, err = templates.ParseData("broken.json", []byte("{\n  \"plate\": \"AB-123\",\n}"))
	fmt.Println(err)
	// Output:
	// AB-123 1234567 <nil>
	// broken.json:3:1: invalid JSON: invalid character '}' looking for beginning of object key string
}

func ExampleTruthy() {
	for _, v := range []any{nil, false, "", []any{}, 0, "0", map[string]any{}, []any{1}} {
		fmt.Printf("%#v: %v\n", v, templates.Truthy(v))
	}
	// Output:
	// <nil>: false
	// false: false
	// "": false
	// []interface {}{}: false
	// 0: false
	// "0": true
	// map[string]interface {}{}: true
	// []interface {}{1}: true
}

func ExampleValidLocale() {
	for _, s := range []string{"fr", "pt-BR", "zh_Hant_TW", "french", "fr/../x", ""} {
		fmt.Printf("%q %v\n", s, templates.ValidLocale(s))
	}
	// Output:
	// "fr" true
	// "pt-BR" true
	// "zh_Hant_TW" true
	// "french" false
	// "fr/../x" false
	// "" false
}

func ExampleReadData() {
	data, err := templates.ReadData("vehicle.json", strings.NewReader(`{"plate": "AB-123"}`), 0)
	fmt.Println(data["plate"], err)

	_, err = templates.ReadData("big.json", strings.NewReader(`{"plate": "`+strings.Repeat("x", 100)+`"}`), 64)
	var se *templates.DataSizeError
	fmt.Println(errors.As(err, &se))
	fmt.Println(err)
	// Output:
	// AB-123 <nil>
	// true
	// templates: data file big.json is larger than the limit of 64 bytes
}

func ExampleReadDataFile() {
	fsys := fstest.MapFS{"data/vehicle.json": {Data: []byte(`{"plate": "AB-123", "km": 1234567}`)}}
	data, err := templates.ReadDataFile(fsys, "data/vehicle.json", 0)
	fmt.Println(data["plate"], data["km"], err)
	_, err = templates.ReadDataFile(fsys, "data/missing.json", 0)
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// AB-123 1234567 <nil>
	// true
}
