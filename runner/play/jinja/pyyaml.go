package jinja

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Ansible reads YAML with PyYAML, which resolves plain scalars by the
// YAML 1.1 rules: yes/no/on/off are booleans, 0755 is octal, 1_000 is a
// thousand, 1e3 is a string (a float needs a dot). The resolver here
// follows PyYAML's (yaml/resolver.py and constructor.py), for task files
// and for from_yaml; the emitter follows PyYAML's for to_yaml.

var (
	yaml11Bool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yaml11Int   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yaml11Float = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	yaml11Null  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
	// yaml11Timestamp is PyYAML's timestamp pattern: such plain scalars
	// are dates, which the emitter must quote as text.
	yaml11Timestamp = regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)
)

// ResolvePlain resolves a plain (unquoted, untagged) YAML scalar as
// PyYAML does: None, a bool, an int, a float, or the text itself.
// Timestamps stay text: Ansible hands them to modules as text.
func ResolvePlain(s string) any {
	switch {
	case yaml11Null.MatchString(s):
		return nil
	case yaml11Bool.MatchString(s):
		switch strings.ToLower(s) {
		case "yes", "true", "on":
			return true
		}
		return false
	case yaml11Int.MatchString(s):
		if v, ok := ParseYAMLInt(s); ok {
			return v
		}
	case yaml11Float.MatchString(s):
		if v, ok := ParseYAMLFloat(s); ok {
			return v
		}
	}
	return s
}

// plainIsText tells whether s, written plain, reads back as the same
// text under PyYAML's resolver (so the emitter may leave it unquoted).
func plainIsText(s string) bool {
	if s == "<<" || s == "=" || yaml11Timestamp.MatchString(s) {
		return false
	}
	_, ok := ResolvePlain(s).(string)
	return ok
}

// ParseYAMLInt is PyYAML's construct_yaml_int: binary, octal (a leading
// 0), hexadecimal, sexagesimal and decimal integers with underscores.
func ParseYAMLInt(s string) (any, bool) {
	v := strings.ReplaceAll(s, "_", "")
	neg := false
	if v != "" && (v[0] == '-' || v[0] == '+') {
		neg = v[0] == '-'
		v = v[1:]
	}
	n := new(big.Int)
	ok := true
	switch {
	case v == "0":
	case strings.HasPrefix(v, "0b"):
		_, ok = n.SetString(v[2:], 2)
	case strings.HasPrefix(v, "0x"):
		_, ok = n.SetString(v[2:], 16)
	case strings.HasPrefix(v, "0"):
		_, ok = n.SetString(v[1:], 8)
	case strings.Contains(v, ":"):
		for _, d := range strings.Split(v, ":") {
			k, err := strconv.ParseInt(d, 10, 64)
			if err != nil {
				return nil, false
			}
			n.Mul(n, big.NewInt(60))
			n.Add(n, big.NewInt(k))
		}
	default:
		_, ok = n.SetString(v, 10)
	}
	if !ok {
		return nil, false
	}
	if neg {
		n.Neg(n)
	}
	return normBig(n), true
}

// ParseYAMLFloat is PyYAML's construct_yaml_float.
func ParseYAMLFloat(s string) (float64, bool) {
	v := strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if v != "" && (v[0] == '-' || v[0] == '+') {
		if v[0] == '-' {
			sign = -1
		}
		v = v[1:]
	}
	switch {
	case v == ".inf":
		return sign * math.Inf(1), true
	case v == ".nan":
		return math.NaN(), true
	case strings.Contains(v, ":"):
		f := 0.0
		for _, p := range strings.Split(v, ":") {
			d, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return 0, false
			}
			f = f*60 + d
		}
		return sign * f, true
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, false
	}
	return sign * f, true
}

// filterFromYAML is Ansible's from_yaml: PyYAML's safe_load of text.
func filterFromYAML(a *fargs) (any, error) {
	if !isStr(a.in) {
		return a.in, nil
	}
	s := Str(a.in)
	if err := a.w.text(len(s)); err != nil {
		return nil, err
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		return nil, fmt.Errorf("from_yaml: %v", err)
	}
	if n.Kind == 0 || len(n.Content) == 0 {
		return nil, nil
	}
	nodes := 0
	return yamlValue(n.Content[0], &nodes, 0)
}

