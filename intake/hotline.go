package intake

import (
	"net/http"
	"strings"
	"time"

	"chengnuo/routing"
)

// HotlineTicket is the body of POST /v1/hotline/tickets (the contract of DESIGN.md).
// Unknown fields are ignored; the known ones are checked strictly. The body must be valid
// UTF-8 without a name given twice (decodeJSON), else 400 invalid_json.
type HotlineTicket struct {
	TicketNo   string  `json:"ticket_no"`   // required, ≤ 64 characters; the idempotency key
	ReceivedAt string  `json:"received_at"` // required, RFC 3339; deadlines count from it
	Type       string  `json:"type"`        // 咨询 求助 投诉 举报 建议, or empty: the classifier decides
	Content    string  `json:"content"`     // required, ≤ 10,000 characters
	Caller     Contact `json:"caller"`
	Address    string  `json:"address"`
	Anonymous  bool    `json:"anonymous"`
}

// Contact is who filed: stored in full, shown only to the assigned department, never
// logged; for anonymous cases and reports (举报) never shown at all.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"` // a mobile, a landline with area code or +country; see routing.NormalizePhone
	Email string `json:"email,omitempty"`
}

// IntakeResponse answers a webhook: 202 when the case was stored by this request, 200 with
// the same case when the ticket_no/message_id was seen before with the same ticket (its
// fingerprint); the same number with another ticket is 409 conflict instead. Status is the case's status
// now: "dispatched" for a new case, "duplicate" when it was linked to an open case it
// repeats (see duplicate_of; that case's department answers, and accept_by/resolve_by are
// empty), or wherever a repeated ticket's case has since moved.
type IntakeResponse struct {
	CaseID      string `json:"case_id"`
	Department  string `json:"department"`
	Status      string `json:"status"`
	AcceptBy    string `json:"accept_by"`
	ResolveBy   string `json:"resolve_by"`
	DuplicateOf string `json:"duplicate_of,omitempty"`
}

// Limits of the webhook fields, in characters.
const (
	maxContent = 10_000
	maxName    = 50
	maxAddress = 500
	maxTitle   = 200
)

func (s *Server) handleHotline(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, e := s.readSigned(w, r, s.hotline, "12345 热线")
	if e != nil {
		writeError(w, e)
		return
	}
	var t HotlineTicket
	e = decodeJSON(body.Bytes(), &t)
	release(body)
	if e != nil {
		writeError(w, e)
		return
	}
	nc, e := t.newCase()
	if e != nil {
		writeError(w, e)
		return
	}
	s.file(w, r, nc, start)
}

// newCase checks the ticket and turns it into what routing files.
func (t *HotlineTicket) newCase() (routing.NewCase, *apiError) {
	nc := routing.NewCase{Channel: routing.ChannelHotline, Anonymous: t.Anonymous, Actor: routing.System}
	var e *apiError
	if nc.ExternalRef, e = checkRef("ticket_no", t.TicketNo); e != nil {
		return nc, e
	}
	if nc.ReceivedAt, e = parseTime("received_at", t.ReceivedAt); e != nil {
		return nc, e
	}
	if nc.Type, e = parseType(t.Type); e != nil {
		return nc, e
	}
	if nc.Text, e = checkText("content", t.Content, true, maxContent); e != nil {
		return nc, e
	}
	if nc.Address, e = checkText("address", t.Address, false, maxAddress); e != nil {
		return nc, e
	}
	if nc.Complainant, e = t.Caller.complainant("caller"); e != nil {
		return nc, e
	}
	nc.Fingerprint = fingerprint("hotline/1", &nc)
	return nc, nil
}

// parseType accepts the five Chinese types, or empty for the classifier to decide.
func parseType(v string) (routing.CaseType, *apiError) {
	ct := routing.CaseType(strings.TrimSpace(v))
	if ct != "" && !ct.Valid() {
		return "", invalid("type 必须是 咨询、求助、投诉、举报、建议 之一，或留空由系统判断")
	}
	return ct, nil
}

// complainant checks name and phone. The e-mail is checked by the portal but not stored:
// the case model keeps a name and a phone only.
func (c Contact) complainant(field string) (routing.Complainant, *apiError) {
	var out routing.Complainant
	var e *apiError
	if out.Name, e = checkText(field+".name", c.Name, false, maxName); e != nil {
		return out, e
	}
	out.Phone, e = checkPhone(field+".phone", c.Phone)
	return out, e
}

// file classifies the case, hands it to the group-commit batcher and answers once it is committed.
func (s *Server) file(w http.ResponseWriter, r *http.Request, nc routing.NewCase, start time.Time) {
	if s.decide != nil {
		d := s.decide.Classify(nc)
		nc.Decision = &d
	}
	res, e := s.batch.submit(r.Context(), nc, start)
	if e != nil {
		writeError(w, e)
		return
	}
	c := res.Case
	out := IntakeResponse{CaseID: c.ID, Department: c.Department, Status: string(c.Status),
		AcceptBy: stamp(c.AcceptBy), ResolveBy: stamp(c.ResolveBy), DuplicateOf: c.DuplicateOf}
	status := http.StatusOK
	if res.Created {
		status = http.StatusAccepted
	}
	writeJSON(w, status, out)
}

// checkPhone checks a caller's phone number with routing.NormalizePhone (a mobile, a
// landline with its area code, a number abroad) and returns its stored form. Empty stays empty.
func checkPhone(field, v string) (string, *apiError) {
	p, err := routing.NormalizePhone(v)
	if err != nil {
		return "", invalid(field + " " + routing.ErrorMessage(err))
	}
	return p, nil
}
