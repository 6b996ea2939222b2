//go:build !unix

package mailer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// lockSpool creates dir/lock exclusively. Unlike flock on Unix, a crash
// leaves the file behind: remove it by hand once no process runs.
func lockSpool(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, ErrSpoolLocked
		}
		return nil, fmt.Errorf("mailer: spool: lock: %w", err)
	}
	return func() { f.Close(); os.Remove(path) }, nil
}