// yamlValue converts a node of from_yaml's text.
func yamlValue(n *yaml.Node, nodes *int, depth int) (any, error) {
	*nodes++
	if *nodes > maxElements || depth > maxExprDepth {
		return nil, valueTooLarge()
	}
	switch n.Kind {
	case yaml.AliasNode:
		return yamlValue(n.Alias, nodes, depth+1)
	case yaml.ScalarNode:
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 || n.Tag == "!!str" {
			return n.Value, nil
		}
		return ResolvePlain(n.Value), nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := yamlValue(e, nodes, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		d := NewDict(len(n.Content) / 2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, err := yamlValue(n.Content[i], nodes, depth+1)
			if err != nil {
				return nil, err
			}
			key, err := dictKey(k)
			if err != nil {
				return nil, err
			}
			v, err := yamlValue(n.Content[i+1], nodes, depth+1)
			if err != nil {
				return nil, err
			}
			d.Set(key, v)
		}
		return d, nil
	}
	return nil, errors.New("from_yaml: unexpected YAML node")
}

// filterToYAML is Ansible's to_yaml(indent=2, default_flow_style=None,
// width=80, sort_keys=True): PyYAML's dump, collections of scalars in
// flow style.
func filterToYAML(a *fargs) (any, error) {
	e := &yamlEmitter{indent: 2, width: 80, sortKeys: true, flow: flowAuto}
	if err := e.options(a.arg(0, 2), a.arg(2, 80), a.arg(3, true)); err != nil {
		return nil, err
	}
	switch f := a.arg(1, nil).(type) {
	case nil:
	case bool:
		e.flow = flowNever
		if f {
			e.flow = flowAlways
		}
	default:
		return nil, errors.New("default_flow_style must be a boolean or None")
	}
	return e.dump(a.w, a.in)
}

// filterToNiceYAML is Ansible's to_nice_yaml(indent=4, width=80,
// sort_keys=True): PyYAML's dump in block style.
func filterToNiceYAML(a *fargs) (any, error) {
	e := &yamlEmitter{indent: 4, width: 80, sortKeys: true, flow: flowNever}
	if err := e.options(a.arg(0, 4), a.arg(1, 80), a.arg(2, true)); err != nil {
		return nil, err
	}
	return e.dump(a.w, a.in)
}

// A flowStyle is PyYAML's default_flow_style.
type flowStyle int

const (
	flowAuto   flowStyle = iota // None: collections of plain scalars in flow style
	flowNever                   // False
	flowAlways                  // True
)

// A yamlEmitter writes values as PyYAML's emitter does (emitter.py),
// for the values Ansible's dumper represents: scalars plain, single- or
// double-quoted as PyYAML chooses, collections in block or flow style,
// long lines folded at spaces past the width.
type yamlEmitter struct {
	indent, width int
	sortKeys      bool
	flow          flowStyle
	b             strings.Builder
	column        int
	// whitespace and indention are PyYAML's emitter flags: the last
	// character written is white space; only indentation is on the line.
	whitespace, indention bool
	// level is PyYAML's current indent (-1 for None), flowLevel its
	// flow_level.
	level, flowLevel int
}

func (e *yamlEmitter) options(indent, width, sortKeys any) error {
	i, ok := indent.(int)
	if !ok || i < 2 || i > 9 {
		i = 2
	}
	e.indent = i
	if w, ok := width.(int); ok && w > e.indent*2 {
		e.width = w
	}
	e.sortKeys = Truth(sortKeys)
	return nil
}

// dump writes v as one YAML document.
func (e *yamlEmitter) dump(w *budget, v any) (any, error) {
	e.whitespace, e.indention, e.level = true, true, -1
	if err := e.node(v, false, false); err != nil {
		return nil, err
	}
	e.writeBreak()
	if err := w.checkString(e.b.Len()); err != nil {
		return nil, err
	}
	return e.b.String(), nil
}

func (e *yamlEmitter) writeBreak() {
	e.b.WriteByte('\n')
	e.column = 0
	e.whitespace, e.indention = true, true
}

// writeIndent is PyYAML's write_indent: a new line unless the line is
// still only indentation up to the indent, then spaces up to it.
func (e *yamlEmitter) writeIndent() {
	indent := max(e.level, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.writeBreak()
	}
	if e.column < indent {
		e.b.WriteString(strings.Repeat(" ", indent-e.column))
		e.column = indent
		e.whitespace = true
	}
}

// writeIndicator is PyYAML's write_indicator.
func (e *yamlEmitter) writeIndicator(ind string, needWhitespace, whitespace, indention bool) {
	if !e.whitespace && needWhitespace {
		ind = " " + ind
	}
	e.b.WriteString(ind)
	e.column += utf8.RuneCountInString(ind)
	e.whitespace = whitespace
	e.indention = e.indention && indention
}

// increaseIndent is PyYAML's increase_indent; it returns the indent to
// restore.
func (e *yamlEmitter) increaseIndent(flow, indentless bool) int {
	old := e.level
	switch {
	case e.level < 0 && flow:
		e.level = e.indent
	case e.level < 0:
		e.level = 0
	case !indentless:
		e.level += e.indent
	}
	return old
}

// isYAMLScalar tells whether v is written as a scalar.
func isYAMLScalar(v any) bool {
	switch v.(type) {
	case []any, *Dict, Tuple:
		return false
	}
	return true
}

// isFlow tells whether a collection is written in flow style.
func (e *yamlEmitter) isFlow(v any) bool {
	if e.flowLevel > 0 {
		return true
	}
	var elems []any
	switch x := v.(type) {
	case []any:
		elems = x
	case *Dict:
		for _, v := range x.All() {
			elems = append(elems, v)
		}
	}
	if len(elems) == 0 {
		return true
	}
	switch e.flow {
	case flowAlways:
		return true
	case flowNever:
		return false
	}
	for _, el := range elems {
		if !isYAMLScalar(el) {
			return false
		}
	}
	return true
}

// node writes v; mappingValue tells that v is a mapping's value,
// simpleKey that it is a mapping's key.
func (e *yamlEmitter) node(v any, mappingValue, simpleKey bool) error {
	switch x := v.(type) {
	case Tuple:
		return fmt.Errorf("cannot represent an object: %s", Repr(x))
	case []any:
		if e.isFlow(x) {
			return e.flowSeq(x)
		}
		return e.blockSeq(x, mappingValue)
	case *Dict:
		if e.isFlow(x) {
			return e.flowMap(x)
		}
		return e.blockMap(x)
	}
	old := e.increaseIndent(true, false)
	err := e.scalar(v, e.flowLevel > 0, simpleKey)
	e.level = old
	return err
}

func (e *yamlEmitter) keys(d *Dict) []string {
	keys := d.Keys()
	if e.sortKeys {
		keys = slices.Clone(keys)
		slices.Sort(keys)
	}
	return keys
}

func (e *yamlEmitter) blockSeq(l []any, mappingValue bool) error {
	old := e.increaseIndent(false, mappingValue && !e.indention)
	for _, el := range l {
		e.writeIndent()
		e.writeIndicator("-", true, false, true)
		if err := e.node(el, false, false); err != nil {
			return err
		}
	}
	e.level = old
	return nil
}

func (e *yamlEmitter) blockMap(d *Dict) error {
	old := e.increaseIndent(false, false)
	for _, k := range e.keys(d) {
		e.writeIndent()
		if err := e.node(k, false, true); err != nil {
			return err
		}
		e.writeIndicator(":", false, false, false)
		v, _ := d.Get(k)
		if err := e.node(v, true, false); err != nil {
			return err
		}
	}
	e.level = old
	return nil
}

func (e *yamlEmitter) flowSeq(l []any) error {
	e.writeIndicator("[", true, true, false)
	e.flowLevel++
	old := e.increaseIndent(true, false)
	for i, el := range l {
		if i > 0 {
			e.writeIndicator(",", false, false, false)
		}
		if e.column > e.width {
			e.writeIndent()
		}
		if err := e.node(el, false, false); err != nil {
			return err
		}
	}
	e.level = old
	e.flowLevel--
	e.writeIndicator("]", false, false, false)
	return nil
}

func (e *yamlEmitter) flowMap(d *Dict) error {
	e.writeIndicator("{", true, true, false)
	e.flowLevel++
	old := e.increaseIndent(true, false)
	for i, k := range e.keys(d) {
		if i > 0 {
			e.writeIndicator(",", false, false, false)
		}
		if e.column > e.width {
			e.writeIndent()
		}
		if err := e.node(k, false, true); err != nil {
			return err
		}
		e.writeIndicator(":", false, false, false)
		v, _ := d.Get(k)
		if err := e.node(v, true, false); err != nil {
			return err
		}
	}
	e.level = old
	e.flowLevel--
	e.writeIndicator("}", false, false, false)
	return nil
}

// scalar writes a scalar in the style PyYAML chooses.
func (e *yamlEmitter) scalar(v any, inFlow, simpleKey bool) error {
	var text string
	isText := false
	switch x := v.(type) {
	case nil:
		text = "null"
	case bool:
		text = strconv.FormatBool(x)
	case int:
		text = strconv.Itoa(x)
	case *big.Int:
		text = x.String()
	case float64:
		switch {
		case math.IsNaN(x):
			text = ".nan"
		case math.IsInf(x, 1):
			text = ".inf"
		case math.IsInf(x, -1):
			text = "-.inf"
		default:
			text = strings.ToLower(pyFloat(x))
			if !strings.Contains(text, ".") && strings.Contains(text, "e") {
				text = strings.Replace(text, "e", ".0e", 1)
			}
		}
	case string:
		text, isText = x, true
	case Unsafe:
		text, isText = string(x), true
	case undefined:
		return x.err()
	default:
		return fmt.Errorf("cannot represent an object: %s", Repr(v))
	}
	if !isText {
		e.writePlain(text, false)
		return nil
	}
	an := analyzeScalar(text)
	multiline := strings.ContainsAny(text, "\n\u0085\u2028\u2029")
	plainOK := plainIsText(text) && !(simpleKey && (text == "" || multiline)) &&
		((inFlow && an.flowPlain) || (!inFlow && an.blockPlain))
	switch {
	case plainOK:
		e.writePlain(text, !simpleKey)
	case an.singleQuoted && !(simpleKey && multiline):
		e.writeSingleQuoted(text, !simpleKey)
	default:
		e.writeDoubleQuoted(text)
	}
	return nil
}

// A scalarAnalysis is what PyYAML's analyze_scalar allows for a text.
type scalarAnalysis struct {
	flowPlain, blockPlain, singleQuoted bool
}

// analyzeScalar is PyYAML's analyze_scalar with allow_unicode.
func analyzeScalar(s string) scalarAnalysis {
	if s == "" {
		return scalarAnalysis{flowPlain: false, blockPlain: true, singleQuoted: true}
	}
	var blockInd, flowInd, lineBreaks, special bool
	var leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockInd, flowInd = true, true
	}
	runes := []rune(s)
	precededByWS := true
	followedByWS := len(runes) == 1 || isYAMLSpace(runes[1])
	previousSpace, previousBreak := false, false
	for i, ch := range runes {
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", ch) {
				flowInd, blockInd = true, true
			}
			if ch == '?' || ch == ':' {
				flowInd = true
				if followedByWS {
					blockInd = true
				}
			}
			if ch == '-' && followedByWS {
				flowInd, blockInd = true, true
			}
		} else {
			if strings.ContainsRune(",?[]{}", ch) {
				flowInd = true
			}
			if ch == ':' {
				flowInd = true
				if followedByWS {
					blockInd = true
				}
			}
			if ch == '#' && precededByWS {
				flowInd, blockInd = true, true
			}
		}
		isBreak := ch == '\n' || ch == '\u0085' || ch == '\u2028' || ch == '\u2029'
		if isBreak {
			lineBreaks = true
		}
		if !(ch == '\n' || (ch >= 0x20 && ch <= 0x7e)) {
			unicodeOK := (ch == 0x85 || (ch >= 0xa0 && ch <= 0xd7ff) || (ch >= 0xe000 && ch <= 0xfffd) || (ch >= 0x10000 && ch < 0x10ffff)) && ch != 0xfeff
			if !unicodeOK {
				special = true
			}
		}
		switch {
		case ch == ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i == len(runes)-1 {
				trailingSpace = true
			}
			if previousBreak {
				breakSpace = true
			}
			previousSpace, previousBreak = true, false
		case isBreak:
			if i == 0 {
				leadingBreak = true
			}
			if i == len(runes)-1 {
				trailingBreak = true
			}
			if previousSpace {
				spaceBreak = true
			}
			previousSpace, previousBreak = false, true
		default:
			previousSpace, previousBreak = false, false
		}
		precededByWS = strings.ContainsRune("\x00 \t\r\n\u0085\u2028\u2029", ch)
		followedByWS = i+2 >= len(runes) || strings.ContainsRune("\x00 \t\r\n\u0085\u2028\u2029", runes[i+2])
	}
	a := scalarAnalysis{flowPlain: true, blockPlain: true, singleQuoted: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.flowPlain, a.blockPlain = false, false
	}
	if breakSpace {
		a.flowPlain, a.blockPlain, a.singleQuoted = false, false, false
	}
	if spaceBreak || special {
		a.flowPlain, a.blockPlain, a.singleQuoted = false, false, false
	}
	if lineBreaks {
		a.flowPlain, a.blockPlain = false, false
	}
	if flowInd {
		a.flowPlain = false
	}
	if blockInd {
		a.blockPlain = false
	}
	return a
}

