// Package atomicfile writes files that appear whole or not at all, even
// after a crash: the data goes to a temporary file beside the final path
// (".NAME.tmp-*"), which is synced, then renamed over the path, and the
// folder is synced so that the rename itself is durable.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File is a file being written under a temporary name. Write to it, then
// call Commit to put it in place or Abort to drop it.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts writing path.
func Create(path string) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &File{File: f, path: path}, nil
}

// Commit syncs and closes the file, gives it perm, renames it over the
// final path and syncs the folder. On error the temporary file is removed
// and the final path is untouched.
func (f *File) Commit(perm fs.FileMode) error {
	if f.done {
		return errors.New("atomicfile: " + f.path + ": already committed or aborted")
	}
	f.done = true
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), perm)
	}
	if err == nil {
		err = os.Rename(f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return SyncDir(filepath.Dir(f.path))
}

// Abort closes and removes the temporary file; after Commit it does nothing.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// WriteFile writes data to path atomically with permissions perm.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit(perm)
}

// SyncDir makes the renames and new entries in dir durable. A folder that
// cannot be synced (some platforms and file systems refuse it) is as
// durable as the platform allows, and is not an error.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !syncUnsupported(err) {
		return err
	}
	return nil
}

func syncUnsupported(err error) bool {
	return strings.Contains(err.Error(), "invalid argument") || strings.Contains(err.Error(), "not supported")
}

// Leftovers lists the temporary files that writes of path interrupted by a
// crash left beside it.
func Leftovers(path string) []string {
	esc := strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`).Replace(filepath.Base(path))
	m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+esc+".tmp-*"))
	return m
}
