package inbound

import "testing"

func TestKind_String(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{Reply, "reply"}, {AutoReply, "auto-reply"}, {Bounce, "bounce"}, {Kind(9), "Kind(9)"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tt.k), got, tt.want)
		}
		if tt.k > Bounce {
			if _, err := tt.k.MarshalText(); err == nil {
				t.Errorf("Kind(%d).MarshalText() = nil error", int(tt.k))
			}
			continue
		}
		var back Kind
		b, _ := tt.k.MarshalText()
		if err := back.UnmarshalText(b); err != nil || back != tt.k {
			t.Errorf("UnmarshalText(%q) = %v, %v", b, back, err)
		}
	}
}
