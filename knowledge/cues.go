package knowledge

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

//go:embed data/outofscope.txt
var outOfScopeTXT string

// outOfScopeTerms are errands the list does not cover (normalized), from data/outofscope.txt.
var outOfScopeTerms = func() []string {
	var out []string
	for _, line := range strings.Split(outOfScopeTXT, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, Normalize(line))
		}
	}
	return out
}()

// Cues that a message reports an office's conduct rather than asks a question. They are
// matched on normalized text. A report names who did it (an actor) and what went wrong.
var (
	// reportCues: the resident says they want to complain or be heard.
	reportCues = []string{"投诉", "举报", "反映", "说理", "讨说法", "讨个说法", "查处", "请求处理", "要求处理", "严肃处理", "问责", "整改",
		"合规吗", "合法吗", "合理吗", "有依据吗", "依据是什么", "这不是", "不是能查到", "为啥还要", "为什么还要", "凭什么", "督促", "来看看", "管管", "烦死了",
		"来回跑", "跑了三趟", "跑了两趟", "跑了好几趟", "跑了几趟",
		"给个说法", "给说法", "违规", "违法", "查一查", "查一下", "请领导", "希望有关部门", "希望司法局", "希望领导", "谁管", "有没有人管", "正常吗", "没人管", "不满", "退费", "要求核实", "请核实", "凭啥", "太过分", "离谱", "曝光", "不作为", "维权", "太折腾", "瞎折腾", "欺负人"}
	// coercionCues: an office insisted on a certificate, refused a commitment or obstructed.
	coercionCues = []string{"非让", "非要", "硬要", "硬让", "非得", "逼着", "逼我", "卡着", "卡我", "不给办", "不给我办", "就不办", "不予办理", "不受理",
		"不认承诺", "不认可", "不认", "不接受", "不承认", "刁难", "为难", "乱收费", "收费", "收钱", "要钱", "推诿", "踢皮球", "还不行", "态度", "却让", "却要", "被要求", "不予出具", "无法办理", "办证费", "手续费", "块钱", "不松口", "不开就", "不交就", "不带不给", "不给登记", "不给盖章", "还是要", "停发", "材料费", "还是让", "注销不了", "办不了", "办不成",
		"折腾人", "推三阻四", "拖着", "互相推", "推来推去", "态度差", "态度太差", "请吃饭", "交钱", "不交不", "要先交", "管理费", "收我", "吃拿卡要", "说必须", "必须要开", "必须开", "一定要开", "坚持要", "拒绝"}
	// questionCues: the message asks a question rather than states a grievance.
	questionCues = []string{"吗", "么", "能不能", "可不可以", "行不行", "咋办", "怎么办", "咋弄", "怎么弄", "是不是", "有没有", "要不要", "需不需要", "能免", "能不", "得是"}
	// hypotheticalCues: the resident imagines a situation rather than reports one.
	hypotheticalCues = []string{"要是", "如果", "万一", "假如", "碰到", "遇到", "以后"}
	// actorCues: an office or organisation that demanded something.
	actorCues = []string{"派出所", "窗口", "社区", "居委会", "村委会", "村上", "村里", "工作人员", "民警", "警察", "局", "街道", "街办", "单位", "银行", "医院",
		"学校", "办事员", "登记处", "服务中心", "办事处", "公证处", "村干部", "柜台", "大厅", "中心", "他们", "人家", "那边", "领导", "公证处", "所里"}
	// askCues: the message asks where or how to complain in general (a policy question).
	askCues = []string{"去哪投诉", "哪里投诉", "在哪投诉", "怎么投诉", "咋投诉", "如何投诉", "投诉电话", "向谁投诉", "找谁投诉", "去哪反映", "在哪反映", "哪里反映", "往哪反映", "找哪反映", "向哪反映", "怎么反映", "咋反映", "如何反映", "哪里举报", "怎么举报", "能投诉吗", "可以投诉吗", "能不能投诉", "投诉渠道", "哪个电话", "什么电话", "打哪个", "找哪个部门", "哪个部门"}
)

// policyCues name the commitment system itself; a policy question mentions at least one.
var policyCues = []string{"承诺", "清单", "证明事项", "咨询", "目录", "核查", "核实", "信用", "失信", "投诉", "举报", "反映", "12345", "公示", "撤回", "反悔",
	"隐私", "个人信息", "手机号", "泄露", "负面", "牵头", "司法局", "审批局", "政务服务网", "模板", "范围", "领域", "减证", "便民"}

