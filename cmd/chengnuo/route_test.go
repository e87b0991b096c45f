package main

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"chengnuo/routing"
)

// routeJSON runs `route --json` and checks the output against the contract of DESIGN.md:
// exactly one object with exactly these keys and types.
func routeJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out := mustRun(t, append([]string{"route", "--json"}, args...)...)
	dec := json.NewDecoder(strings.NewReader(out))
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("route --json output is not a JSON object: %v\n%s", err, out)
	}
	var rest any
	if err := dec.Decode(&rest); err == nil {
		t.Fatalf("route --json printed more than one JSON value:\n%s", out)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"confidence", "department", "items", "reasons", "street", "triage", "type"}; !slices.Equal(keys, want) {
		t.Fatalf("route --json keys %v, want %v", keys, want)
	}
	dir := routing.BuiltinDirectory()
	if typ, ok := obj["type"].(string); !ok || !routing.CaseType(typ).Valid() {
		t.Errorf("type %#v is not one of 咨询 求助 投诉 举报 建议", obj["type"])
	}
	if dept, ok := obj["department"].(string); !ok || !dir.Has(dept) {
		t.Errorf("department %#v is not a directory code", obj["department"])
	}
	if st, ok := obj["street"].(string); !ok || st != "" && (!strings.HasPrefix(st, "jd-") || !dir.Has(st)) {
		t.Errorf("street %#v is neither empty nor a street code", obj["street"])
	}
	items, ok := obj["items"].([]any)
	if !ok {
		t.Errorf("items %#v is not an array", obj["items"])
	}
	for _, it := range items {
		if s, ok := it.(string); !ok || !regexp.MustCompile(`^BQ-\d{3}$`).MatchString(s) {
			t.Errorf("item %#v is not an item id", it)
		}
	}
	if c, ok := obj["confidence"].(float64); !ok || c < 0 || c > 1 {
		t.Errorf("confidence %#v is not a number in 0..1", obj["confidence"])
	}
	reasons, ok := obj["reasons"].([]any)
	if !ok || len(reasons) == 0 {
		t.Errorf("reasons %#v is not a non-empty array", obj["reasons"])
	}
	for _, r := range reasons {
		if s, ok := r.(string); !ok || s == "" {
			t.Errorf("reason %#v is not a sentence", r)
		}
	}
	if _, ok := obj["triage"].(bool); !ok {
		t.Errorf("triage %#v is not a boolean", obj["triage"])
	}
	return obj
}

func TestRouteJSONContract(t *testing.T) {
	obj := routeJSON(t, "来电人反映：其到十里铺派出所申请更正户口簿上的身高，民警要求其提供医院出具的身高证明，不接受承诺书。")
	if obj["department"] != "gafj" || obj["street"] != "jd-shilipu" || obj["type"] != "投诉" || obj["triage"] != false {
		t.Errorf("decision %v", obj)
	}
	if items := obj["items"].([]any); len(items) == 0 || items[0] != "BQ-003" {
		t.Errorf("items %v, want BQ-003 first", items)
	}

	obj = routeJSON(t, "--address", "灞桥区洪庆街道某村", "银行让我去社区开亲属关系证明，社区说不能开")
	if obj["department"] != "jd-hongqing" || obj["street"] != "jd-hongqing" {
		t.Errorf("rule 2 with address: %v", obj)
	}

	obj = routeJSON(t, "你好")
	if obj["department"] != "xzspj" || obj["triage"] != true || obj["street"] != "" || len(obj["items"].([]any)) != 0 {
		t.Errorf("nothing to go on must go to triage: %v", obj)
	}
}

func TestRouteText(t *testing.T) {
	out := mustRun(t, "route", "十里铺派出所让我去社区开亲属关系证明，社区说不给开")
	for _, want := range []string{"承办单位：西安市公安局灞桥分局（gafj）", "所在街道：灞桥区十里铺街道办事处（jd-shilipu）",
		"相关事项：BQ-022", "判断理由：", "地点“十里铺”属十里铺街道", "试分类，未保存"} {
		if !strings.Contains(out, want) {
			t.Errorf("route output lacks %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, "route", "你好"); !strings.Contains(out, "分拨台") || !strings.Contains(out, "把握不足") {
		t.Errorf("triage is not explained:\n%s", out)
	}
	if _, err := run(t, "route", "  "); err == nil {
		t.Error("an empty text must be refused")
	}
}

// An override names a department (and maybe a type): the street and the items route finds for
// the same text stay on the filed case.
func TestCasesFileOverrideKeepsFindings(t *testing.T) {
	text := "来电人反映：其到十里铺派出所申请更正户口簿上的身高，民警要求其提供医院出具的身高证明，不接受承诺书。"
	obj := routeJSON(t, text)
	want := []string{}
	for _, it := range obj["items"].([]any) {
		want = append(want, it.(string))
	}
	if obj["street"] != "jd-shilipu" || len(want) == 0 {
		t.Fatalf("route finds no street or items: %v", obj)
	}
	for _, extra := range [][]string{{"--department", "rsj"}, {"--department", "rsj", "--type", "建议"}} {
		var c caseJSON
		decodeOne(t, mustRun(t, append(append([]string{"cases", "file", "--json"}, extra...), text)...), &c)
		if c.Department != "rsj" || c.Triage {
			t.Errorf("%v: department %q triage %v, want rsj, false", extra, c.Department, c.Triage)
		}
		if c.Street != "jd-shilipu" || !slices.Equal(c.Items, want) {
			t.Errorf("%v: street %q items %v, want jd-shilipu %v (what route found)", extra, c.Street, c.Items, want)
		}
		wantType := "投诉"
		if len(extra) > 2 {
			wantType = "建议"
		}
		if c.Type != wantType {
			t.Errorf("%v: type %q, want %q", extra, c.Type, wantType)
		}
		if !slices.ContainsFunc(c.Reasons, func(r string) bool { return strings.Contains(r, "由受理渠道指定") }) {
			t.Errorf("%v: reasons %v do not say the department was named", extra, c.Reasons)
		}
	}
}
