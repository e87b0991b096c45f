package routing

import (
	"strings"
	"testing"
)

// fakeItems is a hand-written ItemMatcher: it returns the items whose trigger word is in the text.
type fakeItems map[string]ItemMatch

func (f fakeItems) MatchItems(text string) []ItemMatch {
	var out []ItemMatch
	for word, it := range f {
		if strings.Contains(text, word) {
			out = append(out, it)
		}
	}
	return out
}

func rulesOnly(t *testing.T, items ItemMatcher) *Classifier {
	t.Helper()
	return NewClassifier(BuiltinDirectory(), items, nil, ClassifierOptions{})
}

func TestNormText(t *testing.T) {
	if got := normText("诉求：ＡＢＣ １２３ 请 处理？"); got != "诉求:abc123请处理?" {
		t.Errorf("normText = %q", got)
	}
	long := strings.Repeat("证", maxClassifyBytes) // 3 bytes each: cut on a character boundary
	if got := normText(long); len(got) > maxClassifyBytes || !strings.HasPrefix(long, got) {
		t.Errorf("long text cut badly: %d bytes", len(got))
	}
}

// TestMentionRoles: the words around an office say whether it demanded, issued, refused or
// was asked to act (rule 1 turns on the demander).
func TestMentionRoles(t *testing.T) {
	c := rulesOnly(t, nil)
	cases := []struct {
		text, office string
		want         role
	}{
		{"派出所让我先去社区开证明", "派出所", roleDemander},
		{"社保窗口的工作人员要求提供证明", "社保窗口", roleDemander},
		{"到派出所开具曾用名证明", "派出所", roleIssuer},
		{"医院出具的身高证明", "医院", roleIssuer},
		{"有医院的诊断证明了", "医院", roleIssuer},
		{"社区说这个证明早不让开了", "社区", roleRefuser},
		{"派出所表示户口簿能反映的不再出具证明", "派出所", roleRefuser},
		{"诉求：人社部门查处", "人社部门", roleTarget},
		{"请市场监管部门去查一下", "市场监管部门", roleTarget},
		{"给区司法局提个建议", "司法局", roleTarget},
		{"去区民政局问了", "民政局", roleErrand},
		{"在区社保中心办理养老保险个人账户合并", "社保中心", roleErrand},
		{"殡仪馆另以工本费名义收取300元", "殡仪馆", roleMisconduct},
		{"社区开一个证明收50块钱", "社区", roleMisconduct},
		{"殡仪馆有时候还问家属要社区的证明", "殡仪馆", roleDemander},
		{"建议人社部门对高龄老人上门认证，别让家属再跑", "人社部门", roleTarget},
		{"人社部门别让家属再跑了", "人社部门", rolePlain},
		{"跟医院、医保的记录比对一下，别让家属再跑", "医院", rolePlain},
		{"家住新筑街道", "新筑街道", roleResidence},
		{"在灞桥街办便民服务中心给我妈办参保，低保证都带了，工作人员还让先去社区开证明", "灞桥街办便民服务中心", roleDemander},
	}
	for _, tc := range cases {
		var got *mention
		tx := makeText(normText(tc.text), nil, nil)
		ms := c.scanMentions(&tx, nil)
		for i := range ms {
			if strings.Contains(ms[i].text, normText(tc.office)) {
				got = &ms[i]
				break
			}
		}
		if got == nil {
			t.Errorf("%s: %q not found in %+v", tc.text, tc.office, ms)
			continue
		}
		if got.role != tc.want {
			t.Errorf("%s: role of %q = %d, want %d", tc.text, got.text, got.role, tc.want)
		}
	}
}

// TestStreets: a street is set only when one is named or clearly implied.
func TestStreets(t *testing.T) {
	c := rulesOnly(t, nil)
	cases := []struct{ text, address, want string }{
		{"十里铺派出所让我开证明", "", "jd-shilipu"},
		{"洪庆这边低保年审", "", "jd-hongqing"},
		{"我们住洪庆山底下的村里", "", "jd-hongqing"},
		{"纺织城街道退役军人服务站工作人员要求", "", "jd-fangzhicheng"},
		{"向红旗街道办事处申请临时救助", "", "jd-hongqi"},
		{"我住灞桥街办", "", "jd-baqiao"},
		{"新合街道居民求助", "", "jd-xinhe"},
		{"签了新合同以后社保怎么转", "", ""},
		{"灞桥区的派出所让开证明", "", ""},
		{"小区挂着红旗", "", ""},
		{"银行让我去社区开证明", "西安市灞桥区狄寨街道某村", "jd-dizhai"},
		{"新筑派出所让我开证明", "灞桥区纺织城", "jd-xinzhu"},  // the text wins over the address
		{"我家在席王，在十里铺派出所办户口", "", "jd-shilipu"}, // the office's street wins
	}
	for _, tc := range cases {
		tx := makeText(normText(tc.text), nil, nil)
		if got := c.findStreet(c.scanMentions(&tx, nil), tc.address); got.code != tc.want {
			t.Errorf("%s (%s): street %q, want %q", tc.text, tc.address, got.code, tc.want)
		}
	}
}

