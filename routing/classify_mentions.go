package routing

import (
	"strings"
	"unicode/utf8"
)

// role is what an office mentioned in a message did, read from the words around it.
type role int

const (
	rolePlain      role = iota // only named
	roleDemander               // demanded the certificate, refused the commitment or the errand
	roleMisconduct             // charged, sold or forged something
	roleErrand                 // the place where the resident did or asks about the errand
	roleTarget                 // the office the resident asks to act (诉求：X…, 请X查处)
	roleIssuer                 // would issue the certificate ("到派出所开具")
	roleRefuser                // rightly refused to issue it ("社区称不能出具")
	roleResidence              // where the resident lives ("家住新筑街道")
)

// roleWeight is how much a mention in each role counts for its department (rule 1: the demander).
var roleWeight = [...]float64{
	rolePlain: 1, roleDemander: 4, roleMisconduct: 4, roleErrand: 3, roleTarget: 3,
	roleIssuer: 0.3, roleRefuser: 0.3, roleResidence: 0,
}

// roleLabel describes the role in a clerk's words.
var roleLabel = [...]string{
	rolePlain: "", roleDemander: "（索要证明或不予办理的一方）", roleMisconduct: "（被反映违规收费或造假的一方）",
	roleErrand: "（办事的地方）", roleTarget: "（来信人要求其处理）", roleIssuer: "（开具证明的一方）",
	roleRefuser: "（表示不再开具证明）", roleResidence: "（居住地）",
}

// mention is a group of adjacent entities read as one name: "纺织城派出所户籍窗口" is one
// office of gafj in street jd-fangzhicheng.
type mention struct {
	text       string
	kind       string // kind of the last entity: office, street-office, nongov, community, street
	code       string // department code (office) or street code (street, street-office)
	street     string // street named inside the group, if any
	start, end int    // rune offsets in the normalized text
	role       role
}

// Words around a mention that give its role.
var (
	// fillers stand between an office and its verb: "派出所的工作人员要求", "社保经办的同志说".
	fillers = []string{"的工作人员", "工作人员", "的同志", "同志", "经办的同志", "经办人员", "的人", "那边", "这边",
		"那儿", "方面", "人员", "又", "也", "还", "仍", "却", "就", "一直", "都", "则", "先", "再"}
	issueVerbs  = []string{"开", "出具", "出的", "盖", "打证明", "证明", "的证明", "的章", "公章", "盖章", "补开", "给开", "的公章"}
	refusals    = []string{"不开", "不再出具", "不能开", "不出具", "不给开", "开不了", "不归", "不属于", "不能出具", "无法出具", "不再开", "不让开", "不让社区开", "不能开具", "不予出具", "不是社区能开", "咋能知道", "没法开", "开不出", "不再另行出具", "不在社区", "不给出具", "早就不让", "早不让"}
	demands     = []string{"要求", "让", "叫我", "叫其", "非要", "非得", "硬要", "说要", "说得", "说需", "说必须", "称需", "称必须", "需要", "还要", "仍要", "又要", "坚持", "索要", "不认", "不给办", "不给过户", "不给我办", "不予", "未予", "不受理", "拒绝", "要我", "要其", "要先", "要提供", "要交", "要开", "要补", "要社区", "要村", "要派出所", "要去", "必须", "卡着", "不给办理", "不办"}
	misdeeds    = []string{"收取", "收费", "收钱", "收了", "乱收", "要钱", "卖", "私下", "伪造", "造假", "冒领", "骗", "收100", "收一百", "收200", "收300", "收500"}
	errandLeft  = []string{"到", "去", "在", "向", "找", "来", "上"}
	errandVerbs = []string{"办", "申请", "申领", "申报", "补领", "补办", "更正", "变更", "改", "登记", "注销", "问", "咨询", "参保", "备案", "递交", "提交", "给老人办", "给我妈办", "给孩子办", "给娃办", "给我办", "领取", "核定", "认证", "签"}
	targetLeft  = []string{"请", "诉求:", "诉求:由", "麻烦", "希望", "建议", "提请", "给", "向", "由", "督促", "让", "要求"}
	targetVerbs = []string{"查", "去查", "来查", "去看", "提", "核查", "处理", "查处", "管", "督促", "出面", "来看看", "看看", "依法", "协调", "介入", "调查", "予以", "认可", "取消", "不再", "按", "把", "凭", "对", "为", "在", "提供", "明确", "核实", "整改", "规范", "增设", "组织", "搞", "公布", "实现", "研究", "逐项", "与"}
	residence   = []string{"住", "住在", "家住", "住的", "居住", "户口在", "户籍在", "老家", "来自", "属"}
	afterHome   = []string{"居民", "的居民", "人", "这边的", "户籍", "村民", "的村民", "的,", "的"}
)

