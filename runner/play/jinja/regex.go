package jinja

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Regular expressions are written in Python's re syntax. They run on
// Go's RE2, which agrees with Python's re for most patterns; the few
// differences are translated (\d, \w and \s match Unicode as in Python
// 3, \Z is \z, {,n} is {0,n}), and what RE2 cannot do (backreferences,
// lookaround, possessive and atomic groups) is an error naming it.

// A pyRegexp is a compiled Python regular expression.
type pyRegexp struct {
	re *regexp.Regexp
	// groups maps group names to their numbers.
	groups map[string]int
}

var regexCache sync.Map // string -> *pyRegexp or error

// maxRegexLen bounds the length of a pattern.
const maxRegexLen = 1 << 16

// compilePy compiles a Python pattern with the flags i (ignore case) and
// m (multiline).
func compilePy(pattern string, ignoreCase, multiline bool) (*pyRegexp, error) {
	key := fmt.Sprintf("%t%t%s", ignoreCase, multiline, pattern)
	if v, ok := regexCache.Load(key); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*pyRegexp), nil
	}
	re, err := compilePyUncached(pattern, ignoreCase, multiline)
	if err != nil {
		regexCache.Store(key, err)
		return nil, err
	}
	regexCache.Store(key, re)
	return re, nil
}

func compilePyUncached(pattern string, ignoreCase, multiline bool) (*pyRegexp, error) {
	if len(pattern) > maxRegexLen {
		return nil, fmt.Errorf("regular expression longer than %d bytes", maxRegexLen)
	}
	goPat, err := translateRegex(pattern)
	if err != nil {
		return nil, err
	}
	flags := ""
	if ignoreCase {
		flags += "i"
	}
	if multiline {
		flags += "m"
	}
	if flags != "" {
		goPat = "(?" + flags + ")" + goPat
	}
	re, err := regexp.Compile(goPat)
	if err != nil {
		return nil, fmt.Errorf("bad regular expression %q: %v", pattern, err)
	}
	groups := map[string]int{}
	for i, n := range re.SubexpNames() {
		if n != "" {
			groups[n] = i
		}
	}
	return &pyRegexp{re: re, groups: groups}, nil
}

// CheckRegex tells whether pattern is a Python regular expression
// zonemgr play can run.
func CheckRegex(pattern string) error {
	_, err := compilePy(pattern, false, false)
	return err
}

