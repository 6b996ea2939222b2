package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's chromium headless through the DevTools
// protocol (github.com/chromedp/chromedp). They skip when no chromium is
// installed: "apt-get install -y chromium" (see .ci/browser.sh), or name the
// binary in MAILTRAIL_CHROMIUM. Screenshots go to MAILTRAIL_TEST_OUT when set
// (CI uses testout/browser), else to a temporary folder named in the log.

// browserLimit bounds one browser test: a deadline against a hang, not a
// measure of speed.
const browserLimit = 90 * time.Second

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
	t.Skip("browser test skipped: no chromium binary found (apt-get install -y chromium, or set MAILTRAIL_CHROMIUM)")
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
			fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(ti.TargetID))
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
	smtpAddr, uiAddr, _ := sinkStart(t, sinkOptions{Listen: "127.0.0.1:0", Dir: t.TempDir(), UI: "127.0.0.1:0"})
	app := identityApp(t)
	sinkSendOne(t, smtpAddr, app, "7f3e9c1a-5b2d-4e8f-a0c4-d2b6e1f09a37", 1)

	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+uiAddr+"/")); err != nil {
		t.Fatal(err)
	}
	browserMustContain(t, "message list", browserText(t, ctx, "#list"), "Vehicle check 1", "7f3e9c1a-5b2d-4e8f-a0c4-d2b6e1f09a37")
	if err := chromedp.Do(ctx, chromedp.Click("#list a.name"), chromedp.WaitVisible("#subject")); err != nil {
		t.Fatal(err)
	}
	browserMustContain(t, "subject", browserText(t, ctx, "#subject"), "[7f3e9c1a] Vehicle check 1")
	browserShot(t, ctx, out, "sink-message")
}
