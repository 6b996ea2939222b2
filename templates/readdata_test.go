package templates

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// endless is a reader of '{' forever that counts what was read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestReadData_limit(t *testing.T) {
	// A file that says its size is refused before it is read: a 100 MB
	// sparse file costs no memory.
	path := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var got error
	alloc := lineartest.Allocated(func() {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		_, got = ReadData(path, f, 0)
	})
	var se *DataSizeError
	if !errors.Is(got, ErrDataTooLarge) || !errors.As(got, &se) || se.Limit != DefaultMaxData {
		t.Fatalf("ReadData(100 MB file) error = %v, want a *DataSizeError over %d", got, DefaultMaxData)
	}
	if want := "templates: data file " + path + " is larger than the limit of 16 MiB"; got.Error() != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if alloc > 1<<20 {
		t.Errorf("ReadData allocated %d bytes to refuse a 100 MB file, want < 1 MiB", alloc)
	}

	// A stream is cut at the limit.
	e := &endless{}
	if _, err := ReadData("standard input", io.LimitReader(e, 1<<40), 1<<20); !errors.Is(err, ErrDataTooLarge) {
		t.Fatalf("ReadData(endless stream) error = %v, want ErrDataTooLarge", err)
	}
	if e.n > 1<<20+64<<10 {
		t.Errorf("ReadData read %d bytes of a stream with a limit of 1 MiB", e.n)
	}

	// Under the limit it is ParseData.
	m, err := ReadDataFile(fstest.MapFS{"d.json": {Data: []byte(`{"a": 1}`)}}, "d.json", 8)
	if err != nil || m["a"] == nil {
		t.Errorf("ReadDataFile(8-byte file, limit 8) = %v, %v; want the object", m, err)
	}
	if _, err := ReadDataFile(fstest.MapFS{"d.json": {Data: []byte(`{"a": 12}`)}}, "d.json", 8); !errors.Is(err, ErrDataTooLarge) {
		t.Errorf("ReadDataFile(9-byte file, limit 8) error = %v, want ErrDataTooLarge", err)
	}
	if _, err := ReadData("d.json", strings.NewReader("{\n oops}"), 0); !errors.Is(err, ErrData) {
		t.Errorf("ReadData(bad JSON) error = %v, want ErrData", err)
	}
}
