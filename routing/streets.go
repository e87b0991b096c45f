package routing

// The 9 street offices (街道办事处) are found by their names, aliases and keywords in
// departments.tsv plus the street rows of the rules table (communities, landmarks, former
// towns). A bare "红旗" or "灞桥" names no street: the directory lists them only with 街道/街办.

// streetFound is the street a message names, with the words that named it.
type streetFound struct {
	code string
	word string
	from string // "text" or "address"
}

// findStreet returns the street the message names or clearly implies. When several are named,
// the one attached to an office ("十里铺派出所") wins, else the first. The address is read
// only when the text names none.
func (c *Classifier) findStreet(ms []mention, address string) streetFound {
	var first, office streetFound
	for _, m := range ms {
		if m.street == "" {
			continue
		}
		f := streetFound{code: m.street, word: m.text, from: "text"}
		if first.code == "" {
			first = f
		}
		if office.code == "" && m.kind != ruleStreet && m.kind != ruleCommunity {
			office = f
		}
	}
	switch {
	case office.code != "":
		return office
	case first.code != "":
		return first
	case address == "":
		return streetFound{}
	}
	var rbuf [64]rune
	var obuf [65]int32
	t := makeText(normText(address), rbuf[:0], obuf[:0])
	var mbuf [8]mention
	for _, m := range c.scanMentions(&t, mbuf[:0]) {
		if m.street != "" {
			return streetFound{code: m.street, word: m.text, from: "address"}
		}
	}
	return streetFound{}
}

// streetWord trims the office part off a mention for the reason text: "十里铺派出所" → "十里铺".
func (c *Classifier) streetWord(f streetFound) string {
	var buf [32]rune
	r := buf[:0]
	for _, x := range f.word {
		r = append(r, x)
	}
	for i := range r {
		if p := c.rules.entities.at(r, i); p != nil && p.kind == ruleStreet {
			return p.text
		}
	}
	return f.word
}
