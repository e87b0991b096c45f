package routing

import (
	"strings"
	"testing"
)

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13812341234":    "138****1234",
		" 13812341234 ":  "138****1234",
		"+8613812341234": "+86*******1234",
		"02983612345":    "029****2345",
		"83612345":       "****2345",
		"1234567":        "***4567",
		"12345":          "*****",
		"":               "",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"张三丰": "张**", "张三": "张*", "欧阳娜娜": "欧***", "张": "*", "": "", "Li Lei": "L*****"} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (Complainant{Name: "李四", Phone: "13912345678"}).Masked(); got != (Complainant{"李*", "139****5678"}) {
		t.Errorf("Masked = %+v", got)
	}
}

func TestMaskText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"我的电话13812341234，请回电", "我的电话138****1234，请回电"},
		{"手机 138 1234 1234。", "手机 138 **** 1234。"},
		{"手机138-1234-1234", "手机138-****-1234"},
		{"电话+86 13812341234", "电话+86 138****1234"},
		{"电话+8613812341234", "电话+86138****1234"},
		{"电话008613812341234", "电话0086138****1234"},
		{"打8613812341234", "打86138****1234"},
		{"座机029-88886666转", "座机029-****6666转"},
		{"座机02988886666", "座机029****6666"},
		{"座机(029)88886666", "座机(029)****6666"},
		{"座机（0917）2345678", "座机（0917）***5678"},
		{"身份证610111199001011234", "身份证610***********1234"},
		{"身份证号61011119900101123X。", "身份证号610***********123X。"},
		{"身份证号61011119900101123x", "身份证号610***********123x"},
		{"两个号码13812341234、13912345678", "两个号码138****1234、139****5678"},
		// Not phones, ids or ID numbers: left alone.
		{"案件BQ20261125-0001已办结", "案件BQ20261125-0001已办结"},
		{"工单BQ12345-20261125-0001", "工单BQ12345-20261125-0001"},
		{"2026-12-01前答复，事项BQ-012", "2026-12-01前答复，事项BQ-012"},
		{"20261125093000123", "20261125093000123"},
		{"流水号138123412345", "流水号138123412345"},
		{"卡号6222021234567890123", "卡号6222021234567890123"},
		{"编号12345678901", "编号12345678901"},
		{"", ""},
		// Names after an introduction.
		{"我叫张三，电话13812341234", "我叫张*，电话138****1234"},
		{"我叫欧阳修", "我叫欧**"},
		{"我是李四电话不通", "我是李*电话不通"},
		{"本人王小明，家住纺织城", "本人王**，家住纺织城"},
		{"姓名: 赵六 住址", "姓名: 赵* 住址"},
		{"我是张家堡街道的居民", "我是张家堡街道的居民"},
		{"我是退休职工，我是党员", "我是退休职工，我是党员"},
		{"我是本地人。", "我是本地人。"},
	} {
		if got := MaskText(tc.in); got != tc.want {
			t.Errorf("MaskText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskTextNames(t *testing.T) {
	in := "张三丰反映：张三丰在窗口被要求开证明，张三知道"
	if got, want := MaskText(in, "张三丰"), "张**反映：张**在窗口被要求开证明，张三知道"; got != want {
		t.Errorf("MaskText = %q, want %q", got, want)
	}
	if got := MaskText("王说不行", "王"); got != "王说不行" { // one character would hit common words
		t.Errorf("one-character name masked: %q", got)
	}
	if got := MaskText("我叫张三", "张三"); got != "我叫张*" {
		t.Errorf("name masked twice or not at all: %q", got)
	}
}

func TestMaskedCopyKeepsOriginal(t *testing.T) {
	c := &Case{ID: "BQ20261125-0001", Text: "我叫李四，电话13912345678", Reply: "已电话联系13912345678",
		Address: "纺织城，座机029-88886666", Complainant: Complainant{Name: "李四", Phone: "13912345678"},
		Rounds: []Round{{N: 1, Reply: "李四已认可，13912345678"}}}
	m := c.MaskedCopy()
	if len(m.Rounds) != 1 || m.Rounds[0].Reply != "李*已认可，139****5678" || c.Rounds[0].Reply != "李四已认可，13912345678" {
		t.Errorf("an earlier round's reply: masked %+v, original %+v", m.Rounds, c.Rounds)
	}
	if m.Text != "我叫李*，电话139****5678" || m.Reply != "已电话联系139****5678" || m.Address != "纺织城，座机029-****6666" ||
		m.Complainant != (Complainant{"李*", "139****5678"}) || m.ID != c.ID {
		t.Errorf("masked copy = %+v", m)
	}
	if c.Text != "我叫李四，电话13912345678" || c.Complainant.Phone != "13912345678" {
		t.Errorf("original changed: %+v", c)
	}
	e := Event{Reason: "来电人李四13912345678", Data: map[string]string{"reply": "李四：13912345678", "resolve_by": "2026-12-01T18:00:00+08:00"}}
	me := MaskedEvent(e, "李四")
	if me.Reason != "来电人李*139****5678" || me.Data["reply"] != "李*：139****5678" || me.Data["resolve_by"] != "2026-12-01T18:00:00+08:00" {
		t.Errorf("masked event = %+v", me)
	}
	if e.Data["reply"] != "李四：13912345678" {
		t.Errorf("event's own data changed: %+v", e.Data)
	}
}

func TestDisclosedTo(t *testing.T) {
	c := Case{Department: "rsj", Type: TypeComplaint}
	if !c.DisclosedTo("rsj") || c.DisclosedTo("mzj") || c.DisclosedTo("") {
		t.Error("only the assigned department sees who filed a complaint")
	}
	for _, w := range []Case{{Department: "rsj", Anonymous: true}, {Department: "rsj", Type: TypeReport}} {
		if w.DisclosedTo("rsj") || !w.Withheld() {
			t.Errorf("identity of %+v disclosed", w)
		}
	}
}

// BenchmarkMaskText masks a complaint of typical length with a phone, an ID number, a
// name and the dates and ids that must stay; and one without any digits (the fast path).
func BenchmarkMaskText(b *testing.B) {
	text := strings.Repeat("社保中心窗口要求开具健在证明，2026-11-25去办仍被拒绝，工单BQ12345-20261125-0001。", 4) +
		"我叫张三，电话138-1234-1234，身份证610111199001011234，座机029-88886666。"
	plain := strings.Repeat("社保中心窗口要求开具健在证明，去办仍被拒绝，希望尽快答复。", 5)
	for _, bc := range []struct{ name, text string }{{"numbers", text}, {"plain", plain}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.text)))
			for b.Loop() {
				MaskText(bc.text, "张三")
			}
		})
	}
}
