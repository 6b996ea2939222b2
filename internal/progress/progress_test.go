package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	t.Run("plain lines", func(t *testing.T) {
		var buf bytes.Buffer
		p := New(&buf, false, 4, time.Nanosecond)
		p.Add(false)
		p.Add(true)
		p.Finish()
		out := buf.String()
		if !strings.Contains(out, "progress: 2/4 records (50%), 1 failed") || strings.Contains(out, "\r") {
			t.Errorf("output = %q, want plain progress lines", out)
		}
	})
	t.Run("terminal bar", func(t *testing.T) {
		var buf bytes.Buffer
		p := New(&buf, true, 4, 0)
		p.Add(false)
		p.Add(false)
		p.Finish()
		out := buf.String()
		if !strings.Contains(out, "\r\x1b[K") || !strings.Contains(out, "2/4") || !strings.Contains(out, "█") || !strings.HasSuffix(out, "\n") {
			t.Errorf("output = %q, want a bar redrawn in place", out)
		}
	})
}
