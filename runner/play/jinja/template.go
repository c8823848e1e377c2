package jinja

import (
	"strings"
	"sync"
)

// A Template is a parsed template string: literal text with `{{ expr }}`
// interpolations and `{# comments #}`. Whitespace control (`{{-`, `-}}`)
// trims the text next to it, as in Jinja2. Statements (`{% %}`) are not
// supported. A Template is immutable: it may be rendered any number of
// times, concurrently.
type Template struct {
	src   string
	parts []templatePart
	// whole is the expression of a template that is exactly one
	// `{{ expr }}`: it renders to the expression's value with its type.
	whole node
}

// A templatePart is literal text or an expression.
type templatePart struct {
	text string
	e    node
}

// IsTemplate tells whether s holds template syntax at all ("{{", "{%" or
// "{#"); other strings are literal text, which rendering leaves as it is.
func IsTemplate(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%") || strings.Contains(s, "{#")
}

// Parse parses the template s. A syntax error is a *SyntaxError.
func Parse(s string) (*Template, error) {
	t := &Template{src: s}
	text := ""
	i := 0
	exprs := 0
	for {
		j := nextDelimiter(s, i)
		if j < 0 {
			text += s[i:]
			break
		}
		text += s[i:j]
		switch s[j+1] {
		case '#':
			end := strings.Index(s[j+2:], "#}")
			if end < 0 {
				return nil, &SyntaxError{s, j, "unterminated comment, expected '#}'"}
			}
			i = j + 2 + end + 2
			continue
		case '%':
			return nil, &SyntaxError{s, j, "statements ({% ... %}) are not supported; use a task's when or loop"}
		}
		start := j + 2
		if start < len(s) && s[start] == '-' {
			text = strings.TrimRight(text, " \t\r\n")
			start++
		}
		toks, end, err := lex(s, start, true)
		if err != nil {
			return nil, err
		}
		last := &toks[len(toks)-1]
		trimNext := last.text == "-}}"
		last.kind = tokEOF
		p := &exprParser{src: s, toks: toks}
		if p.peek().kind == tokEOF {
			return nil, &SyntaxError{s, j, "empty expression in '{{ }}'"}
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		if tk := p.peek(); tk.kind != tokEOF {
			return nil, p.errorf(tk, "unexpected %s, expected '}}'", describeToken(tk))
		}
		if text != "" {
			t.parts = append(t.parts, templatePart{text: text})
		}
		text = ""
		t.parts = append(t.parts, templatePart{e: e})
		exprs++
		i = end
		if trimNext {
			for i < len(s) && isSpace(s[i]) {
				i++
			}
		}
	}
	if text != "" {
		t.parts = append(t.parts, templatePart{text: text})
	}
	if exprs == 1 && len(t.parts) == 1 {
		t.whole = t.parts[0].e
	}
	return t, nil
}

// nextDelimiter returns the offset of the next "{{", "{%" or "{#" at or
// after i, or -1.
func nextDelimiter(s string, i int) int {
	for {
		k := strings.IndexByte(s[i:], '{')
		if k < 0 || i+k+1 >= len(s) {
			return -1
		}
		switch s[i+k+1] {
		case '{', '%', '#':
			return i + k
		}
		i += k + 1
	}
}

// Expr returns the expression of a template that is exactly one
// `{{ expr }}`, without text around it, whose value Render returns with
// its type; for other templates it returns nil.
func (t *Template) Expr() *Expr {
	if t.whole == nil {
		return nil
	}
	return &Expr{t.whole}
}

// Render renders t in env: the value of a template that is exactly one
// `{{ expr }}`, with its type (a list stays a list), otherwise the text
// with each expression's value in Python's str() form (None as the empty
// string, as Ansible finalizes it). An undefined value is an error.
func (t *Template) Render(env *Env) (any, error) {
	if t.whole != nil {
		return env.evalDefined(t.whole)
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.e == nil {
			b.WriteString(p.text)
			continue
		}
		v, err := env.evalDefined(p.e)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		str, err := env.work.str(v)
		if err != nil {
			return nil, err
		}
		if b.Len()+len(str) > maxStringSize {
			return nil, stringTooLarge()
		}
		if err := env.work.text(len(str)); err != nil {
			return nil, err
		}
		b.WriteString(str)
	}
	return b.String(), nil
}

// A Cache parses each distinct template string once, for the life of
// the Cache (up to a bound, past which it parses each time). The zero
// Cache is ready to use, and may be used concurrently.
type Cache struct {
	mu sync.Mutex
	m  map[string]cacheEntry
}

type cacheEntry struct {
	t   *Template
	err error
}

// maxCachedTemplates bounds the cache; beyond it templates are parsed
// each time.
const maxCachedTemplates = 1 << 14

// Parse is the package's Parse, through the cache: the same template, or
// the same error, for the same text.
func (c *Cache) Parse(s string) (*Template, error) {
	c.mu.Lock()
	e, ok := c.m[s]
	c.mu.Unlock()
	if ok {
		return e.t, e.err
	}
	t, err := Parse(s)
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]cacheEntry{}
	}
	if len(c.m) < maxCachedTemplates {
		c.m[s] = cacheEntry{t, err}
	}
	c.mu.Unlock()
	return t, err
}
