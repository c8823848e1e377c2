package cli

import "github.com/zonemgr/zonemgr/internal/suggest"

// closest returns the candidate fewest single-character edits from word,
// when it is close enough to be what was meant: at most two edits, or a
// third of the word's length for longer words. On a tie the first
// candidate in order wins.
func closest(word string, candidates []string) (string, bool) {
	best, edits := suggest.Nearest(word, candidates)
	if edits < 0 || edits > max(2, len(word)/3) {
		return "", false
	}
	return best, true
}
