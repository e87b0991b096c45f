package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"chengnuo/routing"
)

// TargetTelegram is the outbox target of the messages for residents who filed in Telegram.
const TargetTelegram = string(routing.ChannelTelegram)

// Delivers reports whether the bot shows outbox messages of target: "telegram" (the
// resident of a case filed in the bot) or a department whose group is bound in the config.
func (h *Handler) Delivers(target string) bool {
	if target == TargetTelegram {
		return true
	}
	_, ok := h.deptChat[target]
	return ok
}

// Notify shows one outbox message in Telegram: for target "telegram" a notification to the
// resident's chat (from the case's external reference "tg:<chat>:<message>"), for a
// department bound to a group a case card or a notice in that group. Messages for other
// targets are ignored. Each message is sent with its event id as key, so delivering the
// same outbox message twice shows it once; an error means "try again later".
// KindBulletin is the outbox kind of the weekly 通报 (cmd/chengnuo/bulletin.go).
const KindBulletin = "bulletin"

func (h *Handler) Notify(ctx context.Context, m routing.OutboxMessage) error {
	var p routing.Payload
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		return fmt.Errorf("notify %s: payload: %w", m.EventID, err)
	}
	if p.CaseID == "" {
		p.CaseID = m.CaseID
	}
	if p.Kind == "" {
		p.Kind = m.Kind
	}
	if m.Target == TargetTelegram {
		chat, ok := residentChat(p.ExternalRef)
		if !ok {
			h.log.Warn("bot: notification without a Telegram chat", "event_id", m.EventID)
			return nil
		}
		out, ok := h.residentNote(ctx, p)
		if !ok {
			return nil
		}
		out.ChatID, out.Key = chat, m.EventID
		return h.msg.Send(ctx, out)
	}
	chat, ok := h.deptChat[m.Target]
	if !ok {
		return nil
	}
	if p.Kind == KindBulletin { // the weekly 通报, for the supervision group
		return h.msg.Send(ctx, Outgoing{ChatID: chat, Text: p.Text, Key: m.EventID})
	}
	out := h.deptNote(ctx, p, m.Target)
	out.ChatID, out.Key = chat, m.EventID
	return h.msg.Send(ctx, out)
}

// residentChat reads the chat of a case filed in the bot: "tg:<chat>:<message>".
func residentChat(ref string) (int64, bool) {
	rest, ok := strings.CutPrefix(ref, "tg:")
	if !ok {
		return 0, false
	}
	chat, _, _ := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(chat, 10, 64)
	return id, err == nil && id != 0
}

// residentNote is the resident's notification of one step; false when there is none to send.
func (h *Handler) residentNote(ctx context.Context, p routing.Payload) (Outgoing, bool) {
	id := p.CaseID
	switch p.Kind {
	case "accepted":
		return Outgoing{Text: sprintf(txtNoteAccepted, id, h.deptName(p.Department), whenRFC(p.Deadline))}, true
	case "extended":
		return Outgoing{Text: sprintf(txtNoteExtended, id, whenRFC(p.Deadline))}, true
	case "replied":
		return Outgoing{Text: sprintf(txtNoteReplied, id, p.Reply), Buttons: rateRows(id)}, true
	case "closed":
		c, err := h.readAsSystem(ctx, id)
		if err == nil && c.Satisfaction != "" {
			return Outgoing{}, false // closed by the bot at the rating, already acknowledged
		}
		if err == nil && c.Status == routing.StatusClosed {
			return Outgoing{Text: sprintf(txtNoteClosedAsk, id), Buttons: rateRows(id)}, true
		}
		return Outgoing{Text: sprintf(txtNoteClosed, id)}, true
	case "reopened":
		return Outgoing{Text: sprintf(txtNoteReopened, id, h.deptName(p.Department), whenRFC(p.Deadline))}, true
	case "duplicate":
		return Outgoing{Text: sprintf(txtNoteDuplicate, id)}, true
	case "dispatched":
		return Outgoing{Text: sprintf(txtFiled, id, h.deptName(p.Department), whenRFC(p.AcceptBy), whenRFC(p.Deadline), id)}, true
	default:
		return Outgoing{Text: sprintf(txtNoteOther, id, routing.StatusLabel(p.Status))}, true
	}
}

// deptNote is what a department group sees of one step: a card for a new or reopened
// case, a notice for the rest.
func (h *Handler) deptNote(ctx context.Context, p routing.Payload, code string) Outgoing {
	id := p.CaseID
	acceptStage := p.Status == routing.StatusDispatched || p.Status == routing.StatusReopened
	stage, due := txtDoResolve, whenRFC(p.Deadline)
	if acceptStage {
		stage, due = txtDoAccept, whenRFC(p.AcceptBy)
	}
	reason := ""
	if p.Reason != "" { // a group is many people: numbers typed into a reason are masked
		reason = sprintf(txtReasonSuffix, routing.MaskText(p.Reason))
	}
	switch p.Kind {
	case "dispatched", "reopened":
		if p.Department != "" && p.Department != code {
			return Outgoing{Text: sprintf(txtDeptOther, id, routing.StatusLabel(p.Status))}
		}
		return h.card(ctx, p)
	case "reminder":
		return Outgoing{Text: sprintf(txtDeptReminder, id, due, stage)}
	case "overdue":
		return Outgoing{Text: sprintf(txtDeptOverdue, id, stage, due)}
	case "escalated":
		return Outgoing{Text: sprintf(txtDeptEscalated, id)}
	case "returned":
		return Outgoing{Text: sprintf(txtDeptReturned, id, reason)}
	case "extended":
		return Outgoing{Text: sprintf(txtDeptExtended, id, whenRFC(p.Deadline))}
	case "extension_denied":
		return Outgoing{Text: sprintf(txtDeptExtDenied, id, whenRFC(p.Deadline))}
	case "closed":
		return Outgoing{Text: sprintf(txtDeptClosed, id)}
	default:
		return Outgoing{Text: sprintf(txtDeptOther, id, routing.StatusLabel(p.Status))}
	}
}
