package knowledge

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// errandRowSpec is one labelled question of an errand set (questions_errand*.tsv).
type errandRowSpec struct {
	Line     int
	Question string
	Expect   string   // item, clarify or unknown
	IDs      []string // item: the row; clarify: every fitting row; unknown: the rows of the certificate named, if any
	Group    string   // one, several or absent
}

func readErrandSet(t testing.TB, path string) []errandRowSpec {
	t.Helper()
	var rows []errandRowSpec
	for _, tr := range readTSV(t, path) { // columns: question expect expect_ids group note
		r := errandRowSpec{Line: tr.line, Question: tr.get("question"), Expect: tr.get("expect"), Group: tr.get("group")}
		if r.Question == "" || r.Group == "" {
			t.Fatalf("%s line %d: question and group are required", path, tr.line)
		}
		if ids := tr.get("expect_ids"); ids != "" {
			r.IDs = strings.Split(ids, "|")
		}
		rows = append(rows, r)
	}
	return rows
}

// errandReport holds the figures the issue asks for.
type errandReport struct {
	n, misleading, helpful int
	one, clarifyOnOne      int
	byGroup                map[string][2]int // group -> helpful, total
	failures               []string
}

// evaluateErrands scores the matcher on an errand set. An answer misleads when it is kind
// item, not clarify, and its first row is not the labelled one (for an absent errand: any
// such answer). It helps when it answers with the right row first (group one), offers every
// fitting row as choices (several), or says unknown or offers choices (absent).
func evaluateErrands(m *Matcher, rows []errandRowSpec) *errandReport {
	rep := &errandReport{byGroup: map[string][2]int{}}
	for _, r := range rows {
		res := m.Match(r.Question)
		rep.n++
		ids := make([]string, 0, len(res.Items))
		for _, it := range res.Items {
			ids = append(ids, it.Item.ID)
		}
		first := ""
		if len(ids) > 0 {
			first = ids[0]
		}
		concludes := res.Kind == KindItem && !res.Clarify
		misleading, helpful := false, false
		switch r.Group {
		case "one":
			rep.one++
			if res.Clarify {
				rep.clarifyOnOne++
			}
			misleading = concludes && first != r.IDs[0]
			helpful = concludes && first == r.IDs[0]
		case "several":
			misleading = concludes && !contains(r.IDs, first)
			helpful = res.Clarify && containsAll(ids, r.IDs)
		case "absent":
			misleading = concludes
			helpful = res.Kind == KindUnknown || res.Clarify
		}
		if misleading {
			rep.misleading++
		}
		if helpful {
			rep.helpful++
		}
		g := rep.byGroup[r.Group]
		g[1]++
		if helpful {
			g[0]++
		}
		rep.byGroup[r.Group] = g
		if !helpful {
			tag := "unhelpful"
			if misleading {
				tag = "MISLEADING"
			}
			rep.failures = append(rep.failures, fmt.Sprintf("%s line %d [%s %s %s] got %s clarify=%v items=%v :: %s",
				tag, r.Line, r.Group, r.Expect, strings.Join(r.IDs, "|"), res.Kind, res.Clarify, ids, r.Question))
		}
	}
	sort.Strings(rep.failures)
	return rep
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !contains(have, w) {
			return false
		}
	}
	return true
}

func (rep *errandReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "n=%d misleading=%.3f helpful=%.3f clarify-on-one=%.3f\n", rep.n,
		rate(rep.misleading, rep.n), rate(rep.helpful, rep.n), rate(rep.clarifyOnOne, rep.one))
	for _, g := range []string{"one", "several", "absent"} {
		fmt.Fprintf(&b, "  %-8s helpful %d/%d\n", g, rep.byGroup[g][0], rep.byGroup[g][1])
	}
	return b.String()
}

// TestErrandAnswers measures the errand model on the errand sets. The targets are at most 2%
// misleading answers, at least 90% helpful, clarify on at most 10% of one-errand questions;
// not reached yet (issue 11 is open), the test holds the figures reached so far so that they
// do not slip back: main before the errand model was 17.5%/14.7% misleading, 54%/57% helpful.
func TestErrandAnswers(t *testing.T) {
	m := newTestMatcher(t)
	for _, set := range []string{"questions_errand.tsv", "questions_errand_holdout.tsv"} {
		t.Run(set, func(t *testing.T) {
			rep := evaluateErrands(m, readErrandSet(t, "../testdata/"+set))
			t.Logf("%s\n%s", set, rep)
			if os.Getenv("CHENGNUO_EVAL_VERBOSE") != "" {
				for _, f := range rep.failures {
					t.Log(f)
				}
			}
			if got := rate(rep.misleading, rep.n); got > 0.07 {
				t.Errorf("misleading = %.3f, want ≤ 0.07 (target 0.02)", got)
			}
			if got := rate(rep.helpful, rep.n); got < 0.70 {
				t.Errorf("helpful = %.3f, want ≥ 0.70 (target 0.90)", got)
			}
			if got := rate(rep.clarifyOnOne, rep.one); got > 0.11 {
				t.Errorf("clarify on one-errand questions = %.3f, want ≤ 0.11 (target 0.10)", got)
			}
		})
	}
}
