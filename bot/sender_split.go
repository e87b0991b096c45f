package bot

import (
	"strings"
	"unicode/utf8"
)

// SplitText splits text into parts of at most limit UTF-16 code units (how Telegram
// counts), at line breaks where it can; a line longer than a part is cut after a
// sentence's punctuation when one is near the end, else between characters (never inside
// a surrogate pair). Blank text gives no parts.
func SplitText(text string, limit int) []string {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	if utf16Units(text) <= limit {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	curN := 0
	flush := func(s string) {
		if s = strings.TrimRight(s, "\r\n"); strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		n := utf16Units(line)
		if curN+n <= limit {
			cur.WriteString(line)
			curN += n
			continue
		}
		flush(cur.String())
		cur.Reset()
		for n > limit {
			var head string
			head, line = cutUnits(line, limit)
			flush(head)
			n = utf16Units(line)
		}
		cur.WriteString(line)
		curN = n
	}
	flush(cur.String())
	return parts
}

// cutUnits cuts s after at most limit UTF-16 units, preferring the end of a sentence,
// then a comma or space, in the last quarter of the cut.
func cutUnits(s string, limit int) (head, rest string) {
	units, cut, sentence, soft := 0, 0, 0, 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > limit {
			break
		}
		units, i = units+w, i+size
		cut = i
		switch {
		case strings.ContainsRune("。！？；!?;", r):
			sentence = cut
		case strings.ContainsRune("，、, ", r):
			soft = cut
		}
	}
	for _, at := range []int{sentence, soft} {
		if at > 0 && utf16Units(s[:at]) >= limit*3/4 {
			return s[:at], s[at:]
		}
	}
	return s[:cut], s[cut:]
}

// utf16Units is the length of s in UTF-16 code units.
func utf16Units(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
