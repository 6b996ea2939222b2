package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/emersion/go-smtp"
)

func TestSendError_classes(t *testing.T) {
	reply := func(op string, code int) *SendError {
		return replyError(op, &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: "text"})
	}
	tests := []struct {
		name string
		err  *SendError
		want []error
	}{
		{"greeting 421", reply(OpGreeting, 421), []error{ErrTransient}},
		{"greeting 554", reply(OpGreeting, 554), []error{ErrPermanent}},
		{"rcpt 452", reply(OpRcpt, 452), []error{ErrTransient}},
		{"rcpt 552 is transient", reply(OpRcpt, 552), []error{ErrTransient}},
		{"data 552 is permanent", reply(OpData, 552), []error{ErrPermanent}},
		{"auth 535", reply(OpAuth, 535), []error{ErrPermanent, ErrAuth}},
		{"auth 454", reply(OpAuth, 454), []error{ErrTransient}},
		{"starttls 454", reply(OpStartTLS, 454), []error{ErrTransient, ErrTLS}},
		{"unexpected 3xx", reply(OpMail, 354), []error{ErrTransient}},
		{"network error", classifySend(OpMail, io.EOF, false), []error{ErrTransient}},
		{"timeout", classifySend(OpGreeting, fmt.Errorf("read: %w", os.ErrDeadlineExceeded), false), []error{ErrTransient, ErrTimeout}},
		{"after the dot", classifySend(OpData, io.EOF, true), []error{ErrUnknownOutcome}},
		{"timeout after the dot", classifySend(OpData, os.ErrDeadlineExceeded, true), []error{ErrUnknownOutcome, ErrTimeout}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantClass(t, tt.err, tt.want...)
			var wrapped error = fmt.Errorf("send to x: %w", tt.err)
			if se, ok := errors.AsType[*SendError](wrapped); !ok || se != tt.err {
				t.Errorf("errors.As through a wrap failed")
			}
		})
	}
}

func TestSendError_Error(t *testing.T) {
	tests := []struct {
		err  *SendError
		want string
	}{
		{&SendError{Op: OpRcpt, Rcpt: "b@x.test", Code: 550, Enhanced: "5.1.1", Msg: "no such user"},
			"mailer: rcpt <b@x.test>: 550 5.1.1 no such user"},
		{&SendError{Op: OpGreeting, Code: 421, Msg: "line one\nline two"},
			"mailer: greeting: 421 line one / line two"},
		{rcptError([]RcptError{{Rcpt: "c@x.test", Code: 452, Enhanced: "4.5.3", Msg: "later"}}, []string{"b@x.test", "d@x.test"}),
			"mailer: rcpt: 1 of 3 recipients rejected: <c@x.test>: 452 4.5.3 later"},
		{&SendError{Op: OpData, Err: io.EOF, class: sendUnknown},
			"mailer: data: outcome unknown, the server may have accepted the message: EOF"},
		{&SendError{Op: OpDial, Err: context.Canceled}, "mailer: dial: context canceled"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	if !errors.Is(&SendError{Op: OpData, Err: context.Canceled, class: sendUnknown}, context.Canceled) {
		t.Error("SendError does not unwrap to its cause")
	}
}
