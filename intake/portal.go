package intake

import (
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"chengnuo/routing"
)

// PortalMessage is the body of POST /v1/portal/messages: a message left on the government
// service portal (政务服务网留言). Signed like the hotline (with the portal secret), same
// error rules, idempotent on message_id.
type PortalMessage struct {
	MessageID   string       `json:"message_id"` // required, ≤ 64 characters; the idempotency key
	PostedAt    string       `json:"posted_at"`  // required, RFC 3339
	Type        string       `json:"type"`       // optional, as for the hotline
	Title       string       `json:"title"`      // optional, ≤ 200 characters
	Content     string       `json:"content"`    // required, ≤ 10,000 characters
	Contact     Contact      `json:"contact"`
	Address     string       `json:"address"`
	Anonymous   bool         `json:"anonymous"`
	Attachments []Attachment `json:"attachments"` // at most 10; never fetched
}

// Attachment is a link to a file the resident attached on the portal. Only the URL is
// kept, in the case text, for the department to open; chengnuo never fetches it.
type Attachment struct {
	URL  string `json:"url"`  // http or https, ≤ 2,048 characters
	Name string `json:"name"` // optional, ≤ 200 characters
}

const maxAttachments = 10

func (s *Server) handlePortal(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, e := s.readSigned(w, r, s.portal, "政务服务网留言")
	if e != nil {
		writeError(w, e)
		return
	}
	var m PortalMessage
	e = decodeJSON(body.Bytes(), &m)
	release(body)
	if e != nil {
		writeError(w, e)
		return
	}
	nc, e := m.newCase()
	if e != nil {
		writeError(w, e)
		return
	}
	s.file(w, r, nc, start)
}

// newCase checks the message and turns it into what routing files. The case text is the
// title, the content and the list of attachment links.
func (m *PortalMessage) newCase() (routing.NewCase, *apiError) {
	nc := routing.NewCase{Channel: routing.ChannelPortal, Anonymous: m.Anonymous, Actor: routing.System}
	var e *apiError
	if nc.ExternalRef, e = checkRef("message_id", m.MessageID); e != nil {
		return nc, e
	}
	if nc.ReceivedAt, e = parseTime("posted_at", m.PostedAt); e != nil {
		return nc, e
	}
	if nc.Type, e = parseType(m.Type); e != nil {
		return nc, e
	}
	title, e := checkText("title", m.Title, false, maxTitle)
	if e != nil {
		return nc, e
	}
	content, e := checkText("content", m.Content, true, maxContent)
	if e != nil {
		return nc, e
	}
	if nc.Address, e = checkText("address", m.Address, false, maxAddress); e != nil {
		return nc, e
	}
	if nc.Complainant, e = m.Contact.complainant("contact"); e != nil {
		return nc, e
	}
	if em := strings.TrimSpace(m.Contact.Email); em != "" {
		if a, err := mail.ParseAddress(em); err != nil || a.Address != em || len(em) > 254 {
			return nc, invalid("contact.email 格式不正确")
		}
	}
	links, e := attachmentLines(m.Attachments)
	if e != nil {
		return nc, e
	}
	var b strings.Builder
	if title != "" {
		b.WriteString("【" + title + "】\n")
	}
	b.WriteString(content)
	if links != "" {
		b.WriteString("\n\n附件（链接，未下载）：\n" + links)
	}
	nc.Text = b.String()
	// The title apart too: the text alone cannot tell a title from content that begins with 【…】.
	nc.Fingerprint = fingerprint("portal/1", &nc, title, strings.TrimSpace(m.Contact.Email))
	return nc, nil
}

// attachmentLines checks the attachments and lists them one per line: "1. name <url>".
func attachmentLines(as []Attachment) (string, *apiError) {
	if len(as) > maxAttachments {
		return "", invalid("attachments 最多 10 个")
	}
	var b strings.Builder
	for i, a := range as {
		field := "attachments[" + strconv.Itoa(i) + "]"
		raw := strings.TrimSpace(a.URL)
		u, err := url.Parse(raw)
		if raw == "" || len(raw) > 2048 || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "", invalid(field + ".url 必须是 http 或 https 链接")
		}
		if strings.ContainsAny(raw, " \t\r\n<>") {
			return "", invalid(field + ".url 不能含空白或尖括号")
		}
		name, e := checkText(field+".name", a.Name, false, maxTitle)
		if e != nil {
			return "", e
		}
		name = strings.Join(strings.Fields(name), " ")
		if name == "" {
			name = "附件"
		}
		b.WriteString(strconv.Itoa(i+1) + ". " + name + " <" + raw + ">\n")
	}
	return strings.TrimRight(b.String(), "\n"), nil
}
