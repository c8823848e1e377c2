package zones

// fnmatchPathname is fnmatch(3C) with FNM_PATHNAME and no other flag, as
// zoneadm's warn_dev_match() calls it, in the POSIX locale (one byte, one
// character). It follows illumos-gate usr/src/lib/libc/port/locale/fnmatch.c
// fnmatch1() and rangematch():
//   - '*' and '?' never match '/', nor does a bracket expression;
//   - a '*' retried on a mismatch takes one more character, never a '/';
//   - "[!...]" and "[^...]" negate; a ']' first in the list is itself; a
//     '-' last in the list, or before ']', is itself;
//   - a bracket expression that does not close (or whose range has no end)
//     is no error: its '[' is matched as an ordinary character;
//   - a '/' inside a bracket expression makes it match nothing;
//   - '\\' quotes the next character, and a trailing '\\' is itself.
//
// Unlike Go's path.Match, fnmatch never reports a bad pattern.
func fnmatchPathname(pattern, name string) bool {
	p, s := 0, 0
	btP, btS := -1, -1
	for {
		pc := eosByte(pattern, p)
		p += charLen(pattern, p)
		sc := eosByte(name, s)
		sl := charLen(name, s)
		matched := false
		switch pc {
		case 0:
			if sc == 0 {
				return true
			}
		case '?':
			if sc == 0 {
				return false
			}
			if sc != '/' {
				s += sl
				matched = true
			}
		case '*':
			c := eosByte(pattern, p)
			for c == '*' {
				p++
				c = eosByte(pattern, p)
			}
			switch {
			case c == 0:
				// A trailing '*' takes the rest of a path component.
				for i := s; i < len(name); i++ {
					if name[i] == '/' {
						return false
					}
				}
				return true
			case c == '/':
				i := s
				for i < len(name) && name[i] != '/' {
					i++
				}
				if i == len(name) {
					return false
				}
				s = i
			default:
				// The shortest match first; an earlier '*' is
				// forgotten.
				btP, btS = p, s
			}
			matched = true
		case '[':
			if sc == 0 {
				return false
			}
			if sc == '/' {
				break
			}
			switch np, r := rangematch(pattern, p, sc); r {
			case rangeError:
				// An ordinary '['.
				s += sl
				matched = pc == sc
			case rangeMatch:
				p = np
				s += sl
				matched = true
			}
		case '\\':
			pc = eosByte(pattern, p)
			if pc == 0 {
				pc = '\\'
			}
			p += charLen(pattern, p)
			s += sl
			matched = pc == sc
		default:
			s += sl
			matched = pc == sc
		}
		if matched {
			continue
		}
		// Back to the last '*', which takes one character more: never
		// the end of the name, nor a '/'.
		if btP < 0 {
			return false
		}
		bc := eosByte(name, btS)
		if bc == 0 || bc == '/' {
			return false
		}
		btS++
		p, s = btP, btS
	}
}

// rangematch's results (fnmatch.c RANGE_MATCH, RANGE_NOMATCH,
// RANGE_ERROR).
const (
	rangeNoMatch = iota
	rangeMatch
	rangeError
)

// rangematch is fnmatch.c rangematch() with FNM_PATHNAME in the POSIX
// locale: the bracket expression whose list starts at pattern[p] against
// the name's character test; on a match, np is where the pattern goes on.
func rangematch(pattern string, p int, test byte) (np int, result int) {
	negate := eosByte(pattern, p) == '!' || eosByte(pattern, p) == '^'
	if negate {
		p++
	}
	ok := false
	orig := p
	for {
		switch ch := eosByte(pattern, p); {
		case ch == ']' && p > orig:
			p++
			if ok == negate {
				return p, rangeNoMatch
			}
			return p, rangeMatch
		case ch == 0:
			return p, rangeError
		case ch == '/':
			return p, rangeNoMatch
		case ch == '\\':
			p++
		}
		c := eosByte(pattern, p)
		p += charLen(pattern, p)
		if eosByte(pattern, p) == '-' && eosByte(pattern, p+1) != 0 && eosByte(pattern, p+1) != ']' {
			p++
			if eosByte(pattern, p) == '\\' {
				p++
			}
			c2 := eosByte(pattern, p)
			p += charLen(pattern, p)
			if c2 == 0 {
				return p, rangeError
			}
			if c <= test && test <= c2 {
				ok = true
			}
		} else if c == test {
			ok = true
		}
	}
}

// eosByte is the C string s's byte at i: NUL (EOS) at and past its end.
func eosByte(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// charLen is how far the character at i advances (mbrtowc()'s length, one
// byte in the POSIX locale): 0 at EOS, which mbrtowc() reads as L'\0'.
func charLen(s string, i int) int {
	if i < len(s) {
		return 1
	}
	return 0
}
