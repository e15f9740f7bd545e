package bankfile

import (
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// charset encodes text into a file's encoding one character at a time, so
// that widths are counted, and values cut, in the bytes of that encoding.
type charset struct {
	name string
	enc  transform.Transformer // nil for UTF-8
	dec  *encoding.Decoder     // nil for UTF-8
	gb   bool                  // GBK or GB18030 byte structure
	gb4  bool                  // GB18030: four-byte sequences exist
	src  []byte                // scratch for appendRune, kept so that the
	out  []byte                // Transformer call does not allocate per rune
}

func newCharset(name string) *charset {
	switch name {
	case GBK:
		return &charset{name: GBK, enc: simplifiedchinese.GBK.NewEncoder(), dec: simplifiedchinese.GBK.NewDecoder(), gb: true}
	case GB18030:
		return &charset{name: GB18030, enc: simplifiedchinese.GB18030.NewEncoder(), dec: simplifiedchinese.GB18030.NewDecoder(), gb: true, gb4: true}
	}
	return &charset{name: UTF8}
}

// label is the encoding's name in messages.
func (c *charset) label() string {
	switch c.name {
	case GBK:
		return "GBK"
	case GB18030:
		return "GB18030"
	}
	return "UTF-8"
}

// appendRune appends r in the encoding; ok is false when the encoding has
// no code for r (a rare character outside GBK, an emoji).
func (c *charset) appendRune(dst []byte, r rune) (out []byte, ok bool) {
	if r < utf8.RuneSelf {
		return append(dst, byte(r)), true
	}
	if c.enc == nil {
		return utf8.AppendRune(dst, r), true
	}
	if c.src == nil {
		c.src, c.out = make([]byte, utf8.UTFMax), make([]byte, 8)
	}
	n := utf8.EncodeRune(c.src, r)
	c.enc.Reset()
	nDst, _, err := c.enc.Transform(c.out, c.src[:n], true)
	if err != nil || nDst == 0 {
		return dst, false
	}
	return append(dst, c.out[:nDst]...), true
}

// appendString appends the UTF-8 text s in the encoding; bad is the first
// character the encoding cannot represent (0 when all can).
func (c *charset) appendString(dst, s []byte) (out []byte, bad rune) {
	if c.enc == nil || isASCII(s) {
		return append(dst, s...), 0
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		var ok bool
		if dst, ok = c.appendRune(dst, r); !ok {
			return dst, r
		}
		i += n
	}
	return dst, 0
}

func isASCII[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// byteLen is the length of s in the named encoding, characters it cannot
// represent counted as one byte.
func byteLen(s, encodingName string) int {
	if isASCII(s) {
		return len(s)
	}
	c := newCharset(encodingName)
	n := 0
	var buf [4]byte
	for _, r := range s {
		b, ok := c.appendRune(buf[:0], r)
		if !ok {
			n++
		}
		n += len(b)
	}
	return n
}

// decode turns bytes of the encoding into UTF-8; ok is false when they are
// not valid text of the encoding.
func (c *charset) decode(b []byte) (string, bool) {
	if c.dec == nil || isASCII(b) {
		return string(b), utf8.Valid(b)
	}
	out, err := c.dec.Bytes(b)
	if err != nil || !utf8.Valid(out) {
		return "", false
	}
	for _, r := range string(out) {
		if r == utf8.RuneError {
			return "", false
		}
	}
	return string(out), true
}

// boundary reports whether pos in line falls between two characters of the
// encoding, so that a field starting or ending there cuts none in half.
// GBK trail bytes can look like ASCII, so GBK lines are walked from the
// start rather than judged by the byte at pos.
func (c *charset) boundary(line []byte, pos int) bool {
	if pos <= 0 || pos >= len(line) {
		return true
	}
	if !c.gb {
		return utf8.RuneStart(line[pos])
	}
	i := 0
	for i < pos {
		b := line[i]
		switch {
		case b < 0x81 || b == 0xff:
			i++
		case c.gb4 && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '9':
			i += 4
		default:
			i += 2
		}
	}
	return i == pos
}
