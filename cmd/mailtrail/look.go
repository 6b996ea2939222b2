package main

import (
	"fmt"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailtrail/mailtrail/render"
)

// brandNames are the brand files looked for beside the templates.
var brandNames = []string{"brand.yaml", "brand.yml", "brand.json"}

// lookFiles returns the layout and brand files: the flags' values, else
// layout.html and brand.yaml (or .yml, .json) in the templates folder dir
// when they exist, else "".
func lookFiles(dir, layout, brand string) (layoutFile, brandFile string) {
	if layout == "" {
		if p := filepath.Join(dir, "layout.html"); isFile(p) {
			layout = p
		}
	}
	if brand == "" {
		for _, n := range brandNames {
			if p := filepath.Join(dir, n); isFile(p) {
				brand = p
				break
			}
		}
	}
	return layout, brand
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// loadLook reads the layout and brand files for a templates folder (see
// lookFiles); nil for what is absent. Errors name the file (and the line,
// for a brand).
func loadLook(dir, layoutFlag, brandFlag string) (*htmltemplate.Template, *render.Brand, error) {
	layoutFile, brandFile := lookFiles(dir, layoutFlag, brandFlag)
	var lt *htmltemplate.Template
	if layoutFile != "" {
		b, err := os.ReadFile(layoutFile)
		if err != nil {
			return nil, nil, fmt.Errorf("layout: %w", err)
		}
		if lt, err = render.ParseLayout(filepath.Base(layoutFile), string(b)); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", layoutFile, err)
		}
	}
	var brand *render.Brand
	if brandFile != "" {
		var err error
		if brand, err = render.LoadBrand(brandFile); err != nil {
			return nil, nil, err
		}
	}
	return lt, brand, nil
}

// headerList is the repeatable --header "Name: value" flag.
type headerList struct{ m *map[string]string }

func (h headerList) String() string {
	if h.m == nil {
		return ""
	}
	var parts []string
	for k, v := range *h.m {
		parts = append(parts, k+": "+v)
	}
	return strings.Join(parts, ", ")
}

func (h headerList) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("want \"Name: value\", not %q", s)
	}
	if *h.m == nil {
		*h.m = make(map[string]string)
	}
	if _, dup := (*h.m)[name]; dup {
		return fmt.Errorf("header %s given twice", name)
	}
	(*h.m)[name] = strings.TrimSpace(value)
	return nil
}
