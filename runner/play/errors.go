package play

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/zonemgr/zonemgr/runner/play/jinja"
)

// The messages of a task that fails on a template or a condition, as
// ansible-core 2.14 words them (the first part of its message: Ansible
// then says where in the file, which zonemgr play's position does too).

// ansibleMessage is the text Ansible gives an error met while templating:
// an undefined value's message twice (Ansible's AnsibleUndefinedVariable
// repeats the Jinja2 error it wraps), other errors as they are.
func ansibleMessage(err error) string {
	if jinja.IsUndefinedError(err) {
		return err.Error() + ". " + err.Error()
	}
	return err.Error()
}

// whereError is the tail Ansible's AnsibleError gives the message of an
// error it can place in the task file (its _get_extended_error): the
// file, line and column, the offending line with the one before it and
// an arrow, and hints at common YAML mistakes.
func whereError(at pos) string {
	path := at.file
	if at.src != nil {
		path = at.src.path
	}
	msg := fmt.Sprintf(yamlPositionDetails, path, at.line, at.col)
	if at.src == nil {
		return "\n\n" + msg + "\n(could not open file to display line)"
	}
	target, prev := errorLines(at.src.text, at.line-1)
	if target == "" {
		return "\n\n" + msg
	}
	stripped := strings.ReplaceAll(target, " ", "")
	trimRight := func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }
	if kvShorthand.MatchString(prev) {
		n := strings.Index(trimRight(prev), "=")
		col := utf8.RuneCountInString(trimRight(prev)[:n])
		msg = fmt.Sprintf(yamlPositionDetails, path, at.line-1, col+1)
		msg += fmt.Sprintf("\nThe offending line appears to be:\n\n%s\n%s\n\n", trimRight(prev), strings.Repeat(" ", col)+"^ here")
		msg += yamlAndShorthandError
	} else {
		msg += fmt.Sprintf("\nThe offending line appears to be:\n\n%s\n%s\n%s\n", trimRight(prev), trimRight(target), strings.Repeat(" ", max(at.col-1, 0))+"^ here")
	}
	if strings.Contains(target, "\t") {
		msg += yamlLeadingTabError
	}
	runes := []rune(target)
	switch {
	case strings.Contains(target, "{{") && strings.Contains(target, "}}") && (!strings.Contains(target, `"{{`) || !strings.Contains(target, "'{{")):
		msg += yamlUnquotedVariableError
	case strings.Contains(stripped, ":{{") && strings.Contains(stripped, "}}"):
		msg += yamlDictError
	case len(runes) > 1 && len(runes) > at.col && runes[at.col] == ':' && strings.Count(target, ":") > 1:
		msg += yamlUnquotedColonError
	default:
		parts := strings.Split(target, ":")
		if len(parts) > 1 {
			middle := []rune(strings.TrimSpace(parts[1]))
			match := len(middle) > 0 && ((middle[0] == '\'' && middle[len(middle)-1] != '\'') || (middle[0] == '"' && middle[len(middle)-1] != '"'))
			unbalanced := (len(middle) > 0 && (middle[0] == '"' || middle[0] == '\'') && (middle[len(middle)-1] == '"' || middle[len(middle)-1] == '\'') && strings.Count(target, "'") > 2) || strings.Count(target, `"`) > 2
			if match {
				msg += yamlPartiallyQuotedError
			}
			if unbalanced {
				msg += yamlUnbalancedQuotesError
			}
		}
	}
	return "\n\n" + msg
}

// kvShorthand is Ansible's test for k=v syntax on the line before the
// error.
var kvShorthand = regexp.MustCompile(`\w+(\s+)?=(\s+)?[\w/-]+`)

// errorLines returns line n (0-based) of a file, with its newline, and
// the line before it, as Ansible's _get_error_lines_from_file does: a
// line past the end is the last one, and a blank line the first one
// before it that is not.
func errorLines(text string, n int) (target, prev string) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return "", ""
	}
	if n >= len(lines) {
		n = len(lines) - 1
	}
	for n >= 0 && strings.TrimSpace(lines[n]) == "" {
		n--
	}
	if n < 0 {
		return "", ""
	}
	if n > 0 {
		prev = lines[n-1]
	}
	return lines[n], prev
}

