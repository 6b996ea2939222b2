package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// defaultColor is the link and button colour without a brand colour.
const defaultColor = "#0b69a3"

// normalizeColor turns "#06C" into "#0066cc"; c must match colorRe.
func normalizeColor(c string) string {
	c = strings.ToLower(c)
	if len(c) == 4 {
		return "#" + strings.Repeat(c[1:2], 2) + strings.Repeat(c[2:3], 2) + strings.Repeat(c[3:4], 2)
	}
	return c
}

// rgb splits "#rrggbb" into its channels, 0–1.
func rgb(c string) [3]float64 {
	var out [3]float64
	for i := range out {
		v, _ := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		out[i] = float64(v) / 255
	}
	return out
}

func hexColor(c [3]float64) string {
	var b strings.Builder
	b.WriteByte('#')
	for _, v := range c {
		fmt.Fprintf(&b, "%02x", int(math.Round(math.Max(0, math.Min(1, v))*255)))
	}
	return b.String()
}

// luminance is the relative luminance of WCAG 2.
func luminance(c string) float64 {
	ch := rgb(c)
	var l [3]float64
	for i, v := range ch {
		if v <= 0.03928 {
			l[i] = v / 12.92
		} else {
			l[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// onColor returns the text colour for a button of colour c: white, unless
// dark text reads better.
func onColor(c string) string {
	if contrast(c, "#ffffff") >= contrast(c, "#111418") {
		return "#ffffff"
	}
	return "#111418"
}

// Dark-mode surfaces of the default layout.
const (
	darkBody = "#111418"
	darkCard = "#1b1f24"
)

// darkVariant returns c lightened (mixed with white) until it reads on the
// dark card at 4.5:1, so that links keep the brand's hue in dark mode.
func darkVariant(c string) string {
	ch := rgb(c)
	for i := 0; i <= 20; i++ {
		t := float64(i) / 20
		var m [3]float64
		for k := range ch {
			m[k] = ch[k] + (1-ch[k])*t
		}
		if h := hexColor(m); contrast(h, darkCard) >= 4.5 {
			return h
		}
	}
	return "#ffffff"
}

// readableOn returns c when it reads on background bg at 4.5:1, else a
// darkened c that does: links on the white card.
func readableOn(c, bg string) string {
	ch := rgb(c)
	for i := 0; i <= 20; i++ {
		t := float64(i) / 20
		var m [3]float64
		for k := range ch {
			m[k] = ch[k] * (1 - t)
		}
		if h := hexColor(m); contrast(h, bg) >= 4.5 {
			return h
		}
	}
	return "#000000"
}
