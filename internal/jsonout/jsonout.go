// Package jsonout writes JSON indented exactly as encoding/json's Encoder
// does with SetIndent("", indent) and SetEscapeHTML(false), without
// building the document in memory first: strings are escaped straight
// into a buffered writer, and a [String] value writes its content piece
// by piece. It exists for the CLI's JSON of whole messages, whose bodies
// can be tens of megabytes: encoding/json would hold each body decoded,
// then the compact document, then the indented one.
//
// Objects with keys in a given order ([Object]), maps with string keys
// (sorted, as encoding/json sorts them), slices, strings and nil are
// written by the package; any other value is handed to encoding/json at
// its place in the document, so that it reads the same.
package jsonout

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strings"
)

// Member is one key of an [Object] and its value.
type Member struct {
	Key   string
	Value any
}

// Object is a JSON object whose keys are written in the order given.
type Object []Member

// String is a string value that writes its content, unquoted and
// unescaped, to w; the Writer quotes and escapes it on the way.
type String interface {
	WriteJSONString(w io.Writer) error
}

// Writer writes JSON values to an io.Writer. It is not safe for
// concurrent use.
type Writer struct {
	w       *bufio.Writer
	indent  string
	depth   int
	str     stringWriter
	scratch bytes.Buffer
}

// NewWriter returns a Writer indenting each level with indent.
func NewWriter(w io.Writer, indent string) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	return &Writer{w: bw, indent: indent, str: stringWriter{w: bw}}
}

// Encode writes v and a line break, as json.Encoder.Encode does, and
// flushes the output.
func (w *Writer) Encode(v any) error {
	w.depth = 0
	if err := w.value(v); err != nil {
		return err
	}
	w.w.WriteByte('\n')
	return w.w.Flush()
}

func (w *Writer) value(v any) error {
	switch x := v.(type) {
	case nil:
		w.w.WriteString("null")
	case string:
		return w.string(x)
	case String:
		w.w.WriteByte('"')
		if err := x.WriteJSONString(&w.str); err != nil {
			return err
		}
		if err := w.str.close(); err != nil {
			return err
		}
		w.w.WriteByte('"')
	case Object:
		return w.object(len(x), func(i int) (string, any) { return x[i].Key, x[i].Value })
	case map[string]any:
		if x == nil {
			w.w.WriteString("null")
			return nil
		}
		keys := sortedKeys(x)
		return w.object(len(keys), func(i int) (string, any) { return keys[i], x[keys[i]] })
	case map[string]string:
		if x == nil {
			w.w.WriteString("null")
			return nil
		}
		keys := sortedKeys(x)
		return w.object(len(keys), func(i int) (string, any) { return keys[i], x[keys[i]] })
	case []any:
		if x == nil {
			w.w.WriteString("null")
			return nil
		}
		return w.array(len(x), func(i int) any { return x[i] })
	case []string:
		if x == nil {
			w.w.WriteString("null")
			return nil
		}
		return w.array(len(x), func(i int) any { return x[i] })
	default:
		return w.fallback(v)
	}
	return nil
}

// string writes s quoted and escaped.
func (w *Writer) string(s string) error {
	w.w.WriteByte('"')
	escape(&w.str, s, true)
	if w.str.err != nil {
		return w.str.err
	}
	return w.w.WriteByte('"')
}

func (w *Writer) object(n int, member func(int) (string, any)) error {
	if n == 0 {
		w.w.WriteString("{}")
		return nil
	}
	w.w.WriteByte('{')
	w.depth++
	for i := range n {
		if i > 0 {
			w.w.WriteByte(',')
		}
		w.newline()
		k, v := member(i)
		if err := w.string(k); err != nil {
			return err
		}
		w.w.WriteString(": ")
		if err := w.value(v); err != nil {
			return err
		}
	}
	w.depth--
	w.newline()
	return w.w.WriteByte('}')
}

func (w *Writer) array(n int, elem func(int) any) error {
	if n == 0 {
		w.w.WriteString("[]")
		return nil
	}
	w.w.WriteByte('[')
	w.depth++
	for i := range n {
		if i > 0 {
			w.w.WriteByte(',')
		}
		w.newline()
		if err := w.value(elem(i)); err != nil {
			return err
		}
	}
	w.depth--
	w.newline()
	return w.w.WriteByte(']')
}

func (w *Writer) newline() {
	w.w.WriteByte('\n')
	for range w.depth {
		w.w.WriteString(w.indent)
	}
}

// fallback has encoding/json write v, indented for its depth.
func (w *Writer) fallback(v any) error {
	w.scratch.Reset()
	enc := json.NewEncoder(&w.scratch)
	enc.SetEscapeHTML(false)
	enc.SetIndent(strings.Repeat(w.indent, w.depth), w.indent)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.w.Write(bytes.TrimSuffix(w.scratch.Bytes(), []byte("\n")))
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
