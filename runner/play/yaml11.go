package play

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// Ansible reads task files with PyYAML, which resolves plain scalars by
// the YAML 1.1 rules: yes/no/on/off are booleans, 0755 is octal, 1_000 is
// a thousand, 1e3 is a string (an exponent needs its sign). yaml/v3
// resolves by YAML 1.2, so the runner resolves plain scalars itself with
// PyYAML's resolver patterns (yaml/resolver.py and constructor.py).

var (
	yaml11Bool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yaml11Int   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yaml11Float = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	yaml11Null  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
)

// resolvePlain resolves a plain (unquoted, untagged) scalar as PyYAML
// does. Timestamps stay strings: Ansible hands them to modules as text.
func resolvePlain(s string) any {
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
		if v, ok := yaml11ParseInt(s); ok {
			return v
		}
	case yaml11Float.MatchString(s):
		if v, ok := yaml11ParseFloat(s); ok {
			return v
		}
	}
	return s
}

// yaml11ParseInt is PyYAML's construct_yaml_int. A value beyond an int64
// becomes a float, as the nearest Go number.
func yaml11ParseInt(s string) (any, bool) {
	v := strings.ReplaceAll(s, "_", "")
	sign := 1
	if v != "" && (v[0] == '-' || v[0] == '+') {
		if v[0] == '-' {
			sign = -1
		}
		v = v[1:]
	}
	var n int64
	var err error
	switch {
	case v == "0":
		return 0, true
	case strings.HasPrefix(v, "0b"):
		n, err = strconv.ParseInt(v[2:], 2, 64)
	case strings.HasPrefix(v, "0x"):
		n, err = strconv.ParseInt(v[2:], 16, 64)
	case strings.HasPrefix(v, "0"):
		n, err = strconv.ParseInt(v[1:], 8, 64)
	case strings.Contains(v, ":"):
		n = 0
		for _, d := range strings.Split(v, ":") {
			k, e := strconv.ParseInt(d, 10, 64)
			if e != nil || n > math.MaxInt64/60-k {
				return nil, false
			}
			n = n*60 + k
		}
	default:
		n, err = strconv.ParseInt(v, 10, 64)
		if err != nil {
			if f, ferr := strconv.ParseFloat(v, 64); ferr == nil {
				return float64(sign) * f, true
			}
		}
	}
	if err != nil {
		return nil, false
	}
	return sign * int(n), true
}

