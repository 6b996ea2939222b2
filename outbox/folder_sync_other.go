//go:build !linux

package outbox

import "errors"

// haveSyncfs reports whether syncFileSystem can make a whole group of
// files durable at once; here it cannot, and each file is fsynced.
const haveSyncfs = false

// syncFileSystem is Linux only.
func syncFileSystem(string) error { return errors.ErrUnsupported }

// syncfsReportsErrors is false: there is no syncfs here.
func syncfsReportsErrors() bool { return false }
