package bot

import (
	"context"
	"encoding/json"
	"strings"

	"chengnuo/knowledge"
)

// Callback data of residents' buttons (short codes: Telegram allows 64 bytes).
const (
	cbComplain  = "cp"  // 我要投诉
	cbNotSolved = "ns"  // 没有解决我的问题
	cbSuggested = "k"   // take the suggested value of this step
	cbSkip      = "sk"  // skip an optional step (place; contact without a phone)
	cbAnonymous = "an"  // file anonymously
	cbConfirm   = "ok"  // 确认提交
	cbEdit      = "ed"  // 修改: choose a field; "ed:<step>" edits that field
	cbCancel    = "cx"  // 取消
	cbRatePfx   = "rt:" // rt:<case id>:<1 满意|2 基本满意|3 不满意>
)

// stateAsked keeps the last question, so that 我要投诉 can prefill the complaint.
const stateAsked = "asked"

// resident handles a message in a private chat of a resident.
func (h *Handler) resident(ctx context.Context, m *Message) error {
	state, data, err := h.session(ctx, m.ChatID)
	if err != nil {
		return err
	}
	if cmd, args, ok := h.command(m.Text); ok {
		if err := h.residentCommand(ctx, m, cmd, args, state); err != nil {
			return err
		}
		return h.resumeDraft(ctx, m.ChatID, cmd, state, data)
	}
	if isStep(state) {
		return h.complaintInput(ctx, m, state, decodeDraft(data))
	}
	text := clean(m.Text)
	switch {
	case text == "":
		return h.say(ctx, m.ChatID, txtResidentHelp, nil)
	case text == btnComplain:
		d := draft{}
		if state == stateAsked {
			d = decodeDraft(data)
		}
		return h.startComplaint(ctx, m.ChatID, d)
	}
	return h.ask(ctx, m.ChatID, text)
}

func (h *Handler) residentCommand(ctx context.Context, m *Message, cmd, args, state string) error {
	switch cmd {
	case "start":
		if err := h.sessions.SaveBotSession(ctx, m.ChatID, "", ""); err != nil {
			return err
		}
		return h.msg.Send(ctx, Outgoing{ChatID: m.ChatID, Text: txtWelcome, RemoveKeyboard: isStep(state)})
	case "help":
		return h.say(ctx, m.ChatID, txtResidentHelp, nil)
	case "cancel":
		if !isStep(state) {
			return h.say(ctx, m.ChatID, txtNothingToCxl, nil)
		}
		if err := h.sessions.SaveBotSession(ctx, m.ChatID, "", ""); err != nil {
			return err
		}
		return h.msg.Send(ctx, Outgoing{ChatID: m.ChatID, Text: txtCancelled, RemoveKeyboard: true})
	case "status":
		return h.residentStatus(ctx, m.ChatID, args)
	case "mycases":
		return h.myCases(ctx, m.ChatID)
	case "complain", "tousu":
		if isStep(state) {
			return nil // resumeDraft asks the current step again
		}
		return h.startComplaint(ctx, m.ChatID, draft{})
	default:
		return h.say(ctx, m.ChatID, txtUnknownCommand+txtResidentHelp, nil)
	}
}

// draftKeepers are the commands answered in the middle of the complaint form without
// touching it: after the answer the form goes on where it was (/start and /cancel end it).
var draftKeepers = map[string]bool{"help": true, "status": true, "mycases": true, "complain": true, "tousu": true}

// resumeDraft, after a command answered during the complaint form, says the draft is kept and
// asks its current step again, so the resident's next message is read as its answer knowingly.
func (h *Handler) resumeDraft(ctx context.Context, chat int64, cmd, state, data string) error {
	if !isStep(state) || !draftKeepers[cmd] {
		return nil
	}
	if err := h.say(ctx, chat, txtDraftKept, nil); err != nil {
		return err
	}
	return h.prompt(ctx, chat, state, decodeDraft(data))
}

// ask answers a question from the item list and offers the complaint flow.
func (h *Handler) ask(ctx context.Context, chat int64, q string) error {
	ans := h.answers.Ask(q)
	d := draft{Question: excerpt(q, maxFieldRunes*2)}
	if len(ans.Items) > 0 && (ans.Kind == knowledge.KindItem || ans.Kind == knowledge.KindComplaint) {
		d.SugErrand, d.SugCert = ans.Items[0].Matter, ans.Items[0].Certificate
	}
	if err := h.sessions.SaveBotSession(ctx, chat, stateAsked, d.encode()); err != nil {
		return err
	}
	text := ans.Answer
	switch ans.Kind {
	case knowledge.KindComplaint:
		text += txtComplaintOffer
	case knowledge.KindItem:
		text += txtAnswerFooter
	}
	return h.say(ctx, chat, text, [][]Button{{{Text: btnComplain, Data: cbComplain}, {Text: btnNotSolved, Data: cbNotSolved}}})
}

// residentCallback handles a resident's button; it returns the toast to answer with.
func (h *Handler) residentCallback(ctx context.Context, cb *Callback) (string, error) {
	if strings.HasPrefix(cb.Data, cbRatePfx) {
		return h.rate(ctx, cb)
	}
	state, data, err := h.session(ctx, cb.ChatID)
	if err != nil {
		return txtTryLater, err
	}
	switch {
	case cb.Data == cbComplain:
		if isStep(state) {
			return "", h.prompt(ctx, cb.ChatID, state, decodeDraft(data))
		}
		d := draft{}
		if state == stateAsked {
			d = decodeDraft(data)
		}
		return "", h.startComplaint(ctx, cb.ChatID, d)
	case cb.Data == cbNotSolved:
		return "", h.say(ctx, cb.ChatID, txtNotSolved, [][]Button{{{Text: btnComplain, Data: cbComplain}}})
	case isStep(state):
		return h.complaintButton(ctx, cb, state, decodeDraft(data))
	}
	return txtFlowExpired, nil
}

// draft is a complaint being written, kept as JSON in the session.
type draft struct {
	Question  string `json:"q,omitempty"`  // the question asked before 我要投诉
	SugErrand string `json:"se,omitempty"` // suggestions from the answer's best item
	SugCert   string `json:"sc,omitempty"`
	Errand    string `json:"e,omitempty"` // 办什么事
	Office    string `json:"o,omitempty"` // 哪个单位
	Cert      string `json:"c,omitempty"` // 要求开什么证明
	Place     string `json:"p,omitempty"` // 街道或社区
	Phone     string `json:"ph,omitempty"`
	Anonymous bool   `json:"an,omitempty"`
	Editing   bool   `json:"ed,omitempty"` // one field is being changed: back to the summary after it
}

func (d draft) encode() string {
	b, _ := json.Marshal(d) // strings and bools: cannot fail
	return string(b)
}

// decodeDraft reads a session's draft; anything unreadable starts afresh.
func decodeDraft(s string) draft {
	var d draft
	if s != "" {
		_ = json.Unmarshal([]byte(s), &d)
	}
	return d
}
