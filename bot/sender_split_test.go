package bot

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestSenderSplitsLongChineseText(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	var b strings.Builder
	for i := 0; b.Len() < 3*10000; i++ {
		fmt.Fprintf(&b, "第%d条：证明事项告知承诺制，申请人书面承诺已符合条件即可办理😀。\n", i)
	}
	text := strings.TrimSuffix(b.String(), "\n")
	if n := len([]rune(text)); n < 10000 {
		t.Fatalf("text has %d characters", n)
	}
	buttons := [][]Button{{{Text: "满意", Data: "rate:BQ20261125-0001:1"}}}
	r.send(Outgoing{ChatID: 7, Text: text, Buttons: buttons})
	r.start()
	want := SplitText(text, MaxMessageUnits)
	if len(want) < 3 {
		t.Fatalf("split into %d parts", len(want))
	}
	got := r.waitSent(len(want))
	if strings.Join(sentTexts(got), "\n") != text {
		t.Error("the parts, in order, do not make the text")
	}
	for i, m := range got {
		if n := len(utf16.Encode([]rune(m.Text))); n > MaxMessageUnits {
			t.Errorf("part %d has %d UTF-16 units", i, n)
		}
		if (m.Markup != "") != (i == len(got)-1) {
			t.Errorf("part %d markup %q: buttons belong on the last part only", i, m.Markup)
		}
	}
}

func TestSplitText(t *testing.T) {
	emoji := strings.Repeat("😀", 3000) // 6,000 UTF-16 units on one line
	cases := []struct {
		name string
		text string
	}{
		{"short", "你好"},
		{"exact", strings.Repeat("证", MaxMessageUnits)},
		{"one long line", strings.Repeat("告知承诺制", 2000)},
		{"surrogates", emoji},
		{"sentences", strings.Repeat("申请人可以选择告知承诺，也可以提交证明。", 500)},
		{"lines", strings.Repeat("一行文字\n", 3000)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parts := SplitText(tc.text, MaxMessageUnits)
			var all string
			for i, p := range parts {
				if n := len(utf16.Encode([]rune(p))); n > MaxMessageUnits || n == 0 {
					t.Errorf("part %d: %d units", i, n)
				}
				if strings.ContainsRune(p, '\uFFFD') {
					t.Errorf("part %d: a character was cut", i)
				}
				all += p
			}
			if strings.ReplaceAll(all, "\n", "") != strings.ReplaceAll(tc.text, "\n", "") {
				t.Error("text lost or changed")
			}
		})
	}
	if SplitText(" \n ", MaxMessageUnits) != nil {
		t.Error("blank text gave parts")
	}
	if parts := SplitText(strings.Repeat("申请人可以选择告知承诺，也可以提交证明。", 500), MaxMessageUnits); !strings.HasSuffix(parts[0], "。") {
		t.Errorf("long line not cut after a sentence: …%s", string([]rune(parts[0])[len([]rune(parts[0]))-5:]))
	}
}
