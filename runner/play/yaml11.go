package play

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// Ansible reads task files with PyYAML, which resolves plain scalars by
// the YAML 1.1 rules (jinja.ResolvePlain): yes/no/on/off are booleans,
// 0755 is octal, 1_000 is a thousand, 1e3 is a string. yaml/v3 resolves
// by YAML 1.2, so the converter resolves plain scalars itself.

// resolvePlain resolves a plain (unquoted, untagged) scalar as PyYAML
// does.
func resolvePlain(s string) any { return jinja.ResolvePlain(s) }

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
	// src is the file as loaded (its absolute path names it in Ansible's
	// messages); warnings, when set, collects Ansible's warnings.
	src      *source
	warnings *[]string
}

// posOf returns the position of n.
func (c *yamlConverter) posOf(n *yaml.Node) pos {
	return pos{file: c.file, line: n.Line, col: n.Column, src: c.src}
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
		out := jinja.NewDict(len(n.Content) / 2)
		err := c.mapping(n, depth, func(k string, kn *yaml.Node, v *yaml.Node) error {
			if err := c.textKey(kn); err != nil {
				return err
			}
			val, err := c.convert(v, depth+1)
			if err != nil {
				return err
			}
			out.Set(k, val)
			return nil
		})
		return out, err
	}
	return nil, c.errorf(n, "unexpected YAML node")
}

// textKey refuses a mapping key that PyYAML reads as something other
// than text (a number, a boolean, null): Ansible keeps such keys, which
// zonemgr play's dicts, whose keys are text, cannot.
func (c *yamlConverter) textKey(kn *yaml.Node) error {
	if kn.Kind != yaml.ScalarNode || kn.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) != 0 {
		return nil
	}
	if _, ok := resolvePlain(kn.Value).(string); !ok {
		return c.errorf(kn, "mapping key %s is not text in YAML 1.1 (a number, boolean or null): zonemgr play supports text keys only; quote it (\"%s\")", kn.Value, kn.Value)
	}
	return nil
}

func (c *yamlConverter) collectionTag(n *yaml.Node, want string) error {
	if n.Style&yaml.TaggedStyle != 0 && n.Tag != want {
		return c.errorf(n, "unsupported YAML tag %s", n.Tag)
	}
	return nil
}

// A yamlMember is one member of a mapping: its key and value nodes, and
// whether a merge key brought it in.
type yamlMember struct {
	kn, vn *yaml.Node
	merged bool
}

// flatten returns the members of a mapping as PyYAML's flatten_mapping
// orders them: those merged in with merge keys first (`<<: *anchor`; of
// a list of anchors, the last one's first), then the mapping's own.
// Keys must be scalars.
func (c *yamlConverter) flatten(n *yaml.Node, depth int) ([]yamlMember, error) {
	if depth > maxYAMLDepth {
		return nil, c.errorf(n, "mappings merged more than %d levels deep", maxYAMLDepth)
	}
	var merged, own []yamlMember
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind == yaml.ScalarNode && kn.Tag == "!!merge" {
			srcs := []*yaml.Node{deref(vn)}
			if srcs[0].Kind == yaml.SequenceNode {
				srcs = srcs[0].Content
			}
			var subs [][]yamlMember
			for _, src := range srcs {
				src = deref(src)
				c.nodes++
				if c.nodes > maxYAMLNodes {
					return nil, c.errorf(src, "document expands to more than %d values (aliases)", maxYAMLNodes)
				}
				if src.Kind != yaml.MappingNode {
					return nil, c.errorf(src, "a merge key (<<) needs a mapping or a list of mappings")
				}
				sub, err := c.flatten(src, depth+1)
				if err != nil {
					return nil, err
				}
				for i := range sub {
					sub[i].merged = true
				}
				subs = append(subs, sub)
			}
			for i := len(subs) - 1; i >= 0; i-- {
				merged = append(merged, subs[i]...)
			}
			continue
		}
		if kn.Kind != yaml.ScalarNode {
			return nil, c.errorf(kn, "mapping keys must be plain text")
		}
		own = append(own, yamlMember{kn: kn, vn: vn})
	}
	return append(merged, own...), nil
}

// mapping walks the members of a mapping node in PyYAML's order (see
// flatten): each key once, in the place it first has, with the value it
// last has. A key the mapping has twice is an error; a key that merge
// keys bring in more than once, or that the mapping has too, gets
// Ansible's warning.
func (c *yamlConverter) mapping(n *yaml.Node, depth int, member func(key string, kn, vn *yaml.Node) error) error {
	members, err := c.flatten(n, depth)
	if err != nil {
		return err
	}
	own := map[string]*yaml.Node{}
	at := map[string]int{}
	var out []yamlMember
	var dup error
	for _, m := range members {
		key := m.kn.Value
		if !m.merged {
			if prev, ok := own[key]; ok {
				if dup == nil {
					dup = c.errorf(m.kn, "duplicate key %q (first at line %d, column %d)", key, prev.Line, prev.Column)
				}
				continue
			}
			own[key] = m.kn
		}
		if i, ok := at[key]; ok {
			c.warnf("While constructing a mapping from %s, line %d, column %d, found a duplicate dict key (%s). Using last defined value only.", c.srcPath(), n.Line, n.Column, key)
			out[i].kn, out[i].vn = m.kn, m.vn
			continue
		}
		at[key] = len(out)
		out = append(out, m)
	}
	for _, m := range out {
		if err := member(m.kn.Value, m.kn, m.vn); err != nil {
			return err
		}
	}
	return dup
}

// srcPath is the file's path as Ansible names it.
func (c *yamlConverter) srcPath() string {
	if c.src != nil {
		return c.src.path
	}
	return c.file
}

// warnf records a warning of the file, once.
func (c *yamlConverter) warnf(format string, a ...any) {
	if c.warnings == nil {
		return
	}
	msg := fmt.Sprintf(format, a...)
	if !slices.Contains(*c.warnings, msg) {
		*c.warnings = append(*c.warnings, msg)
	}
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
			if v, ok := jinja.ParseYAMLInt(n.Value); ok {
				return v, nil
			}
			return nil, c.errorf(n, "%q is not an int", n.Value)
		case "!!float":
			if v, ok := jinja.ParseYAMLFloat(n.Value); ok {
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
