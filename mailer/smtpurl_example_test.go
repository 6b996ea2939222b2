package mailer_test

import (
	"errors"
	"fmt"

	"github.com/mailtrail/mailtrail/mailer"
)

func ExampleParseSMTPURL() {
	// A password holding '@' is percent-encoded as %40.
	cfg, err := mailer.ParseSMTPURL("smtp://ops%40example.com:s3cr%40t@mail.example.com?timeout=10s")
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Host, cfg.Security, cfg.Username, cfg.CommandTimeout)
	fmt.Println(cfg) // printed, the password is hidden

	// Unencoded, the '@' is reported without showing the password.
	_, err = mailer.ParseSMTPURL("smtp://ops:s3cr@t@mail.example.com")
	fmt.Println(err)
	// Output:
	// mail.example.com starttls ops@example.com 10s
	// smtp://ops%40example.com:xxxxx@mail.example.com:587?command_timeout=10s&data_timeout=10s&dial_timeout=10s
	// mailer: smtp url smtp://ops:xxxxx@mail.example.com: the password holds '@', '/', '?', '#', '[' or ']': percent-encode it (%40 for '@')
}

func ExampleSMTPConfigFromEnv() {
	env := map[string]string{} // os.Getenv in a program
	_, err := mailer.SMTPConfigFromEnv(func(k string) string { return env[k] })
	fmt.Println(errors.Is(err, mailer.ErrNoSMTP))

	env["MAILTRAIL_SMTP_URL"] = "smtp+insecure://127.0.0.1:1025"
	cfg, _ := mailer.SMTPConfigFromEnv(func(k string) string { return env[k] })
	fmt.Println(cfg.Security, cfg.Port)
	// Output:
	// true
	// none 1025
}

// A file: URL chooses the transport that writes each message as an .eml
// file into a folder, as a development or first-run setting.
func ExampleOpenTransport() {
	tr, err := mailer.OpenTransport("file:./mail", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tr.Close()
	fmt.Println(tr.(*mailer.FileTransport).Dir())
	// Output: ./mail
}