// Ansible's texts of the error tail (errors/yaml_strings.py).
const (
	yamlPositionDetails = "The error appears to be in '%s': line %d, column %d, but may\nbe elsewhere in the file depending on the exact syntax problem.\n"

	yamlDictError = `This one looks easy to fix. YAML thought it was looking for the start of a
hash/dictionary and was confused to see a second "{". Most likely this was
meant to be an ansible template evaluation instead, so we have to give the
parser a small hint that we wanted a string instead. The solution here is to
just quote the entire value.

For instance, if the original line was:

    app_path: {{ base_path }}/foo

It should be written as:

    app_path: "{{ base_path }}/foo"
`

	yamlUnquotedVariableError = `We could be wrong, but this one looks like it might be an issue with
missing quotes. Always quote template expression brackets when they
start a value. For instance:

    with_items:
      - {{ foo }}

Should be written as:

    with_items:
      - "{{ foo }}"
`

	yamlUnquotedColonError = `This one looks easy to fix. There seems to be an extra unquoted colon in the line
and this is confusing the parser. It was only expecting to find one free
colon. The solution is just add some quotes around the colon, or quote the
entire line after the first colon.

For instance, if the original line was:

    copy: src=file.txt dest=/path/filename:with_colon.txt

It can be written as:

    copy: src=file.txt dest='/path/filename:with_colon.txt'

Or:

    copy: 'src=file.txt dest=/path/filename:with_colon.txt'
`

	yamlPartiallyQuotedError = `This one looks easy to fix. It seems that there is a value started
with a quote, and the YAML parser is expecting to see the line ended
with the same kind of quote. For instance:

    when: "ok" in result.stdout

Could be written as:

   when: '"ok" in result.stdout'

Or equivalently:

   when: "'ok' in result.stdout"
`

	yamlUnbalancedQuotesError = `We could be wrong, but this one looks like it might be an issue with
unbalanced quotes. If starting a value with a quote, make sure the
line ends with the same set of quotes. For instance this arbitrary
example:

    foo: "bad" "wolf"

Could be written as:

    foo: '"bad" "wolf"'
`

	yamlLeadingTabError = `There appears to be a tab character at the start of the line.

YAML does not use tabs for formatting. Tabs should be replaced with spaces.

For example:
    - name: update tooling
      vars:
        version: 1.2.3
#    ^--- there is a tab there.

Should be written as:
    - name: update tooling
      vars:
        version: 1.2.3
# ^--- all spaces here.
`

	yamlAndShorthandError = "There appears to be both 'k=v' shorthand syntax and YAML in this task. Only one syntax may be used.\n"
)

// fieldError is the message of a task (at at) whose field (its options:
// args, or a keyword) failed to template.
func fieldError(at pos, field string, err error) string {
	if !jinja.IsUndefinedError(err) {
		return ansibleMessage(err)
	}
	if field == "args" {
		return "The task includes an option with an undefined variable. The error was: " + ansibleMessage(err) + whereError(at)
	}
	return fmt.Sprintf("The field '%s' has an invalid value, which includes an undefined variable. The error was: %s", field, ansibleMessage(err)) + whereError(at)
}

// conditionError is the message of a condition of the task at at (its
// when) that failed to evaluate, with where the task is.
func conditionError(at pos, src string, err error) string {
	return conditionMessage(src, err) + whereError(at)
}

// conditionMessage is the message of a condition that failed to
// evaluate, as Ansible's Conditional words it: without a place for the
// conditions of changed_when, failed_when, until and assert, which
// Ansible evaluates apart from the task.
func conditionMessage(src string, err error) string {
	inner := ansibleMessage(err)
	if jinja.IsUndefinedError(err) {
		inner = fmt.Sprintf("error while evaluating conditional (%s): %s", src, inner)
	} else if te, ok := err.(*jinja.TypeError); ok {
		presented := fmt.Sprintf("{%% if %s %%} True {%% else %%} False {%% endif %%}", src)
		inner = fmt.Sprintf("Unexpected templating type error occurred on (%s): %s. %s", presented, te.Msg, te.Msg)
	}
	return fmt.Sprintf("The conditional check '%s' failed. The error was: %s", src, inner)
}

// loopError is the message of a loop that failed to template.
func loopError(err error) string {
	return ansibleMessage(err)
}
