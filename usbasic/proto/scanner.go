package proto

// Scanner reassembles chip replies from a byte stream that may split frames
// across reads and carry garbage: it resynchronises by dropping bytes until
// a well-formed frame starts. Not safe for concurrent use.
type Scanner struct {
	kind    scanKind
	buf     []byte
	dropped uint64
}

type scanKind int

const (
	scanBM1397 scanKind = iota
	scanBM1387
	scanBM1384
	scanIcarus
)

// NewBM1397Scanner, NewBM1387Scanner, NewBM1384Scanner and NewIcarusScanner
// return scanners for each family's replies.
func NewBM1397Scanner() *Scanner { return &Scanner{kind: scanBM1397} }

// NewBM1387Scanner returns a scanner for 7-byte BM1387 replies.
func NewBM1387Scanner() *Scanner { return &Scanner{kind: scanBM1387} }

// NewBM1384Scanner returns a scanner for 5-byte BM1384 replies.
func NewBM1384Scanner() *Scanner { return &Scanner{kind: scanBM1384} }

// NewIcarusScanner returns a scanner for 4-byte Icarus nonces. The stream
// has no framing: call Flush after a quiet gap to drop a partial reply.
func NewIcarusScanner() *Scanner { return &Scanner{kind: scanIcarus} }

// maxBuffered bounds the bytes a scanner holds (a flood of garbage).
const maxBuffered = 4096

// Write appends bytes read from the port.
func (s *Scanner) Write(p []byte) {
	s.buf = append(s.buf, p...)
	if len(s.buf) > maxBuffered {
		n := len(s.buf) - maxBuffered
		s.dropped += uint64(n)
		s.buf = append(s.buf[:0], s.buf[n:]...)
	}
}

// Dropped is the number of bytes discarded as garbage so far.
func (s *Scanner) Dropped() uint64 { return s.dropped }

// Buffered is the number of bytes held that do not yet form a reply.
func (s *Scanner) Buffered() int { return len(s.buf) }

// Flush discards buffered bytes that do not form a complete reply.
func (s *Scanner) Flush() {
	s.dropped += uint64(len(s.buf))
	s.buf = s.buf[:0]
}

func (s *Scanner) drop(n int) {
	s.dropped += uint64(n)
	s.buf = s.buf[n:]
}

// Next returns the next complete reply, false when more bytes are needed.
func (s *Scanner) Next() (Reply, bool) {
	for {
		var (
			n   int
			r   Reply
			err error
		)
		switch s.kind {
		case scanBM1397:
			i := indexPreamble(s.buf)
			if i < 0 {
				keep := 0
				if len(s.buf) > 0 && s.buf[len(s.buf)-1] == 0xAA {
					keep = 1
				}
				s.drop(len(s.buf) - keep)
				return Reply{}, false
			}
			s.drop(i)
			n = BM1397ReplyLen
			if len(s.buf) < n {
				return Reply{}, false
			}
			r, err = ParseBM1397Reply(s.buf)
			if err != nil {
				s.drop(1)
				continue
			}
		case scanBM1387:
			n = BM1387ReplyLen
			if len(s.buf) < n {
				return Reply{}, false
			}
			r, err = ParseBM1387Reply(s.buf)
		case scanBM1384:
			n = BM1384ReplyLen
			if len(s.buf) < n {
				return Reply{}, false
			}
			r, err = ParseBM1384Reply(s.buf)
		case scanIcarus:
			n = IcarusReplyLen
			if len(s.buf) < n {
				return Reply{}, false
			}
			r.Nonce = true
			copy(r.Data[:], s.buf)
		}
		if err != nil {
			s.drop(1)
			continue
		}
		s.buf = s.buf[n:]
		return r, true
	}
}

func indexPreamble(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == 0xAA && b[i+1] == 0x55 {
			return i
		}
	}
	return -1
}
