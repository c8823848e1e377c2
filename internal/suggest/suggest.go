// Package suggest finds, for a word that is not valid, the valid word it
// most likely meant: the one the fewest single-character edits away.
package suggest

// Nearest returns the candidate fewest single-character edits from word
// and that number of edits; on a tie the first candidate in order wins.
// With no candidates it returns "" and -1.
func Nearest(word string, candidates []string) (best string, edits int) {
	edits = -1
	for _, c := range candidates {
		if d := Distance(word, c); edits < 0 || d < edits {
			best, edits = c, d
		}
	}
	return best, edits
}

// Distance is the Levenshtein distance between a and b, in bytes.
func Distance(a, b string) int {
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