// strongPolicyCues are about the system itself whatever certificate is mentioned beside them:
// "承诺书里填了身份证号，会不会泄露" asks about privacy, not about 身份号码证明.
var strongPolicyCues = []string{"泄露", "泄漏", "隐私", "撤回", "反悔", "负面清单", "信用修复", "失信", "黑名单", "公示", "模板", "格式文本", "牵头",
	"都能承诺", "都能用承诺", "都可以承诺", "所有证明", "哪些事项", "哪些证明", "什么事都"}

// offTopicCues ask about time, money, places or cards, not about a certificate demand.
var offTopicCues = []string{"几天", "多少天", "多长时间", "多久能", "多久可以", "上班吗", "上班不", "几点", "多少钱", "收费标准", "基数", "咋走", "怎么走",
	"几号线", "几路", "地铁", "公交", "天气", "下雨", "好吃", "退税", "冷静期", "漏水", "哪年能退", "接种", "疫苗", "补办", "续签", "续办", "上牌", "怎么申请", "是多少", "比例", "标准是"}

// certificateCues show the question is about providing a certificate or a commitment.
var certificateCues = []string{"证明", "正明", "证名", "政明", "承诺", "材料", "盖章", "鉴定", "函", "开具", "出具", "单子", "条子", "开个", "开啥"}

// complaintSignal scores how strongly a message reports an office's conduct, from the
// cues found in it. 0 means no sign of a complaint.
func complaintSignal(c cueSet) float64 {
	report, coercion := c.has(cueReport), c.has(cueCoercion)
	score := 0.0
	if report {
		score += 1
	}
	if coercion {
		// "非要…，这个能免吗" asks what the rule is; only a report wants the office looked into.
		if !report && c.has(cueQuestion) {
			score += 0.5
		} else {
			score += 1
		}
	}
	if c.has(cueActor) {
		score += 0.5
	}
	if c.has(cueAsk) && (!coercion || c.has(cueHypothetical)) {
		score -= 2 // "去哪投诉", "要是碰到…该往哪里反映" ask about the channel, they do not report a case
	}
	return score
}

// cueSet is the set of cue classes found in a message.
type cueSet uint32

// The cue classes, one per list above.
const (
	cueReport cueSet = 1 << iota
	cueCoercion
	cueQuestion
	cueHypothetical
	cueActor
	cueAsk
	cueCommunity
	cuePolicy
	cueStrongPolicy
	cueOffTopic
	cueCertificate
)

func (c cueSet) has(class cueSet) bool { return c&class != 0 }

// cueIndex finds every cue of every class in one pass over a message: phrases are grouped
// by first character, so each character of the message costs one bit test, and a map
// lookup only when some cue starts with it.
type cueIndex struct {
	first   runeSet
	byFirst map[rune][]cuePhrase
}

type cuePhrase struct {
	text  string
	class cueSet
}

var cues = newCueIndex(map[cueSet][]string{
	cueReport: reportCues, cueCoercion: coercionCues, cueQuestion: questionCues, cueHypothetical: hypotheticalCues,
	cueActor: actorCues, cueAsk: askCues, cueCommunity: communityCues, cuePolicy: policyCues,
	cueStrongPolicy: strongPolicyCues, cueOffTopic: offTopicCues, cueCertificate: certificateCues,
})

func newCueIndex(lists map[cueSet][]string) *cueIndex {
	idx := &cueIndex{byFirst: map[rune][]cuePhrase{}}
	for class, list := range lists {
		for _, p := range list {
			first, _ := utf8.DecodeRuneInString(p)
			idx.byFirst[first] = append(idx.byFirst[first], cuePhrase{p, class})
			idx.first.add(first)
		}
	}
	return idx
}

// scan returns the classes of all cues found in normalized text.
func (idx *cueIndex) scan(norm string) cueSet {
	var found cueSet
	for i, r := range norm {
		if !idx.first.has(r) {
			continue
		}
		for _, p := range idx.byFirst[r] {
			if found&p.class == 0 && strings.HasPrefix(norm[i:], p.text) {
				found |= p.class
			}
		}
	}
	return found
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
