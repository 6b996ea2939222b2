// Package e2e holds the end-to-end tests that drive the built mailtrail
// command from a headless browser ("preview --serve", "sink --ui").
//
// It is a module of its own so that the library's go.mod lists only what
// the library uses: the browser driver (github.com/chromedp/chromedp) and
// its dependencies are required here, not by users of mailtrail. The
// replace directive in go.mod builds the mailtrail command from this
// checkout. Run the tests with .ci/browser.sh, or from this folder:
//
//	go test -run '^TestBrowser_' ./...
package e2e
