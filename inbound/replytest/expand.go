package replytest

import (
	"fmt"
	"strings"
	"time"
)

// expand fills a phrase template: {wd} {weekday} {d} {dd} {m} {mm} {mon}
// {month} {yyyy} {yy} {H} {HH} {h12} {MM} {ampm} for the date t, {name}
// for the original sender's name and {from} for "Name <addr>".
func expand(tmpl string, ph *phrases, t time.Time, name, from string) string {
	h12 := t.Hour() % 12
	if h12 == 0 {
		h12 = 12
	}
	ampm := "AM"
	if t.Hour() >= 12 {
		ampm = "PM"
	}
	return strings.NewReplacer(
		"{wd}", ph.wd[t.Weekday()], "{weekday}", ph.weekday[t.Weekday()],
		"{dd}", fmt.Sprintf("%02d", t.Day()), "{d}", fmt.Sprint(t.Day()),
		"{mm}", fmt.Sprintf("%02d", int(t.Month())), "{m}", fmt.Sprint(int(t.Month())),
		"{mon}", ph.mon[t.Month()-1], "{month}", ph.month[t.Month()-1],
		"{yyyy}", fmt.Sprint(t.Year()), "{yy}", fmt.Sprintf("%02d", t.Year()%100),
		"{HH}", fmt.Sprintf("%02d", t.Hour()), "{H}", fmt.Sprint(t.Hour()), "{h12}", fmt.Sprint(h12),
		"{MM}", fmt.Sprintf("%02d", t.Minute()), "{ampm}", ampm,
		"{name}", name, "{from}", from,
	).Replace(tmpl)
}
