package bot

import (
	"context"
	"strings"

	"chengnuo/routing"
)

// cardTextRunes bounds the excerpt of the resident's text on a card.
const cardTextRunes = 500

// card is a case as its department's group sees it, with 签收 and 退回 (签收 alone for a
// reopened case, which cannot be returned). The case is read for its reasons; the payload
// serves when it cannot be. The phone is always masked, also where it was typed into the
// text, with ID-card numbers and the complainant's name (routing.MaskText): the group is
// many people.
func (h *Handler) card(ctx context.Context, p routing.Payload) Outgoing {
	c, err := h.readAsSystem(ctx, p.CaseID)
	if err != nil {
		h.log.Warn("bot: card from payload only", "case", p.CaseID, "err", err)
		c = payloadCase(p)
	}
	var b strings.Builder
	if p.Kind == "reopened" {
		b.WriteString(sprintf(txtCardReopened, c.ID))
	} else {
		b.WriteString(sprintf(txtCardTitle, c.ID))
	}
	b.WriteString(sprintf(txtCardType, c.Type))
	switch {
	case c.Anonymous:
		b.WriteString(txtCardAnonymous)
	case c.Type != routing.TypeReport && c.Complainant.Phone != "":
		b.WriteString(sprintf(txtCardPhone, routing.MaskPhone(c.Complainant.Phone)))
	}
	if c.Address != "" {
		b.WriteString(sprintf(txtCardAddress, excerpt(routing.MaskText(c.Address, c.Complainant.Name), 100)))
	}
	b.WriteString(sprintf(txtCardAcceptBy, when(c.AcceptBy)))
	b.WriteString(sprintf(txtCardDeadline, when(c.Deadline())))
	if len(c.Items) > 0 {
		names := make([]string, 0, len(c.Items))
		for _, it := range c.Items {
			names = append(names, h.itemName(it))
		}
		b.WriteString(sprintf(txtCardItems, strings.Join(names, "、")))
	}
	if len(c.Reasons) > 0 {
		b.WriteString(sprintf(txtCardReasons, strings.Join(c.Reasons, "；")))
	}
	b.WriteString(sprintf(txtCardText, excerpt(routing.MaskText(c.Text, c.Complainant.Name), cardTextRunes)))
	b.WriteString(txtCardHint)
	row := []Button{{Text: btnAccept, Data: cbAcceptPfx + c.ID}}
	if p.Kind != "reopened" {
		row = append(row, Button{Text: btnReturn, Data: cbReturnPfx + c.ID})
	}
	return Outgoing{Text: b.String(), Buttons: [][]Button{row},
		Link: &CaseLink{CaseID: c.ID, Role: RoleDepartmentChat}}
}

// payloadCase rebuilds what a card needs from an outbox payload.
func payloadCase(p routing.Payload) *routing.Case {
	c := &routing.Case{ID: p.CaseID, Type: p.Type, Text: p.Text, Address: p.Address, Items: p.Items,
		Department: p.Department, Status: p.Status}
	if p.Complainant != nil {
		c.Complainant = *p.Complainant
	}
	c.AcceptBy = parseRFC(p.AcceptBy)
	c.ResolveBy = parseRFC(p.Deadline)
	return c
}
