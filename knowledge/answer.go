package knowledge

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode/utf8"
)

// Answer is the reply to one question: the JSON contract of `chengnuo ask --json`.
type Answer struct {
	Kind        Kind         `json:"kind"`
	Answer      string       `json:"answer"`
	Items       []AnswerItem `json:"items"`
	Topic       string       `json:"topic"`
	ListVersion string       `json:"list_version"`
	// Clarify: the answer concludes nothing; Items are the rows offered as choices.
	Clarify bool `json:"clarify"`
	// NotInList: the question states an errand none of the rows in Items is for.
	NotInList bool `json:"not_in_list,omitempty"`
}

// AnswerItem is one ranked item of an answer.
type AnswerItem struct {
	ID          string  `json:"id"`
	Certificate string  `json:"certificate"`
	Matter      string  `json:"matter"`
	Mode        Mode    `json:"mode"`
	Department  string  `json:"department"`
	Score       float64 `json:"score"`
}

// MaxAnswerRunes bounds the answer text: it must fit one chat message comfortably.
const MaxAnswerRunes = 1000

// Answerer turns matcher results into the text residents read.
type Answerer struct {
	Matcher  *Matcher
	DeptName func(code string) string // department code -> full name; nil shows the code

	bodies sync.Map // *Item -> string, see itemBody
}

// Ask answers one question.
func (a *Answerer) Ask(question string) Answer {
	res := a.Matcher.Match(question)
	l := a.Matcher.List()
	ans := Answer{Kind: res.Kind, Items: make([]AnswerItem, 0, len(res.Items)), ListVersion: l.Version}
	for _, si := range res.Items {
		it := si.Item
		ans.Items = append(ans.Items, AnswerItem{ID: it.ID, Certificate: it.Certificate, Matter: it.Matter,
			Mode: it.Mode, Department: it.Department, Score: math.Round(si.Score*1000) / 1000})
	}
	ans.Clarify, ans.NotInList = res.Clarify, res.NotInList
	switch {
	case res.Clarify:
		ans.Answer = a.choicesText(res)
	case res.NotInList:
		ans.Answer = a.notInListText(res)
	case res.Kind == KindItem:
		ans.Answer = a.itemText(res.Items[0].Item, res.Items[1:])
	case res.Kind == KindPolicy:
		ans.Topic = res.Topic.ID
		ans.Answer = res.Topic.Answer
	case res.Kind == KindComplaint:
		ans.Answer = a.complaintText(res)
	default:
		ans.Answer = a.unknownText(res)
	}
	if len(ans.Answer) > MaxAnswerRunes { // byte length bounds rune count: count only when it may be over
		ans.Answer = clip(ans.Answer, MaxAnswerRunes)
	}
	return ans
}

func (a *Answerer) deptName(code string) string {
	if a.DeptName == nil {
		return code
	}
	return a.DeptName(code)
}

// falseCommitmentText says what a false commitment costs (灞政办发〔2021〕4号 二（五）（六）).
const falseCommitmentText = "承诺不实的后果：核查或日常监管中发现承诺不实的，办理部门将依法终止办理、责令限期整改、撤销已作出的决定或予以行政处罚，并记入信用记录；涉嫌犯罪的移送司法机关。有失信记录或曾作虚假承诺的，信用修复前不能用承诺办理。"

const complainHint = "如果仍有单位向您索要，可以回复“我要投诉”，我们帮您登记转办并告知案件编号；也可拨打12345热线或在西安政务服务网留言。"

func (a *Answerer) itemText(it *Item, others []ScoredItem) string {
	body, ok := a.bodies.Load(it)
	if !ok {
		body, _ = a.bodies.LoadOrStore(it, a.itemBody(it))
	}
	text := body.(string)
	if len(others) > 0 && others[0].Score > 0 {
		text += "如果您办的是别的事，也可能是：" + others[0].Item.Certificate + "（" + others[0].Item.Matter + "）。\n"
	}
	return text + "（依据清单：" + a.Matcher.List().Label + "，编号 " + it.ID + "）"
}

