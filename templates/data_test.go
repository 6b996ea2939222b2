package templates

import (
	"encoding/json"
	"strings"
	"testing"
)

type collect struct {
	b       strings.Builder
	missing []string
}

func (c *collect) Text(n *Text) error { c.b.WriteString(n.Text); return nil }
func (c *collect) Var(n *Var, v any, found bool) error {
	if !found {
		c.missing = append(c.missing, n.Name)
	}
	s, ok := FormatValue(v)
	if !ok {
		s = "<obj>"
	}
	c.b.WriteString(s)
	return nil
}
func (c *collect) Section(*Section, int) error { return nil }

func TestExecute_data(t *testing.T) {
	type item struct {
		Name  string  `json:"name"`
		Price float64 `json:"price"`
		Skip  string  `json:"-"`
	}
	type order struct {
		ID    int64             `json:"id"`
		Items []item            `json:"items"`
		Tags  map[string]string `json:"tags"`
	}
	tests := []struct {
		name, tpl string
		data      any
		want      string
		missing   string
	}{
		{"big number stays exact", "{{n}}", map[string]any{"n": json.Number("9007199254740993")}, "9007199254740993", ""},
		{"float no exponent", "{{n}}", map[string]any{"n": 1234567.0}, "1234567", ""},
		{"float decimals", "{{n}}", map[string]any{"n": 1.21}, "1.21", ""},
		{"index", "{{items.1.name}}", map[string]any{"items": []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}}}, "b", ""},
		{"index out of range", "{{items.5}}", map[string]any{"items": []any{"a"}}, "", "items.5"},
		{"struct via json names", "{{id}} {{#items}}{{name}}={{price}};{{/items}} {{tags.k}} {{Skip}}",
			order{ID: 9007199254740993, Items: []item{{Name: "x", Price: 2.5}, {Name: "y", Price: 1e6}}, Tags: map[string]string{"k": "v"}},
			"9007199254740993 x=2.5;y=1000000; v ", "Skip"},
		{"bool and null", "{{t}} {{f}} [{{z}}]", map[string]any{"t": true, "f": false, "z": nil}, "true false []", ""},
		{"zero is falsey", "{{#n}}yes{{/n}}{{^n}}no{{/n}}", map[string]any{"n": json.Number("0")}, "no", ""},
		{"empty string falsey", "{{#s}}yes{{/s}}{{^s}}no{{/s}}", map[string]any{"s": ""}, "no", ""},
		{"empty object truthy", "{{#o}}yes{{/o}}", map[string]any{"o": map[string]any{}}, "yes", ""},
		{"missing section hidden", "[{{#nope}}x{{/nope}}]", map[string]any{}, "[]", ""},
		{"object has no text", "{{o}}", map[string]any{"o": map[string]any{}}, "<obj>", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Parse("t.md", []byte(tc.tpl))
			if err != nil {
				t.Fatal(err)
			}
			data, err := Normalize(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			var c collect
			if err := Execute(tpl.Body, data, &c); err != nil {
				t.Fatal(err)
			}
			if got := c.b.String(); got != tc.want {
				t.Errorf("Execute(%q) = %q, want %q", tc.tpl, got, tc.want)
			}
			if got := strings.Join(c.missing, ","); got != tc.missing {
				t.Errorf("missing = %q, want %q", got, tc.missing)
			}
		})
	}
}

func TestNormalize_keepsPlain(t *testing.T) {
	m := map[string]any{"a": []any{json.Number("1"), "x", nil, true, 2.5, 3}}
	got, err := Normalize(m)
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := got.(map[string]any); !ok || len(g) != 1 {
		t.Fatalf("Normalize changed plain data: %#v", got)
	}
	if _, err := Normalize(map[string]any{"f": func() {}}); err == nil {
		t.Error("Normalize(func) succeeded, want error")
	}
}
