package ansible

import (
	"slices"
	"sort"
	"strings"

	"github.com/zonemgr/zonemgr/internal/jsonv"
)

// noLogPlaceholder replaces a no_log value, as in Ansible.
const noLogPlaceholder = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

// noLogStars replaces a no_log value inside a longer string, as in Ansible.
const noLogStars = "********"

// secretsList returns the set's strings, longest first, so that a secret
// containing another is masked whole.
func secretsList(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	// sort.Slice, which the module binaries link anyway: slices.SortFunc
	// would add a copy of its sort for this comparison.
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// maskString masks secrets in s as Ansible's remove_values does: a string
// equal to a secret becomes the placeholder, and each secret inside a
// longer string becomes eight asterisks.
func maskString(s string, secrets []string) string {
	if slices.Contains(secrets, s) {
		return noLogPlaceholder
	}
	for _, secret := range secrets {
		s = strings.ReplaceAll(s, secret, noLogStars)
	}
	return s
}

// maskValue masks secrets in a decoded JSON value (jsonv.Number for
// numbers). A number whose text contains a secret becomes the
// placeholder; object keys are kept.
func maskValue(v any, secrets []string) any {
	switch x := v.(type) {
	case string:
		return maskString(x, secrets)
	case jsonv.Number:
		for _, secret := range secrets {
			if strings.Contains(string(x), secret) {
				return noLogPlaceholder
			}
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = maskValue(e, secrets)
		}
		return x
	case map[string]any:
		for k, e := range x {
			x[k] = maskValue(e, secrets)
		}
		return x
	}
	return v
}
