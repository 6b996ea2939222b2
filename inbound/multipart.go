package inbound

// parseMultipart reads the preamble, parts and epilogue of pt.
func (p *parser) parseMultipart(pt *Part, depth int) {
	if pt.Boundary == "" {
		pt.Defects = append(pt.Defects, DefectNoBoundary)
		pt.raw = p.r.rest()
		return
	}
	sep := "--" + pt.Boundary
	preStart := p.r.pos
	preEnd, ok := p.preamble(sep)
	if !ok {
		pt.Defects = append(pt.Defects, DefectStartBoundaryNotFound)
		pt.raw = p.r.buf[preStart:preEnd]
		p.r.rest()
		return
	}
	if preEnd > preStart {
		// RFC 2046: the line break before a boundary belongs to it.
		pt.Preamble = trimEOL(p.r.buf[preStart:preEnd])
	}
	closed, limited := p.parseParts(pt, sep, depth)
	switch {
	case limited:
	case !closed:
		pt.Defects = append(pt.Defects, DefectCloseBoundaryNotFound)
	default:
		if ep := p.r.rest(); len(ep) > 0 {
			pt.Epilogue = ep
		}
	}
}

// preamble reads the lines before the first boundary line of sep, which
// it leaves unread, and returns where they end. ok is false when no
// opening boundary line comes: a closing one (read), an enclosing
// boundary or the end of the input comes first.
func (p *parser) preamble(sep string) (end int, ok bool) {
	end = p.r.pos
	for {
		line, more := p.r.next()
		if !more {
			return end, false
		}
		isB, isEnd := boundaryLine(line, sep)
		switch {
		case !isB:
			end = p.r.pos
		case isEnd:
			return end, false
		default:
			p.r.unread(line)
			return end, true
		}
	}
}

// parseParts reads the parts of pt, each after a boundary line of sep, up
// to the closing boundary line (closed), the end of the input, or the
// part limit (limited: the rest is then pt's epilogue).
func (p *parser) parseParts(pt *Part, sep string, depth int) (closed, limited bool) {
	childDefault := "text/plain"
	if pt.ContentType == "multipart/digest" {
		childDefault = "message/rfc822" // RFC 2046 section 5.1.5
	}
	for {
		line, ok := p.r.next()
		if !ok {
			return false, false
		}
		isB, isEnd := boundaryLine(line, sep)
		if !isB {
			continue
		}
		if isEnd {
			return true, false
		}
		p.skipBoundaries(sep)
		if p.count >= p.maxParts {
			pt.Defects = append(pt.Defects, DefectPartLimit)
			pt.Epilogue = p.r.rest()
			return false, true
		}
		p.r.bounds = append(p.r.bounds, sep)
		child := p.parsePart(depth+1, childDefault)
		p.r.bounds = p.r.bounds[:len(p.r.bounds)-1]
		p.giveEOLToBoundary(child)
		p.last = pt
		pt.Parts = append(pt.Parts, child)
	}
}

// skipBoundaries reads the boundary lines of sep that follow: back-to-back
// boundary lines delimit no part.
func (p *parser) skipBoundaries(sep string) {
	for {
		l, ok := p.r.next()
		if !ok {
			return
		}
		if b, _ := boundaryLine(l, sep); !b {
			p.r.unread(l)
			return
		}
	}
}

// giveEOLToBoundary takes the line break off the end of child, which a
// boundary line ends: RFC 2046 says it belongs to the boundary. It is
// taken from the part read last, which is the innermost one when the
// child encloses a message.
func (p *parser) giveEOLToBoundary(child *Part) {
	if last := p.last; last.MainType() == "multipart" {
		if len(last.Epilogue) == 0 {
			last.Epilogue = nil
		} else {
			last.Epilogue = trimEOL(last.Epilogue)
		}
	} else if last.raw != nil {
		last.raw = trimEOL(last.raw)
	}
	if nested(child.ContentType) && child.raw != nil {
		child.raw = trimEOL(child.raw)
	}
}
