package jinja

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// literalEval reads s as Python's ast.literal_eval does after Ansible's
// Json2Python (which reads true, false and null as True, False and
// None): a string, number, tuple, list, dict, boolean or None written
// in Python's syntax, such as the text of a value's repr. ok is false
// when s is not such a literal (Ansible then keeps the text). It takes
// the steps of reading s from w; err is the budget's.
func literalEval(w *budget, s string) (v any, ok bool, err error) {
	if err := w.text(len(s)); err != nil {
		return nil, false, err
	}
	p := &litParser{s: s, w: w}
	p.space()
	v, err = p.tuple(true)
	if err != nil {
		if p.budgetErr != nil {
			return nil, false, p.budgetErr
		}
		return nil, false, nil
	}
	p.space()
	if p.i != len(p.s) {
		return nil, false, nil
	}
	return v, true, nil
}

var errNotLiteral = errors.New("not a literal")

// A litParser reads a Python literal.
type litParser struct {
	s     string
	i     int
	depth int
	// w is the budget of the evaluation; budgetErr its error, once
	// one value too many was read.
	w         *budget
	budgetErr error
}

// space skips white space, line continuations and comments.
func (p *litParser) space() {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			p.i++
		case c == '\\' && p.i+1 < len(p.s) && p.s[p.i+1] == '\n':
			p.i += 2
		case c == '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *litParser) peekByte() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// tuple reads a value, or values separated by commas (a tuple), as the
// top level of an expression or the inside of parentheses allows.
func (p *litParser) tuple(top bool) (any, error) {
	first, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.peekByte() != ',' {
		return first, nil
	}
	items := Tuple{first}
	for p.peekByte() == ',' {
		p.i++
		p.space()
		if p.i >= len(p.s) || p.peekByte() == ')' {
			break
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		p.space()
	}
	_ = top
	return items, nil
}

func (p *litParser) value() (any, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxExprDepth {
		return nil, errNotLiteral
	}
	if p.w != nil {
		if err := p.w.step(1); err != nil {
			p.budgetErr = err
			return nil, err
		}
	}
	p.space()
	if p.i >= len(p.s) {
		return nil, errNotLiteral
	}
	switch c := p.s[p.i]; {
	case c == '[':
		p.i++
		l := []any{}
		for {
			p.space()
			if p.peekByte() == ']' {
				p.i++
				return l, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			l = append(l, v)
			p.space()
			switch p.peekByte() {
			case ',':
				p.i++
			case ']':
			default:
				return nil, errNotLiteral
			}
		}
	case c == '(':
		p.i++
		p.space()
		if p.peekByte() == ')' {
			p.i++
			return Tuple{}, nil
		}
		v, err := p.tuple(false)
		if err != nil {
			return nil, err
		}
		p.space()
		if p.peekByte() != ')' {
			return nil, errNotLiteral
		}
		p.i++
		return v, nil
	case c == '{':
		p.i++
		d := NewDict(0)
		for {
			p.space()
			if p.peekByte() == '}' {
				p.i++
				return d, nil
			}
			k, err := p.value()
			if err != nil {
				return nil, err
			}
			p.space()
			if p.peekByte() != ':' {
				return nil, errNotLiteral // a set, or not a literal
			}
			p.i++
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			key, err := dictKey(k)
			if err != nil {
				return nil, errNotLiteral
			}
			d.Set(key, v)
			p.space()
			switch p.peekByte() {
			case ',':
				p.i++
			case '}':
			default:
				return nil, errNotLiteral
			}
		}
	case c == '-' || c == '+':
		p.i++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		switch n := v.(type) {
		case int, *big.Int, float64:
			if c == '+' {
				return n, nil
			}
			return arith(&budget{}, "-", 0, n)
		}
		return nil, errNotLiteral
	case isDigit(c) || (c == '.' && p.i+1 < len(p.s) && isDigit(p.s[p.i+1])):
		return p.number()
	case c == '\'' || c == '"':
		return p.str("")
	case isNameStart(c):
		j := p.i
		for j < len(p.s) && isNameChar(p.s[j]) {
			j++
		}
		name := p.s[p.i:j]
		if j < len(p.s) && (p.s[j] == '\'' || p.s[j] == '"') {
			switch strings.ToLower(name) {
			case "u", "r":
				p.i = j
				return p.str(strings.ToLower(name))
			}
			return nil, errNotLiteral
		}
		p.i = j
		switch name {
		case "True", "true":
			return true, nil
		case "False", "false":
			return false, nil
		case "None", "null":
			return nil, nil
		}
	}
	return nil, errNotLiteral
}

// number reads a Python int or float literal.
func (p *litParser) number() (any, error) {
	start := p.i
	for p.i < len(p.s) && (isNameChar(p.s[p.i]) || p.s[p.i] == '.' ||
		((p.s[p.i] == '+' || p.s[p.i] == '-') && p.i > start && (p.s[p.i-1] == 'e' || p.s[p.i-1] == 'E') && !strings.HasPrefix(strings.ToLower(p.s[start:]), "0x"))) {
		p.i++
	}
	text := p.s[start:p.i]
	if strings.ContainsAny(text, "jJ") {
		return nil, errNotLiteral
	}
	if strings.Contains(text, "__") || strings.HasSuffix(text, "_") {
		return nil, errNotLiteral
	}
	clean := strings.ReplaceAll(text, "_", "")
	lower := strings.ToLower(clean)
	for prefix, base := range map[string]int{"0x": 16, "0o": 8, "0b": 2} {
		if strings.HasPrefix(lower, prefix) {
			n, ok := new(big.Int).SetString(clean[2:], base)
			if !ok {
				return nil, errNotLiteral
			}
			return normBig(n), nil
		}
	}
	if strings.ContainsAny(lower, ".e") {
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil {
			var ne *strconv.NumError
			if !errors.As(err, &ne) || ne.Err != strconv.ErrRange {
				return nil, errNotLiteral
			}
		}
		return f, nil
	}
	if len(clean) > 1 && clean[0] == '0' && strings.Trim(clean, "0") != "" {
		return nil, errNotLiteral
	}
	n, ok := new(big.Int).SetString(clean, 10)
	if !ok {
		return nil, errNotLiteral
	}
	return normBig(n), nil
}

// str reads a Python string literal (with prefix u or r), and any
// literals adjacent to it, which Python joins.
func (p *litParser) str(prefix string) (any, error) {
	var out strings.Builder
	for {
		q := p.s[p.i]
		triple := strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3))
		closer := string(q)
		if triple {
			closer = strings.Repeat(string(q), 3)
		}
		p.i += len(closer)
		for {
			if p.i >= len(p.s) {
				return nil, errNotLiteral
			}
			if strings.HasPrefix(p.s[p.i:], closer) {
				p.i += len(closer)
				break
			}
			c := p.s[p.i]
			if c == '\n' && !triple {
				return nil, errNotLiteral
			}
			if c == '\\' && p.i+1 < len(p.s) {
				if prefix == "r" {
					out.WriteByte(c)
					out.WriteByte(p.s[p.i+1])
					p.i += 2
					continue
				}
				n, err := unescape(&out, p.s, p.i)
				if err != nil {
					return nil, errNotLiteral
				}
				p.i += n
				continue
			}
			out.WriteByte(c)
			p.i++
		}
		save := p.i
		p.space()
		prefix = ""
		if p.i < len(p.s) && (p.s[p.i] == 'u' || p.s[p.i] == 'r' || p.s[p.i] == 'U' || p.s[p.i] == 'R') && p.i+1 < len(p.s) && (p.s[p.i+1] == '\'' || p.s[p.i+1] == '"') {
			prefix = strings.ToLower(p.s[p.i : p.i+1])
			p.i++
		}
		if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
			p.i = save
			return out.String(), nil
		}
	}
}
