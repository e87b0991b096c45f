package routing

import (
	"encoding/json"
	"strconv"
	"time"
)

// OutboxMessage is one event to deliver to one target, written in the same transaction
// as the change it reports. The delivery worker reads pending ones and marks them.
type OutboxMessage struct {
	ID            int64  // assigned by the store
	EventID       string // stable id for receivers to de-duplicate: "<case>:<seq>:<target>"
	CaseID        string
	Seq           int
	Kind          string // dispatched, accepted, extended, replied, closed, reminder, overdue, …
	Target        string // a department code, or a channel name (hotline, portal, telegram)
	Payload       json.RawMessage
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	Status        string // OutboxPending, OutboxDelivered or OutboxDead
	LastError     string
}

// Outbox message states.
const (
	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxDead      = "dead"
)

// delivery says which kind an action is delivered as, and to whom: the handling
// department, the source channel, and fixed codes. channel reaches every channel that sent
// the case (the resident in Telegram, the hotline, the portal); callback only the hotline and
// the portal, whose callback_url follows each step of their tickets, including the ones a
// resident in Telegram is told about otherwise (the bot answers the filing itself) or not at
// all (a return goes to the triage desk and comes back as a new dispatch).
type delivery struct {
	kind     string
	dept     bool
	channel  bool
	callback bool
	others   []string
}

var deliveries = map[Action]delivery{
	ActDispatch:       {kind: "dispatched", dept: true, callback: true},
	ActUndoDuplicate:  {kind: "dispatched", dept: true, callback: true},
	ActAccept:         {kind: "accepted", channel: true},
	ActReply:          {kind: "replied", channel: true},
	ActReturn:         {kind: "returned", dept: true, callback: true}, // the case's department is now the triage desk
	ActGrantExtension: {kind: "extended", dept: true, channel: true},
	ActDenyExtension:  {kind: "extension_denied", dept: true},
	ActClose:          {kind: "closed", dept: true, channel: true},
	ActReopen:         {kind: "reopened", dept: true, channel: true},
	ActMarkDuplicate:  {kind: "duplicate", channel: true},
	ActRemind:         {kind: "reminder", dept: true},
	ActMarkOverdue:    {kind: "overdue", dept: true},
	ActEscalate:       {kind: "escalated", dept: true, others: []string{CodeSupervision}},
}

// ChannelKinds are the kinds of outbox message a hotline or portal callback_url receives, in
// lifecycle order; reminders, overdue marks, escalations and denied extensions stay between
// the departments and supervision.
var ChannelKinds = []string{"dispatched", "duplicate", "accepted", "returned", "extended", "replied", "closed", "reopened"}

// OutboxFor returns the messages that event e of case c (as it is after e) must deliver.
// receive, request_extension and rate deliver nothing.
func OutboxFor(c *Case, e Event) []OutboxMessage {
	d, ok := deliveries[e.Action]
	if !ok {
		return nil
	}
	var targets []string
	if d.dept {
		targets = append(targets, c.Department)
	}
	for _, o := range d.others {
		if o != c.Department {
			targets = append(targets, o)
		}
	}
	callback := c.Channel == ChannelHotline || c.Channel == ChannelPortal
	if (d.channel || d.callback && callback) && c.ExternalRef != "" && c.Channel != ChannelCLI {
		targets = append(targets, string(c.Channel))
	}
	msgs := make([]OutboxMessage, 0, len(targets))
	for _, t := range targets {
		id := c.ID + ":" + strconv.Itoa(e.Seq) + ":" + t
		body, err := json.Marshal(payloadFor(c, e, d.kind, t, id))
		if err != nil {
			panic(err) // plain strings and times: cannot fail
		}
		msgs = append(msgs, OutboxMessage{EventID: id, CaseID: c.ID, Seq: e.Seq, Kind: d.kind, Target: t,
			Payload: body, CreatedAt: e.At, NextAttemptAt: e.At, Status: OutboxPending})
	}
	return msgs
}

