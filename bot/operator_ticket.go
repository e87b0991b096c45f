package bot

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"chengnuo/routing"
)

// ticket is a hotline ticket an operator is filing, kept per operator in the chat's session.
type ticket struct {
	Step      string           `json:"step"` // opType, opAddress, opContact
	Ref       string           `json:"ref"`  // external reference: the ticket number, else the message
	Text      string           `json:"text"`
	Type      routing.CaseType `json:"type,omitempty"`
	Address   string           `json:"address,omitempty"`
	HasAddr   bool             `json:"has_addr,omitempty"` // answered (possibly skipped)
	Name      string           `json:"name,omitempty"`
	Phone     string           `json:"phone,omitempty"`
	Anonymous bool             `json:"anon,omitempty"`
	HasPhone  bool             `json:"has_phone,omitempty"` // answered (possibly skipped)
}

// Steps of the operator's ticket: asked only for what the pasted ticket did not say.
const (
	opType    = "type"
	opAddress = "address"
	opContact = "contact"
)

// next returns the first step still missing, "" when the ticket can be filed.
func (t *ticket) next() string {
	switch {
	case !t.Type.Valid():
		return opType
	case !t.HasAddr:
		return opAddress
	case !t.HasPhone:
		return opContact
	}
	return ""
}

// Labels of a pasted 12345 ticket, "标签：值" per line.
var ticketLabels = map[string]string{
	"类型": "type", "诉求类型": "type", "工单类型": "type", "来电类型": "type", "问题类型": "type", "诉求分类": "type",
	"地址": "address", "诉求地址": "address", "事发地址": "address", "发生地址": "address", "事发地点": "address",
	"地点": "address", "街道社区": "address", "所在街道": "address", "所在社区": "address",
	"电话": "phone", "联系电话": "phone", "联系方式": "phone", "来电号码": "phone", "手机": "phone", "手机号": "phone",
	"来电人": "name", "姓名": "name", "联系人": "name", "来电人姓名": "name", "反映人": "name",
	"工单编号": "no", "工单号": "no", "编号": "no",
	"诉求内容": "content", "内容": "content", "来电内容": "content", "反映内容": "content", "问题描述": "content", "诉求": "content",
	"是否匿名": "anonymous", "匿名": "anonymous",
	"受理时间": "skip", "来电时间": "skip", "时间": "skip",
}

var mobileRe = regexp.MustCompile(`1[3-9]\d{9}`)

// parseTicket reads what an operator pasted or forwarded: labelled lines of a 12345 ticket
// fill their fields; everything else is the content.
func parseTicket(text string) ticket {
	var t ticket
	var content []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		label, value, ok := cutLabel(line)
		field := ticketLabels[label]
		if !ok || field == "" {
			content = append(content, line)
			continue
		}
		switch field {
		case "type":
			t.Type = parseType(value)
		case "address":
			t.Address, t.HasAddr = value, value != ""
		case "phone":
			if p := normalizePhone(value); p != "" {
				t.Phone, t.HasPhone = p, true
			}
		case "name":
			t.Name = value
		case "no":
			t.Ref = value
		case "anonymous":
			if value == "是" || value == "匿名" {
				t.Anonymous, t.HasPhone = true, true
			}
		case "content":
			if value != "" {
				content = append(content, value)
			}
		}
	}
	t.Text = strings.Join(content, "\n")
	if !t.HasPhone {
		if p := mobileRe.FindString(text); p != "" {
			t.Phone, t.HasPhone = p, true
		}
	}
	if !t.Type.Valid() {
		t.Type = ""
	}
	return t
}

// cutLabel splits "标签：值" (full- or half-width colon); a label is short and has no spaces.
func cutLabel(line string) (label, value string, ok bool) {
	i := strings.IndexAny(line, ":：")
	if i <= 0 {
		return "", "", false
	}
	label = strings.ReplaceAll(strings.TrimSpace(line[:i]), " ", "")
	if runeCount(label) > 6 {
		return "", "", false
	}
	_, size := utf8.DecodeRuneInString(line[i:])
	return label, strings.TrimSpace(line[i+size:]), true
}

// parseType reads a case type in a label's value or in a typed answer.
func parseType(s string) routing.CaseType {
	for _, t := range routing.CaseTypes {
		if strings.Contains(s, string(t)) {
			return t
		}
	}
	return ""
}
