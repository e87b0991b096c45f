package routing

import (
	"strings"
)

// Messages of NormalizePhone's errors. They never repeat the number, which may be logged.
const (
	msgPhoneChars = "电话号码只能包含数字、空格、短横线、括号和开头的 +"
	msgPhoneForm  = "电话号码不正确：手机号为 1 开头的 11 位数字（如 13812341234），固定电话须带区号（如 029-88886666），分机号写在最后（如 029-88886666-123）"
)

// extensionMarks introduce an extension after a landline: "029-88886666转123".
var extensionMarks = []string{"转", "分机", "ext.", "ext", "EXT", "Ext", "#"}

// NormalizePhone checks a phone number as people and platforms write it and returns the form
// chengnuo stores, so that the same caller is recognised however the number was spelt:
//
//   - a mobile: 1[3-9] and 9 more digits, optionally spaced or dashed, after an optional
//     +86, 0086 or 86: stored as the 11 digits, "13812341234";
//   - a landline with its area code (010, 02x, 0xxx) and a local number of 7 or 8 digits
//     beginning 2-9, the area code optionally in brackets; after +86 the leading 0 may be
//     left out. Stored as digits, "02988886666"; an extension of 1 to 6 digits, written after
//     "-", "转", "分机", "ext" or "#", is kept as "02988886666-123";
//   - a number abroad: + (or 00) and a country code other than 86, 8 to 15 digits in all:
//     stored as "+447700900123".
//
// Full-width digits and brackets are read as ASCII ones. Empty stays empty (no phone). Any
// other input is an EINVALID error whose Chinese message says what a number looks like.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(halfWidth(s))
	if s == "" {
		return "", nil
	}
	main, ext, marked := s, "", false
	for _, m := range extensionMarks {
		if i := strings.Index(s, m); i > 0 {
			main, ext, marked = s[:i], strings.TrimSpace(s[i+len(m):]), true
			break
		}
	}
	plus, digits, groups, ok := phoneDigits(main)
	if !ok {
		return "", Errorf(EINVALID, msgPhoneChars)
	}
	if marked {
		if !digitsAt(ext, 0, len(ext)) || len(ext) < 1 || len(ext) > 6 {
			return "", Errorf(EINVALID, msgPhoneForm)
		}
		if p, ok := phoneNumber(plus, digits, true); ok {
			return p + "-" + ext, nil
		}
		return "", Errorf(EINVALID, msgPhoneForm)
	}
	if p, ok := phoneNumber(plus, digits, false); ok {
		return p, nil
	}
	// "029-88886666-123": the last dashed group is an extension.
	if n := len(groups); n >= 2 && len(groups[n-1]) <= 6 {
		if p, ok := phoneNumber(plus, strings.Join(groups[:n-1], ""), true); ok {
			return p + "-" + groups[n-1], nil
		}
	}
	return "", Errorf(EINVALID, msgPhoneForm)
}

// halfWidth turns full-width digits, brackets, plus and hyphen into ASCII.
func halfWidth(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0xFF00 && r <= 0xFF5E }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E { // the full-width forms of ASCII ! … ~
			return r - 0xFF01 + '!'
		}
		return r
	}, s)
}

// phoneDigits reads the digits of s, a leading + and the groups of digits between dashes;
// false when s has any other character than digits, spaces, dashes and brackets.
func phoneDigits(s string) (plus bool, digits string, groups []string, ok bool) {
	var b, g strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			g.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == '-':
			groups = append(groups, g.String())
			g.Reset()
		case r == ' ' || r == '(' || r == ')':
		default:
			return false, "", nil, false
		}
	}
	if len(groups) > 0 {
		groups = append(groups, g.String())
	}
	return plus, b.String(), groups, true
}

// nationalPart splits a country prefix off d: the number within China and whether a
// country code came first (country), or the number abroad (foreign).
func nationalPart(plus bool, d string) (national string, country, foreign bool) {
	switch {
	case plus && strings.HasPrefix(d, "86"):
		return d[2:], true, false
	case plus:
		return d, false, true
	case strings.HasPrefix(d, "0086"):
		return d[4:], true, false
	case strings.HasPrefix(d, "00"):
		return d[2:], false, true
	case len(d) == 13 && strings.HasPrefix(d, "86") && isMobile(d[2:]):
		return d[2:], true, false
	}
	return d, false, false
}

// phoneNumber is the stored form of a mobile, a landline or a number abroad; with an
// extension (ext) a mobile is not accepted.
func phoneNumber(plus bool, d string, ext bool) (string, bool) {
	n, country, foreign := nationalPart(plus, d)
	switch {
	case foreign:
		return abroad(n)
	case !ext && isMobile(n):
		return n, true
	}
	if country && !strings.HasPrefix(n, "0") { // +86 29 8888 6666: the trunk 0 is left out
		n = "0" + n
	}
	area := areaCodeAt(n, 0)
	if area == 0 || !digitsAt(n, 0, len(n)) {
		return "", false
	}
	local := n[area:]
	if (len(local) != 7 && len(local) != 8) || local[0] < '2' {
		return "", false
	}
	return n, true
}

func isMobile(d string) bool {
	return len(d) == 11 && digitsAt(d, 0, 11) && d[0] == '1' && d[1] >= '3'
}

// abroad is a number outside China: a country code that is not 0 and 8 to 15 digits in all.
func abroad(d string) (string, bool) {
	if len(d) < 8 || len(d) > 15 || d[0] == '0' || !digitsAt(d, 0, len(d)) {
		return "", false
	}
	return "+" + d, true
}
