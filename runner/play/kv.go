package play

import (
	"fmt"
	"strings"
)

// splitKV splits Ansible's free-form `key=value key2="a b"` text, as
// Ansible's split_args and parse_kv do: white space separates pairs except
// inside quotes and inside `{{ }}`, and a value written in matching quotes
// loses them. All values are strings.
func splitKV(s string) ([]arg, error) {
	var out []arg
	for _, w := range splitWords(s) {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("expected key=value, found %q", w)
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out = append(out, arg{key: k, val: v})
	}
	return out, nil
}

// splitWords splits s at white space outside quotes and `{{ }}`.
func splitWords(s string) []string {
	var words []string
	var b strings.Builder
	var quote byte
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(s) {
				b.WriteByte(c)
				i++
				c = s[i]
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case strings.HasPrefix(s[i:], "{{"):
			depth++
			b.WriteString("{{")
			i++
			continue
		case depth > 0 && strings.HasPrefix(s[i:], "}}"):
			depth--
			b.WriteString("}}")
			i++
			continue
		case depth == 0 && isSpace(c):
			if b.Len() > 0 {
				words = append(words, b.String())
				b.Reset()
			}
			continue
		}
		b.WriteByte(c)
	}
	if b.Len() > 0 {
		words = append(words, b.String())
	}
	return words
}

// isSpace tells whether c is white space between words.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