// Payload is the JSON body delivered for an outbox message.
type Payload struct {
	EventID     string            `json:"event_id"`
	Kind        string            `json:"kind"`
	CaseID      string            `json:"case_id"`
	Seq         int               `json:"seq"`
	At          string            `json:"at"`
	Action      Action            `json:"action"`
	Reason      string            `json:"reason,omitempty"`
	Status      Status            `json:"status"`
	Channel     Channel           `json:"channel"`
	ExternalRef string            `json:"external_ref,omitempty"`
	Type        CaseType          `json:"type"`
	Department  string            `json:"department"`
	Street      string            `json:"street,omitempty"`
	Items       []string          `json:"items,omitempty"`
	Text        string            `json:"text,omitempty"`    // departments only
	Address     string            `json:"address,omitempty"` // departments only
	Complainant *Complainant      `json:"complainant,omitempty"`
	AcceptBy    string            `json:"accept_by,omitempty"`
	ResolveBy   string            `json:"resolve_by,omitempty"`
	Deadline    string            `json:"deadline,omitempty"` // the resolve deadline in force
	Reply       string            `json:"reply,omitempty"`
	DuplicateOf string            `json:"duplicate_of,omitempty"`
	Data        map[string]string `json:"data,omitempty"`
	History     []HistoryEntry    `json:"history,omitempty"` // escalations: every step so far
	Report      json.RawMessage   `json:"report,omitempty"`  // weekly bulletins: the report JSON
}

// HistoryEntry is one past event of a case as supervision reads it.
type HistoryEntry struct {
	Seq    int    `json:"seq"`
	At     string `json:"at"`
	Action Action `json:"action"`
	Actor  string `json:"actor"`
	Reason string `json:"reason,omitempty"`
	From   Status `json:"from,omitempty"`
	To     Status `json:"to,omitempty"`
}

// withHistory adds the case's events to messages that carry history (escalations);
// history is nil for every other action, and msgs is returned unchanged. A target that may
// not see who filed c gets the reasons masked, as in payloadFor.
func withHistory(c *Case, msgs []OutboxMessage, history []Event) []OutboxMessage {
	if len(history) == 0 || len(msgs) == 0 || msgs[0].Kind != "escalated" {
		return msgs
	}
	for i := range msgs {
		disclosed := c.DisclosedTo(msgs[i].Target)
		entries := make([]HistoryEntry, 0, len(history))
		for _, e := range history {
			reason := e.Reason
			if !disclosed {
				reason = MaskText(reason, c.Complainant.Name)
			}
			entries = append(entries, HistoryEntry{Seq: e.Seq, At: stamp(e.At), Action: e.Action,
				Actor: e.Actor.String(), Reason: reason, From: e.FromStatus, To: e.ToStatus})
		}
		var p Payload
		if err := json.Unmarshal(msgs[i].Payload, &p); err != nil {
			panic(err) // we marshalled it a moment ago
		}
		p.History = entries
		body, err := json.Marshal(p)
		if err != nil {
			panic(err)
		}
		msgs[i].Payload = body
	}
	return msgs
}

// payloadFor builds what target receives. Privacy: only the handling department gets the
// caller's name and phone, and never for an anonymous case or a report (举报). Every other
// department (supervision, the triage desk) and every withheld case gets the free text
// (text, address, reply, reason, event data) with phone, ID-card numbers and names masked
// (MaskText). The source channel, which sent the case, gets its reply as written.
func payloadFor(c *Case, e Event, kind, target, id string) Payload {
	p := Payload{EventID: id, Kind: kind, CaseID: c.ID, Seq: e.Seq, At: stamp(e.At), Action: e.Action,
		Reason: e.Reason, Status: c.Status, Channel: c.Channel, ExternalRef: c.ExternalRef, Type: c.Type,
		Department: c.Department, Street: c.Street, Items: c.Items, AcceptBy: stamp(c.AcceptBy),
		ResolveBy: stamp(c.ResolveBy), Deadline: stamp(c.Deadline()), Reply: c.Reply, DuplicateOf: c.DuplicateOf}
	isChannel := target == string(c.Channel)
	if !isChannel {
		p.Text, p.Address = c.Text, c.Address
		p.Data = e.Data
		if !c.DisclosedTo(target) {
			name := c.Complainant.Name
			p.Text, p.Address, p.Reply = MaskText(c.Text, name), MaskText(c.Address, name), MaskText(c.Reply, name)
			me := MaskedEvent(e, name)
			p.Reason, p.Data = me.Reason, me.Data
		} else if c.Complainant.Name != "" || c.Complainant.Phone != "" {
			who := c.Complainant
			p.Complainant = &who
		}
	}
	return p
}
