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
	// at is the C string's byte at i: NUL (EOS) at and past the end.
	at := func(s string, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	// step is how far a character at i advances (mbrtowc's length): 0 at
	// EOS.
	step := func(s string, i int) int {
		if i < len(s) {
			return 1
		}
		return 0
	}
	p, s := 0, 0
	btP, btS := -1, -1
	for {
		pc := at(pattern, p)
		p += step(pattern, p)
		sc := at(name, s)
		sl := step(name, s)
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
			c := at(pattern, p)
			for c == '*' {
				p++
				c = at(pattern, p)
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
			switch np, r := rangematch(pattern, p, sc, at, step); r {
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
			pc = at(pattern, p)
			if pc == 0 {
				pc = '\\'
			}
			p += step(pattern, p)
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
		bc := at(name, btS)
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
func rangematch(pattern string, p int, test byte, at func(string, int) byte, step func(string, int) int) (np int, result int) {
	negate := at(pattern, p) == '!' || at(pattern, p) == '^'
	if negate {
		p++
	}
	ok := false
	orig := p
	for {
		switch ch := at(pattern, p); {
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
		c := at(pattern, p)
		p += step(pattern, p)
		if at(pattern, p) == '-' && at(pattern, p+1) != 0 && at(pattern, p+1) != ']' {
			p++
			if at(pattern, p) == '\\' {
				p++
			}
			c2 := at(pattern, p)
			p += step(pattern, p)
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