// TestItemEvidence: the department owning the matched item decides when nothing else does
// (rule 5), but not over the office that demanded the certificate (rule 1).
func TestItemEvidence(t *testing.T) {
	items := fakeItems{
		"保安员":  {ID: "BQ-058", Department: "gafj", Mode: "commitment", Certificate: "初中以上学历证明", Score: 60},
		"健在证明": {ID: "BQ-031", Department: "rsj", Mode: "abolished", Issuer: "社区居委会/村委会(不应出具)", Certificate: "健在证明", Score: 40},
		"弱匹配":  {ID: "BQ-999", Department: "yjj", Mode: "commitment", Score: 5},
	}
	c := rulesOnly(t, items)
	d := c.Classify("保安员证要交学历证明吗", "")
	if d.Department != "gafj" || len(d.Items) != 1 || d.Items[0] != "BQ-058" || !containsString(d.Reasons, "事项 BQ-058 属西安市公安局灞桥分局") {
		t.Errorf("item owner: %+v", d)
	}
	d = c.Classify("弱匹配的一句话", "")
	if len(d.Items) != 0 || !d.Triage {
		t.Errorf("an item below the score threshold is neither attached nor trusted: %+v", d)
	}
	d = c.Classify("退役军人事务局非让我去社区开健在证明", "")
	if d.Department != "tyjrj" || d.Items[0] != "BQ-031" {
		t.Errorf("demander over item owner: %+v", d)
	}
	// An abolished 社区 certificate demanded by a non-government body, street named → rule 2.
	d = c.Classify("新筑这边，保险公司非让我去社区开健在证明，社区说不能开", "")
	if d.Department != "jd-xinzhu" || d.Street != "jd-xinzhu" {
		t.Errorf("rule 2: %+v", d)
	}
}

// TestKeywordEvidence: directory aliases and the rules table name offices; the table's cues
// carry rules 4 and 5.
func TestKeywordEvidence(t *testing.T) {
	c := rulesOnly(t, nil)
	for text, want := range map[string]string{
		"社保中心要求我开证明":        "rsj",   // rules-table office
		"区人社局要求我开证明":        "rsj",   // directory alias
		"婚姻登记处让我回社区开证明":     "mzj",   // directory alias
		"都说不是他们管的，几个部门互相推诿": "zfb",   // rule 5 cue
		"我想做信用修复，去哪办":       "kjgxj", // rule 5 cue
		"建议公布证明事项目录和保留事项清单": "sfj",   // rule 4 cue
	} {
		if d := c.Classify(text, ""); d.Department != want {
			t.Errorf("%s: %s (reasons %v), want %s", text, d.Department, d.Reasons, want)
		}
	}
}

// TestRulesTable: the table is editable; mistakes are reported with their line.
func TestRulesTable(t *testing.T) {
	dir := BuiltinDirectory()
	for tsv, want := range map[string]string{
		"office\t派出所\tnope\n":      "line 1: unknown department code",
		"# c\nfoo\t派出所\tgafj\n":    "line 2: unknown kind",
		"type\t问问\t聊天\n":           "line 1: unknown case type",
		"topic\t户口\tgafj\tlots\n":  "line 1: bad weight",
		"office\t\tgafj\n":         "line 1: empty pattern",
		"street\t豁口\tjd-nowhere\n": "unknown department code",
	} {
		if _, err := ParseRules(tsv, dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", tsv, err, want)
		}
	}
	custom, err := ParseRules(builtinRulesTSV+"street\t豁口\tjd-shilipu\noffice\t城管\tscjgj\n", dir)
	if err != nil {
		t.Fatal(err)
	}
	c := NewClassifier(dir, nil, nil, ClassifierOptions{Rules: custom})
	d := c.Classify("豁口这边的城管要求我去社区开证明", "")
	if d.Street != "jd-shilipu" || d.Department != "scjgj" {
		t.Errorf("custom rules: %+v", d)
	}
}

// TestBayesFallback: with no rule evidence, the naive Bayes model speaks, and says so.
func TestBayesFallback(t *testing.T) {
	training := []LabelledComplaint{
		{Text: "养老金认证刷脸过不去", Type: TypeHelp, Department: "rsj"},
		{Text: "养老金停发了怎么认证", Type: TypeConsultation, Department: "rsj"},
		{Text: "养老金认证要本人去吗", Type: TypeConsultation, Department: "rsj"},
		{Text: "烟花爆竹零售点乱摆", Type: TypeReport, Department: "yjj"},
	}
	c := NewClassifier(BuiltinDirectory(), nil, training, ClassifierOptions{MinConfidence: 0.01})
	d := c.Classify("刷脸认证老是不通过", "")
	if d.Department != "rsj" || !containsPrefix(d.Reasons, "分类模型倾向 区人力资源和社会保障局（置信度 ") {
		t.Errorf("fallback: %+v", d)
	}
	if d := NewClassifier(BuiltinDirectory(), nil, training, ClassifierOptions{}).Classify("刷脸认证老是不通过", ""); !d.Triage {
		t.Errorf("the fallback alone is not enough for the default threshold: %+v", d)
	}
}

func containsPrefix(list []string, p string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// TestTypeCues: the cue rules for the five types, without any training.
func TestTypeCues(t *testing.T) {
	c := rulesOnly(t, nil)
	for text, want := range map[string]CaseType{
		"来电人反映：派出所不接受承诺书":      TypeComplaint,
		"举报：窗口工作人员私下收钱办证":      TypeReport,
		"建议把承诺书做成手机上能签的":       TypeSuggestion,
		"想问下办低保要交哪些材料":         TypeConsultation,
		"求助，退休手续卡住了不知道该找谁":     TypeHelp,
		"请问派出所这样要求合规吗？":        TypeComplaint,
		"希望能把健康证电子化，就省事多了":     TypeSuggestion,
		"社区开一张居住证明收100元，请街道查处": TypeReport,
	} {
		tx := makeText(normText(text), nil, nil)
		if got, _ := c.decideType(&tx, nil, c.scanCues(&tx, &cueHits{})); got != want {
			t.Errorf("%s: type %s, want %s", text, got, want)
		}
	}
}
