package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"chengnuo/routing"
)

// topicClassifier gives some texts an item (topic key "item:…") and others only a department.
type topicClassifier struct{}

func (topicClassifier) Classify(text, address string) routing.Decision {
	d := routing.Decision{Type: routing.TypeComplaint, Confidence: 0.9, Reasons: []string{"测试规则"}}
	switch {
	case strings.Contains(text, "健在证明"):
		d.Department, d.Items = "rsj", []string{"BQ-012"}
	case strings.Contains(text, "噪音"):
		d.Department, d.Items = "zjj", []string{"BQ-040", "BQ-041"}
	case strings.Contains(text, "户籍"):
		d.Department = "gafj"
	default:
		d.Department, d.Triage, d.Confidence = routing.CodeTriage, true, 0.1
	}
	return d
}

// batchWorld is a reproducible mix of tickets: stored ones, then a batch that repeats
// references (of the batch and of stored cases), repeats phones and near-repeats texts of
// earlier cases (of the batch and stored), more than duplicateCandidates open cases of one
// topic, equal and distant received times, mixed channels, cases without reference and an
// invalid one.
type batchWorld struct {
	seeds []routing.NewCase
	batch []routing.NewCase
}

func newBatchWorld(n int) batchWorld {
	rng := rand.New(rand.NewPCG(7, 11))
	topics := []string{"社保窗口要求开具健在证明", "夜间施工噪音扰民", "户籍窗口要求提供证明", "小区门口道路积水"}
	words := []rune("窗口工作人员说必须先到社区开具证明材料才能继续办理业务我们跑了好几趟都没有办成希望尽快解决老人孩子")
	times := []time.Time{caseStart.Add(-time.Hour), caseStart.Add(-2 * time.Hour), caseStart.Add(-time.Hour),
		caseStart.Add(-40 * 24 * time.Hour), caseStart.Add(-20 * 24 * time.Hour), {}}
	fresh := func(i int) routing.NewCase {
		text := []rune(topics[rng.IntN(len(topics))])
		for range 12 {
			text = append(text, words[rng.IntN(len(words))])
		}
		return routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: fmt.Sprintf("T%04d", i),
			ReceivedAt: times[rng.IntN(len(times))], Text: string(text),
			Complainant: routing.Complainant{Name: "张三", Phone: fmt.Sprintf("139%08d", rng.IntN(1_000_000))}}
	}
	var w batchWorld
	for i := range 40 {
		w.seeds = append(w.seeds, fresh(i))
	}
	all := append([]routing.NewCase(nil), w.seeds...)
	for i := 40; i < 40+n; i++ {
		nc := fresh(i)
		earlier := all[rng.IntN(len(all))]
		switch r := rng.IntN(100); {
		case r < 15: // the same ticket again
			nc = earlier
		case r < 30: // the same caller about the same topic
			nc.Complainant.Phone = earlier.Complainant.Phone
			nc.Text = earlier.Text + "，再次反映"
		case r < 50: // nearly the same text from another phone
			t := []rune(earlier.Text)
			t[len(t)-1] = '急'
			nc.Text = string(t)
			nc.ReceivedAt = earlier.ReceivedAt
		case r < 55:
			nc.ExternalRef = ""
		case r < 60:
			nc.Channel = routing.ChannelPortal
			nc.ExternalRef = earlier.ExternalRef // another channel: not the same ticket
		case r < 65:
			nc.Type, nc.Department = routing.TypeConsultation, "mzj"
		case r < 67:
			nc.Text = "  "
		}
		w.batch = append(w.batch, nc)
		all = append(all, nc)
	}
	return w
}

