package bot

import (
	"context"
	"fmt"
	"strings"

	"chengnuo/routing"
)

// The complaint flow's steps, stored as the session state. Each step asks one question;
// /cancel or 取消 ends the flow at any step without filing anything.
const (
	stepErrand  = "c.errand"  // 办什么事
	stepOffice  = "c.office"  // 哪个单位要求
	stepCert    = "c.cert"    // 要求开什么证明
	stepPlace   = "c.place"   // 街道或社区 (optional)
	stepContact = "c.contact" // phone: shared contact, typed number, none or anonymous
	stepConfirm = "c.confirm" // summary: 确认提交 / 修改 / 取消
	stepEdit    = "c.edit"    // choose the field to change
)

var stepOrder = []string{stepErrand, stepOffice, stepCert, stepPlace, stepContact, stepConfirm}

// editSteps maps the "ed:<x>" buttons to the step they reopen.
var editSteps = map[string]string{"e": stepErrand, "o": stepOffice, "c": stepCert, "p": stepPlace, "t": stepContact}

// maxFieldRunes bounds one answer of the flow.
const maxFieldRunes = 200

func isStep(state string) bool { return strings.HasPrefix(state, "c.") }

// nextStep is the step after step: the summary when one field was being edited.
func nextStep(step string, d draft) string {
	if d.Editing {
		return stepConfirm
	}
	for i, s := range stepOrder {
		if s == step && i+1 < len(stepOrder) {
			return stepOrder[i+1]
		}
	}
	return stepConfirm
}

// startComplaint opens the flow, keeping the question and suggestions of the last answer.
func (h *Handler) startComplaint(ctx context.Context, chat int64, d draft) error {
	return h.goTo(ctx, chat, stepErrand, draft{Question: d.Question, SugErrand: d.SugErrand, SugCert: d.SugCert})
}

// goTo saves the flow at step and asks its question.
func (h *Handler) goTo(ctx context.Context, chat int64, step string, d draft) error {
	if step == stepConfirm {
		d.Editing = false
	}
	if err := h.sessions.SaveBotSession(ctx, chat, step, d.encode()); err != nil {
		return err
	}
	return h.prompt(ctx, chat, step, d)
}

// prompt asks the question of step.
func (h *Handler) prompt(ctx context.Context, chat int64, step string, d draft) error {
	cancel := []Button{{Text: btnCancel, Data: cbCancel}}
	suggest := func(v string) [][]Button {
		if v == "" {
			return [][]Button{cancel}
		}
		return [][]Button{{{Text: sprintf(btnUseSuggest, excerpt(v, 24)), Data: cbSuggested}}, cancel}
	}
	switch step {
	case stepErrand:
		return h.say(ctx, chat, txtAskErrand, suggest(d.SugErrand))
	case stepOffice:
		return h.say(ctx, chat, txtAskOffice, [][]Button{cancel})
	case stepCert:
		return h.say(ctx, chat, txtAskCert, suggest(d.SugCert))
	case stepPlace:
		return h.say(ctx, chat, txtAskPlace, [][]Button{{{Text: btnSkip, Data: cbSkip}}, cancel})
	case stepContact:
		rows := [][]Button{{{Text: btnNoPhone, Data: cbSkip}, {Text: btnAnonymous, Data: cbAnonymous}}, cancel}
		if err := h.say(ctx, chat, txtAskContact, rows); err != nil {
			return err
		}
		// A reply keyboard cannot share a message with inline buttons: the "share my
		// number" button comes in a message of its own.
		return h.msg.Send(ctx, Outgoing{ChatID: chat, Text: txtShareHint, ContactButton: btnSharephone})
	case stepEdit:
		return h.say(ctx, chat, txtChooseEdit, [][]Button{
			{{Text: btnEditErrand, Data: cbEdit + ":e"}, {Text: btnEditOffice, Data: cbEdit + ":o"}, {Text: btnEditCert, Data: cbEdit + ":c"}},
			{{Text: btnEditPlace, Data: cbEdit + ":p"}, {Text: btnEditContact, Data: cbEdit + ":t"}}, cancel})
	default:
		return h.say(ctx, chat, d.summary(), [][]Button{
			{{Text: btnConfirm, Data: cbConfirm}}, {{Text: btnEdit, Data: cbEdit}, {Text: btnCancel, Data: cbCancel}}})
	}
}