func isYAMLSpace(r rune) bool {
	return strings.ContainsRune("\x00 \t\r\n\u0085\u2028\u2029", r)
}

// writePlain is PyYAML's write_plain: a single space past the width
// becomes a line break.
func (e *yamlEmitter) writePlain(s string, split bool) {
	if s == "" {
		return
	}
	if !e.whitespace {
		e.b.WriteByte(' ')
		e.column++
	}
	e.whitespace, e.indention = false, false
	words := strings.Split(s, " ")
	for i, w := range words {
		if i > 0 {
			if w != "" && words[i-1] != "" && split && e.column > e.width {
				e.writeIndent()
				e.whitespace, e.indention = false, false
			} else {
				e.b.WriteByte(' ')
				e.column++
			}
		}
		e.b.WriteString(w)
		e.column += utf8.RuneCountInString(w)
	}
}

// writeSingleQuoted is PyYAML's write_single_quoted.
func (e *yamlEmitter) writeSingleQuoted(s string, split bool) {
	e.writeIndicator("'", true, false, false)
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		ch := runes[i]
		switch {
		case ch == ' ':
			if split && e.column > e.width && i > 0 && i+1 < len(runes) && runes[i+1] != ' ' && runes[i-1] != ' ' {
				e.writeIndent()
				continue
			}
			e.b.WriteByte(' ')
			e.column++
		case ch == '\n':
			j := i
			for j < len(runes) && runes[j] == '\n' {
				j++
			}
			e.writeBreak()
			for range j - i {
				e.writeBreak()
			}
			e.writeIndent()
			i = j - 1
		case ch == '\'':
			e.b.WriteString("''")
			e.column += 2
		default:
			e.b.WriteRune(ch)
			e.column++
		}
	}
	e.writeIndicator("'", false, false, false)
}

