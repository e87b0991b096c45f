package routing

import "strings"

// MaskPhone hides the middle of a phone number for logs, tables and anyone but the
// assigned department: "13812341234" → "138****1234". Numbers of 11 characters or more
// keep the first three and last four; 7 to 10 keep only the last four; shorter ones are
// hidden whole. The length is kept, so the masked form still looks like a number.
func MaskPhone(phone string) string {
	r := []rune(strings.TrimSpace(phone))
	n := len(r)
	switch {
	case n == 0:
		return ""
	case n >= 11:
		return string(r[:3]) + strings.Repeat("*", n-7) + string(r[n-4:])
	case n >= 7:
		return strings.Repeat("*", n-4) + string(r[n-4:])
	default:
		return strings.Repeat("*", n)
	}
}

// MaskName keeps the first character (the surname) and hides the rest:
// "张三丰" → "张**", "张三" → "张*"; a one-character name is hidden whole.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	default:
		return string(r[0]) + strings.Repeat("*", len(r)-1)
	}
}

// Masked returns the complainant with name and phone masked.
func (c Complainant) Masked() Complainant {
	return Complainant{Name: MaskName(c.Name), Phone: MaskPhone(c.Phone)}
}
