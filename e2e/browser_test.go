package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's chromium headless through the DevTools
// protocol (github.com/chromedp/chromedp). They skip when no chromium is
// installed: "apt-get install -y chromium" (see .ci/browser.sh), or name the
// binary in MAILTRAIL_CHROMIUM; with MAILTRAIL_REQUIRE_BROWSER set (CI) they
// fail instead. Screenshots go to MAILTRAIL_TEST_OUT when set
// (CI uses testout/browser), else to a temporary folder named in the log.

// browserLimit bounds one browser test: a deadline against a hang, not a
// measure of speed.
const browserLimit = 3 * time.Minute

// browserPath finds the chromium binary, or skips the test.
func browserPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MAILTRAIL_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no chromium binary found (apt-get install -y chromium, or set MAILTRAIL_CHROMIUM)"
	if os.Getenv("MAILTRAIL_REQUIRE_BROWSER") != "" {
		t.Fatal("browser test required by MAILTRAIL_REQUIRE_BROWSER: " + msg)
	}
	t.Skip("browser test skipped: " + msg)
	return ""
}

// browserOut returns the folder for screenshots.
func browserOut(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MAILTRAIL_TEST_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	dir = filepath.Join(dir, t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// browserStart starts a headless chromium with the flags that work on CI
// machines and an empty profile, and returns a tab's context.
func browserStart(t *testing.T) context.Context {
	t.Helper()
	path := browserPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserLimit)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1000),
	)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", path, err)
	}
	return bctx
}

// browserShot saves a screenshot of the whole page as name.png.
func browserShot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%d bytes)", file, len(png))
}