// itemBody is the part of an item's answer that depends on the item alone; it is built
// once per item and kept, since the same items are asked about all day.
func (a *Answerer) itemBody(it *Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【%s】\n办理事项：%s\n", it.Certificate, it.Matter)
	switch it.Mode {
	case ModeCommitment:
		b.WriteString("结论：这项证明实行告知承诺制，您可以签署书面承诺代替提交证明；不愿或无法承诺的，也可以照常提交证明，由您自己选择。\n")
		if it.Verification != "" {
			fmt.Fprintf(&b, "怎么核查：%s\n", it.Verification)
		}
		b.WriteString(falseCommitmentText + "\n")
		fmt.Fprintf(&b, "办理部门：%s\n", a.deptName(it.Department))
	case ModeAbolished:
		b.WriteString("结论：这项证明已经取消，办事单位不得再要求您提供。\n")
		if it.Issuer != "" {
			fmt.Fprintf(&b, "原开具单位：%s\n", it.Issuer)
		}
		if n := residentNotes(it.Note); n != "" {
			fmt.Fprintf(&b, "说明：%s\n", n)
		}
		b.WriteString(complainHint + "\n")
		fmt.Fprintf(&b, "负责部门：%s\n", a.deptName(it.Department))
	case ModeRetained:
		b.WriteString("结论：这项证明目前仍需提交，不能用承诺代替。\n")
		if r := retainedReason(it.Note); r != "" {
			fmt.Fprintf(&b, "原因：%s\n", r)
		}
		if it.Issuer != "" {
			fmt.Fprintf(&b, "开具单位：%s\n", it.Issuer)
		}
		fmt.Fprintf(&b, "办理部门：%s\n", a.deptName(it.Department))
	}
	if it.Basis != "" {
		fmt.Fprintf(&b, "依据：%s\n", it.Basis)
	}
	return b.String()
}

func (a *Answerer) complaintText(res Result) string {
	var b strings.Builder
	b.WriteString("听起来您在办事时被索要了不该要的证明，或者承诺没有被认可。")
	if len(res.Items) > 0 && res.Items[0].Score >= a.Matcher.cfg.MinItemScore {
		it := res.Items[0].Item
		switch it.Mode {
		case ModeAbolished:
			fmt.Fprintf(&b, "按清单，【%s】（%s）已经取消，办事单位不得再索要。", it.Certificate, it.Matter)
		case ModeCommitment:
			fmt.Fprintf(&b, "按清单，【%s】（%s）实行告知承诺制，您可以用书面承诺代替。", it.Certificate, it.Matter)
		case ModeRetained:
			fmt.Fprintf(&b, "按清单，【%s】（%s）目前仍需提交；如果您认为办理过程有其他问题，仍可反映。", it.Certificate, it.Matter)
		}
	}
	b.WriteString("\n回复“我要投诉”，我们帮您登记，转交负责的部门办理，告诉您案件编号，并跟踪到答复为止。也可以拨打12345热线或在西安政务服务网留言。")
	return b.String()
}

func (a *Answerer) unknownText(res Result) string {
	var b strings.Builder
	b.WriteString("抱歉，我没能在证明事项清单里确定您问的是哪一项，不想随便猜。")
	if len(res.Items) > 0 && res.Items[0].Score >= a.Matcher.cfg.MinItemScore/2 {
		b.WriteString("您可能想问：\n")
		for i, si := range res.Items {
			if i == 3 {
				break
			}
			fmt.Fprintf(&b, "%d. %s（%s）\n", i+1, si.Item.Certificate, si.Item.Matter)
		}
	} else {
		b.WriteString("\n")
	}
	b.WriteString("请告诉我您要办什么事、被要求开什么证明，我再帮您查；也可以拨打12345热线咨询。")
	return b.String()
}

// editorialMarkers flag note segments written for list maintainers, not residents.
var editorialMarkers = []string{"【改配】", "原出处", "样例", "源清单", "源网页", "源表", "源条文", "源摘录", "推断", "存疑", "截断", "勿扩写", "投诉按", "置信", "照录"}

// residentNotes keeps the parts of an item's note that help a resident, dropping the
// maintainers' remarks and the national-rule prefix.
func residentNotes(note string) string {
	var keep []string
	for _, seg := range strings.Split(note, ";") {
		seg = strings.TrimSpace(seg)
		if seg == "" || containsAny(seg, editorialMarkers) || strings.HasPrefix(seg, "保留理由") {
			continue
		}
		if strings.HasPrefix(seg, "【全国规定】") { // the document is already named in the basis
			continue
		}
		keep = append(keep, strings.TrimPrefix(seg, "【西安】"))
	}
	return strings.Join(keep, "；")
}

// retainedReason extracts the "保留理由" segment of a retained item's note.
func retainedReason(note string) string {
	for _, seg := range strings.Split(note, ";") {
		if i := strings.Index(seg, "保留理由"); i >= 0 {
			r := seg[i+len("保留理由"):]
			r = strings.TrimPrefix(r, "(源清单)")
			return strings.TrimLeft(r, ":：")
		}
	}
	return ""
}

// clip cuts text to at most n runes, ending with an ellipsis when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