// Word lists of readRole with their character filters.
var (
	fillerList       = newWordList(fillers...)
	issueVerbList    = newWordList(issueVerbs...)
	refusalList      = newWordList(refusals...)
	demandList       = newWordList(demands...)
	misdeedList      = newWordList(misdeeds...)
	errandLeftList   = newWordList(errandLeft...)
	errandVerbList   = newWordList(errandVerbs...)
	targetLeftList   = newWordList(targetLeft...)
	targetVerbList   = newWordList(targetVerbs...)
	targetVerb10List = newWordList(targetVerbs[:10]...)
	residenceList    = newWordList(residence...)
	afterHomeList    = newWordList(afterHome...)
	negationList     = newWordList(negations...)
	districtPrefixes = []string{"西安市灞桥区", "灞桥区", "区"}
	issuedList       = newWordList("出具的", "开具的", "开的", "开了", "出具了", "开具了", "盖的", "盖章的")
	paperWords       = []string{"证明", "证", "病历", "章", "材料", "记录"}
	listJoinList     = newWordList("、", "和", "与", "及", "或", ",")
	withMeList       = newWordList("和我", "和其")
	errandStartList  = newWordList("办理", "申请", "申领", "办事")
	demandEndList    = newWordList("要", "让", "叫", "非让", "非要")
)

// scanMentions finds the offices, communities and streets a message names, groups adjacent
// ones and reads each group's role from its context. It appends to out.
func (c *Classifier) scanMentions(t *ntext, out []mention) []mention {
	r := t.r
	out = out[:0]
	for i := 0; i < len(r); {
		p := c.rules.entities.at(r, i)
		if p == nil {
			i++
			continue
		}
		end := i + len(p.runes)
		if p.kind != ruleMask {
			m := mention{kind: p.kind, code: p.code, start: i, end: end}
			if p.kind == ruleStreet {
				m.street = p.code
			}
			if n := len(out); n > 0 && out[n-1].end == i && joinable(out[n-1], m) {
				prev := &out[n-1]
				prev.end = end
				if m.kind != ruleStaff && (m.kind != ruleStreet || prev.kind == ruleStreet) {
					prev.kind, prev.code = m.kind, m.code
				}
				if m.street != "" {
					prev.street = m.street
				}
			} else {
				out = append(out, m)
			}
		}
		i = end
	}
	for k := range out {
		m := &out[k]
		m.text = t.span(m.start, m.end) // the patterns matched these very characters
		if m.kind == ruleStreetOffice {
			m.code = m.street // resolved later from the text's street when empty
		}
		next := len(r)
		if k+1 < len(out) {
			next = out[k+1].start
		}
		m.role = readRole(t, m, next)
	}
	// Staff words stand for the office named before them: "在灞桥街办便民服务中心给我妈办…，
	// 工作人员还让先去社区开…" makes the street office the demander.
	last := -1
	for k := range out {
		switch out[k].kind {
		case ruleOffice, ruleStreetOffice:
			last = k
		case ruleStaff:
			if last >= 0 && (out[k].role == roleDemander || out[k].role == roleMisconduct) {
				if a := &out[last]; a.role == rolePlain || a.role == roleErrand || a.role == roleTarget {
					a.role = out[k].role
				}
			}
		}
	}
	return out
}

// joinable reports whether two adjacent entities name one office: a street and its office,
// or two names of the same department ("派出所户籍窗口").
func joinable(a, b mention) bool {
	switch {
	case a.kind == ruleStreet && (b.kind == ruleOffice || b.kind == ruleStreetOffice || b.kind == ruleCommunity):
		return true
	case a.kind == ruleOffice && b.kind == ruleOffice && (a.code == b.code || a.code == CodeTriage):
		return true // "派出所户籍窗口"; "政务服务中心社保窗口" is the 社保 window in the hall
	case a.kind == ruleStreetOffice && b.kind == ruleStreetOffice:
		return true
	case b.kind == ruleStaff && (a.kind == ruleOffice || a.kind == ruleStreetOffice || a.kind == ruleStaff):
		return true
	}
	return false
}

