package bot

import (
	"context"
	"slices"
	"strings"

	"chengnuo/routing"
)

// maxMyCases bounds the /mycases list.
const maxMyCases = 20

// ownCase reports whether id is one of the chat's own cases. This is the only way a
// resident reaches a case: an id typed or sent back in a button counts only when linked to
// the chat, so nobody can read or rate another resident's case by guessing its id.
func (h *Handler) ownCase(ctx context.Context, chat int64, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	ids, err := h.sessions.ChatCases(ctx, chat)
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, id), nil
}

// residentStatus answers /status CASEID for the resident's own cases only; any other id
// reads exactly as a missing one.
func (h *Handler) residentStatus(ctx context.Context, chat int64, args string) error {
	if strings.TrimSpace(args) == "" {
		return h.say(ctx, chat, txtStatusUsage, nil)
	}
	id := caseIDArg(args)
	own, err := h.ownCase(ctx, chat, id)
	if err != nil {
		return err
	}
	if !own {
		return h.say(ctx, chat, txtNotFound, nil)
	}
	c, err := h.readAsSystem(ctx, id)
	if err != nil {
		if errCode(err) == routing.ENOTFOUND {
			return h.say(ctx, chat, txtNotFound, nil)
		}
		return err
	}
	return h.say(ctx, chat, h.residentView(c), h.rateButtons(c))
}

// residentView is a case as its resident sees it.
func (h *Handler) residentView(c *routing.Case) string {
	var b strings.Builder
	b.WriteString(sprintf(txtCaseStatus, c.ID, routing.StatusLabel(c.Status), h.deptName(c.Department)))
	if c.Status == routing.StatusDispatched || c.Status == routing.StatusReopened {
		b.WriteString(sprintf(txtCaseAcceptBy, when(c.AcceptBy)))
	}
	if c.Status.Open() {
		b.WriteString(sprintf(txtCaseDeadline, when(c.Deadline())))
	}
	if c.Reply != "" {
		b.WriteString(sprintf(txtCaseReply, c.Reply))
	}
	if c.Satisfaction != "" {
		b.WriteString(sprintf(txtCaseRated, c.Satisfaction))
	}
	return b.String()
}

// myCases lists the chat's own cases, newest last.
func (h *Handler) myCases(ctx context.Context, chat int64) error {
	ids, err := h.sessions.ChatCases(ctx, chat)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return h.say(ctx, chat, txtNoCases, nil)
	}
	if len(ids) > maxMyCases {
		ids = ids[len(ids)-maxMyCases:]
	}
	var b strings.Builder
	b.WriteString(txtMyCases)
	for _, id := range ids {
		c, err := h.readAsSystem(ctx, id)
		if err != nil {
			if errCode(err) == routing.ENOTFOUND {
				continue
			}
			return err
		}
		b.WriteString(sprintf(txtMyCaseLine, c.ID, routing.StatusLabel(c.Status), excerpt(c.Text, 20)))
	}
	return h.say(ctx, chat, b.String(), nil)
}

// ratings are the rating buttons' codes.
var ratings = map[string]routing.Satisfaction{"1": routing.Satisfied, "2": routing.FairlySatisfied, "3": routing.Unsatisfied}

// rateButtons are offered while the case is answered and not yet rated.
func (h *Handler) rateButtons(c *routing.Case) [][]Button {
	if c.Satisfaction != "" || (c.Status != routing.StatusReplied && c.Status != routing.StatusClosed) {
		return nil
	}
	return rateRows(c.ID)
}

func rateRows(id string) [][]Button {
	return [][]Button{{
		{Text: string(routing.Satisfied), Data: cbRatePfx + id + ":1"},
		{Text: string(routing.FairlySatisfied), Data: cbRatePfx + id + ":2"},
		{Text: string(routing.Unsatisfied), Data: cbRatePfx + id + ":3"}}}
}

// rate records the resident's rating. The service rates closed cases only: a replied case
// is closed by the bot first (the resident's rating is the callback, 回访, that ends it).
// 不满意 reopens the case with new deadlines, which the service leaves to the system.
func (h *Handler) rate(ctx context.Context, cb *Callback) (string, error) {
	rest := strings.TrimPrefix(cb.Data, cbRatePfx)
	i := strings.LastIndex(rest, ":")
	if i < 0 {
		return txtFlowExpired, nil
	}
	id, sat := rest[:i], ratings[rest[i+1:]]
	own, err := h.ownCase(ctx, cb.ChatID, id)
	if err != nil {
		return txtTryLater, err
	}
	if !own || sat == "" {
		return txtNotFound, nil
	}
	c, err := h.readAsSystem(ctx, id)
	if err != nil {
		return txtTryLater, err
	}
	if c.Satisfaction != "" {
		h.dropButtons(ctx, cb.ChatID, cb.MessageID)
		return txtAlreadyRated, nil
	}
	if c.Status == routing.StatusReplied {
		if c, err = h.cases.Close(ctx, botActor, id); err != nil && errCode(err) != routing.ECONFLICT {
			return txtTryLater, err
		}
	}
	c, err = h.cases.Rate(ctx, residentActor(cb.From), id, sat)
	switch {
	case errCode(err) == routing.ECONFLICT:
		h.dropButtons(ctx, cb.ChatID, cb.MessageID)
		if cur, rerr := h.readAsSystem(ctx, id); rerr == nil && cur.Satisfaction != "" {
			return txtAlreadyRated, nil
		}
		return txtStateChanged, nil
	case err != nil:
		h.log.Error("bot: rate", "case", id, "err", err)
		return txtTryLater, h.say(ctx, cb.ChatID, txtRateFailed, nil)
	}
	h.dropButtons(ctx, cb.ChatID, cb.MessageID)
	if sat != routing.Unsatisfied {
		return txtThanks, h.say(ctx, cb.ChatID, sprintf(txtRated, sat), nil)
	}
	c, err = h.cases.Reopen(ctx, botActor, id, txtReopenReason)
	if err != nil {
		h.log.Error("bot: reopen after an unsatisfied rating", "case", id, "err", err)
		return txtThanks, h.say(ctx, cb.ChatID, sprintf(txtRated, sat), nil)
	}
	return txtThanks, h.say(ctx, cb.ChatID, sprintf(txtRatedReopen, c.ID, h.deptName(c.Department), when(c.Deadline())), nil)
}