// writeDoubleQuoted is PyYAML's write_double_quoted (without folding).
func (e *yamlEmitter) writeDoubleQuoted(s string) {
	e.writeIndicator(`"`, true, false, false)
	for _, ch := range s {
		switch ch {
		case '"':
			e.write(`\"`)
		case '\\':
			e.write(`\\`)
		case 0:
			e.write(`\0`)
		case '\a':
			e.write(`\a`)
		case '\b':
			e.write(`\b`)
		case '\t':
			e.write(`\t`)
		case '\n':
			e.write(`\n`)
		case '\v':
			e.write(`\v`)
		case '\f':
			e.write(`\f`)
		case '\r':
			e.write(`\r`)
		case 0x1b:
			e.write(`\e`)
		case 0x85:
			e.write(`\N`)
		case 0xa0:
			e.write(`\_`)
		case 0x2028:
			e.write(`\L`)
		case 0x2029:
			e.write(`\P`)
		default:
			switch {
			case (ch >= 0x20 && ch <= 0x7e) || ((ch >= 0xa0 && ch <= 0xd7ff) || (ch >= 0xe000 && ch <= 0xfffd)) && ch != 0xfeff:
				e.write(string(ch))
			case ch <= 0xff:
				e.write(fmt.Sprintf(`\x%02X`, ch))
			case ch <= 0xffff:
				e.write(fmt.Sprintf(`\u%04X`, ch))
			default:
				e.write(fmt.Sprintf(`\U%08X`, ch))
			}
		}
	}
	e.writeIndicator(`"`, false, false, false)
}

// write writes text inside a scalar.
func (e *yamlEmitter) write(s string) {
	e.b.WriteString(s)
	e.column += utf8.RuneCountInString(s)
	e.whitespace, e.indention = false, false
}
