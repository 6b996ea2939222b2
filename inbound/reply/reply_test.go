package reply

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
)

// TestParseReply_attachments checks which files count as what the partner
// sent, following the seed article: images, video, PDF and vendor types,
// each with its file name (RFC 2231 and RFC 2047 forms decoded), and
// nothing else.
func TestParseReply_attachments(t *testing.T) {
	parts := []struct {
		header string // Content-Type and Content-Disposition lines
		want   string // "type filename" in Reply.Attachments; "" when not listed
	}{
		{"Content-Type: image/jpeg; name=\"IMG_0042.jpeg\"\r\nContent-Disposition: attachment; filename=\"IMG_0042.jpeg\"", "image/jpeg IMG_0042.jpeg"},
		{"Content-Type: image/png\r\nContent-Disposition: inline", "image/png "},
		{"Content-Type: video/quicktime; name=\"IMG_0043.MOV\"\r\nContent-Disposition: attachment; filename=\"IMG_0043.MOV\"", "video/quicktime IMG_0043.MOV"},
		{"Content-Type: video/mp4\r\nContent-Disposition: attachment; filename*=UTF-8''essai%20v%C3%A9hicule.mp4", "video/mp4 essai véhicule.mp4"},
		{"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"=?UTF-8?Q?rapport_v=C3=A9hicule.pdf?=\"", "application/pdf rapport véhicule.pdf"},
		{"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name=\"km.xlsx\"", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet km.xlsx"},
		{"Content-Type: application/vnd.ms-excel\r\nContent-Disposition: attachment; filename=data.xls", "application/vnd.ms-excel data.xls"},
		{"Content-Type: application/zip\r\nContent-Disposition: attachment; filename=all.zip", ""},
		{"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=blob.bin", ""},
		{"Content-Type: text/calendar\r\nContent-Disposition: attachment; filename=invite.ics", ""},
		{"Content-Type: audio/mpeg\r\nContent-Disposition: attachment; filename=memo.mp3", ""},
	}
	var b strings.Builder
	b.WriteString("From: jean@garage.example\r\nSubject: files\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n")
	b.WriteString("--B\r\nContent-Type: text/plain\r\n\r\nHere they are.\r\n")
	var want []string
	for _, p := range parts {
		b.WriteString("--B\r\n" + p.header + "\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n")
		if p.want != "" {
			want = append(want, p.want)
		}
	}
	b.WriteString("--B--\r\n")
	m, err := inbound.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	r := Parse(m)
	var got []string
	for _, a := range r.Attachments {
		got = append(got, a.ContentType+" "+a.Filename)
		if a.Size != 3 || string(a.Data) != "\x00\x01\x02" {
			t.Errorf("attachment %s: %d bytes %q, want the 3 decoded bytes", a.Filename, a.Size, a.Data)
		}
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("Parse().Attachments =\n%s\nwant\n%s", g, w)
	}
	if r.Text != "Here they are." {
		t.Errorf("Parse().Text = %q, want %q", r.Text, "Here they are.")
	}
}

// TestParseReply_yamlStream checks the seed's reading of free text as a
// YAML stream: only the first document is data, so "---" separates data
// from prose, and text after it never adds keys or breaks the data.
func TestParseReply_yamlStream(t *testing.T) {
	tests := []struct {
		name, text string
		want       map[string]string // nil: no data
	}{
		{"data then prose", "Plate: AB-123-CD\nMileage: 12000\n---\nChecked: the car is at the garage, see you Friday.\nbroken: [yaml", map[string]string{"Plate": "AB-123-CD", "Mileage": "12000"}},
		{"JSON then prose", "{\"status\": \"done\"}\n---\nThanks!", map[string]string{"status": "done"}},
		{"second document ignored", "a: 1\n---\nb: 2", map[string]string{"a": "1"}},
		{"prose only", "Thanks, all done.", nil},
		{"prose before the separator", "Hello there, here is the data\n---\nstatus: done", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "From: jean@garage.example\nContent-Type: text/plain; charset=utf-8\n\n" + tt.text + "\n"
			m, err := inbound.Parse(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			r := Parse(m)
			if tt.want == nil {
				if r.Data != nil {
					t.Fatalf("Parse(%q).Data = %v, want nil", tt.text, r.Data)
				}
				return
			}
			if r.DataType != "text" || len(r.Data) != len(tt.want) {
				t.Fatalf("Parse(%q).Data = %v (%s), want %v from text", tt.text, r.Data, r.DataType, tt.want)
			}
			for k, v := range tt.want {
				// Keys are matched case-insensitively.
				got, ok := r.Get(strings.ToUpper(k))
				if !ok || fmt.Sprint(got) != v {
					t.Errorf("Get(%q) = %v, %v, want %q", strings.ToUpper(k), got, ok, v)
				}
			}
		})
	}
}
