package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"
)

// generator makes distinct, realistic tickets: different callers, offices and wording, so
// that duplicate detection links none of them. Ticket i is the same in every run but for
// its prefix and received_at.
type generator struct {
	prefix string
}

var (
	offices  = []string{"纺织城派出所户籍窗口", "区人社局社保窗口", "十里铺街道便民服务中心", "区民政局婚姻登记处", "洪庆街道某社区", "区医保局窗口", "区教育局教资认定窗口", "区行政审批局政务大厅", "新筑街道某村委会", "区不动产登记中心"}
	demands  = []string{"亲属关系证明", "健在证明", "无犯罪记录证明", "婚姻状况证明", "经济困难证明", "住所证明", "居住证明", "死亡证明", "学历证明", "身份证号码证明"}
	endings  = []string{"我提出签承诺书，窗口不认。诉求：按告知承诺制办理。", "来回跑了三趟，请求核实处理。", "户口本上写得清清楚楚，为什么还要开？", "社区说早就不开了，请协调。", "希望有关部门给个说法。"}
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"}
)

func (g *generator) ticket(i int) []byte {
	r := rand.New(rand.NewPCG(uint64(i), 42))
	text := fmt.Sprintf("来电人反映：%d月%d日到%s办事，工作人员要求提供%s，%s（第%d号来电）",
		1+r.IntN(12), 1+r.IntN(28), offices[r.IntN(len(offices))], demands[r.IntN(len(demands))], endings[r.IntN(len(endings))], i)
	t := map[string]any{
		"ticket_no":   fmt.Sprintf("%s-%08d", g.prefix, i),
		"received_at": time.Now().Format(time.RFC3339),
		"type":        "投诉",
		"content":     text,
		"caller":      map[string]string{"name": surnames[r.IntN(len(surnames))] + "先生", "phone": fmt.Sprintf("13%09d", i%1_000_000_000)},
		"address":     "西安市灞桥区",
		"anonymous":   false,
	}
	b, _ := json.Marshal(t)
	return b
}

// bodies makes tickets first, first+1, ... first+n-1 ahead of a phase, on all cores, so
// that the phase's timer measures sending only.
func (g *generator) bodies(first, n int) [][]byte {
	out := make([][]byte, n)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				out[i] = g.ticket(first + i)
			}
		})
	}
	wg.Wait()
	return out
}
