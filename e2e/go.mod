module github.com/mailtrail/mailtrail/e2e

go 1.26.0

require (
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.22.1
)

require github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect

// Tests that import the library's packages use this checkout.
replace github.com/mailtrail/mailtrail => ../