// summary is what the resident checks before filing.
func (d draft) summary() string {
	or := func(s string) string {
		if s == "" {
			return txtNotGiven
		}
		return s
	}
	phone := or(d.Phone)
	if d.Anonymous {
		phone = txtAnonymous
	}
	q := ""
	if d.Question != "" {
		q = sprintf(txtSummaryQ, d.Question)
	}
	return sprintf(txtSummary, or(d.Errand), or(d.Office), or(d.Cert), or(d.Place), phone, q)
}

// text composes the case text from the answers; the classifier reads it.
func (d draft) text() string {
	s := sprintf(txtComplaintTxt, d.Errand, d.Office, d.Cert)
	if d.Place != "" {
		s += sprintf(txtComplaintPlace, d.Place)
	}
	if d.Question != "" {
		s += sprintf(txtComplaintQ, d.Question)
	}
	return s
}

// complaintInput takes a typed answer (or a shared contact) for the current step.
func (h *Handler) complaintInput(ctx context.Context, m *Message, step string, d draft) error {
	text := clean(m.Text)
	switch step {
	case stepContact:
		switch {
		case m.Contact != nil:
			d.Phone, d.Anonymous = contactPhone(m.Contact.Phone), false
		case text == btnAnonymous:
			d.Phone, d.Anonymous = "", true
		case text == btnNoPhone || text == btnSkip:
			d.Phone, d.Anonymous = "", false
		default:
			d.Phone, d.Anonymous = normalizePhone(text), false
			if d.Phone == "" {
				return h.say(ctx, m.ChatID, txtBadPhone, [][]Button{
					{{Text: btnNoPhone, Data: cbSkip}, {Text: btnAnonymous, Data: cbAnonymous}}, {{Text: btnCancel, Data: cbCancel}}})
			}
		}
		return h.contactDone(ctx, m.ChatID, d)
	case stepConfirm, stepEdit:
		if text == btnConfirm && step == stepConfirm {
			return h.fileComplaint(ctx, m.ChatID, m.ID, m.From, d)
		}
		if err := h.say(ctx, m.ChatID, txtUseButtons, nil); err != nil {
			return err
		}
		return h.prompt(ctx, m.ChatID, step, d)
	}
	if step == stepPlace && text == btnSkip {
		text = ""
	} else if text == "" {
		return h.say(ctx, m.ChatID, txtEmptyAnswer, nil)
	}
	if runeCount(text) > maxFieldRunes {
		return h.say(ctx, m.ChatID, sprintf(txtTooLongField, maxFieldRunes), nil)
	}
	switch step {
	case stepErrand:
		d.Errand = text
	case stepOffice:
		d.Office = text
	case stepCert:
		d.Cert = text
	case stepPlace:
		d.Place = text
	}
	return h.goTo(ctx, m.ChatID, nextStep(step, d), d)
}

// contactDone leaves the contact step: the "share my number" keyboard goes away.
func (h *Handler) contactDone(ctx context.Context, chat int64, d draft) error {
	text := txtContactSaved
	if d.Anonymous {
		text = txtContactAnon
	} else if d.Phone == "" {
		text = txtContactNone
	}
	if err := h.msg.Send(ctx, Outgoing{ChatID: chat, Text: text, RemoveKeyboard: true}); err != nil {
		return err
	}
	return h.goTo(ctx, chat, nextStep(stepContact, d), d)
}

