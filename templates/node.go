package templates

// Pos is a position in a template file.
type Pos struct {
	Offset    int // byte offset in the file
	Line, Col int // 1-based; Col counts runes
}

// Node is one element of a parsed template: *Text, *Var or *Section.
type Node interface{ node() }

// Text is literal template text, emitted as is.
type Text struct {
	Text string
	Pos  Pos
}

// Var is an interpolation: {{name}}, {{{name}}} or {{&name}}, all alike.
type Var struct {
	Name string   // as written, e.g. "vehicle.plate_number" or "."
	Path []string // the dotted segments; nil for the implicit iterator "."
	Pos  Pos      // of the opening "{{"
}

// Section is {{#name}}…{{/name}} or, when Inverted, {{^name}}…{{/name}}.
type Section struct {
	Name     string
	Path     []string // nil for "."
	Inverted bool
	Nodes    []Node
	Pos      Pos // of the opening tag
}

func (*Text) node()    {}
func (*Var) node()     {}
func (*Section) node() {}

// Tag returns the placeholder as written in a template, e.g. "{{a.b}}".
func (v *Var) Tag() string { return "{{" + v.Name + "}}" }

// Tag returns the opening tag, e.g. "{{#items}}".
func (s *Section) Tag() string {
	if s.Inverted {
		return "{{^" + s.Name + "}}"
	}
	return "{{#" + s.Name + "}}"
}
