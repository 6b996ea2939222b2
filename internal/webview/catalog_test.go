package webview

import (
	"reflect"
	"testing"
	"testing/fstest"
)

func TestSplitTemplateName(t *testing.T) {
	tests := []struct {
		in, name, locale string
		ok               bool
	}{
		{"welcome.md", "welcome", "", true},
		{"welcome.fr.md", "welcome", "fr", true},
		{"welcome.pt-BR.md", "welcome", "pt-BR", true},
		{"billing/invoice.de.md", "billing/invoice", "de", true},
		{"order.paid.md", "order.paid", "", true},
		{"v1.2/x.md", "v1.2/x", "", true},
		{"notes.txt", "", "", false},
		{".md", "", "", false},
		{"dir/.md", "", "", false},
	}
	for _, tt := range tests {
		name, locale, ok := splitTemplateName(tt.in)
		if name != tt.name || locale != tt.locale || ok != tt.ok {
			t.Errorf("splitTemplateName(%q) = %q, %q, %v; want %q, %q, %v", tt.in, name, locale, ok, tt.name, tt.locale, tt.ok)
		}
	}
}

func TestScan(t *testing.T) {
	fsys := fstest.MapFS{
		"welcome.md":            {Data: []byte("hi")},
		"welcome.fr.md":         {Data: []byte("salut")},
		"welcome.overdue.json":  {Data: []byte("{}")},
		"welcome.json":          {Data: []byte("{}")},
		"order.md":              {Data: []byte("x")},
		"order.paid.md":         {Data: []byte("x")},
		"order.paid.late.json":  {Data: []byte("{}")},
		"order.json":            {Data: []byte("{}")},
		"billing/invoice.de.md": {Data: []byte("x")},
		"billing/invoice.json":  {Data: []byte("{}")},
		"orphan.json":           {Data: []byte("{}")},
		".hidden.md":            {Data: []byte("x")},
		".git/HEAD.md":          {Data: []byte("x")},
		"layout.html":           {Data: []byte("x")},
		"README.txt":            {Data: []byte("x")},
	}
	list, err := scan(fsys)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Name    string
		Locales []string
		Data    []string
	}
	var gots []got
	for _, e := range list {
		gots = append(gots, got{e.Name, e.Locales, e.Data})
	}
	want := []got{
		{"billing/invoice", []string{"de"}, []string{"billing/invoice.json"}},
		{"order", []string{""}, []string{"order.json"}},
		{"order.paid", []string{""}, []string{"order.paid.late.json"}},
		{"welcome", []string{"", "fr"}, []string{"welcome.json", "welcome.overdue.json"}},
	}
	if !reflect.DeepEqual(gots, want) {
		t.Errorf("scan() =\n%+v\nwant\n%+v", gots, want)
	}
}
