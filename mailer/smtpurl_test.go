package mailer

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseSMTPURL_valid(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want SMTPConfig
	}{
		{"starttls default port", "smtp://user:pass@mail.example.test",
			SMTPConfig{Host: "mail.example.test", Security: SecurityStartTLS, Username: "user", Password: "pass"}},
		{"starttls port", "smtp://user:pass@mail.example.test:2525",
			SMTPConfig{Host: "mail.example.test", Port: 2525, Username: "user", Password: "pass"}},
		{"implicit tls", "smtps://u:p@mail.example.test:465",
			SMTPConfig{Host: "mail.example.test", Port: 465, Security: SecurityTLS, Username: "u", Password: "p"}},
		{"insecure no auth", "smtp+insecure://127.0.0.1:1025",
			SMTPConfig{Host: "127.0.0.1", Port: 1025, Security: SecurityNone}},
		{"scheme case", "SMTPS://relay.test",
			SMTPConfig{Host: "relay.test", Security: SecurityTLS}},
		{"ipv6", "smtp+insecure://[::1]:25",
			SMTPConfig{Host: "::1", Port: 25, Security: SecurityNone}},
		{"percent-encoded secrets", "smtp://a%40b.test:p%40ss%3Aw%2Fo%25rd@h.test",
			SMTPConfig{Host: "h.test", Username: "a@b.test", Password: "p@ss:w/o%rd"}},
		{"user only", "smtp://apikey@h.test", SMTPConfig{Host: "h.test", Username: "apikey"}},
		{"trailing slash", "smtp://h.test/", SMTPConfig{Host: "h.test"}},
		{"timeout sets all", "smtp://h.test?timeout=10s",
			SMTPConfig{Host: "h.test", DialTimeout: 10 * time.Second, CommandTimeout: 10 * time.Second, DataTimeout: 10 * time.Second}},
		{"specific timeouts override", "smtp://h.test?data_timeout=2m&timeout=10s&dial_timeout=3s",
			SMTPConfig{Host: "h.test", DialTimeout: 3 * time.Second, CommandTimeout: 10 * time.Second, DataTimeout: 2 * time.Minute}},
		{"auth and options", "smtp://u:p@h.test?auth=LOGIN&local_name=app.example.test&max_conns=4",
			SMTPConfig{Host: "h.test", Username: "u", Password: "p", Auth: "login", LocalName: "app.example.test", MaxConns: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSMTPURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseSMTPURL(%q) error: %v", tt.raw, err)
			}
			if *got != tt.want {
				t.Errorf("ParseSMTPURL(%q) = %#v, want %#v", tt.raw, configFields(*got), configFields(tt.want))
			}
		})
	}
}

// configFields prints every field, password included, for test failures.
func configFields(c SMTPConfig) string {
	return fmt.Sprintf("{Host:%q Port:%d Security:%v User:%q Pass:%q Auth:%q Dial:%v Cmd:%v Data:%v Local:%q Max:%d}",
		c.Host, c.Port, c.Security, c.Username, c.Password, c.Auth, c.DialTimeout, c.CommandTimeout, c.DataTimeout, c.LocalName, c.MaxConns)
}

func TestParseSMTPURL_invalid(t *testing.T) {
	const secret = "s3cr3t"
	tests := []struct {
		name, raw, wantIn string
	}{
		{"no scheme", "mail.example.test:587", "want scheme://"},
		{"bare secret", "user:" + secret + "@host", "want scheme://"},
		{"unknown scheme", "http://h.test", `unsupported scheme "http"`},
		{"password with at", "smtp://user:" + secret + "@x@h.test", "percent-encode"},
		{"password with slash", "smtp://user:" + secret + "/x@h.test", "percent-encode"},
		{"password with hash", "smtp://user:" + secret + "#x@h.test", "percent-encode"},
		{"bad escape in password", "smtp://user:" + secret + "%zz@h.test", "invalid percent-escape"},
		{"empty password", "smtp://user:@h.test", "empty password"},
		{"empty user", "smtp://:" + secret + "@h.test", "empty user name"},
		{"missing host", "smtp://user:" + secret + "@", "missing host"},
		{"bad port", "smtp://user:" + secret + "@h.test:99999", "out of range"},
		{"port not a number", "smtp://h.test:abc", "port"},
		{"path", "smtp://h.test/mail", "unexpected path"},
		{"bad timeout", "smtp://h.test?timeout=10", "positive duration"},
		{"negative timeout", "smtp://h.test?dial_timeout=-1s", "positive duration"},
		{"unknown option", "smtp://h.test?tiemout=1s", `unknown option "tiemout"`},
		{"repeated option", "smtp://h.test?auth=plain&auth=login", "given 2 times"},
		{"bad auth", "smtp://h.test?auth=cram-md5", "want plain or login"},
		{"bad local name", "smtp://h.test?local_name=a%20b", "local name"},
		{"bad host", "smtp://::", "invalid host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSMTPURL(tt.raw)
			if err == nil {
				t.Fatalf("ParseSMTPURL(%q) = nil error, want one containing %q", tt.raw, tt.wantIn)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("ParseSMTPURL(%q) error = %q, want it to contain %q", tt.raw, err, tt.wantIn)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("ParseSMTPURL(%q) error = %q, leaks the password", tt.raw, err)
			}
			if !strings.HasPrefix(err.Error(), "mailer: ") {
				t.Errorf("ParseSMTPURL(%q) error = %q, want prefix \"mailer: \"", tt.raw, err)
			}
		})
	}
}

