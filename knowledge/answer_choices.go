package knowledge

import (
	"fmt"
	"strings"
)

// askOfficeHint says where to ask when the list does not settle a question.
const askOfficeHint = "您办的事如果不在其中，清单对它没有规定：请向受理您事项的窗口或单位询问，也可以拨打12345热线咨询。"

// choicesText lists the rows that could answer the question and asks which errand it is. It
// states no row's conclusion as applying to the resident: each row's mode is named as the
// list's rule for that matter only.
func (a *Answerer) choicesText(res Result) string {
	var b strings.Builder
	if cert := sharedCertificate(res.Items); cert != "" {
		fmt.Fprintf(&b, "清单中的【%s】涉及下面几个办理事项，规定各不相同：\n", cert)
	} else {
		b.WriteString("清单中有几项都可能和您的问题有关，规定各不相同：\n")
	}
	for i, si := range res.Items {
		if i == maxChoices {
			break
		}
		it := si.Item
		fmt.Fprintf(&b, "%d. %s（%s）——%s，编号 %s\n", i+1, it.Matter, it.Certificate, it.Mode.Label(), it.ID)
	}
	if res.NotInList {
		b.WriteString("您说的事项看起来不在上面几项之中。")
	}
	b.WriteString("请告诉我您办的是哪一项（回复它的办理事项即可），我再告诉您具体怎么办。\n")
	b.WriteString(askOfficeHint)
	return b.String()
}

// notInListText says the rows found are for other matters than the errand asked about.
func (a *Answerer) notInListText(res Result) string {
	var b strings.Builder
	if len(res.Items) == 0 {
		return "抱歉，您问的事项不在本证明事项清单内。" + askOfficeHint
	}
	it := res.Items[0].Item
	var matters []string
	for _, si := range res.Items {
		if sameCore(si.Item, it) {
			matters = append(matters, si.Item.Matter)
		}
	}
	fmt.Fprintf(&b, "清单中的【%s】只涉及：%s。您办的事项不在本清单内，清单对它没有规定，不能按上面的规定理解。\n",
		certCore(it.Certificate), strings.Join(matters, "；"))
	b.WriteString("请向受理您事项的窗口或单位询问需要哪些材料，也可以拨打12345热线咨询。")
	return b.String()
}

// sharedCertificate returns the certificate name the rows share (without qualifiers), or "".
func sharedCertificate(items []ScoredItem) string {
	if len(items) == 0 {
		return ""
	}
	c := certCore(items[0].Item.Certificate)
	for _, si := range items[1:] {
		if certCore(si.Item.Certificate) != c {
			return ""
		}
	}
	return c
}

func sameCore(a, b *Item) bool { return certCore(a.Certificate) == certCore(b.Certificate) }
