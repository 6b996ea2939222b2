package templates

// Handler receives the pieces of one expansion, in output order.
type Handler interface {
	// Text is literal template text.
	Text(n *Text) error
	// Var is an interpolation; value is the data found (plain form, see
	// [Normalize]) and found is false when the name resolved to nothing.
	Var(n *Var, value any, found bool) error
	// Section is called when a section is reached, with how many times its
	// body will be expanded (0 when hidden; for an inverted section 0 or 1).
	Section(n *Section, count int) error
}

// Execute expands nodes with data (already in plain form, see [Normalize]),
// calling h for each text, interpolation and section in output order. It
// stops at the first error h returns. A section over a list repeats once per
// element with the element pushed on the context stack; over another truthy
// value it is expanded once with that value pushed; a missing or falsey key
// hides it (an inverted section shows exactly then).
func Execute(nodes []Node, data any, h Handler) error {
	var buf [MaxDepth + 2]any
	e := executor{h: h, stack: append(buf[:0], data)}
	return e.nodes(nodes)
}

type executor struct {
	h     Handler
	stack []any
}

func (e *executor) nodes(nodes []Node) error {
	for _, n := range nodes {
		var err error
		switch n := n.(type) {
		case *Text:
			err = e.h.Text(n)
		case *Var:
			v, ok := lookup(e.stack, n.Path)
			err = e.h.Var(n, v, ok)
		case *Section:
			err = e.section(n)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (e *executor) section(s *Section) error {
	v, _ := lookup(e.stack, s.Path)
	truthy := Truthy(v)
	if s.Inverted {
		if truthy {
			return e.h.Section(s, 0)
		}
		if err := e.h.Section(s, 1); err != nil {
			return err
		}
		return e.nodes(s.Nodes)
	}
	if !truthy {
		return e.h.Section(s, 0)
	}
	list, isList := v.([]any)
	if !isList {
		list = nil
	}
	count := 1
	if isList {
		count = len(list)
	}
	if err := e.h.Section(s, count); err != nil {
		return err
	}
	if !isList {
		return e.push(v, s.Nodes)
	}
	for _, x := range list {
		if err := e.push(x, s.Nodes); err != nil {
			return err
		}
	}
	return nil
}

func (e *executor) push(v any, nodes []Node) error {
	e.stack = append(e.stack, v)
	err := e.nodes(nodes)
	e.stack = e.stack[:len(e.stack)-1]
	return err
}
