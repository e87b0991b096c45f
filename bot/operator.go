package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"chengnuo/routing"
)

// Callback data of operators' buttons.
const (
	cbOpTypePfx = "ty:" // ty:<index into routing.CaseTypes>
	cbOpSkip    = "os"  // skip address or contact
	cbOpAnon    = "oa"  // anonymous caller
	cbOpCancel  = "ox"  // drop the ticket
)

// stateOperator is the session state of an operator chat; its data is an opSession.
const stateOperator = "op"

// opSession holds one ticket in progress per operator of the chat.
type opSession struct {
	Tickets map[int64]ticket `json:"tickets,omitempty"`
}

func operatorActor(u User) routing.Actor {
	return routing.Actor{Role: routing.RoleOperator, Name: userName(u)}
}

// operator handles a message in an operator chat.
func (h *Handler) operator(ctx context.Context, m *Message) error {
	ops, err := h.opSession(ctx, m.ChatID)
	if err != nil {
		return err
	}
	if cmd, args, ok := h.command(m.Text); ok {
		switch cmd {
		case "start", "help":
			return h.say(ctx, m.ChatID, txtOperatorHelp, nil)
		case "case":
			return h.operatorCase(ctx, m, args)
		case "cancel":
			if _, ok := ops.Tickets[m.From.ID]; !ok {
				return h.say(ctx, m.ChatID, txtNothingToCxl, nil)
			}
			delete(ops.Tickets, m.From.ID)
			if err := h.saveOpSession(ctx, m.ChatID, ops); err != nil {
				return err
			}
			return h.msg.Send(ctx, Outgoing{ChatID: m.ChatID, Text: txtOpCancelled, RemoveKeyboard: true})
		default:
			return h.say(ctx, m.ChatID, txtUnknownCommand+txtOperatorHelp, nil)
		}
	} else if isCommand(m.Text) {
		return nil
	}
	if t, ok := ops.Tickets[m.From.ID]; ok {
		if m.Forwarded {
			return h.say(ctx, m.ChatID, txtOpBusy, nil)
		}
		return h.ticketInput(ctx, m, ops, t)
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		return h.say(ctx, m.ChatID, txtOpEmpty, nil)
	}
	t := parseTicket(text)
	if strings.TrimSpace(t.Text) == "" {
		return h.say(ctx, m.ChatID, txtOpEmpty, nil)
	}
	if t.Name == "" && m.Forwarded {
		t.Name = m.ForwardFrom
	}
	if t.Ref == "" {
		t.Ref = fmt.Sprintf("tg:%d:%d", m.ChatID, m.ID)
	}
	return h.advance(ctx, m.ChatID, m.From, ops, t)
}

// ticketInput takes a typed answer for the ticket's current step.
func (h *Handler) ticketInput(ctx context.Context, m *Message, ops opSession, t ticket) error {
	text := clean(m.Text)
	switch t.Step {
	case opType:
		if t.Type = parseType(text); t.Type == "" {
			return h.askTicket(ctx, m.ChatID, t)
		}
	case opAddress:
		if text == "" {
			return h.askTicket(ctx, m.ChatID, t)
		}
		if text != btnSkip {
			t.Address = text
		}
		t.HasAddr = true
	case opContact:
		switch {
		case m.Contact != nil:
			t.Phone = contactPhone(m.Contact.Phone)
		case text == btnAnonymous:
			t.Anonymous = true
		case text == btnSkip:
		default:
			if t.Phone = normalizePhone(text); t.Phone == "" {
				if err := h.say(ctx, m.ChatID, txtBadPhone, nil); err != nil {
					return err
				}
				return h.askTicket(ctx, m.ChatID, t)
			}
		}
		t.HasPhone = true
	}
	return h.advance(ctx, m.ChatID, m.From, ops, t)
}

// advance asks for the next missing field, or files the ticket when none is missing.
func (h *Handler) advance(ctx context.Context, chat int64, u User, ops opSession, t ticket) error {
	if t.Step = t.next(); t.Step != "" {
		ops.Tickets[u.ID] = t
		if err := h.saveOpSession(ctx, chat, ops); err != nil {
			return err
		}
		return h.askTicket(ctx, chat, t)
	}
	delete(ops.Tickets, u.ID)
	if err := h.saveOpSession(ctx, chat, ops); err != nil {
		return err
	}
	return h.fileTicket(ctx, chat, u, t)
}

func (h *Handler) askTicket(ctx context.Context, chat int64, t ticket) error {
	cancel := []Button{{Text: btnCancel, Data: cbOpCancel}}
	switch t.Step {
	case opType:
		row := make([]Button, 0, len(routing.CaseTypes))
		for i, ct := range routing.CaseTypes {
			row = append(row, Button{Text: string(ct), Data: cbOpTypePfx + strconv.Itoa(i)})
		}
		return h.say(ctx, chat, txtOpAskType, [][]Button{row, cancel})
	case opAddress:
		return h.say(ctx, chat, txtOpAskAddress, [][]Button{{{Text: btnSkip, Data: cbOpSkip}}, cancel})
	default:
		return h.say(ctx, chat, txtOpAskContact, [][]Button{{{Text: btnAnonymous, Data: cbOpAnon}, {Text: btnSkip, Data: cbOpSkip}}, cancel})
	}
}

