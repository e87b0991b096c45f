package knowledge

import "strings"

// Cues that a message reports an office's conduct rather than asks a question. They are
// matched on normalized text. A report names who did it (an actor) and what went wrong.
var (
	// reportCues: the resident says they want to complain or be heard.
	reportCues = []string{"投诉", "举报", "反映", "说理", "讨说法", "讨个说法", "曝光", "告他们", "告他", "不作为", "维权", "太折腾", "瞎折腾", "欺负人"}
	// coercionCues: an office insisted on a certificate, refused a commitment or obstructed.
	coercionCues = []string{"非让", "非要", "硬要", "硬让", "非得", "逼着", "逼我", "卡着", "卡我", "不给办", "不给我办", "就不办", "不予办理", "不受理",
		"不认承诺", "不认可", "不认", "不接受", "不承认", "刁难", "为难", "乱收费", "收费", "收钱", "要钱", "推诿", "踢皮球", "来回跑", "跑了好几趟", "跑了几趟",
		"折腾人", "推三阻四", "拖着", "互相推", "推来推去", "态度差", "态度太差", "请吃饭", "交钱", "收我", "吃拿卡要", "说必须", "必须要开", "必须开", "一定要开", "坚持要", "拒绝"}
	// actorCues: an office or organisation that demanded something.
	actorCues = []string{"派出所", "窗口", "社区", "居委会", "村委会", "村上", "村里", "工作人员", "民警", "警察", "局", "街道", "街办", "单位", "银行", "医院",
		"学校", "办事员", "柜台", "大厅", "中心", "他们", "人家", "那边", "领导", "公证处", "所里"}
	// askCues: the message asks where or how to complain in general (a policy question).
	askCues = []string{"去哪投诉", "哪里投诉", "在哪投诉", "怎么投诉", "咋投诉", "如何投诉", "投诉电话", "向谁投诉", "找谁投诉", "去哪反映", "在哪反映", "哪里反映", "怎么反映", "咋反映", "如何反映", "哪里举报", "怎么举报", "能投诉吗", "可以投诉吗", "能不能投诉", "投诉渠道"}
)

// complaintSignal scores how strongly normalized text reports an office's conduct.
// 0 means no sign of a complaint.
func complaintSignal(norm string) float64 {
	report := containsAny(norm, reportCues)
	coercion := containsAny(norm, coercionCues)
	actor := containsAny(norm, actorCues)
	ask := containsAny(norm, askCues)
	score := 0.0
	if report {
		score += 1
	}
	if coercion {
		score += 1
	}
	if actor {
		score += 0.5
	}
	if ask && !coercion {
		score -= 1.5 // "去哪投诉" asks about the channel, it does not report a case
	}
	return score
}

// policyCues name the commitment system itself; a policy question mentions at least one.
var policyCues = []string{"承诺", "证明", "清单", "目录", "核查", "核实", "信用", "失信", "投诉", "举报", "反映", "12345", "公示", "撤回", "反悔",
	"隐私", "个人信息", "手机号", "负面", "牵头", "司法局", "审批局", "政务服务网", "模板", "范围", "领域", "减证", "便民"}

// offTopicCues ask about time, money, places or cards, not about a certificate demand.
var offTopicCues = []string{"几天", "多少天", "多长时间", "多久能", "多久可以", "上班吗", "上班不", "几点", "多少钱", "收费标准", "基数", "咋走", "怎么走",
	"几号线", "几路", "地铁", "公交", "天气", "下雨", "好吃", "退税", "冷静期", "漏水", "哪年能退", "接种", "疫苗", "补办", "续签", "续办", "上牌", "怎么申请"}

// certificateCues show the question is about providing a certificate or a commitment.
var certificateCues = []string{"证明", "承诺", "材料", "盖章", "鉴定", "函", "开具", "出具", "单子", "条子", "开个", "开啥"}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
