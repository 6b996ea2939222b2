//go:build linux

package outbox

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// haveSyncfs reports whether syncFileSystem can make a whole group of
// files durable at once; elsewhere each file is fsynced.
const haveSyncfs = true

// syncFileSystem makes every file written to the file system holding dir
// durable, data and metadata, with one syncfs(2): the cost of one journal
// commit and one cache flush, however many files. Linux 5.8 and later
// report writeback errors from syncfs (earlier kernels do not: there the
// caller could be told nil for a file that did not reach the disk).
func syncFileSystem(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			serr = unix.Syncfs(int(fd))
			if serr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("syncfs %s: %w", dir, serr)
	}
	return nil
}

// syncfsReportsErrors reports whether the running kernel returns writeback
// errors from syncfs (Linux 5.8 and later); without that, groups fall back
// to one fsync per file.
func syncfsReportsErrors() bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	var major, minor int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 5 || major == 5 && minor >= 8
}
