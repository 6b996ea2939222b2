package templates_test

import (
	"fmt"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/templates"
)

func ExampleParse() {
	src := "---\nsubject: Vehicle {{vehicle.plate}}\n---\nHello {{name}},\n{{#items}}\n- {{.}}\n{{/items}}\n"
	t, err := templates.Parse("notice.md", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Name, len(t.Subject), len(t.Body))

	_, err = templates.Parse("bad.md", []byte("Hello {{#items}}\n{{> partial}}\n"))
	fmt.Println(err)
	// Output:
	// notice 2 4
	// bad.md:1:7: unclosed section {{#items}}: no {{/items}}
	// bad.md:2:1: partials are not supported: {{>partial}}
}

func ExampleLoad() {
	fsys := fstest.MapFS{
		"welcome.md":    {Data: []byte("Hello {{name}}\n")},
		"welcome.fr.md": {Data: []byte("Bonjour {{name}}\n")},
	}
	for _, locale := range []string{"fr", "de", ""} {
		t, err := templates.Load(fsys, "welcome", locale)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%q -> %s\n", locale, t.File)
	}
	_, err := templates.Load(fsys, "welcome", "fr/../x")
	fmt.Println(err)
	// Output:
	// "fr" -> welcome.fr.md
	// "de" -> welcome.md
	// "" -> welcome.md
	// templates: invalid locale "fr/../x" for template "welcome"
}
