package mailtest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/mailtrail/mailtrail/identity"
)

// checkChains checks each message's References root, reference chain and
// subject tag against its thread. heads are in the order received.
func checkChains(heads []*threadMsg) {
	// Where each Message-ID of ours was received: its thread and position.
	where := map[string]*threadMsg{}
	for _, h := range heads {
		if h.msgID != "" && where[h.msgID] == nil {
			where[h.msgID] = h
		}
	}
	for _, h := range heads {
		th := h.thread
		if th.Resource == "" {
			continue
		}
		if h.msgID == "" {
			th.problemf(h, "no Message-ID")
		}
		checkRoot(th, h)
		seen := map[string]bool{}
		for _, r := range h.refs {
			switch {
			case seen[r]:
				th.problemf(h, "References names %s twice", r)
			case r == h.msgID:
				th.problemf(h, "References names the message itself")
			}
			seen[r] = true
			if o := where[r]; o != nil && o.thread == th && o.pos > h.pos {
				th.problemf(h, "References names message %d, which was received later", o.pos)
			}
			if res, ok := ourResource(h.app, r); ok && res != th.Resource {
				th.problemf(h, "References names %s, an id of resource %s", r, res)
			}
		}
		switch {
		case len(h.inReplyTo) > 1:
			th.problemf(h, "In-Reply-To holds %d ids, want one", len(h.inReplyTo))
		case len(h.inReplyTo) == 1 && (len(h.refs) == 0 || h.refs[len(h.refs)-1] != h.inReplyTo[0]):
			th.problemf(h, "In-Reply-To %s is not the last id in References %v (RFC 5322 section 3.6.4)", h.inReplyTo[0], h.refs)
		case len(h.inReplyTo) == 1:
			if res, ok := ourResource(h.app, h.inReplyTo[0]); ok && res != th.Resource {
				th.problemf(h, "In-Reply-To %s is an id of resource %s", h.inReplyTo[0], res)
			}
		}
		checkTag(th, h)
	}
}

// checkRoot checks that h names its thread's root first in References:
// the reply address in angle brackets (see identity.Stamp), the same for
// every message of the thread.
func checkRoot(th *Thread, h *threadMsg) {
	if len(h.refs) == 0 {
		th.problemf(h, "no References: clients cannot group it with the resource's other messages")
		return
	}
	root := h.refs[0]
	_, res, ok := ours(root)
	switch {
	case ok && res != th.Resource:
		th.problemf(h, "References root %s is the thread root of resource %s", root, res)
	case !ok || (h.replyTo != "" && !strings.EqualFold(root, "<"+h.replyTo+">")):
		th.problemf(h, "References starts with %s, not the resource's thread root", root)
	case th.Root == "":
		th.Root = root
	case root != th.Root:
		th.problemf(h, "References root %s differs from the thread's root %s", root, th.Root)
	}
}

// ourResource returns the resource an id of the application names.
func ourResource(app identity.App, id string) (string, bool) {
	a, r, ok := ours(id)
	if !ok || !strings.EqualFold(a.String(), app.String()) {
		return "", false
	}
	return r, true
}

// checkTag checks that the subject carries the thread's tag once.
func checkTag(th *Thread, h *threadMsg) {
	n := strings.Count(strings.ToLower(h.subject), strings.ToLower(th.Tag))
	switch {
	case n == 0:
		got, ok := identity.SubjectTag(h.subject)
		if ok {
			th.problemf(h, "subject %q carries the tag [%s], want %s", h.subject, got, th.Tag)
		} else {
			th.problemf(h, "subject %q carries no tag, want %s", h.subject, th.Tag)
		}
	case n > 1:
		th.problemf(h, "subject %q carries the tag %s %d times", h.subject, th.Tag, n)
	}
}

// Outlook's conversation index ([MS-OXOMSG] 2.2.1.3): a header block of
// one reserved octet (1), five of time and a 16-octet GUID, then five
// octets per reply.
const (
	indexHeaderLen = 22
	indexChildLen  = 5
)

// checkThreadIndex checks Thread-Index and Thread-Topic within each thread
// from the first message that carries Thread-Index on, and that no two
// threads share a GUID.
func checkThreadIndex(threads []*Thread, heads []*threadMsg) {
	guids := map[string]*Thread{}
	for _, th := range threads {
		if th.Resource == "" {
			continue
		}
		var guid []byte
		var topic string
		started, topicSet := false, false
		for _, h := range heads {
			if h.thread != th {
				continue
			}
			if !h.hasIndex {
				if started {
					th.problemf(h, "no Thread-Index, though an earlier message of the thread has one (Outlook splits the conversation)")
				}
				continue
			}
			started = true
			idx, err := base64.StdEncoding.DecodeString(h.threadIndex)
			switch {
			case err != nil:
				th.problemf(h, "Thread-Index %q is not base64: %v", h.threadIndex, err)
				continue
			case len(idx) < indexHeaderLen || (len(idx)-indexHeaderLen)%indexChildLen != 0:
				th.problemf(h, "Thread-Index is %d octets, want 22 plus 5 per reply", len(idx))
				continue
			case idx[0] != 1:
				th.problemf(h, "Thread-Index starts with octet %d, want 1", idx[0])
			}
			g := idx[6:indexHeaderLen]
			if guid == nil {
				guid = g
			} else if !bytes.Equal(g, guid) {
				th.problemf(h, "Thread-Index GUID %s differs from the thread's %s", hex.EncodeToString(g), hex.EncodeToString(guid))
			}
			if h.hasTopic {
				if !topicSet {
					topic, topicSet = h.threadTopic, true
				} else if h.threadTopic != topic {
					th.problemf(h, "Thread-Topic %q differs from the thread's %q", h.threadTopic, topic)
				}
			}
		}
		if guid == nil {
			continue
		}
		if o := guids[string(guid)]; o != nil {
			th.Problems = append(th.Problems, fmt.Sprintf("Thread-Index GUID %s is also resource %s's: Outlook merges the two conversations", hex.EncodeToString(guid), o.Resource))
		} else {
			guids[string(guid)] = th
		}
	}
}
