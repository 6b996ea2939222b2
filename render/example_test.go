package render_test

import (
	"fmt"

	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

func ExampleRenderer_Render() {
	src := `---
subject: Vehicle {{vehicle.plate}} needs a check
---
Please check **{{vehicle.plate}}**:

{{#items}}
- {{.}}
{{/items}}

[open the file](https://fleet.example.com/v/{{vehicle.id}})
`
	t, err := templates.Parse("check.md", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := render.New(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	parts, err := r.Render(t, map[string]any{
		"vehicle": map[string]any{"plate": "AB-123", "id": "v 42"},
		"items":   []any{"tyres", "<b>brakes</b>"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(parts.Subject)
	fmt.Print(parts.Text)
	fmt.Print(string(parts.JSON))

	_, err = r.Render(t, map[string]any{"items": []any{}})
	fmt.Println(err)
	// Output:
	// Vehicle AB-123 needs a check
	// Please check **AB-123**:
	//
	// - tyres
	// - <b>brakes</b>
	//
	// open the file (https://fleet.example.com/v/v%2042)
	// {
	//   "items": [
	//     "tyres",
	//     "<b>brakes</b>"
	//   ],
	//   "vehicle": {
	//     "id": "v 42",
	//     "plate": "AB-123"
	//   }
	// }
	// check.md:2:18: no value for {{vehicle.plate}}
}

func ExampleCheck() {
	t, _ := templates.Parse("notice.md", []byte("---\nsubject: Hi\n---\nHello {{name}} <span>x</span>\n\n[go]({{url}})\n"))
	for _, e := range render.Check(t, map[string]any{"url": "u"}) {
		fmt.Println(e)
	}
	// Output:
	// notice.md:4:7: no value for {{name}} in the sample data
	// notice.md:4:16: raw HTML <span> is omitted from the message (use Markdown)
	// notice.md:4:23: raw HTML </span> is omitted from the message (use Markdown)
	// notice.md:6:2: placeholder {{url}} is the whole link URL: its value is encoded as a relative path; write the scheme and host in the template, e.g. https://example.com/…/{{url}}
}
