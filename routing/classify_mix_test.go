package routing_test

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Offices and demands of the hotline load test: every ticket names one office and one
// certificate in the same sentence shape.
var (
	loadOffices = []string{"纺织城派出所户籍窗口", "区人社局社保窗口", "十里铺街道便民服务中心", "区民政局婚姻登记处", "洪庆街道某社区",
		"区医保局窗口", "区教育局教资认定窗口", "区行政审批局政务大厅", "新筑街道某村委会", "区不动产登记中心"}
	loadDemands = []string{"亲属关系证明", "健在证明", "无犯罪记录证明", "婚姻状况证明", "经济困难证明", "住所证明", "居住证明",
		"死亡证明", "学历证明", "身份证号码证明"}
)

// loadTexts returns the load-test tickets: every office with every demand.
func loadTexts() []string {
	var out []string
	n := 0
	for _, o := range loadOffices {
		for _, d := range loadDemands {
			n++
			out = append(out, fmt.Sprintf("来电人反映：3月12日到%s办事，工作人员要求提供%s，我提出签承诺书，窗口不认。诉求：按告知承诺制办理。（第%d号来电）", o, d, n))
		}
	}
	return out
}

// mixTexts is a realistic mix: the labelled complaints (examples and unseen) and the load-test tickets.
func mixTexts(b testing.TB) []string {
	out := loadTexts()
	for _, f := range []string{"data/complaints_examples.tsv", "../testdata/complaints_unseen.tsv"} {
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for first := true; sc.Scan(); first = false {
			if t, _, _ := strings.Cut(sc.Text(), "\t"); !first && t != "" {
				out = append(out, t)
			}
		}
		fh.Close()
	}
	return out
}

// BenchmarkClassifyMix classifies the load-test tickets and the labelled complaints in turn.
func BenchmarkClassifyMix(b *testing.B) {
	c := classifier()
	texts := mixTexts(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Classify(texts[i%len(texts)], "")
	}
}

// BenchmarkClassifyLoad classifies the load-test tickets only.
func BenchmarkClassifyLoad(b *testing.B) {
	c := classifier()
	texts := loadTexts()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Classify(texts[i%len(texts)], "")
	}
}

// BenchmarkClassifyLoadCold is BenchmarkClassifyLoad with the CPU caches flushed before each
// ticket (32 MB written between them, off the clock), as a server under load sees them: the
// HTTP, SQLite and load-generator work between two classifications evicts the classifier's
// tables. The gap to BenchmarkClassifyLoad is the cost of those misses.
func BenchmarkClassifyLoadCold(b *testing.B) {
	c := classifier()
	texts := loadTexts()
	flush := make([]byte, 32<<20)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		for j := 0; j < len(flush); j += 64 {
			flush[j]++
		}
		b.StartTimer()
		c.Classify(texts[i%len(texts)], "")
	}
}
