package webview

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/mailtrail/mailtrail/templates"
)

// entry is one template of the folder: its variants by locale and its sample
// data files.
type entry struct {
	Name    string            // path without extension or locale: "welcome", "billing/invoice"
	Files   map[string]string // locale ("" for the base file) → path in the folder
	Locales []string          // the keys of Files, "" first, then sorted
	Data    []string          // sample data files: name.json first, then name.*.json sorted
}

// splitTemplateName splits "billing/invoice.fr.md" into ("billing/invoice",
// "fr"), reading a locale suffix as [templates.Load] does. ok is false for
// files that are not templates.
func splitTemplateName(p string) (name, locale string, ok bool) {
	stem, found := strings.CutSuffix(p, ".md")
	if !found || stem == "" || strings.HasSuffix(stem, "/") {
		return "", "", false
	}
	dir, base := path.Split(stem)
	if i := strings.LastIndexByte(base, '.'); i > 0 && templates.ValidLocale(base[i+1:]) {
		return dir + base[:i], base[i+1:], true
	}
	return stem, "", true
}

// scan lists the templates of fsys, walking subfolders and skipping hidden
// files and folders. Templates come sorted by name.
func scan(fsys fs.FS) ([]*entry, error) {
	byName := make(map[string]*entry)
	var data []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if strings.HasSuffix(p, ".json") {
			data = append(data, p)
			return nil
		}
		name, locale, ok := splitTemplateName(p)
		if !ok {
			return nil
		}
		e := byName[name]
		if e == nil {
			e = &entry{Name: name, Files: make(map[string]string)}
			byName[name] = e
		}
		e.Files[locale] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("webview: list templates: %w", err)
	}
	for _, p := range data {
		if e := dataOwner(byName, p); e != nil {
			e.Data = append(e.Data, p)
		}
	}
	list := make([]*entry, 0, len(byName))
	for _, e := range byName {
		for l := range e.Files {
			e.Locales = append(e.Locales, l)
		}
		sort.Strings(e.Locales) // "" sorts first
		sort.Slice(e.Data, func(i, j int) bool {
			a, b := e.Data[i], e.Data[j]
			if ab, bb := a == e.Name+".json", b == e.Name+".json"; ab != bb {
				return ab
			}
			return a < b
		})
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

// dataOwner finds the template a data file belongs to: "invoice.json" and
// "invoice.overdue.json" belong to "invoice". The longest name wins, so
// "invoice.reminder.json" goes to a template "invoice.reminder" if there is one.
func dataOwner(byName map[string]*entry, p string) *entry {
	stem := strings.TrimSuffix(p, ".json")
	for {
		if e := byName[stem]; e != nil {
			return e
		}
		i := strings.LastIndexByte(stem, '.')
		if i <= strings.LastIndexByte(stem, '/') {
			return nil
		}
		stem = stem[:i]
	}
}

// find returns the entry named name, or nil.
func find(list []*entry, name string) *entry {
	for _, e := range list {
		if e.Name == name {
			return e
		}
	}
	return nil
}
