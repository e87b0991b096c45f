package routing

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

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

// Withheld reports whether c's identity must not leave the service: an anonymous case or a
// report (举报), whose complainant is protected from the department complained about.
func (c *Case) Withheld() bool {
	return c.Anonymous || c.Type == TypeReport
}

// DisclosedTo reports whether department dept may see who filed c, in the complainant
// fields and in the numbers and names typed into the text: only the assigned department,
// and never when the identity is withheld.
func (c *Case) DisclosedTo(dept string) bool {
	return dept != "" && dept == c.Department && !c.Withheld()
}

// MaskedCopy returns a copy of c as shown to anyone who may not see who filed it: the
// complainant masked and the free text (text, address, reply) passed through MaskText with
// the complainant's own name. c is left unchanged, so the stored original stays for --reveal.
func (c *Case) MaskedCopy() *Case {
	m := *c
	name := c.Complainant.Name
	m.Complainant = c.Complainant.Masked()
	m.Text, m.Address, m.Reply = MaskText(c.Text, name), MaskText(c.Address, name), MaskText(c.Reply, name)
	return &m
}

// MaskedEvent returns e with its reason and data values (a reply, a return reason) passed
// through MaskText with the given names; e's own map is left unchanged.
func MaskedEvent(e Event, names ...string) Event {
	e.Reason = MaskText(e.Reason, names...)
	if len(e.Data) > 0 {
		d := make(map[string]string, len(e.Data))
		for k, v := range e.Data {
			d[k] = MaskText(v, names...)
		}
		e.Data = d
	}
	return e
}

// The numbers MaskText hides: an 18-digit ID-card number (the last may be X), a mobile
// number (1[3-9] and 9 digits, spaced or dashed 3-4-4, with an optional +86/0086/86 prefix)
// and a landline (area code 010, 02x or 0xxx, optionally in brackets, then 7 or 8 digits, the
// first 2-9). Each stands alone: no digit right before or after it. They are matched by hand
// rather than by a regular expression, which cost ten times as much (RE2 has no look-around,
// so every failed boundary meant another search).

// minNumberDigits is the fewest digits a personal number holds (a 3-digit area code
// and 7 digits): a stretch of fewer digits is not looked at.
const minNumberDigits = 10

// MaskText hides what identifies a person in free text (a complaint, a reply, a reason):
// mobile numbers ("138****1234", separators and a +86 prefix kept), landlines ("029-****6666",
// the area code kept), 18-digit ID-card numbers ("610***********123X"), each of the given
// names (the case's own complainant: "张三" → "张*") and a name introduced as "我叫张三",
// "我是李四", "本人王五" or "姓名：赵六". Case ids, ticket numbers, dates and item codes
// (BQ20261125-0001, BQ12345-20261125-0001, 2026-12-01, BQ-012) are left as they are: a number
// inside a longer run of digits is never taken for a phone.
func MaskText(s string, names ...string) string {
	if s == "" {
		return s
	}
	s = maskNumbers(s)
	for _, n := range names {
		n = strings.TrimSpace(n)
		if utf8.RuneCountInString(n) >= 2 && strings.Contains(s, n) { // one character would hit words
			s = strings.ReplaceAll(s, n, MaskName(n))
		}
	}
	return maskIntroducedNames(s)
}

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

// introductions are the words after which people give their name in a complaint.
var introductions = []string{"我叫", "我是", "本人", "姓名：", "姓名:", "联系人：", "联系人:"}

// nameEnds are words that may directly follow a name given after an introduction, when no
// punctuation separates them: "我叫张三电话…".
var nameEnds = []string{"电话", "手机", "联系", "身份证", "家住", "住在", "现住", "今年", "来电", "反映", "投诉", "咨询"}

// commonSurnames are the surnames a name after an introduction must begin with. Words
// that often follow "我是" are left out (党员, 文员, 安徽人, 房东, 司机, 车主, 申请人 …), as are
// rarer surnames: such a name stays unmasked rather than the text being guessed at.
const commonSurnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范廖石贾韦夏付方邹熊孟秦邱侯尹薛闫段雷龙史陶贺顾毛郝龚邵万钱严赖覃洪莫孔汤向温康牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹欧耿焦俞左柳祝符舒阮柯纪梅童凌季裴霍涂谷盛曲翁冉骆蓝辛靳柴鲍喻祁蒲滕屈饶牟艾尤阳穆卓古缪芦麦褚娄窦戚岑景宫费卜冷晏席米柏宗瞿佟臧闵苟邬卞姬仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝"

// maskIntroducedNames masks a name of two or three Chinese characters, beginning with a
// common surname, right after one of introductions and ended by punctuation, a space, a
// digit, the end of the text or one of nameEnds.
func maskIntroducedNames(s string) string {
	for _, intro := range introductions {
		from := 0
		for {
			i := strings.Index(s[from:], intro)
			if i < 0 {
				break
			}
			at := from + i + len(intro)
			for at < len(s) && s[at] == ' ' { // "姓名: 张三"
				at++
			}
			from = at
			n := introducedName(s[at:])
			if n == 0 {
				continue
			}
			s = s[:at] + MaskName(s[at:at+n]) + s[at+n:]
		}
	}
	return s
}

// introducedName is the byte length of the name at the start of s, or 0 when there is none.
func introducedName(s string) int {
	first, size := utf8.DecodeRuneInString(s)
	if !strings.ContainsRune(commonSurnames, first) {
		return 0
	}
	han := []int{size} // byte offsets after each Chinese character
	for off := size; len(han) < 4 && off < len(s); {
		r, sz := utf8.DecodeRuneInString(s[off:])
		if !unicode.Is(unicode.Han, r) {
			break
		}
		off += sz
		han = append(han, off)
	}
	switch len(han) {
	case 1:
		return 0
	case 2, 3: // the run of Chinese characters ends here
		return han[len(han)-1]
	}
	for _, k := range []int{2, 3} { // a longer run: the name ends where a known word begins
		rest := s[han[k-1]:]
		for _, w := range nameEnds {
			if strings.HasPrefix(rest, w) {
				return han[k-1]
			}
		}
	}
	return 0
}
