package play

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Ansible's free-form `key=value key2="a b"` task arguments, read as its
// parsing/splitter.py reads them: split_args splits at spaces, keeping
// quoted text and `{{ }}`, `{% %}`, `{# #}` blocks together; parse_kv
// takes each word with an unescaped "=" as an option (its value
// unquoted, with escapes such as \n decoded) and the other words as the
// free-form text (_raw_params) of the actions that take one (command and
// shell take only their own options as pairs, the rest of a command line
// staying text).

// commandOptions are the options command and shell take as key=value
// pairs in their free-form text.
var commandOptions = []string{"creates", "removes", "chdir", "executable", "warn", "stdin", "stdin_add_newline", "strip_empty_ends"}

// splitKV splits free-form arguments as parse_kv does; kind tells the
// action (command and shell keep other words as their command line).
func splitKV(s string, kind taskKind) ([]arg, error) {
	words, err := splitArgs(s)
	if err != nil {
		return nil, err
	}
	checkRaw := kind == kindCommand || kind == kindShell
	var out []arg
	var raw []string
	for _, orig := range words {
		x := decodeEscapes(orig)
		eq := -1
		for i := 1; i < len(x); i++ {
			if x[i] == '=' && x[i-1] != '\\' {
				eq = i
				break
			}
		}
		if !strings.Contains(x, "=") {
			raw = append(raw, orig)
			continue
		}
		if eq < 0 {
			raw = append(raw, strings.ReplaceAll(x, `\=`, "="))
			continue
		}
		k, v := x[:eq], x[eq+1:]
		if checkRaw && !contains(commandOptions, k) {
			raw = append(raw, orig)
			continue
		}
		a := arg{key: strings.TrimSpace(k), val: unquote(strings.TrimSpace(v))}
		if i := slices.IndexFunc(out, func(b arg) bool { return b.key == a.key }); i >= 0 {
			// A key given again keeps its place and takes the later
			// value, as a Python dict does.
			out[i].val = a.val
			continue
		}
		out = append(out, a)
	}
	if len(raw) > 0 {
		out = append(out, arg{key: "_raw_params", val: joinArgs(raw)})
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// unquote removes matching quotes around s (is_quoted and unquote).
func unquote(s string) string {
	if len(s) > 1 && s[0] == s[len(s)-1] && (s[0] == '"' || s[0] == '\'') && s[len(s)-2] != '\\' {
		return s[1 : len(s)-1]
	}
	return s
}

var escapeSequence = regexp.MustCompile(`\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\N\{[^}]+\}|\\[\\'"abfnrtv]`)

// decodeEscapes is splitter's _decode_escapes.
func decodeEscapes(s string) string {
	return escapeSequence.ReplaceAllStringFunc(s, func(m string) string {
		switch m[1] {
		case 'U', 'u', 'x':
			n, err := strconv.ParseUint(m[2:], 16, 32)
			if err != nil {
				return m
			}
			return string(rune(n))
		case 'N':
			return m
		}
		return map[byte]string{'\\': `\`, '\'': "'", '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v"}[m[1]]
	})
}

// joinArgs is splitter's join_args.
func joinArgs(words []string) string {
	var b strings.Builder
	for _, w := range words {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// quoteState is splitter's _get_quote_state.
func quoteState(token string, q byte) byte {
	for i := 0; i < len(token); i++ {
		c := token[i]
		if (c == '"' || c == '\'') && (i == 0 || token[i-1] != '\\') {
			if q != 0 {
				if c == q {
					q = 0
				}
			} else {
				q = c
			}
		}
	}
	return q
}

// countBlocks is splitter's _count_jinja2_blocks.
func countBlocks(token string, depth int, open, close string) int {
	o, c := strings.Count(token, open), strings.Count(token, close)
	if o != c {
		depth += o - c
		if depth < 0 {
			depth = 0
		}
	}
	return depth
}

// splitArgs is splitter's split_args.
func splitArgs(args string) ([]string, error) {
	var params []string
	var q byte
	inside := false
	printDepth, blockDepth, commentDepth := 0, 0, 0
	items := strings.Split(args, "\n")
	for itemIdx, item := range items {
		tokens := strings.Split(item, " ")
		cont := false
		for idx, token := range tokens {
			if token == "" && idx != 0 {
				if len(params) > 0 {
					params[len(params)-1] += " "
				}
				continue
			}
			if token == `\` && !inside {
				cont = true
				continue
			}
			wasInside := inside
			q = quoteState(token, q)
			inside = q != 0
			appended := false
			switch {
			case inside && !wasInside && printDepth == 0 && blockDepth == 0 && commentDepth == 0:
				params = append(params, token)
				appended = true
			case printDepth > 0 || blockDepth > 0 || commentDepth > 0 || inside || wasInside:
				if len(params) == 0 {
					params = append(params, "")
				}
				last := len(params) - 1
				switch {
				case idx == 0 && wasInside:
					params[last] += token
				case len(tokens) > 1:
					spacer := ""
					if idx > 0 {
						spacer = " "
					}
					params[last] += spacer + token
				default:
					params[last] += "\n" + token
				}
				appended = true
			}
			for _, blk := range []struct {
				depth       *int
				open, close string
			}{{&printDepth, "{{", "}}"}, {&blockDepth, "{%", "%}"}, {&commentDepth, "{#", "#}"}} {
				prev := *blk.depth
				*blk.depth = countBlocks(token, prev, blk.open, blk.close)
				if *blk.depth != prev && !appended {
					params = append(params, token)
					appended = true
				}
			}
			if printDepth == 0 && blockDepth == 0 && commentDepth == 0 && !inside && !appended && token != "" {
				params = append(params, token)
			}
		}
		if len(items) > 1 && itemIdx != len(items)-1 && !cont && len(params) > 0 {
			params[len(params)-1] += "\n"
		}
	}
	if printDepth > 0 || blockDepth > 0 || commentDepth > 0 || inside {
		return nil, fmt.Errorf("failed at splitting arguments, either an unbalanced jinja2 block or quotes: %s", args)
	}
	return params, nil
}