// seed files the stored cases one by one and takes a few of them out of the open states.
func (w batchWorld) seed(t *testing.T, svc *routing.Service) {
	t.Helper()
	ctx := context.Background()
	for i, nc := range w.seeds {
		c, _, err := svc.File(ctx, nc)
		if err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 && c.Status == routing.StatusDispatched {
			if _, err := svc.Accept(ctx, routing.Actor{Role: routing.RoleOperator, Name: "op"}, c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Reply(ctx, routing.Actor{Role: routing.RoleOperator, Name: "op"}, c.ID, "已答复"); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// dump is every row the filing writes, in storage order, as text.
func dump(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{`SELECT rowid, * FROM cases ORDER BY rowid`, `SELECT * FROM case_events ORDER BY case_id, seq`,
		`SELECT * FROM outbox ORDER BY id`, `SELECT * FROM case_counters ORDER BY day`} {
		rows, err := db.read.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals))
		}
		rows.Close()
	}
	return out
}

// TestFileBatchAsOneByOne: 200 mixed tickets filed as one batch give the same results and
// the same rows (cases, statuses, duplicate links, events, outbox, ids) as filing them one by one.
func TestFileBatchAsOneByOne(t *testing.T) {
	w := newBatchWorld(200)
	ctx := context.Background()
	open := func() (*DB, *routing.Service) {
		db := openTestDB(t)
		svc := &routing.Service{Store: db, Classifier: topicClassifier{}, SLA: everyDay{}, Now: fixedNow(caseStart)}
		w.seed(t, svc)
		return db, svc
	}
	oneDB, oneSvc := open()
	batchDB, batchSvc := open()

	var want []routing.FileResult
	for _, nc := range w.batch {
		c, created, err := oneSvc.File(ctx, nc)
		want = append(want, routing.FileResult{Case: c, Created: created, Err: err})
	}
	got, err := batchSvc.FileBatch(ctx, append([]routing.NewCase(nil), w.batch...))
	if err != nil {
		t.Fatal(err)
	}
	var created, dups, inBatchDups, repeats, invalid int
	batchIDs := map[string]bool{}
	for i := range want {
		g, o := got[i], want[i]
		if (g.Err == nil) != (o.Err == nil) || routing.ErrorCode(g.Err) != routing.ErrorCode(o.Err) {
			t.Fatalf("ticket %d: err %v, one by one %v", i, g.Err, o.Err)
		}
		if o.Err != nil {
			invalid++
			continue
		}
		if g.Created != o.Created || g.Case.ID != o.Case.ID || g.Case.Status != o.Case.Status ||
			g.Case.DuplicateOf != o.Case.DuplicateOf || g.Case.Department != o.Case.Department {
			t.Fatalf("ticket %d: got %s created=%v %s dup_of=%q, one by one %s created=%v %s dup_of=%q", i,
				g.Case.ID, g.Created, g.Case.Status, g.Case.DuplicateOf, o.Case.ID, o.Created, o.Case.Status, o.Case.DuplicateOf)
		}
		if !g.Created {
			repeats++
			continue
		}
		created++
		batchIDs[g.Case.ID] = true
		if g.Case.Status == routing.StatusDuplicate {
			dups++
			if batchIDs[g.Case.DuplicateOf] {
				inBatchDups++
			}
		}
	}
	// The mix must exercise every path, or the comparison proves little.
	if created < 100 || dups-inBatchDups < 5 || inBatchDups < 5 || repeats < 10 || invalid == 0 {
		t.Fatalf("weak mix: created %d, duplicates %d (%d of the batch), repeats %d, invalid %d",
			created, dups, inBatchDups, repeats, invalid)
	}
	if a, b := dump(t, oneDB), dump(t, batchDB); !reflect.DeepEqual(a, b) {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("row %d differs:\n one by one %s\n batch      %s", i, a[i], b[i])
			}
		}
		t.Fatalf("rows: one by one %d, batch %d", len(a), len(b))
	}
	t.Logf("created %d, duplicates %d (%d of the same batch), repeats %d, invalid %d", created, dups, inBatchDups, repeats, invalid)
}