// browserText returns the text of the first element matching sel, waiting
// for it to be visible.
func browserText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(sel)); err != nil {
		t.Fatalf("wait for %s: %v", sel, err)
	}
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// browserFrameText returns the text shown inside the iframe matching sel.
// A sandboxed iframe has an opaque origin, so chromium may run it as a
// separate target: the text is read by attaching to the frame's target when
// it is one, else through the iframe node.
func browserFrameText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	js := fmt.Sprintf(`(function(){var f=document.querySelector(%q);return f?f.getAttribute("sandbox"):null})()`, sel)
	sandbox, err := chromedp.Run(ctx, chromedp.Evaluate[*string](js))
	if err != nil || sandbox == nil {
		t.Fatalf("no iframe %s: %v", sel, err)
	}
	if *sandbox != "" {
		t.Errorf("iframe %s has sandbox=%q, want an empty sandbox (no scripts, opaque origin)", sel, *sandbox)
	}
	src, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).src`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	targets, err := chromedp.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range targets {
		if ti.Type == "iframe" && ti.URL == src {
			fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(ti.TargetID), chromedp.WithDetachOnCancel())
			defer cancel()
			s, err := chromedp.Run(fctx, chromedp.Text("body"))
			if err != nil {
				t.Fatalf("text of iframe %s: %v", sel, err)
			}
			return s
		}
	}
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(sel))
	if err != nil || len(nodes) == 0 {
		t.Fatalf("iframe node %s: %v", sel, err)
	}
	s, err := chromedp.Run(ctx, chromedp.Text("body", chromedp.FromNode(nodes[0])))
	if err != nil {
		t.Fatalf("text of iframe %s: %v", sel, err)
	}
	return s
}

func browserMustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s = %q, want it to contain %q", what, got, w)
		}
	}
}

// TestBrowser_sink loads the sink's web view after a message arrives.
func TestBrowser_sink(t *testing.T) {
	ctx := browserStart(t)
	out := browserOut(t)
	smtpAddr, uiAddr := sinkStart(t)

	// Let the web view see the message (its reload event) before the
	// browser opens, so no reload races the clicks below.
	resp, err := http.Get("http://" + uiAddr + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	stop := time.AfterFunc(waitLimit, func() { resp.Body.Close() }) // bounds the waits below
	defer stop.Stop()
	events := bufio.NewScanner(resp.Body)
	browserWaitEvent(t, events, "ready")
	tpl, data := sinkTemplate(t)
	sinkSend(t, smtpAddr, tpl, data, "7f3e9c1a-5b2d-4e8f-a0c4-d2b6e1f09a37", 1)
	browserWaitEvent(t, events, "reload")

	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+uiAddr+"/")); err != nil {
		t.Fatal(err)
	}
	browserMustContain(t, "message list", browserText(t, ctx, "#list"), "Vehicle check 1", "7f3e9c1a-5b2d-4e8f-a0c4-d2b6e1f09a37")
	browserShot(t, ctx, out, "1-list")
	if err := chromedp.Do(ctx, chromedp.Click("#list a.name"), chromedp.WaitVisible("#frame-desktop")); err != nil {
		t.Fatal(err)
	}
	browserMustContain(t, "subject", browserText(t, ctx, "#subject"), "[7f3e9c1a] Vehicle check 1")
	browserMustContain(t, "resource", browserText(t, ctx, "#resource"), "7f3e9c1a-5b2d-4e8f-a0c4-d2b6e1f09a37")
	browserMustContain(t, "HTML part", browserFrameText(t, ctx, "#frame-desktop"), "AB-001-CD")
	browserShot(t, ctx, out, "2-message")
}

// browserWaitEvent reads server-sent event lines until the event name.
// The read ends with the test's deadline at worst: the server closes the
// stream when the sink stops.
func browserWaitEvent(t *testing.T, sc *bufio.Scanner, name string) {
	t.Helper()
	for sc.Scan() {
		if sc.Text() == "event: "+name {
			return
		}
	}
	t.Fatalf("event stream ended before a %q event: %v", name, sc.Err())
}

// TestBrowser_preview is the browser test: "preview --serve" on a
// free loopback port, the list, the sandboxed iframe with the rendered HTML,
// the text tab, and a template edited on disk showing up by itself.
func TestBrowser_preview(t *testing.T) {
	ctx := browserStart(t)
	out := browserOut(t)
	dir := previewTemplates(t)
	base := previewServeStart(t, dir, "")

	// The list.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	browserMustContain(t, "template list", browserText(t, ctx, "#list"), "vehicle-check", "broken", "fr", "late")
	browserShot(t, ctx, out, "1-list")

	// One template: the HTML part in a sandboxed iframe, at two widths.
	if err := chromedp.Do(ctx, chromedp.Click(`#list a.name[href="/t/vehicle-check"]`), chromedp.WaitVisible("#frame-desktop")); err != nil {
		t.Fatal(err)
	}
	browserMustContain(t, "subject", browserText(t, ctx, "#subject"), "Vehicle AB-123-CD checked")
	browserMustContain(t, "desktop iframe", browserFrameText(t, ctx, "#frame-desktop"), "Hello Ana,", "AB-123-CD", "Brakes: ok")
	browserMustContain(t, "phone iframe", browserFrameText(t, ctx, "#frame-phone"), "Hello Ana,")
	browserShot(t, ctx, out, "2-template-html")

	// The text tab.
	if err := chromedp.Do(ctx, chromedp.Click(`a[data-tab="text"]`), chromedp.WaitVisible("#text-part")); err != nil {
		t.Fatal(err)
	}
	browserMustContain(t, "text part", browserText(t, ctx, "#text-part"), "Hello Ana,", "- Brakes: ok", "https://fleet.example.test/v/42")
	browserShot(t, ctx, out, "3-template-text")

	// Edit the template on disk: the open page reloads by itself (the
	// fragment keeps the text tab open) and shows the edit.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("live").className === "live on"`)); err != nil {
		t.Fatalf("the page did not connect to the event stream: %v", err)
	}
	loads := chromedp.Events(ctx, page.LoadEventFired)
	edited := "---\nsubject: Vehicle {{vehicle.plate}} checked again\n---\nHello {{partner.name}},\n\nEdited by the browser test.\n"
	if err := os.WriteFile(filepath.Join(dir, "vehicle-check.md"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, err := range loads {
		if err != nil {
			t.Fatalf("waiting for the page to reload: %v", err)
		}
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("text-part")||{}).textContent||""`))
		if err == nil && strings.Contains(text, "Edited by the browser test.") {
			break
		}
	}
	browserMustContain(t, "subject after the edit", browserText(t, ctx, "#subject"), "checked again")
	browserShot(t, ctx, out, "4-after-edit-text")
	if err := chromedp.Do(ctx, chromedp.Click(`a[data-tab="html"]`), chromedp.WaitVisible("#frame-desktop")); err != nil {
		t.Fatal(err)
	}
	browserMustContain(t, "desktop iframe after the edit", browserFrameText(t, ctx, "#frame-desktop"), "Edited by the browser test.")
	browserShot(t, ctx, out, "5-after-edit-html")

	// A broken template shows its errors, not a blank page.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/t/broken")); err != nil {
		t.Fatal(err)
	}
	browserMustContain(t, "errors of broken.md", browserText(t, ctx, "#errors"), "broken.md:4:1")
	browserShot(t, ctx, out, "6-broken")

	// The same page on a phone.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/t/vehicle-check?locale=fr")); err != nil {
		t.Fatal(err)
	}
	browserMustContain(t, "French subject", browserText(t, ctx, "#subject"), "Véhicule AB-123-CD contrôlé")
	browserShot(t, ctx, out, "7-phone-fr")
}

// TestBrowser_sandbox renders with a layout that carries a script (a layout
// is trusted and not sanitized, so this stands for anything that slipped
// past sanitizing): the script must not run, neither in the preview's
// iframe nor when the HTML part is opened on its own.
func TestBrowser_sandbox(t *testing.T) {
	ctx := browserStart(t)
	out := browserOut(t)
	dir := previewTemplates(t)
	layout := filepath.Join(t.TempDir(), "layout.html")
	const script = `<script>document.getElementById("b").textContent = "SCRIPT RAN"; document.title = "SCRIPT RAN";</script>`
	if err := os.WriteFile(layout, []byte(`<!doctype html><html><head><title>{{.Subject}}</title></head>`+
		`<body><div id="b">{{.Body}}</div>`+script+`</body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	base := previewServeStart(t, dir, layout)

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/t/vehicle-check"), chromedp.WaitVisible("#frame-desktop")); err != nil {
		t.Fatal(err)
	}
	text := browserFrameText(t, ctx, "#frame-desktop")
	browserMustContain(t, "iframe", text, "Hello Ana,")
	if strings.Contains(text, "SCRIPT RAN") {
		t.Errorf("a script ran inside the sandboxed iframe: %q", text)
	}
	browserShot(t, ctx, out, "1-iframe")

	// The part on its own: its Content-Security-Policy sandboxes it too.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/part/html/vehicle-check")); err != nil {
		t.Fatal(err)
	}
	text = browserText(t, ctx, "body")
	browserMustContain(t, "HTML part", text, "Hello Ana,")
	if strings.Contains(text, "SCRIPT RAN") {
		t.Errorf("a script ran in the HTML part opened on its own: %q", text)
	}
	browserShot(t, ctx, out, "2-part-alone")
}