// yaml11ParseFloat is PyYAML's construct_yaml_float.
func yaml11ParseFloat(s string) (float64, bool) {
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
		parts := strings.Split(v, ":")
		f := 0.0
		for _, p := range parts {
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

// maxYAMLNodes bounds the values one document may expand to through
// aliases, against the "billion laughs" document.
const maxYAMLNodes = 1 << 20

// maxYAMLDepth bounds the nesting of values, aliases included.
const maxYAMLDepth = 500

// A yamlConverter turns yaml.Node trees into values. onString, when set,
// is called for each string scalar (not keys), so that the loader can
// check its template syntax at the scalar's position.
type yamlConverter struct {
	file     string
	nodes    int
	onString func(s string, n *yaml.Node) error
}

// posOf returns the position of n.
func (c *yamlConverter) posOf(n *yaml.Node) pos {
	return pos{file: c.file, line: n.Line, col: n.Column}
}

func (c *yamlConverter) errorf(n *yaml.Node, format string, a ...any) error {
	return &fileError{Pos: c.posOf(n), Msg: fmt.Sprintf(format, a...)}
}

// value converts n to a value.
func (c *yamlConverter) value(n *yaml.Node) (any, error) {
	return c.convert(n, 0)
}

func (c *yamlConverter) convert(n *yaml.Node, depth int) (any, error) {
	c.nodes++
	if c.nodes > maxYAMLNodes {
		return nil, c.errorf(n, "document expands to more than %d values (aliases)", maxYAMLNodes)
	}
	if depth > maxYAMLDepth {
		return nil, c.errorf(n, "values nested more than %d levels deep", maxYAMLDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, c.errorf(n, "unknown anchor %q", n.Value)
		}
		return c.convert(n.Alias, depth+1)
	case yaml.ScalarNode:
		return c.scalar(n)
	case yaml.SequenceNode:
		if err := c.collectionTag(n, "!!seq"); err != nil {
			return nil, err
		}
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.convert(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		if err := c.collectionTag(n, "!!map"); err != nil {
			return nil, err
		}
		out := map[string]any{}
		err := c.mapping(n, depth, func(k string, _ *yaml.Node, v *yaml.Node) error {
			val, err := c.convert(v, depth+1)
			if err != nil {
				return err
			}
			out[k] = val
			return nil
		})
		return out, err
	}
	return nil, c.errorf(n, "unexpected YAML node")
}

func (c *yamlConverter) collectionTag(n *yaml.Node, want string) error {
	if n.Style&yaml.TaggedStyle != 0 && n.Tag != want {
		return c.errorf(n, "unsupported YAML tag %s", n.Tag)
	}
	return nil
}

// mapping walks the members of a mapping node in order: each with its key
// text, key node and value node. Keys must be scalars and unique. The
// members of mappings merged in with a merge key (`<<: *anchor`, or a
// list of anchors, the first winning) follow, except those whose key the
// mapping has itself.
func (c *yamlConverter) mapping(n *yaml.Node, depth int, member func(key string, kn, vn *yaml.Node) error) error {
	if depth > maxYAMLDepth {
		return c.errorf(n, "mappings merged more than %d levels deep", maxYAMLDepth)
	}
	done := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind == yaml.ScalarNode && kn.Tag == "!!merge" {
			merges = append(merges, vn)
			continue
		}
		if kn.Kind != yaml.ScalarNode {
			return c.errorf(kn, "mapping keys must be plain text")
		}
		key := kn.Value
		if prev, ok := done[key]; ok {
			return c.errorf(kn, "duplicate key %q (first at line %d, column %d)", key, prev.Line, prev.Column)
		}
		done[key] = kn
		if err := member(key, kn, vn); err != nil {
			return err
		}
	}
	for _, mn := range merges {
		srcs := []*yaml.Node{deref(mn)}
		if srcs[0].Kind == yaml.SequenceNode {
			srcs = srcs[0].Content
		}
		for _, src := range srcs {
			src = deref(src)
			c.nodes++
			if c.nodes > maxYAMLNodes {
				return c.errorf(src, "document expands to more than %d values (aliases)", maxYAMLNodes)
			}
			if src.Kind != yaml.MappingNode {
				return c.errorf(src, "a merge key (<<) needs a mapping or a list of mappings")
			}
			err := c.mapping(src, depth+1, func(k string, kn, vn *yaml.Node) error {
				if _, ok := done[k]; ok {
					return nil
				}
				done[k] = kn
				return member(k, kn, vn)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// scalar converts a scalar: quoted and block scalars are strings, plain
// ones resolve by YAML 1.1, explicit standard tags are honoured, and
// Ansible's `!unsafe` marks a string that is never templated.
func (c *yamlConverter) scalar(n *yaml.Node) (any, error) {
	if n.Style&yaml.TaggedStyle != 0 {
		switch n.Tag {
		case "!!str":
			return c.str(n)
		case "!unsafe":
			return jinja.Unsafe(n.Value), nil
		case "!!int":
			if v, ok := yaml11ParseInt(n.Value); ok {
				return v, nil
			}
			return nil, c.errorf(n, "%q is not an int", n.Value)
		case "!!float":
			if v, ok := yaml11ParseFloat(n.Value); ok {
				return v, nil
			}
			return nil, c.errorf(n, "%q is not a float", n.Value)
		case "!!bool":
			if v, ok := resolvePlain(n.Value).(bool); ok {
				return v, nil
			}
			return nil, c.errorf(n, "%q is not a bool", n.Value)
		case "!!null":
			return nil, nil
		case "!vault":
			return nil, c.errorf(n, "vault-encrypted values are not supported")
		}
		return nil, c.errorf(n, "unsupported YAML tag %s", n.Tag)
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return c.str(n)
	}
	v := resolvePlain(n.Value)
	if _, ok := v.(string); ok {
		return c.str(n)
	}
	return v, nil
}

func (c *yamlConverter) str(n *yaml.Node) (any, error) {
	if c.onString != nil {
		if err := c.onString(n.Value, n); err != nil {
			return nil, err
		}
	}
	return n.Value, nil
}
