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
	if len(c.Rounds) > 0 {
		m.Rounds = make([]Round, len(c.Rounds))
		for i, r := range c.Rounds {
			r.Reply = MaskText(r.Reply, name)
			m.Rounds[i] = r
		}
	}
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
