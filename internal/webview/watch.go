package webview

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// debounce is how long the watcher waits for a burst of file events to end:
// editors save in several steps (write a temporary file, rename, chmod).
const debounce = 150 * time.Millisecond

// watcher calls a function once per burst of changes to the files of
// interest in a folder tree and a few single files.
type watcher struct {
	fsw      *fsnotify.Watcher
	relevant func(name string) bool
	files    map[string]bool // single files watched through their folder
	onChange func()
	log      *slog.Logger
	done     chan struct{}
}

// newWatcher watches dir and its subfolders (when dir is not empty) and the
// given extra files. relevant filters the names (base names) of changed
// files in dir. The watch is in place when newWatcher returns; run delivers
// the changes.
func newWatcher(dir string, extra []string, relevant func(string) bool, onChange func(), log *slog.Logger) (*watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("webview: watch: %w", err)
	}
	w := &watcher{fsw: fsw, relevant: relevant, files: make(map[string]bool), onChange: onChange, log: log, done: make(chan struct{})}
	if dir != "" {
		if err := w.addTree(dir); err != nil {
			fsw.Close()
			return nil, err
		}
	}
	for _, f := range extra {
		abs, err := filepath.Abs(f)
		if err != nil {
			fsw.Close()
			return nil, fmt.Errorf("webview: watch %s: %w", f, err)
		}
		w.files[abs] = true
		// Watch the folder, not the file: an editor that saves by renaming
		// a new file over the old one would end a watch on the file itself.
		if err := fsw.Add(filepath.Dir(abs)); err != nil {
			fsw.Close()
			return nil, fmt.Errorf("webview: watch %s: %w", f, err)
		}
	}
	return w, nil
}

// addTree watches dir and every folder below it. fsnotify watches one folder
// at a time.
func (w *watcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if err := w.fsw.Add(path); err != nil {
			return fmt.Errorf("webview: watch %s: %w", path, err)
		}
		return nil
	})
}

func (w *watcher) interesting(ev fsnotify.Event) bool {
	if abs, err := filepath.Abs(ev.Name); err == nil && w.files[abs] {
		return true
	}
	base := filepath.Base(ev.Name)
	if strings.HasPrefix(base, ".") || strings.HasSuffix(base, "~") {
		return false // editor swap and backup files
	}
	return w.relevant == nil || w.relevant(base)
}

// run delivers changes until ctx is done, then closes the watcher.
func (w *watcher) run(ctx context.Context) {
	defer close(w.done)
	defer w.fsw.Close()
	timer := time.NewTimer(debounce)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					if err := w.addTree(ev.Name); err != nil {
						w.log.Warn("webview: watch new folder", "err", err)
					}
					timer.Reset(debounce)
					continue
				}
			}
			if ev.Op == fsnotify.Chmod || !w.interesting(ev) {
				continue
			}
			timer.Reset(debounce)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				w.log.Warn("webview: watch", "err", err)
			}
			timer.Reset(debounce) // overflow: something changed, we missed what
		case <-timer.C:
			w.onChange()
		}
	}
}
