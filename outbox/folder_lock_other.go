//go:build !unix

package outbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// lockFolder creates dir/lock exclusively. Unlike flock on Unix, a crash
// leaves the file behind: remove it by hand once no process runs.
func lockFolder(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("outbox: lock: %w", err)
	}
	return func() { f.Close(); os.Remove(path) }, nil
}
