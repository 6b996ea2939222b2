package render

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync"

	"github.com/vanng822/go-premailer/premailer"
)

// The layout's CSS is inlined with go-premailer (github.com/vanng822/
// go-premailer): it sorts rules by specificity, keeps !important last,
// leaves @media rules and pseudo-classes in a <style> block (made
// !important, so that they still win over the inlined styles), skips a
// <style data-premailer="ignore"> block, and copies widths and background
// colours into the attributes Outlook reads. It runs once per layout: when
// a Renderer is made.

// hasStyle reports whether an executed layout has a <style> element.
func hasStyle(s string) bool {
	return strings.Contains(strings.ToLower(s), "<style")
}

// inlineCSS moves the <style> rules of a whole HTML document into style
// attributes.
func inlineCSS(doc string) (string, error) {
	p, err := premailer.NewPremailerFromString(doc, premailer.NewOptions())
	if err != nil {
		return "", fmt.Errorf("render: layout: inline CSS: %w", err)
	}
	out, err := p.Transform()
	if err != nil {
		return "", fmt.Errorf("render: layout: inline CSS: %w", err)
	}
	return out, nil
}

const (
	probeStart = "MTLAYOUTPROBESTART0x"
	probeEnd   = "MTLAYOUTPROBEEND0x"
)

// probeBody holds one of each element a sanitized body can have, each
// marked, in the shape Markdown gives them; the styles the layout's CSS
// gives them are the styles of the body's elements.
const probeBody = probeStart +
	`<h1 data-mtprobe="h1">x</h1><h2 data-mtprobe="h2">x</h2><h3 data-mtprobe="h3">x</h3>` +
	`<h4 data-mtprobe="h4">x</h4><h5 data-mtprobe="h5">x</h5><h6 data-mtprobe="h6">x</h6>` +
	`<p data-mtprobe="p"><a data-mtprobe="a" href="https://x.test/">x</a> <strong data-mtprobe="strong">x</strong> ` +
	`<em data-mtprobe="em">x</em> <del data-mtprobe="del">x</del> <code data-mtprobe="code">x</code> ` +
	`<img data-mtprobe="img" src="https://x.test/i.png" alt="x"></p>` +
	`<blockquote data-mtprobe="blockquote"><p>x</p></blockquote><pre data-mtprobe="pre"><code>x</code></pre>` +
	`<ul data-mtprobe="ul"><li data-mtprobe="li">x</li></ul><ol data-mtprobe="ol"><li>x</li></ol>` +
	`<table data-mtprobe="table"><thead><tr><th data-mtprobe="th">x</th></tr></thead>` +
	`<tbody><tr><td data-mtprobe="td">x</td></tr></tbody></table><hr data-mtprobe="hr">` +
	`<table role="presentation" class="button" data-mtprobe="button-table"><tr><td align="center" data-mtprobe="button-td">` +
	`<a data-mtprobe="button-a" href="https://x.test/">x</a></td></tr></table>` +
	probeEnd

var (
	probeTagRe   = regexp.MustCompile(`<[a-z0-9]+\s[^>]*data-mtprobe="([a-z0-9-]+)"[^>]*>`)
	probeStyleRe = regexp.MustCompile(`\sstyle="([^"]*)"`)
)

// inlined caches inlined layouts by their executed text, so that
// renderers made again and again for the same layout (a preview that
// reloads, Check with the defaults) inline it once. It is bounded.
var inlined struct {
	sync.Mutex
	m map[string]string
}

const maxInlined = 64

// inlineCached is inlineCSS through the cache.
func inlineCached(doc string) (string, error) {
	inlined.Lock()
	out, ok := inlined.m[doc]
	inlined.Unlock()
	if ok {
		return out, nil
	}
	out, err := inlineCSS(doc)
	if err != nil {
		return "", err
	}
	inlined.Lock()
	if inlined.m == nil || len(inlined.m) >= maxInlined {
		inlined.m = make(map[string]string)
	}
	inlined.m[doc] = out
	inlined.Unlock()
	return out, nil
}

// inlineLayout executes l with the probe as body, inlines the CSS, reads
// the probe's styles and puts the body sentinel back in the probe's place.
func inlineLayout(l *layout, raw string) (string, map[string]string, error) {
	withProbe, err := l.executeRaw(probeBody, subjectSentinel, preheaderSentinel)
	if err != nil {
		return "", nil, err
	}
	out, err := inlineCached(withProbe)
	if err != nil {
		return "", nil, err
	}
	i, j := strings.Index(out, probeStart), strings.Index(out, probeEnd)
	if i < 0 || j < i || strings.Count(out, probeStart) != 1 || strings.Count(raw, bodySentinel) != 1 {
		return "", nil, fmt.Errorf("render: layout %s: with a <style> block, the layout must hold the body once, inside an element that takes block content (such as <td> or <div>)", l.t.Name())
	}
	css := make(map[string]string)
	for _, m := range probeTagRe.FindAllStringSubmatch(out[i:j], -1) {
		if st := probeStyleRe.FindStringSubmatch(m[0]); st != nil {
			css[m[1]] = escapeAttr(html.UnescapeString(st[1]))
		}
	}
	return out[:i] + bodySentinel + out[j+len(probeEnd):], css, nil
}
