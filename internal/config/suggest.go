package config

import "strings"

// closestKey returns the configuration variable whose name is the fewest
// single-character edits from key, ignoring case; the first in Keys order
// on a tie.
func closestKey(key string) string {
	upper := strings.ToUpper(key)
	best, bestDist := "", -1
	for _, k := range Keys() {
		if d := editDistance(upper, k); bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
