package routing_test

import (
	"strings"
	"sync"
	"testing"

	"chengnuo/routing"
)

var (
	builtinClassifierOnce sync.Once
	builtinClassifier     *routing.Classifier
)

// classifier is the production classifier: built-in directory, items and training.
func classifier() *routing.Classifier {
	builtinClassifierOnce.Do(func() {
		builtinClassifier = routing.NewClassifier(routing.BuiltinDirectory(), builtinMatcher(), routing.BuiltinTraining(), routing.ClassifierOptions{})
	})
	return builtinClassifier
}

// TestRoutingRules checks the district's routing rules (shared/data/README.md) on messages
// written for this test, none of them from the labelled sets.
func TestRoutingRules(t *testing.T) {
	cases := []struct {
		rule, text, address string
		dept, street        string
		typ                 routing.CaseType // empty: not checked
	}{
		// Rule 1: the government body or public institution that demanded the certificate.
		{"1 派出所", "我去新筑派出所办户口迁移，民警非要我开无犯罪证明", "", "gafj", "jd-xinzhu", routing.TypeComplaint},
		{"1 社保窗口", "区人社局窗口让我拿社区开的健在证明才能领养老金", "", "rsj", "", ""},
		{"1 公办学校", "孩子转学，学校让我们去派出所开户籍证明，户口本上都有", "", "jyj", "", ""},
		{"1 公立医院", "在区医院办出生医学证明，医院要求我们提供村委会的婚育证明", "", "wjj", "", ""},
		{"1 公证", "公证处办继承公证，公证员要我去社区开亲属关系证明", "", "sfj", "", ""},
		{"1 殡葬", "殡仪馆火化要社区开的死亡证明", "", "mzj", "", ""},
		{"1 不动产登记", "不动产登记中心办过户，工作人员让我们去派出所开亲属关系证明", "", "zrzyj", "", ""},
		{"1 demander over item owner", "医保报销的时候医保局窗口非让我去社区开个疾病证明", "", "ybj", "", ""},
		{"1 街道 staff", "洪庆街道便民服务中心的工作人员让我去村上开个收入证明才给办临时救助", "", "jd-hongqing", "jd-hongqing", ""},
		{"1 卫健 with street", "我家在新合，区卫健局办计划生育奖励扶助，要村上开婚育证明，村上不给开", "", "wjj", "jd-xinhe", ""},
		{"1 report", "举报：某派出所民警收钱帮人改年龄", "", "gafj", "", routing.TypeReport},
		// Rule 2: a non-government demander sent the resident to a 社区, or the 社区 misbehaved.
		{"2 bank", "席王这边，银行让我去社区开个亲属关系证明才能取我爸的存款，社区说不能开", "", "jd-xiwang", "jd-xiwang", ""},
		{"2 employer", "我住狄寨，单位让我去村委会开无犯罪记录证明", "", "jd-dizhai", "jd-dizhai", ""},
		{"2 community charges", "十里铺街道某社区开一个证明收50块钱", "", "jd-shilipu", "jd-shilipu", routing.TypeReport},
		{"2 street from address", "银行让我去社区开亲属关系证明，社区不给开", "灞桥区纺织城街道纺建路", "jd-fangzhicheng", "jd-fangzhicheng", ""},
		// Rule 3: no street office identified → the competent district department.
		{"3 高龄补贴", "申请高龄补贴要准备什么证明", "", "mzj", "", routing.TypeConsultation},
		{"3 特困", "办特困供养需要社区开证明吗", "", "mzj", "", routing.TypeConsultation},
		// Rule 4: suggestions.
		{"4 system", "建议把更多证明事项纳入告知承诺制目录", "", "sfj", "", routing.TypeSuggestion},
		{"4 one department", "建议政务大厅窗口多安排几个人，排队太久了", "", "xzspj", "", routing.TypeSuggestion},
		// Rule 5: consultations, credit, supervision.
		{"5 consultation", "办理保安员证需要学历证明吗？能承诺吗", "", "gafj", "", routing.TypeConsultation},
		{"5 契税", "契税优惠需要住房情况证明吗", "", "swj", "", routing.TypeConsultation},
		{"5 婚姻登记", "请问结婚登记还要户口本吗", "", "mzj", "", routing.TypeConsultation},
		{"5 street named, matter decides", "洪庆这边低保年审要交啥材料", "", "mzj", "jd-hongqing", routing.TypeConsultation},
		{"5 credit", "失信被执行人信用修复怎么申请", "", "kjgxj", "", ""},
		{"5 overdue", "上个月投诉的事到现在超期了还没人答复，请督办", "", "zfb", "", ""},
		{"5 推诿", "派出所让找社区，社区让找民政，民政又让回派出所，几个部门互相推诿", "", "zfb", "", ""},
	}
	c := classifier()
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			d := c.Classify(tc.text, tc.address)
			if d.Department != tc.dept || d.Triage || d.Street != tc.street || tc.typ != "" && d.Type != tc.typ {
				t.Errorf("%s\n got %s/%s/%s triage=%v conf=%.2f, want %s/%s/%s\n reasons: %v",
					tc.text, d.Department, d.Street, d.Type, d.Triage, d.Confidence, tc.dept, tc.street, tc.typ, d.Reasons)
			}
		})
	}
}