// fileTicket files the ticket as a hotline case on the operator's behalf.
func (h *Handler) fileTicket(ctx context.Context, chat int64, u User, t ticket) error {
	nc := routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: t.Ref, Type: t.Type, Text: t.Text,
		Address: t.Address, Anonymous: t.Anonymous, Actor: operatorActor(u)}
	if !t.Anonymous {
		nc.Complainant = routing.Complainant{Name: t.Name, Phone: t.Phone}
	}
	c, created, err := h.cases.File(ctx, nc)
	if err != nil {
		if errCode(err) != routing.EINVALID {
			h.log.Error("bot: operator file", "chat", chat, "err", err)
		}
		return h.say(ctx, chat, sprintf(txtOpFileFailed, routing.ErrorMessage(err)), nil)
	}
	h.log.Info("bot: hotline case filed by operator", "case", c.ID, "created", created, "operator", u.ID)
	reasons := strings.Join(c.Reasons, "；")
	if reasons == "" {
		reasons = txtNone
	}
	text := sprintf(txtOpFiled, c.ID, c.Type, h.deptName(c.Department), reasons, when(c.AcceptBy), when(c.Deadline()))
	if !created {
		text = txtOpFiledBefore + text
	}
	if c.DuplicateOf != "" {
		text += sprintf(txtOpFiledDup, c.DuplicateOf)
	}
	return h.msg.Send(ctx, Outgoing{ChatID: chat, Text: text, RemoveKeyboard: true})
}

// operatorCallback handles the ticket buttons of the operator who owns the ticket.
func (h *Handler) operatorCallback(ctx context.Context, cb *Callback) (string, error) {
	ops, err := h.opSession(ctx, cb.ChatID)
	if err != nil {
		return txtTryLater, err
	}
	t, ok := ops.Tickets[cb.From.ID]
	if !ok {
		return txtFlowExpired, nil
	}
	switch {
	case cb.Data == cbOpCancel:
		delete(ops.Tickets, cb.From.ID)
		if err := h.saveOpSession(ctx, cb.ChatID, ops); err != nil {
			return txtTryLater, err
		}
		h.dropButtons(ctx, cb.ChatID, cb.MessageID)
		return btnCancel, h.say(ctx, cb.ChatID, txtOpCancelled, nil)
	case strings.HasPrefix(cb.Data, cbOpTypePfx) && t.Step == opType:
		i, err := strconv.Atoi(strings.TrimPrefix(cb.Data, cbOpTypePfx))
		if err != nil || i < 0 || i >= len(routing.CaseTypes) {
			return txtFlowExpired, nil
		}
		t.Type = routing.CaseTypes[i]
	case cb.Data == cbOpSkip && t.Step == opAddress:
		t.HasAddr = true
	case cb.Data == cbOpSkip && t.Step == opContact:
		t.HasPhone = true
	case cb.Data == cbOpAnon && t.Step == opContact:
		t.Anonymous, t.HasPhone = true, true
	default:
		return txtFlowExpired, nil
	}
	h.dropButtons(ctx, cb.ChatID, cb.MessageID)
	return "", h.advance(ctx, cb.ChatID, cb.From, ops, t)
}

// operatorCase answers /case CASEID: operators may see any case, the caller masked.
func (h *Handler) operatorCase(ctx context.Context, m *Message, args string) error {
	id := caseIDArg(args)
	if id == "" {
		return h.say(ctx, m.ChatID, txtOpCaseUsage, nil)
	}
	a := operatorActor(m.From)
	c, err := h.cases.Case(ctx, a, id)
	if errCode(err) == routing.ENOTFOUND {
		return h.say(ctx, m.ChatID, sprintf(txtOpCaseNotFound, id), nil)
	} else if err != nil {
		return err
	}
	events, err := h.cases.Events(ctx, a, id)
	if err != nil {
		return err
	}
	return h.say(ctx, m.ChatID, operatorView(c, events, h.deptName), nil)
}

// operatorView is a case's progress for an operator; name and phone are masked, also in the reply.
func operatorView(c *routing.Case, events []routing.Event, deptName func(string) string) string {
	who := txtAnonymous
	if !c.Anonymous {
		mc := c.Complainant.Masked()
		who = strings.TrimSpace(mc.Name + " " + mc.Phone)
		if who == "" {
			who = txtNone
		}
	}
	var b strings.Builder
	b.WriteString(sprintf(txtOpCase, c.ID, c.Channel, c.Type, routing.StatusLabel(c.Status), deptName(c.Department),
		who, when(c.ReceivedAt), when(c.AcceptBy), when(c.Deadline())))
	if c.Reply != "" {
		b.WriteString(sprintf(txtOpCaseReply, excerpt(routing.MaskText(c.Reply, c.Complainant.Name), 300)))
	}
	if c.Satisfaction != "" {
		b.WriteString(sprintf(txtOpCaseSat, c.Satisfaction))
	}
	if len(events) > 0 {
		b.WriteString(txtOpCaseEvents)
		for _, e := range events {
			b.WriteString(sprintf(txtOpCaseEvent, when(e.At), routing.ActionLabel(e.Action), e.Actor.String()))
		}
	}
	return b.String()
}

func (h *Handler) opSession(ctx context.Context, chat int64) (opSession, error) {
	ops := opSession{Tickets: map[int64]ticket{}}
	state, data, err := h.session(ctx, chat)
	if err != nil {
		return ops, err
	}
	if state == stateOperator && data != "" {
		_ = json.Unmarshal([]byte(data), &ops) // unreadable: start afresh
		if ops.Tickets == nil {
			ops.Tickets = map[int64]ticket{}
		}
	}
	return ops, nil
}

func (h *Handler) saveOpSession(ctx context.Context, chat int64, ops opSession) error {
	b, err := json.Marshal(ops)
	if err != nil {
		return err
	}
	return h.sessions.SaveBotSession(ctx, chat, stateOperator, string(b))
}
