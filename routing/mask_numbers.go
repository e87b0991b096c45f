package routing

import "strings"

// The numbers MaskText hides: an 18-digit ID-card number (the last may be X), a mobile
// number (1[3-9] and 9 digits, spaced or dashed 3-4-4, with an optional +86/0086/86 prefix)
// and a landline (area code 010, 02x or 0xxx, optionally in brackets, then 7 or 8 digits, the
// first 2-9). Each stands alone: no digit right before or after it. They are matched by hand
// rather than by a regular expression, which cost ten times as much (RE2 has no look-around,
// so every failed boundary meant another search).

// minNumberDigits is the fewest digits a personal number holds (a 3-digit area code
// and 7 digits): a stretch of fewer digits is not looked at.
const minNumberDigits = 10

// maskNumbers masks the personal numbers of s. Matching runs only on the stretches that
// can hold one (digits with their separators, brackets, + and X, at least minNumberDigits
// digits), so long text costs a byte scan; a stretch ends at a character that is none of
// these, so no digit lies just outside it.
func maskNumbers(s string) string {
	var b strings.Builder
	done := 0
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j, k := i, i
		for j > 0 {
			n := numberCharBefore(s, j)
			if n == 0 {
				break
			}
			j -= n
		}
		digits := 0
		for k < len(s) {
			n := numberCharAt(s, k)
			if n == 0 {
				break
			}
			if isDigit(s[k]) {
				digits++
			}
			k += n
		}
		if digits >= minNumberDigits {
			if m := maskStretch(s[j:k]); m != s[j:k] {
				if b.Len() == 0 {
					b.Grow(len(s))
				}
				b.WriteString(s[done:j])
				b.WriteString(m)
				done = k
			}
		}
		i = k
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// Full-width brackets, as Chinese input methods type them around an area code.
const (
	fullOpen  = "（"
	fullClose = "）"
)

// numberCharAt is the byte length of the character at s[i] when it may belong to a
// personal number, else 0.
func numberCharAt(s string, i int) int {
	switch c := s[i]; {
	case isDigit(c) || c == ' ' || c == '-' || c == '+' || c == '(' || c == ')' || c == 'X' || c == 'x':
		return 1
	case strings.HasPrefix(s[i:], fullOpen) || strings.HasPrefix(s[i:], fullClose):
		return len(fullOpen)
	}
	return 0
}

// numberCharBefore is numberCharAt for the character ending at s[j].
func numberCharBefore(s string, j int) int {
	if n := numberCharAt(s, j-1); n == 1 {
		return 1
	}
	if j >= len(fullOpen) && numberCharAt(s, j-len(fullOpen)) == len(fullOpen) {
		return len(fullOpen)
	}
	return 0
}

// maskStretch masks every personal number in s that stands alone.
func maskStretch(s string) string {
	var b strings.Builder
	done := 0
	for p := 0; p < len(s); p++ {
		if p > 0 && isDigit(s[p-1]) {
			continue
		}
		end, masked := matchNumber(s, p)
		if end < 0 {
			continue
		}
		b.WriteString(s[done:p])
		b.WriteString(masked)
		done, p = end, end-1
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// matchNumber matches an ID-card, mobile or landline number at s[p:] followed by no digit:
// it returns the end of the match and its masked form, or -1.
func matchNumber(s string, p int) (int, string) {
	alone := func(end int) bool { return end > p && (end == len(s) || !isDigit(s[end])) }
	if end := p + 18; end <= len(s) && digitsAt(s, p, 17) && (isDigit(s[p+17]) || s[p+17] == 'X' || s[p+17] == 'x') && alone(end) {
		return end, maskDigits(s[p:end], 3, 4)
	}
	for _, prefix := range []string{"+86", "0086", "86", ""} {
		if !strings.HasPrefix(s[p:], prefix) {
			continue
		}
		q := p + len(prefix)
		if prefix != "" && q < len(s) && (s[q] == ' ' || s[q] == '-') {
			q++
		}
		if end := mobileAt(s, q); alone(end) {
			return end, s[p:q] + maskDigits(s[q:end], 3, 4)
		}
	}
	if q := areaCodeAt(s, p); q > 0 {
		r := q
		if r < len(s) && (s[r] == ' ' || s[r] == '-') {
			r++
		}
		if r < len(s) && s[r] >= '2' && s[r] <= '9' && digitsAt(s, r+1, 6) {
			end := r + 7
			if end < len(s) && isDigit(s[end]) {
				end++
			}
			if alone(end) {
				return end, s[p:q] + maskDigits(s[q:end], 0, 4)
			}
		}
	}
	return -1, ""
}

// digitsAt reports whether s[i:i+n] is n ASCII digits.
func digitsAt(s string, i, n int) bool {
	if i+n > len(s) {
		return false
	}
	for _, c := range []byte(s[i : i+n]) {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// mobileAt is the end of a mobile number (3-4-4 digits, optionally spaced or dashed) at
// s[q:], or -1.
func mobileAt(s string, q int) int {
	if !digitsAt(s, q, 3) || s[q] != '1' || s[q+1] < '3' {
		return -1
	}
	i := q + 3
	for range 2 {
		if i < len(s) && (s[i] == ' ' || s[i] == '-') {
			i++
		}
		if !digitsAt(s, i, 4) {
			return -1
		}
		i += 4
	}
	return i
}

// areaCodeAt is the end of an area code (010, 02x, 0xxx; optionally in brackets) at s[p:], or 0.
func areaCodeAt(s string, p int) int {
	closing := ""
	switch {
	case strings.HasPrefix(s[p:], "("):
		p, closing = p+1, ")"
	case strings.HasPrefix(s[p:], fullOpen):
		p, closing = p+len(fullOpen), fullClose
	}
	if p+3 > len(s) || s[p] != '0' || !digitsAt(s, p+1, 2) {
		return 0
	}
	end := p + 3 // 010, 02x
	if s[p+1] >= '3' {
		if !digitsAt(s, p+3, 1) {
			return 0
		}
		end++
	}
	if closing != "" {
		if !strings.HasPrefix(s[end:], closing) {
			return 0
		}
		end += len(closing)
	}
	return end
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// maskDigits replaces the ASCII digits of s (and an ID's final X) by '*', except the
// first head and the last tail of them; separators stay.
func maskDigits(s string, head, tail int) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) || s[i] == 'X' || s[i] == 'x' {
			n++
		}
	}
	out := []byte(s)
	k := 0
	for i := range out {
		if isDigit(out[i]) || out[i] == 'X' || out[i] == 'x' {
			if k >= head && k < n-tail {
				out[i] = '*'
			}
			k++
		}
	}
	return string(out)
}
