package play

import (
	"fmt"
	"strings"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// renderDiff renders a result's diff (a dict or a list of dicts with
// before, after and optional before_header and after_header) as
// ansible-playbook does: a unified diff with three lines of context under
// "--- before: HEADER" and "+++ after: HEADER" lines. Dict values are
// shown as indented JSON. Diffs are separated by a blank line; the text
// ends with a newline, or is empty when nothing differs.
func renderDiff(v any) string {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var parts []string
	for _, e := range list {
		m, ok := e.(*jinja.Dict)
		if !ok {
			continue
		}
		var b strings.Builder
		before, hasBefore := m.Get("before")
		after, hasAfter := m.Get("after")
		if hasBefore && hasAfter {
			bh, ah := "before", "after"
			if h, ok := m.Get("before_header"); ok {
				bh = "before: " + jinja.Str(h)
			}
			if h, ok := m.Get("after_header"); ok {
				ah = "after: " + jinja.Str(h)
			}
			b.WriteString(unifiedDiff(diffText(before), diffText(after), bh, ah, 3))
		}
		if p, ok := m.Get("prepared"); ok {
			b.WriteString(jinja.Str(p))
		}
		if b.Len() > 0 {
			parts = append(parts, b.String())
		}
	}
	return strings.Join(parts, "\n")
}

// diffText is the text of one side of a diff: a string as it is, nothing
// as empty, any other value as indented JSON with a final newline.
func diffText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case jinja.Unsafe:
		return string(x)
	}
	return jinja.JSON(v, 4) + "\n"
}

// splitLinesKeep splits s into lines that keep their "\n"; a last line
// without one gets difflib's "\ No newline at end of file" marker, as
// Ansible adds it.
func splitLinesKeep(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if last := lines[len(lines)-1]; !strings.HasSuffix(last, "\n") {
		lines[len(lines)-1] = last + "\n\\ No newline at end of file\n"
	}
	return lines
}

// An opcode is one run of an alignment of two line lists, as difflib's
// get_opcodes gives them: tag equal, replace, delete or insert, and the
// ranges a[i1:i2] and b[j1:j2].
type opcode struct {
	tag            byte // 'e', 'r', 'd', 'i'
	i1, i2, j1, j2 int
}

// maxDiffCells bounds the longest-common-subsequence table; beyond it the
// whole text is shown as replaced.
const maxDiffCells = 4 << 20

// opcodes aligns a and b along a longest common subsequence of lines.
func opcodes(a, b []string) []opcode {
	n, m := len(a), len(b)
	// Common prefix and suffix need no table.
	pre := 0
	for pre < n && pre < m && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < n-pre && suf < m-pre && a[n-1-suf] == b[m-1-suf] {
		suf++
	}
	var codes []opcode
	if pre > 0 {
		codes = append(codes, opcode{'e', 0, pre, 0, pre})
	}
	ma, mb := a[pre:n-suf], b[pre:m-suf]
	codes = append(codes, middleOpcodes(ma, mb, pre)...)
	if suf > 0 {
		codes = append(codes, opcode{'e', n - suf, n, m - suf, m})
	}
	return codes
}

// middleOpcodes aligns the middle parts a and b, which start at line off
// of both texts.
func middleOpcodes(a, b []string, off int) []opcode {
	n, m := len(a), len(b)
	if n == 0 && m == 0 {
		return nil
	}
	change := func(i1, i2, j1, j2 int) opcode {
		tag := byte('r')
		switch {
		case i1 == i2:
			tag = 'i'
		case j1 == j2:
			tag = 'd'
		}
		return opcode{tag, off + i1, off + i2, off + j1, off + j2}
	}
	if n == 0 || m == 0 || (n+1)*(m+1) > maxDiffCells {
		return []opcode{change(0, n, 0, m)}
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var codes []opcode
	i, j := 0, 0
	ci, cj := 0, 0 // start of the pending change
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			if ci < i || cj < j {
				codes = append(codes, change(ci, i, cj, j))
			}
			k := 0
			for i+k < n && j+k < m && a[i+k] == b[j+k] {
				k++
			}
			codes = append(codes, opcode{'e', off + i, off + i + k, off + j, off + j + k})
			i, j = i+k, j+k
			ci, cj = i, j
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	if ci < n || cj < m {
		codes = append(codes, change(ci, n, cj, m))
	}
	return codes
}

// groupOpcodes is difflib's get_grouped_opcodes: the changes with up to
// ctx lines of context, split where more than 2*ctx lines are equal.
func groupOpcodes(codes []opcode, ctx int) [][]opcode {
	if len(codes) == 0 {
		codes = []opcode{{'e', 0, 1, 0, 1}}
	}
	codes = append([]opcode{}, codes...)
	if c := &codes[0]; c.tag == 'e' {
		c.i1, c.j1 = max(c.i1, c.i2-ctx), max(c.j1, c.j2-ctx)
	}
	if c := &codes[len(codes)-1]; c.tag == 'e' {
		c.i2, c.j2 = min(c.i2, c.i1+ctx), min(c.j2, c.j1+ctx)
	}
	var groups [][]opcode
	var group []opcode
	for _, c := range codes {
		if c.tag == 'e' && c.i2-c.i1 > 2*ctx {
			group = append(group, opcode{'e', c.i1, min(c.i2, c.i1+ctx), c.j1, min(c.j2, c.j1+ctx)})
			groups = append(groups, group)
			group = nil
			c.i1, c.j1 = max(c.i1, c.i2-ctx), max(c.j1, c.j2-ctx)
		}
		group = append(group, c)
	}
	if len(group) > 0 && !(len(group) == 1 && group[0].tag == 'e') {
		groups = append(groups, group)
	}
	return groups
}

// unifiedRange is difflib's _format_range_unified.
func unifiedRange(start, stop int) string {
	begin, length := start+1, stop-start
	if length == 1 {
		return fmt.Sprint(begin)
	}
	if length == 0 {
		begin--
	}
	return fmt.Sprintf("%d,%d", begin, length)
}

// unifiedDiff is difflib.unified_diff of two texts split into lines,
// with empty file dates: "" when they are equal.
func unifiedDiff(before, after, fromFile, toFile string, ctx int) string {
	a, b := splitLinesKeep(before), splitLinesKeep(after)
	var out strings.Builder
	for i, g := range groupOpcodes(opcodes(a, b), ctx) {
		if i == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", fromFile, toFile)
		}
		first, last := g[0], g[len(g)-1]
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", unifiedRange(first.i1, last.i2), unifiedRange(first.j1, last.j2))
		for _, c := range g {
			if c.tag == 'e' {
				for _, l := range a[c.i1:c.i2] {
					out.WriteString(" " + l)
				}
				continue
			}
			if c.tag == 'r' || c.tag == 'd' {
				for _, l := range a[c.i1:c.i2] {
					out.WriteString("-" + l)
				}
			}
			if c.tag == 'r' || c.tag == 'i' {
				for _, l := range b[c.j1:c.j2] {
					out.WriteString("+" + l)
				}
			}
		}
	}
	return out.String()
}
