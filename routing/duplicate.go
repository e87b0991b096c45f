package routing

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// Duplicate rules (合并): a new case repeats an earlier one when both concern the same
// topic (they share an item, or neither names an item and both went to the same
// department), the earlier one is still open and was received within DuplicateWindow,
// and either the phone is the same or the texts are nearly the same.
const (
	DuplicateWindow     = 30 * 24 * time.Hour
	DuplicateSimilarity = 0.8 // character-bigram Jaccard at or above which texts are "nearly the same"
	duplicateCandidates = 10  // most recent open cases per key (phone, topic) the store returns
)

// DuplicateQuery asks the store for the open cases a new case may repeat: those with the
// same phone, and those with the same topic key, received at or after Since, most recent
// first, at most Limit of each. The store answers from indexes on (phone, received_at) and
// (dup_key, received_at); it never scans all cases.
type DuplicateQuery struct {
	Phone string
	Key   string
	Since time.Time
	Limit int
}

// DuplicateKey is the topic key stored with each case for the duplicate query: its first
// (best) item, or the department when it names none.
func DuplicateKey(items []string, department string) string {
	if len(items) > 0 {
		return "item:" + items[0]
	}
	return "dept:" + department
}

// duplicateQuery is the query for the candidates of c.
func duplicateQuery(c *Case) DuplicateQuery {
	return DuplicateQuery{Phone: strings.TrimSpace(c.Complainant.Phone), Key: DuplicateKey(c.Items, c.Department),
		Since: c.ReceivedAt.Add(-DuplicateWindow), Limit: duplicateCandidates}
}

// FindDuplicate returns the earliest candidate that c repeats and why, or nil.
func FindDuplicate(c *Case, candidates []*Case) (*Case, string) {
	return findDuplicate(c, candidates, func(o *Case) []uint64 { return textGrams(o.Text) })
}

// findDuplicate is FindDuplicate with the bigram sets from gramsOf (a batch caches them).
func findDuplicate(c *Case, candidates []*Case, gramsOf func(*Case) []uint64) (*Case, string) {
	var best *Case
	var why string
	phone := strings.TrimSpace(c.Complainant.Phone)
	var grams []uint64 // of c.Text, computed on first need
	for _, o := range candidates {
		if o.ID == c.ID || !o.Status.Open() || o.ReceivedAt.Before(c.ReceivedAt.Add(-DuplicateWindow)) || !sameTopic(c, o) {
			continue
		}
		var reason string
		switch {
		case phone != "" && strings.TrimSpace(o.Complainant.Phone) == phone:
			reason = "同一来电号码 30 日内就同一事项再次反映"
		default:
			if grams == nil {
				grams = gramsOf(c)
			}
			if gramJaccard(grams, gramsOf(o)) < DuplicateSimilarity {
				continue
			}
			reason = "30 日内内容基本相同的反映"
		}
		if best == nil || o.ReceivedAt.Before(best.ReceivedAt) {
			best, why = o, reason
		}
	}
	return best, why
}

// sameTopic: a shared item, or no items on either side and the same department.
func sameTopic(a, b *Case) bool {
	if len(a.Items) == 0 && len(b.Items) == 0 {
		return a.Department == b.Department
	}
	for _, x := range a.Items {
		for _, y := range b.Items {
			if x == y {
				return true
			}
		}
	}
	return false
}

// Similarity is the Jaccard index of the character-bigram sets of a and b, ignoring
// spaces, punctuation and letter case: 1 for the same text, 0 for nothing in common.
// A text of one character is its own single "bigram", so short texts compare too.
func Similarity(a, b string) float64 { return gramJaccard(textGrams(a), textGrams(b)) }

// textGrams returns the set of character bigrams of the normalised text as sorted, distinct
// keys (two runes in one uint64): a slice, because sets of a few hundred are merged faster
// than maps are built.
func textGrams(s string) []uint64 {
	var prev rune = -1
	out := make([]uint64, 0, len(s)/3+1)
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		r = unicode.ToLower(r)
		if prev >= 0 {
			out = append(out, uint64(prev)<<32|uint64(r))
		}
		prev = r
		n++
	}
	if n == 1 {
		out = append(out, uint64(prev)<<32|uint64(prev))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// gramJaccard of two sorted sets; 0 when either is empty, 1 when both are.
func gramJaccard(x, y []uint64) float64 {
	if len(x) == 0 || len(y) == 0 {
		if len(x) == 0 && len(y) == 0 {
			return 1
		}
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] == y[j]:
			common++
			i++
			j++
		case x[i] < y[j]:
			i++
		default:
			j++
		}
	}
	return float64(common) / float64(len(x)+len(y)-common)
}