func TestSMTPConfig_Redacted(t *testing.T) {
	cfg, err := ParseSMTPURL("smtps://me%40x.test:p%40ss@h.test:465?timeout=5s&auth=plain")
	if err != nil {
		t.Fatal(err)
	}
	want := "smtps://me%40x.test:xxxxx@h.test:465?auth=plain&command_timeout=5s&data_timeout=5s&dial_timeout=5s"
	if got := cfg.Redacted(); got != want {
		t.Errorf("Redacted() = %q, want %q", got, want)
	}
	// Every way of printing the config hides the password.
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("smtp", "config", cfg, "value", *cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s", *cfg, *cfg, *cfg, cfg), logged.String()} {
		if strings.Contains(s, "p@ss") || strings.Contains(s, "p%40ss") {
			t.Errorf("printed config %q shows the password", s)
		}
	}
	// Redacted parses back to the same settings, less the password.
	back, err := ParseSMTPURL(strings.Replace(cfg.Redacted(), "xxxxx", "p%40ss", 1))
	if err != nil {
		t.Fatalf("ParseSMTPURL(Redacted()) error: %v", err)
	}
	cfg.Port = 465
	if *back != *cfg {
		t.Errorf("ParseSMTPURL(Redacted()) = %s, want %s", configFields(*back), configFields(*cfg))
	}
}

func TestSecurity_String(t *testing.T) {
	for s, want := range map[Security]string{SecurityStartTLS: "starttls", SecurityTLS: "tls", SecurityNone: "none", 7: "Security(7)"} {
		if got := s.String(); got != want {
			t.Errorf("Security(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

func TestSMTPConfigFromEnv(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvSMTPURL {
				return v
			}
			return ""
		}
	}
	if _, err := SMTPConfigFromEnv(env("")); !errors.Is(err, ErrNoSMTP) {
		t.Errorf("SMTPConfigFromEnv(empty) error = %v, want ErrNoSMTP", err)
	}
	if _, err := SMTPConfigFromEnv(env("  ")); !errors.Is(err, ErrNoSMTP) {
		t.Errorf("SMTPConfigFromEnv(blank) error = %v, want ErrNoSMTP", err)
	}
	cfg, err := SMTPConfigFromEnv(env("smtp+insecure://localhost:2525"))
	if err != nil || cfg.Host != "localhost" || cfg.Port != 2525 || cfg.Security != SecurityNone {
		t.Errorf("SMTPConfigFromEnv(valid) = %v, %v", cfg, err)
	}
	_, err = SMTPConfigFromEnv(env("smtp://u:top@secret@h.test"))
	if err == nil || errors.Is(err, ErrNoSMTP) || !strings.Contains(err.Error(), EnvSMTPURL) || strings.Contains(err.Error(), "top@secret") {
		t.Errorf("SMTPConfigFromEnv(bad) error = %v, want one naming %s without the password", err, EnvSMTPURL)
	}
}

func FuzzParseSMTPURL(f *testing.F) {
	for _, s := range []string{
		"smtp://user:pass@mail.example.test:587",
		"smtps://u:p%40ss@h.test?timeout=10s&auth=login",
		"smtp+insecure://[::1]:25?max_conns=3",
		"smtp://u:p@ss@h.test",
		"smtp://h.test?local_name=x&data_timeout=1m",
	} {
		f.Add(s)
	}
	if seeds, err := os.ReadFile(filepath.Join("testdata", "smtpurl-seeds.txt")); err == nil {
		for _, line := range strings.Split(string(seeds), "\n") {
			if line != "" {
				f.Add(line)
			}
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cfg, err := ParseSMTPURL(raw)
		if err != nil {
			// The URL shown in errors keeps nothing between the user
			// name's ':' and the last '@', where the password is.
			if scheme, rest, ok := strings.Cut(raw, "://"); ok {
				if at := strings.LastIndex(rest, "@"); at >= 0 {
					user, pass, ok := strings.Cut(rest[:at], ":")
					stripped := scheme + "://" + user + rest[at:]
					if ok && pass != "" && strings.Contains(strings.NewReplacer("xxxxx", "", "(unparseable, not shown)", "").Replace(redactRaw(raw)), pass) && !strings.Contains(stripped, pass) {
						t.Errorf("redactRaw(%q) = %q shows the password", raw, redactRaw(raw))
					}
				}
			}
			return
		}
		if err := cfg.validate(); err != nil {
			t.Fatalf("ParseSMTPURL(%q) returned an invalid config: %v", raw, err)
		}
		// Redacted round-trips everything but the password.
		back, err := ParseSMTPURL(cfg.Redacted())
		if err != nil {
			t.Fatalf("ParseSMTPURL(%q).Redacted() = %q does not parse: %v", raw, cfg.Redacted(), err)
		}
		want := *cfg
		if want.Password != "" {
			want.Password = "xxxxx"
		}
		if want.Port == 0 {
			want.Port = want.Security.defaultPort()
		}
		if *back != want {
			t.Errorf("round trip of %q: got %s, want %s", raw, configFields(*back), configFields(want))
		}
	})
}