// TestFileBatchFailureStoresNothing: a statement failing in the middle of a batch (here an
// outbox insert refused by a trigger) rolls back every case, event, outbox row and id of it.
func TestFileBatchFailureStoresNothing(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	svc := &routing.Service{Store: db, Classifier: topicClassifier{}, SLA: everyDay{}, Now: fixedNow(caseStart)}
	w := newBatchWorld(150)
	w.seed(t, svc)
	before := dump(t, db)
	if _, err := db.write.Exec(`CREATE TRIGGER fail_midway BEFORE INSERT ON outbox
		WHEN NEW.case_id = 'BQ20261125-0100' BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FileBatch(ctx, append([]routing.NewCase(nil), w.batch...)); err == nil ||
		!strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the trigger's", err)
	}
	if after := dump(t, db); !reflect.DeepEqual(before, after) {
		t.Fatalf("a failed batch left rows: %d before, %d after", len(before), len(after))
	}
	if _, err := db.write.Exec(`DROP TRIGGER fail_midway`); err != nil {
		t.Fatal(err)
	}
	res, err := svc.FileBatch(ctx, append([]routing.NewCase(nil), w.batch...))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Created {
			if r.Case.ID != "BQ20261125-0041" {
				t.Fatalf("first id after the rollback %s, want BQ20261125-0041", r.Case.ID)
			}
			break
		}
	}
}

// TestDuplicateSetsLimit: each phone and key gets at most Limit candidates, most recent
// first and, among equal times, the later filed first; only open cases within the window.
func TestDuplicateSetsLimit(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	svc := newService(db, fixedNow(caseStart))
	phrases := []string{"路灯不亮", "井盖缺失", "垃圾清运", "违章停车", "占道经营", "油烟扰民", "楼道堆物",
		"电梯故障", "供暖不热", "水压太低", "树木倒伏", "广告牌松动", "公交改线", "门牌缺失"}
	// Same topic, other phones (key list); same phone, other topics (phone list).
	var byKey, byPhone []string
	for group := range 2 {
		for i, p := range phrases {
			nc := sampleCase(100*group + i)
			nc.Text = p
			nc.ReceivedAt = caseStart.Add(-time.Duration(i%3) * time.Hour)
			if i == 13 {
				nc.ReceivedAt = caseStart.Add(-31 * 24 * time.Hour)
			}
			if group == 1 {
				nc.Complainant.Phone, nc.Department = "13800000000", fmt.Sprintf("d%02d", i)
			}
			c, _, err := svc.File(ctx, nc)
			if err != nil || c.Status != routing.StatusDispatched {
				t.Fatalf("file %d/%d: %v %v", group, i, c, err)
			}
			if i%3 == 0 && i < 13 { // filed at caseStart, the most recent
				if group == 0 {
					byKey = append([]string{c.ID}, byKey...)
				} else {
					byPhone = append([]string{c.ID}, byPhone...)
				}
			}
		}
	}
	var sets routing.DuplicateSets
	err := db.WithTx(ctx, func(tx routing.CaseTx) (err error) {
		sets, err = tx.DuplicateSets(ctx, routing.DuplicateSetQuery{Phones: []string{"13800000000", "139"},
			Keys: []string{"dept:rsj", "dept:none"}, Since: caseStart.Add(-30 * 24 * time.Hour), Limit: 5})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		got  []*routing.Case
		want []string
	}{
		"phone": {sets.ByPhone["13800000000"], byPhone}, "key": {sets.ByKey["dept:rsj"], byKey}} {
		var ids []string
		for _, c := range c.got {
			ids = append(ids, c.ID)
		}
		if !reflect.DeepEqual(ids, c.want) {
			t.Errorf("%s candidates %v, want %v", name, ids, c.want)
		}
	}
	if len(sets.ByPhone["139"]) != 0 || len(sets.ByKey["dept:none"]) != 0 {
		t.Errorf("candidates for unknown values: %v", sets)
	}
}

// TestJSONText: the hand-written encoders write what encoding/json writes.
func TestJSONText(t *testing.T) {
	tricky := []string{"", "BQ-012", "事项 BQ-012 属区人社局", `引号"与\反斜杠`, "a<b>&c", "行\n换\t", "\u2028段",
		"\x7f", "bad \xff utf8", "😀 emoji", "\x00"}
	for _, ss := range [][]string{nil, {}, tricky[:3], tricky, {"\x00"}} {
		got, err := jsonStrings(ss)
		want, _ := json.Marshal(nonNil(ss))
		if err != nil || got != string(want) {
			t.Errorf("jsonStrings(%q) = %s, want %s", ss, got, want)
		}
	}
	for _, m := range []map[string]string{{"channel": "hotline", "type": "投诉", "external_ref": "T-1"},
		{"reply": tricky[3], "a": "b"}, {"z": "1", "y": "2", "\xff": "3"}} {
		got, err := jsonObject(m)
		want, _ := json.Marshal(m)
		if err != nil || got != string(want) {
			t.Errorf("jsonObject(%q) = %s, want %s", m, got, want)
		}
	}
}

// TestDecodeStrings: what encoding/json reads, decodeStrings reads, fast or not.
func TestDecodeStrings(t *testing.T) {
	for _, s := range []string{`[]`, `["BQ-012"]`, `["a","b","事项 BQ-012 属区人社局"]`, `["引号\"","\\"]`,
		`["a", "b"]`, `[ "a" ]`, `["\u003c"]`, `[""]`, `["",""]`, `null`} {
		got, err := decodeStrings(s)
		var want []string
		json.Unmarshal([]byte(s), &want)
		if len(want) == 0 {
			want = nil
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("decodeStrings(%s) = %q %v, want %q", s, got, err, want)
		}
	}
	if _, err := decodeStrings(`["a"`); err == nil {
		t.Error("a broken array decoded")
	}
}
