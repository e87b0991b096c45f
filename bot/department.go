package bot

import (
	"context"
	"encoding/json"
	"strings"

	"chengnuo/routing"
)

// Callback data of a case card's buttons.
const (
	cbAcceptPfx = "a:" // a:<case id>: 签收
	cbReturnPfx = "r:" // r:<case id>: 退回 (asks for the reason)
)

// stateDept is the session state of a department group; its data is a deptSession.
const stateDept = "dept"

// deptSession holds the group's pending returns, one per clerk: the clerk who pressed 退回
// owes the reason in their next message.
type deptSession struct {
	Returns map[int64]pendingReturn `json:"returns,omitempty"`
}

type pendingReturn struct {
	CaseID string `json:"case"`
	Card   int    `json:"card"` // the card's message id, whose buttons go once returned
}

// deptActor is the clerk acting for the department bound to the group. The department
// comes from the chat the update arrived in, never from anything typed.
func deptActor(code string, u User) routing.Actor {
	return routing.Actor{Role: routing.RoleDepartment, Department: code, Name: userName(u)}
}

// member reports whether u may act for the group's department; see Membership.
func (h *Handler) member(ctx context.Context, chat int64, u User) bool {
	return h.opt.Members == nil || h.opt.Members.IsMember(ctx, chat, u.ID)
}

// department handles a message in a group bound to department code.
func (h *Handler) department(ctx context.Context, m *Message, code string) error {
	if !h.member(ctx, m.ChatID, m.From) {
		return nil
	}
	if cmd, args, ok := h.command(m.Text); ok {
		return h.departmentCommand(ctx, m, code, cmd, args)
	} else if isCommand(m.Text) {
		return nil // addressed to another bot
	}
	if m.ReplyToID != 0 {
		id, err := h.sessions.CaseByCardMessage(ctx, m.ChatID, m.ReplyToID)
		if err != nil && errCode(err) != routing.ENOTFOUND {
			return err
		}
		if id != "" {
			return h.replyCase(ctx, m, code, id, clean(m.Text))
		}
	}
	ds, err := h.deptSession(ctx, m.ChatID)
	if err != nil {
		return err
	}
	if p, ok := ds.Returns[m.From.ID]; ok {
		return h.returnCase(ctx, m, code, ds, p)
	}
	return nil // the group's own conversation
}

func (h *Handler) departmentCommand(ctx context.Context, m *Message, code, cmd, args string) error {
	switch cmd {
	case "start", "help":
		return h.say(ctx, m.ChatID, sprintf(txtDeptHelp, h.deptName(code)), nil)
	case "overdue":
		return h.overdue(ctx, m.ChatID, code, m.From)
	case "reply":
		id, text, _ := strings.Cut(args, " ")
		id, text = caseIDArg(id), clean(text)
		if id == "" || text == "" {
			return h.say(ctx, m.ChatID, txtReplyUsage, nil)
		}
		return h.replyCase(ctx, m, code, id, text)
	case "cancel":
		ds, err := h.deptSession(ctx, m.ChatID)
		if err != nil {
			return err
		}
		if _, ok := ds.Returns[m.From.ID]; !ok {
			return h.sayReply(ctx, m.ChatID, m.ID, txtNothingToCxl)
		}
		delete(ds.Returns, m.From.ID)
		if err := h.saveDeptSession(ctx, m.ChatID, ds); err != nil {
			return err
		}
		return h.sayReply(ctx, m.ChatID, m.ID, txtReturnCancel)
	default:
		return h.say(ctx, m.ChatID, txtUnknownCommand+sprintf(txtDeptHelp, h.deptName(code)), nil)
	}
}

// replyCase answers a case (答复) with text, as the clerk who wrote it.
func (h *Handler) replyCase(ctx context.Context, m *Message, code, id, text string) error {
	if text == "" {
		return h.sayReply(ctx, m.ChatID, m.ID, txtReplyEmpty)
	}
	_, err := h.cases.Reply(ctx, deptActor(code, m.From), id, text)
	switch errCode(err) {
	case "":
		h.log.Info("bot: department replied", "case", id, "department", code)
		return h.sayReply(ctx, m.ChatID, m.ID, sprintf(txtReplied, id))
	case routing.ECONFLICT:
		c, rerr := h.cases.Case(ctx, deptActor(code, m.From), id)
		if rerr != nil {
			return h.sayReply(ctx, m.ChatID, m.ID, txtStateChanged)
		}
		if c.Status == routing.StatusDispatched || c.Status == routing.StatusReopened {
			return h.sayReply(ctx, m.ChatID, m.ID, sprintf(txtReplyFirst, id, routing.StatusLabel(c.Status)))
		}
		return h.sayReply(ctx, m.ChatID, m.ID, sprintf(txtReplyConflict, id, routing.StatusLabel(c.Status)))
	case routing.EFORBIDDEN, routing.ENOTFOUND:
		return h.sayReply(ctx, m.ChatID, m.ID, txtNotOursMsg)
	case routing.EINVALID:
		return h.sayReply(ctx, m.ChatID, m.ID, routing.ErrorMessage(err))
	default:
		h.log.Error("bot: department reply", "case", id, "err", err)
		return h.sayReply(ctx, m.ChatID, m.ID, txtInternal)
	}
}