// TestTriageNeverGuesses: with nothing to go on, the case goes to the triage desk and says so.
func TestTriageNeverGuesses(t *testing.T) {
	c := classifier()
	for _, text := range []string{"你好", "我有个问题想问一下", "", "？？？"} {
		d := c.Classify(text, "")
		if !d.Triage || d.Department != routing.CodeTriage || d.Confidence >= 0.3 {
			t.Errorf("%q: got %s triage=%v conf=%.2f, want triage", text, d.Department, d.Triage, d.Confidence)
		}
		if len(d.Reasons) == 0 || !containsReason(d.Reasons, "把握不足，转分拨台") {
			t.Errorf("%q: reasons %v lack the triage reason", text, d.Reasons)
		}
		if d.Items == nil || d.Reasons == nil {
			t.Errorf("%q: nil items or reasons would print as null", text)
		}
	}
}

// TestReasonsAreReadable: every decision says why in Chinese, naming the evidence.
func TestReasonsAreReadable(t *testing.T) {
	c := classifier()
	d := c.Classify("来电人反映：其到十里铺派出所办理户口登记身高变更，民警要求其提供医院出具的身高证明，不接受承诺书。", "")
	for _, want := range []string{"地点“十里铺”属十里铺街道", "文中提到“十里铺派出所”", "事项 BQ-003 属西安市公安局灞桥分局", "类型“投诉”"} {
		if !containsReason(d.Reasons, want) {
			t.Errorf("reasons %v lack %q", d.Reasons, want)
		}
	}
	if d.Department != "gafj" || d.Street != "jd-shilipu" || len(d.Items) == 0 || d.Items[0] != "BQ-003" {
		t.Errorf("got %+v", d)
	}
}

func containsReason(reasons []string, part string) bool {
	for _, r := range reasons {
		if strings.Contains(r, part) {
			return true
		}
	}
	return false
}

// TestClassifyConcurrent: one classifier serves many goroutines (run with -race).
func TestClassifyConcurrent(t *testing.T) {
	c := classifier()
	want := c.Classify("席王这边，银行让我去社区开个亲属关系证明", "")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if d := c.Classify("席王这边，银行让我去社区开个亲属关系证明", ""); d.Department != want.Department || d.Confidence != want.Confidence {
					t.Errorf("concurrent decision differs: %+v vs %+v", d, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkClassify(b *testing.B) {
	c := classifier()
	text := "来电人反映：其在区社保中心办理养老保险个人账户合并，因早年参保时使用曾用名，工作人员要求其到派出所开具曾用名证明。诉求：社保窗口认可户口簿登记内容。"
	b.ReportAllocs()
	for b.Loop() {
		c.Classify(text, "")
	}
}
