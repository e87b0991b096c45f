package main

import (
	"bufio"
	"context"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"chengnuo/store"
)

// figureQuestions are residents' questions from testdata/questions_dev.tsv.
func figureQuestions(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../testdata/questions_dev.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if q, _, _ := strings.Cut(sc.Text(), "\t"); q != "" && q != "question" {
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		t.Fatal("no questions in questions_dev.tsv")
	}
	return qs
}

// TestTelegramFigures measures the bot in the real binary against the emulator; the
// figures are logged, not asserted (they depend on the machine):
//
//   - updates handled per second: a backlog of questions from different residents, waiting
//     in the emulator when the bot starts, from "telegram bot on" until the bot has
//     confirmed the last one (bot_state); the emulator takes posts more slowly than the bot
//     handles them, so a live burst would measure the emulator;
//   - answers delivered per second for that backlog, which the sender holds to Telegram's
//     30 messages/s;
//   - reply latency p50/p99: from a resident's question reaching the emulator until the
//     bot's answer is there (both on the emulator's clock), questions from different
//     residents paced at 10/s, below the 30/s limit.
func TestTelegramFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and the Telegram emulator")
	}
	em := startEmulator(t, e2eToken)
	qs := figureQuestions(t)

	const backlog = 300
	var users []tgUser
	for i := range backlog {
		u := tgUser{ID: int64(60000 + i), Chat: int64(60000 + i), Name: "居民"}
		users = append(users, u)
		em.Say(u, qs[i%len(qs)], nil)
	}
	last := 0
	for _, h := range em.History() {
		last = max(last, h.UpdateID)
	}
	s := startServe(t, em)
	db, err := store.Open(context.Background(), s.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The rate is taken between the first sample that sees the bot at work and the last
	// update confirmed (update ids are consecutive here), so start-up does not count.
	var from time.Time
	fromID := 0
	deadline := time.Now().Add(60 * time.Second)
	for {
		id, err := db.LastUpdateID(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if id > 0 && fromID == 0 {
			from, fromID = time.Now(), id
		}
		if id >= last {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bot confirmed update %d of %d within a minute", id, last)
		}
		time.Sleep(5 * time.Millisecond)
	}
	handled, n := time.Since(from), last-fromID
	if n < backlog/2 {
		t.Logf("only %d of %d updates seen being handled: the rate below is rough", n, backlog)
	}
	_, first, lastAnswer := s.waitAnswers(t, users)
	t.Logf("backlog of %d updates: %d handled in %d ms, %.0f updates/s; answered in %d ms from the first "+
		"answer to the last, %.1f answers/s (sender limit 30/s)", backlog, n, handled.Milliseconds(),
		float64(n)/handled.Seconds(), lastAnswer-first, float64(backlog-1)/(float64(lastAnswer-first)/1000))

	// Latency: one question per resident, 10 a second, once the backlog's last second of
	// sends has left the sender's 30/s window (else the first answers wait for it).
	time.Sleep(1500 * time.Millisecond)
	const paced = 100
	users = users[:0]
	for i := range paced {
		u := tgUser{ID: int64(50000 + i), Chat: int64(50000 + i), Name: "居民"}
		users = append(users, u)
		em.Say(u, qs[i%len(qs)], nil)
		time.Sleep(100 * time.Millisecond)
	}
	lat, _, _ := s.waitAnswers(t, users)
	t.Logf("reply latency over %d questions at 10/s: p50 %d ms, p90 %d ms, p99 %d ms, max %d ms",
		len(lat), percentile(lat, 0.50), percentile(lat, 0.90), percentile(lat, 0.99), lat[len(lat)-1])
}

// waitAnswers waits until the bot has answered each user's question and returns, sorted,
// the milliseconds from each question to its answer, and the instants of the first and
// the last answer, all on the emulator's clock (ms).
func (s *botServer) waitAnswers(t *testing.T, users []tgUser) (lat []int64, first, last int64) {
	t.Helper()
	want := map[int64]bool{}
	for _, u := range users {
		want[u.Chat] = true
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		asked, answered := map[int64]int64{}, map[int64]int64{}
		for _, h := range s.em.History() {
			if h.Message == nil {
				continue
			}
			if m, ok := h.fromBot(); ok && want[m.Chat] {
				if _, seen := answered[m.Chat]; !seen {
					answered[m.Chat] = m.Time
				}
			} else if h.Message.Chat != nil && want[h.Message.Chat.ID] {
				if _, seen := asked[h.Message.Chat.ID]; !seen {
					asked[h.Message.Chat.ID] = h.Time
				}
			}
		}
		if len(answered) == len(want) && len(asked) == len(want) {
			first = math.MaxInt64
			for chat, at := range answered {
				lat = append(lat, at-asked[chat])
				first, last = min(first, at), max(last, at)
			}
			slices.Sort(lat)
			return lat, first, last
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d questions answered within 2 minutes", len(answered), len(want))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// percentile of sorted values (nearest rank).
func percentile(sorted []int64, p float64) int64 {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
