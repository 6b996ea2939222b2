// Package templates loads and parses mailtrail templates.
package templates

import (
	"errors"
	"io/fs"
)

// Template is a parsed template. STUB: owned by the templates/render work.
type Template struct {
	Name   string
	Locale string
	File   string
}

// Parse parses one template from source. STUB.
func Parse(file string, src []byte) (*Template, error) {
	return nil, errors.New("templates: not implemented")
}

// Load loads name (locale variant first) from fsys. STUB.
func Load(fsys fs.FS, name, locale string) (*Template, error) {
	return nil, errors.New("templates: not implemented")
}
