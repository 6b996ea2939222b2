package e2e

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// brandLogo stands in for the brand's https logo, which the browser may not
// fetch in a test: the same 2:1 mark, inline.
const brandLogo = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="72" viewBox="0 0 300 72">` +
	`<rect x="0" y="4" width="64" height="64" rx="14" fill="#C2410C"/>` +
	`<path d="M18 56 L32 16 L46 56 M23 42 H41" stroke="#fff" stroke-width="7" fill="none" stroke-linejoin="round" stroke-linecap="round"/>` +
	`<text x="80" y="49" font-family="Helvetica, Arial, sans-serif" font-size="34" font-weight="700" fill="#1f2933">Acme Fleet</text></svg>`

// output runs the mailtrail command and returns its standard output,
// failing the test unless it exits 0.
func output(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(mailtrailBinary(t), args...)
	cmd.Env = append(os.Environ(), "MAILTRAIL_SMTP_URL=", "MAILTRAIL_KEYS=")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mailtrail %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

var styleBlock = regexp.MustCompile(`(?s)<style[^>]*>.*?</style>`)

// TestBrowser_brandLayout renders the branded sample (testdata/branded,
// picked up from its brand.yaml) in each built-in locale and looks at the
// HTML part at 600 and 375 pixels, light and dark (prefers-color-scheme),
// and with every <style> removed, as Gmail does in some views: the column
// fits, the button keeps the brand colour, dark mode darkens the page, and
// without <style> the page keeps its inlined look.
func TestBrowser_brandLayout(t *testing.T) {
	ctx := browserStart(t)
	out := browserOut(t)
	logo := "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(brandLogo))
	for _, locale := range []string{"en", "fr", "de", "es"} {
		args := []string{"preview", "--template", "../testdata/branded/invoice.md", "--part", "html"}
		if locale != "en" {
			args = append(args, "--locale", locale)
		}
		html := output(t, args...)
		if !strings.Contains(html, `alt="Acme Fleet"`) {
			t.Fatalf("%s: the logo lacks the brand name as alt text", locale)
		}
		html = strings.ReplaceAll(html, "https://static.acme-fleet.example/mail/logo-72.png", logo)
		for _, v := range []struct {
			name    string
			html    string
			width   int64
			dark    bool
			inlined bool
		}{
			{"600-light", html, 600, false, false},
			{"375-light", html, 375, false, false},
			{"600-dark", html, 600, true, false},
			{"375-dark", html, 375, true, false},
			{"600-nostyle", styleBlock.ReplaceAllString(html, ""), 600, false, true},
			{"375-nostyle", styleBlock.ReplaceAllString(html, ""), 375, false, true},
		} {
			name := locale + "-" + v.name
			file := filepath.Join(out, name+".html")
			if err := os.WriteFile(file, []byte(v.html), 0o644); err != nil {
				t.Fatal(err)
			}
			scheme := "light"
			if v.dark {
				scheme = "dark"
			}
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(v.width, 900),
				chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
					})
					return err
				}),
				chromedp.Navigate("file://"+file),
			)
			if err == nil {
				_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete" && document.querySelector("table.button a") !== null`))
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			browserShot(t, ctx, out, name)
			got := func(js string) string {
				s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("%s: %s: %v", name, js, err)
				}
				return s
			}
			if s := got(`getComputedStyle(document.querySelector("table.button a")).backgroundColor`); s != "rgb(194, 65, 12)" {
				t.Errorf("%s: button background = %s, want the brand colour rgb(194, 65, 12)", name, s)
			}
			if s := got(`String(document.documentElement.scrollWidth <= window.innerWidth)`); s != "true" {
				t.Errorf("%s: the page scrolls sideways at %d px", name, v.width)
			}
			if s := got(`String(document.querySelector("table.card").getBoundingClientRect().width <= 600)`); s != "true" {
				t.Errorf("%s: the card is wider than 600 px", name)
			}
			wantBody := "rgb(242, 244, 247)"
			if v.dark {
				wantBody = "rgb(17, 20, 24)"
			}
			if s := got(`getComputedStyle(document.body).backgroundColor`); s != wantBody {
				t.Errorf("%s: page background = %s, want %s", name, s, wantBody)
			}
			if s := got(`getComputedStyle(document.querySelector("td.content p")).fontSize`); s != "16px" {
				t.Errorf("%s: body text is %s, want 16px", name, s)
			}
			if s := got(`String(getComputedStyle(document.querySelector(".preheader")).display)`); s != "none" {
				t.Errorf("%s: the preheader shows (display %s)", name, s)
			}
		}
	}
}
