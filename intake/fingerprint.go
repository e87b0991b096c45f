package intake

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"chengnuo/routing"
)

// fingerprint digests what a ticket means, after the checks have normalised it (trimmed
// texts, the phone's digits): two bodies with the same fingerprint are the same ticket
// whatever their key order, spacing, escapes or unknown fields. It covers what is stored
// and what the platform could mean differently (type, content, title and attachments,
// address, caller, anonymity); received_at is left out, since a platform may restamp a
// retry and a repeat with the same content is harmless. A repeated ticket_no/message_id
// with another fingerprint is refused (409): routing.NewCase.Fingerprint.
func fingerprint(kind string, nc *routing.NewCase, extra ...string) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	write := func(s string) { // length-prefixed, so that no two field lists run together
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	write(kind)
	for _, s := range []string{nc.ExternalRef, string(nc.Type), nc.Text, nc.Address,
		nc.Complainant.Name, nc.Complainant.Phone, strconv.FormatBool(nc.Anonymous)} {
		write(s)
	}
	for _, s := range extra {
		write(s)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