// complaintButton handles a button of the flow; stale buttons (another step's) expire.
func (h *Handler) complaintButton(ctx context.Context, cb *Callback, step string, d draft) (string, error) {
	chat := cb.ChatID
	switch {
	case cb.Data == cbCancel:
		if err := h.sessions.SaveBotSession(ctx, chat, "", ""); err != nil {
			return txtTryLater, err
		}
		h.dropButtons(ctx, chat, cb.MessageID)
		return btnCancel, h.msg.Send(ctx, Outgoing{ChatID: chat, Text: txtCancelled, RemoveKeyboard: true})
	case cb.Data == cbSuggested && step == stepErrand && d.SugErrand != "":
		d.Errand = d.SugErrand
	case cb.Data == cbSuggested && step == stepCert && d.SugCert != "":
		d.Cert = d.SugCert
	case cb.Data == cbSkip && step == stepPlace:
		d.Place = ""
	case (cb.Data == cbSkip || cb.Data == cbAnonymous) && step == stepContact:
		d.Phone, d.Anonymous = "", cb.Data == cbAnonymous
		h.dropButtons(ctx, chat, cb.MessageID)
		return "", h.contactDone(ctx, chat, d)
	case cb.Data == cbConfirm && step == stepConfirm:
		h.dropButtons(ctx, chat, cb.MessageID)
		return "", h.fileComplaint(ctx, chat, cb.MessageID, cb.From, d)
	case cb.Data == cbEdit && step == stepConfirm:
		h.dropButtons(ctx, chat, cb.MessageID)
		return "", h.goTo(ctx, chat, stepEdit, d)
	case strings.HasPrefix(cb.Data, cbEdit+":") && (step == stepEdit || step == stepConfirm):
		to, ok := editSteps[strings.TrimPrefix(cb.Data, cbEdit+":")]
		if !ok {
			return txtFlowExpired, nil
		}
		d.Editing = true
		h.dropButtons(ctx, chat, cb.MessageID)
		return "", h.goTo(ctx, chat, to, d)
	default:
		return txtFlowExpired, nil
	}
	h.dropButtons(ctx, chat, cb.MessageID)
	return "", h.goTo(ctx, chat, nextStep(step, d), d)
}

// fileComplaint files the draft as a case. The external reference is the summary message
// the resident confirmed, so that pressing 确认提交 twice files one case.
func (h *Handler) fileComplaint(ctx context.Context, chat int64, msgID int, from User, d draft) error {
	if d.Errand == "" || d.Office == "" || d.Cert == "" {
		return h.goTo(ctx, chat, stepErrand, d)
	}
	nc := routing.NewCase{Channel: routing.ChannelTelegram, ExternalRef: fmt.Sprintf("tg:%d:%d", chat, msgID),
		Type: routing.TypeComplaint, Text: d.text(), Address: d.Place, Anonymous: d.Anonymous, Actor: residentActor(from)}
	if !d.Anonymous {
		nc.Complainant = routing.Complainant{Name: clean(from.FirstName), Phone: d.Phone}
	}
	c, created, err := h.cases.File(ctx, nc)
	if err != nil {
		if errCode(err) == routing.EINVALID {
			return h.say(ctx, chat, routing.ErrorMessage(err), nil)
		}
		h.log.Error("bot: file complaint", "chat", chat, "err", err)
		return h.say(ctx, chat, txtFileFailed, [][]Button{{{Text: btnConfirm, Data: cbConfirm}}, {{Text: btnCancel, Data: cbCancel}}})
	}
	if err := h.sessions.LinkCaseChat(ctx, c.ID, chat, msgID, RoleResidentChat); err != nil {
		return fmt.Errorf("link case %s to chat: %w", c.ID, err)
	}
	if err := h.sessions.SaveBotSession(ctx, chat, "", ""); err != nil {
		return err
	}
	h.log.Info("bot: complaint filed", "case", c.ID, "created", created, "department", c.Department)
	var text string
	if c.Status == routing.StatusDuplicate {
		text = sprintf(txtFiledDup, c.ID)
	} else {
		text = sprintf(txtFiled, c.ID, h.deptName(c.Department), when(c.AcceptBy), when(c.Deadline()), c.ID)
	}
	if !created {
		text = txtFiledBefore + text
	}
	return h.say(ctx, chat, text, nil)
}

// dropButtons removes the inline keyboard of a pressed message; failing that is harmless
// (the buttons expire by state anyway), so it is only logged.
func (h *Handler) dropButtons(ctx context.Context, chat int64, msgID int) {
	if msgID == 0 {
		return
	}
	if err := h.msg.EditButtons(ctx, chat, msgID, nil); err != nil {
		h.log.Warn("bot: remove buttons", "chat", chat, "message", msgID, "err", err)
	}
}