// readRole reads what the office did from the words before it (same sentence, 7 characters)
// and after it (up to the next mention or the end of the sentence, 14 characters after the
// fillers, 30 for a non-government demander). It works on substrings of the text: no copies.
func readRole(t *ntext, m *mention, next int) role {
	r := t.r
	lo := max(0, m.start-7)
	for k := m.start - 1; k >= lo; k-- {
		if isStop(r[k]) {
			lo = k + 1
			break
		}
	}
	left := t.span(lo, m.start)
	for _, p := range districtPrefixes {
		if l, ok := strings.CutSuffix(left, p); ok {
			left = l
			break
		}
	}
	window := 14
	if m.kind == ruleNonGov {
		window = 30 // "营业厅给我妈补手机卡，说…对不上，非让去社区开": the demand comes late
	}
	hi := min(len(r), m.end+window+8, next)
	for k := m.end; k < hi; k++ {
		if isStop(r[k]) {
			hi = k
			break
		}
	}
	right := t.span(m.end, hi)
	for trimmed := true; trimmed; {
		trimmed = false
		for _, f := range fillers {
			if len(right) > len(f) && right[:len(f)] == f {
				right, trimmed = right[len(f):], true
			}
		}
	}
	// "殡仪馆还问家属要社区的证明": the demand verb stands right before the next office.
	cutByNext := hi == next && next < len(r)
	if n := utf8.RuneCountInString(right); n > window {
		right, cutByNext = right[:runeOffset(right, window)], false
	}
	leftResidence := residenceList.hasSuffix(left)
	if m.kind == ruleStreet || m.kind == ruleCommunity && leftResidence {
		if leftResidence || afterHomeList.hasPrefix(right) || m.kind == ruleStreet {
			return roleResidence
		}
	}
	if issuedList.hasPrefix(right) {
		return roleIssuer
	}
	if strings.HasPrefix(right, "的") {
		// "医院的诊断证明", "社区的章": the office only issued a paper.
		if i := indexAny(right, paperWords); i >= 0 && i <= 6 {
			return roleIssuer
		}
	}
	if targetLeftList.hasSuffix(left) && targetVerbList.hasPrefix(right) {
		return roleTarget
	}
	if listJoinList.hasPrefix(right) && !withMeList.hasPrefix(right) {
		return rolePlain // one of a list: "跟医院、医保的就诊记录比对"
	}
	first, best := -1, rolePlain
	try := func(words *wordList, ro role) {
		if i := indexVerb(right, words); i >= 0 && (first < 0 || i < first) {
			first, best = i, ro
		}
	}
	try(refusalList, roleRefuser)
	try(misdeedList, roleMisconduct)
	if i := indexMoney(right); i >= 0 && (first < 0 || i < first) {
		first, best = i, roleMisconduct
	}
	try(demandList, roleDemander)
	if best == roleMisconduct {
		return best // "社区开一个证明收50块钱": charging outweighs issuing
	}
	if issueVerbList.hasPrefix(right) && (first < 0 || first > 0) {
		return roleIssuer
	}
	if errandLeftList.hasSuffix(left) && errandVerbList.hasPrefix(right) {
		if best == roleDemander || best == roleMisconduct {
			return best
		}
		return roleErrand
	}
	if errandStartList.hasPrefix(right) {
		return roleErrand
	}
	if first >= 0 {
		return best
	}
	if cutByNext && demandEndList.hasSuffix(right) {
		return roleDemander
	}
	if targetVerb10List.hasPrefix(right) && targetLeftList.hasSuffix(left) {
		return roleTarget
	}
	return rolePlain
}

// runeOffset is the byte offset of the n-th character of s (len(s) when s is shorter).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// negations turn a demand into its opposite: "别让家属再跑", "不再要求社区证明".
var negations = []string{"别", "不再", "不要", "无需", "不用", "免得", "避免"}

// indexVerb is indexAny for verbs: an occurrence right after a negation does not count. It
// returns the rune offset of the first occurrence of any of the words not after a negation.
func indexVerb(s string, words *wordList) int {
	if words.bordered {
		return indexVerbEach(s, words.words)
	}
	// No word overlaps itself, so the first counting occurrence of each word, and the
	// earliest of those, is the earliest counting occurrence of any: one pass finds it.
	n := 0
	for i, c := range s {
		if words.first.has(c) && hasPrefixAny(s[i:], words.words) && !negationList.hasSuffix(s[:i]) {
			return n
		}
		n++
	}
	return -1
}

// indexVerbEach is indexVerb word by word.
func indexVerbEach(s string, words []string) int {
	best := -1
	for _, w := range words {
		from := 0
		for from < len(s) {
			i := strings.Index(s[from:], w)
			if i < 0 {
				break
			}
			i += from
			if !hasSuffixAny(s[:i], negations) {
				if best < 0 || i < best {
					best = i
				}
				break
			}
			from = i + len(w)
		}
	}
	if best < 0 {
		return -1
	}
	return utf8.RuneCountInString(s[:best])
}

// indexMoney finds a sum of money asked for ("收50", "100块", "三百块"), or -1: the rune offset.
func indexMoney(s string) int {
	var buf [64]rune
	r := buf[:0]
	for _, c := range s {
		r = append(r, c)
	}
	return indexMoneyRunes(r)
}

func indexMoneyRunes(r []rune) int {
	for i, c := range r {
		isNum := c >= '0' && c <= '9' || isNumeral(c)
		if c == '收' && i+1 < len(r) && (r[i+1] >= '0' && r[i+1] <= '9' || r[i+1] == '了') {
			return i
		}
		if isNum && i+1 < len(r) && (r[i+1] == '块' || r[i+1] == '元') {
			for i > 0 && (r[i-1] >= '0' && r[i-1] <= '9' || isNumeral(r[i-1])) {
				i--
			}
			return i
		}
	}
	return -1
}

// isNumeral reports the Chinese numerals of a sum: 一二两三四五六七八九十百千.
func isNumeral(c rune) bool {
	switch c {
	case '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千':
		return true
	}
	return false
}
