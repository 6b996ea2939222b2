package templates

import (
	"sort"
	"unicode/utf8"
)

// source is a template file with a line index, turning byte offsets into
// line:col positions.
type source struct {
	file  string
	text  string
	lines []int // byte offset of each line start
}

func newSource(file, text string) *source {
	s := &source{file: file, text: text, lines: []int{0}}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	return s
}

// pos returns the position of byte offset off; the column counts runes, an
// invalid byte counting as one.
func (s *source) pos(off int) Pos { return s.posAfter(Pos{}, off) }

// posAfter is pos(off), with the column counted from prev when prev is an
// earlier position on the same line, at the start of a rune: a reader that
// asks in increasing order (the parser) then counts each byte once, where
// counting from the line's start made a long line of many tags quadratic.
func (s *source) posAfter(prev Pos, off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(s.text) {
		off = len(s.text)
	}
	i := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off }) - 1
	start, col := s.lines[i], 1
	if prev.Line == i+1 && prev.Offset >= start && prev.Offset <= off &&
		(prev.Offset == len(s.text) || utf8.RuneStart(s.text[prev.Offset])) {
		start, col = prev.Offset, prev.Col
	}
	return Pos{Offset: off, Line: i + 1, Col: col + utf8.RuneCountInString(s.text[start:off])}
}

func (s *source) errorf(off int, sentinel error, msg string) *Error {
	p := s.pos(off)
	return &Error{File: s.file, Line: p.Line, Col: p.Col, Msg: msg, Err: sentinel}
}