// translateRegex turns Python's regex syntax into RE2's.
func translateRegex(p string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			e := p[i+1]
			i++
			switch {
			case e == 'd':
				if inClass {
					b.WriteString(`\p{Nd}`)
				} else {
					b.WriteString(`\p{Nd}`)
				}
			case e == 'w':
				if inClass {
					b.WriteString(`\p{L}\p{N}_`)
				} else {
					b.WriteString(`[\p{L}\p{N}_]`)
				}
			case e == 'W' && !inClass:
				b.WriteString(`[^\p{L}\p{N}_]`)
			case e == 'D' && !inClass:
				b.WriteString(`\P{Nd}`)
			case e == 's':
				if inClass {
					b.WriteString(`\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}`)
				} else {
					b.WriteString(`[\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}]`)
				}
			case e == 'S' && !inClass:
				b.WriteString(`[^\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}]`)
			case e == 'Z':
				b.WriteString(`\z`)
			case e >= '1' && e <= '9' && !inClass:
				return "", fmt.Errorf("backreferences (\\%c) in regular expressions are not supported", e)
			case e == 'g' && !inClass:
				return "", fmt.Errorf("backreferences in regular expressions are not supported")
			case e == 'x' && i+2 < len(p):
				b.WriteString(`\x{` + p[i+1:i+3] + `}`)
				i += 2
			case e == 'u' && i+4 < len(p):
				b.WriteString(`\x{` + p[i+1:i+5] + `}`)
				i += 4
			case e == 'U' && i+8 < len(p):
				b.WriteString(`\x{` + p[i+1:i+9] + `}`)
				i += 8
			case e == '0':
				b.WriteString(`\x00`)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case inClass:
			if c == ']' {
				inClass = false
			}
			if c == '[' {
				b.WriteString(`\[`)
				continue
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case c == '(' && i+2 < len(p) && p[i+1] == '?':
			rest := p[i+2:]
			switch {
			case strings.HasPrefix(rest, "P<") || strings.HasPrefix(rest, ":"):
				b.WriteByte(c)
			case strings.HasPrefix(rest, "P="):
				return "", fmt.Errorf("backreferences ((?P=...)) in regular expressions are not supported")
			case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"), strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
				return "", fmt.Errorf("lookahead and lookbehind ((?=, (?!, (?<=, (?<!) in regular expressions are not supported")
			case strings.HasPrefix(rest, ">"):
				return "", fmt.Errorf("atomic groups ((?>...)) in regular expressions are not supported")
			case strings.HasPrefix(rest, "#"):
				j := strings.IndexByte(rest, ')')
				if j < 0 {
					return "", fmt.Errorf("missing ), unterminated comment")
				}
				i += 2 + j
			default:
				j := 0
				for j < len(rest) && strings.IndexByte("aiLmsux-", rest[j]) >= 0 {
					if rest[j] == 'x' {
						return "", fmt.Errorf("verbose regular expressions ((?x)) are not supported")
					}
					if rest[j] == 'L' || rest[j] == 'a' || rest[j] == 'u' {
						return "", fmt.Errorf("the regular expression flag %c is not supported", rest[j])
					}
					j++
				}
				b.WriteByte(c)
			}
		case c == '{' && i+1 < len(p) && p[i+1] == ',':
			j := i + 2
			for j < len(p) && p[j] >= '0' && p[j] <= '9' {
				j++
			}
			if j < len(p) && p[j] == '}' && j > i+2 {
				b.WriteString("{0," + p[i+2:j] + "}")
				i = j
				continue
			}
			b.WriteString(`\{`)
		case (c == '*' || c == '+' || c == '?' || c == '}') && i+1 < len(p) && p[i+1] == '+':
			return "", fmt.Errorf("possessive quantifiers (%c+) in regular expressions are not supported", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// expandRepl expands a Python replacement template (\1, \g<1>,
// \g<name>, and the escapes \n, \t, \\ ...) for one match.
func (r *pyRegexp) expandRepl(repl, s string, m []int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '\\' || i+1 >= len(repl) {
			b.WriteByte(c)
			continue
		}
		i++
		e := repl[i]
		group := -1
		switch {
		case e >= '0' && e <= '9':
			j := i
			for j < len(repl) && j < i+2 && repl[j] >= '0' && repl[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(repl[i:j])
			if e == '0' {
				b.WriteByte(0)
				continue
			}
			group = n
			i = j - 1
		case e == 'g':
			if i+1 >= len(repl) || repl[i+1] != '<' {
				return "", fmt.Errorf("missing < at position %d", i)
			}
			end := strings.IndexByte(repl[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("missing >, unterminated name at position %d", i+2)
			}
			name := repl[i+2 : i+end]
			if n, err := strconv.Atoi(name); err == nil {
				group = n
			} else if n, ok := r.groups[name]; ok {
				group = n
			} else {
				return "", fmt.Errorf("unknown group name '%s'", name)
			}
			i += end
		case e == 'n':
			b.WriteByte('\n')
			continue
		case e == 't':
			b.WriteByte('\t')
			continue
		case e == 'r':
			b.WriteByte('\r')
			continue
		case e == 'f':
			b.WriteByte('\f')
			continue
		case e == 'v':
			b.WriteByte('\v')
			continue
		case e == 'a':
			b.WriteByte('\a')
			continue
		case e == 'b':
			b.WriteByte('\b')
			continue
		case e == '\\':
			b.WriteByte('\\')
			continue
		case (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z'):
			return "", fmt.Errorf("bad escape \\%c at position %d", e, i-1)
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
			continue
		}
		if group >= len(m)/2 {
			return "", fmt.Errorf("invalid group reference %d at position %d", group, i)
		}
		if m[2*group] >= 0 {
			b.WriteString(s[m[2*group]:m[2*group+1]])
		}
	}
	return b.String(), nil
}

// sub is Python's re.sub: every match replaced by the expanded
// replacement, within the budget w.
func (r *pyRegexp) sub(w *budget, s, repl string) (string, error) {
	matches := r.re.FindAllStringSubmatchIndex(s, -1)
	if err := w.step(len(matches) + len(s)/textPerStep); err != nil {
		return "", err
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		b.WriteString(s[last:m[0]])
		x, err := r.expandRepl(repl, s, m)
		if err != nil {
			return "", err
		}
		if b.Len()+len(x) > maxStringSize {
			return "", stringTooLarge()
		}
		b.WriteString(x)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String(), w.checkString(b.Len())
}