// returnCase takes the clerk's next message as the reason of the return they started.
func (h *Handler) returnCase(ctx context.Context, m *Message, code string, ds deptSession, p pendingReturn) error {
	reason := clean(m.Text)
	if reason == "" {
		return h.sayReply(ctx, m.ChatID, m.ID, txtReturnEmpty)
	}
	_, err := h.cases.Return(ctx, deptActor(code, m.From), p.CaseID, reason)
	if errCode(err) == routing.EINTERNAL {
		h.log.Error("bot: department return", "case", p.CaseID, "err", err)
		return h.sayReply(ctx, m.ChatID, m.ID, txtInternal) // the clerk may try again
	}
	delete(ds.Returns, m.From.ID)
	if serr := h.saveDeptSession(ctx, m.ChatID, ds); serr != nil {
		return serr
	}
	switch errCode(err) {
	case "":
		h.dropButtons(ctx, m.ChatID, p.Card)
		return h.sayReply(ctx, m.ChatID, m.ID, sprintf(txtReturned, p.CaseID, reason))
	case routing.ECONFLICT:
		h.dropButtons(ctx, m.ChatID, p.Card)
		return h.sayReply(ctx, m.ChatID, m.ID, txtStateChanged+"："+routing.ErrorMessage(err))
	case routing.EFORBIDDEN, routing.ENOTFOUND:
		return h.sayReply(ctx, m.ChatID, m.ID, txtNotOursMsg)
	default:
		return h.sayReply(ctx, m.ChatID, m.ID, routing.ErrorMessage(err))
	}
}

// departmentCallback handles 签收 and 退回 on a card; it returns the toast.
func (h *Handler) departmentCallback(ctx context.Context, cb *Callback, code string) (string, error) {
	if !h.member(ctx, cb.ChatID, cb.From) {
		return txtNotMember, nil
	}
	a := deptActor(code, cb.From)
	switch {
	case strings.HasPrefix(cb.Data, cbAcceptPfx):
		id := caseIDArg(strings.TrimPrefix(cb.Data, cbAcceptPfx))
		c, err := h.cases.Accept(ctx, a, id)
		switch errCode(err) {
		case "":
			h.dropButtons(ctx, cb.ChatID, cb.MessageID)
			h.linkCard(ctx, id, cb.ChatID, cb.MessageID)
			return txtAccepted, h.msg.Send(ctx, Outgoing{ChatID: cb.ChatID, ReplyToID: cb.MessageID,
				Text: sprintf(txtAcceptedMsg, id, a.Name, when(c.Deadline()))})
		case routing.ECONFLICT:
			h.dropButtons(ctx, cb.ChatID, cb.MessageID)
			return txtStateChanged, nil
		case routing.EFORBIDDEN, routing.ENOTFOUND, routing.EINVALID:
			return txtNotOurs, nil
		default:
			return txtTryLater, err
		}
	case strings.HasPrefix(cb.Data, cbReturnPfx):
		id := caseIDArg(strings.TrimPrefix(cb.Data, cbReturnPfx))
		c, err := h.cases.Case(ctx, a, id)
		switch errCode(err) {
		case "":
		case routing.EFORBIDDEN, routing.ENOTFOUND, routing.EINVALID:
			return txtNotOurs, nil
		default:
			return txtTryLater, err
		}
		if c.Status != routing.StatusDispatched && c.Status != routing.StatusAccepted {
			h.dropButtons(ctx, cb.ChatID, cb.MessageID)
			return txtStateChanged, nil
		}
		ds, err := h.deptSession(ctx, cb.ChatID)
		if err != nil {
			return txtTryLater, err
		}
		ds.Returns[cb.From.ID] = pendingReturn{CaseID: id, Card: cb.MessageID}
		if err := h.saveDeptSession(ctx, cb.ChatID, ds); err != nil {
			return txtTryLater, err
		}
		h.linkCard(ctx, id, cb.ChatID, cb.MessageID)
		return txtReturnAsk, h.msg.Send(ctx, Outgoing{ChatID: cb.ChatID, ReplyToID: cb.MessageID,
			Text: sprintf(txtReturnPrompt, id)})
	}
	return txtFlowExpired, nil
}

// linkCard records a pressed card, so that a Telegram reply to it finds the case even when
// the sender could not link it when sending.
func (h *Handler) linkCard(ctx context.Context, id string, chat int64, msgID int) {
	if err := h.sessions.LinkCaseChat(ctx, id, chat, msgID, RoleDepartmentChat); err != nil {
		h.log.Warn("bot: link card", "case", id, "err", err)
	}
}

func (h *Handler) deptSession(ctx context.Context, chat int64) (deptSession, error) {
	ds := deptSession{Returns: map[int64]pendingReturn{}}
	state, data, err := h.session(ctx, chat)
	if err != nil {
		return ds, err
	}
	if state == stateDept && data != "" {
		_ = json.Unmarshal([]byte(data), &ds) // unreadable: start afresh
		if ds.Returns == nil {
			ds.Returns = map[int64]pendingReturn{}
		}
	}
	return ds, nil
}

func (h *Handler) saveDeptSession(ctx context.Context, chat int64, ds deptSession) error {
	b, err := json.Marshal(ds)
	if err != nil {
		return err
	}
	return h.sessions.SaveBotSession(ctx, chat, stateDept, string(b))
}
