// Command loadgen measures chengnuo's hotline intake on loopback: how many signed tickets per
// second are acknowledged (each one durably committed before its 202), and the latency at a
// fixed rate. With -bare it first measures, in the same run, a bare handler that only reads,
// verifies and parses the request, so the ratio shows chengnuo's own overhead.
//
// Bounded: -n tickets at most in the throughput phase, -duration for the fixed-rate phase;
// it refuses targets that are not loopback addresses.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"chengnuo/intake"
)

type options struct {
	target   string
	secret   string
	n        int
	conc     int
	rate     int
	duration time.Duration
	bare     bool
	prefix   string
}

func main() {
	var o options
	flag.StringVar(&o.target, "target", "http://127.0.0.1:8080", "chengnuo serve base URL (loopback only)")
	flag.StringVar(&o.secret, "secret", os.Getenv("CHENGNUO_HOTLINE_SECRET"), "hotline HMAC secret")
	flag.IntVar(&o.n, "n", 60000, "tickets in the throughput phase (upper bound)")
	flag.IntVar(&o.conc, "c", 64, "concurrent connections in the throughput phase")
	flag.IntVar(&o.rate, "rate", 2000, "tickets per second in the fixed-rate phase")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of the fixed-rate phase")
	flag.BoolVar(&o.bare, "bare", false, "measure a bare parse-and-verify handler first, in this process")
	flag.StringVar(&o.prefix, "prefix", fmt.Sprintf("LOAD%d", time.Now().Unix()), "ticket_no prefix (unique per run)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	u, err := url.Parse(o.target)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("target %s is not a loopback address", o.target)
	}
	if o.secret == "" {
		return fmt.Errorf("no secret: set -secret or CHENGNUO_HOTLINE_SECRET")
	}
	var results []result
	if o.bare {
		srv, addr, err := startBare([]byte(o.secret))
		if err != nil {
			return err
		}
		r := measure(o, "bare handler (read+verify+parse)", "http://"+addr, o.prefix+"B")
		srv.Close()
		results = append(results, r...)
	}
	results = append(results, measure(o, "chengnuo serve (durable commit)", o.target, o.prefix+"S")...)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

// result is one phase's figures.
type result struct {
	Target     string  `json:"target"`
	Phase      string  `json:"phase"`
	Sent       int     `json:"sent"`
	Acked      int     `json:"acked"`
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"acked_per_second"`
	P50Millis  float64 `json:"p50_ms"`
	P99Millis  float64 `json:"p99_ms"`
	MaxMillis  float64 `json:"max_ms"`
	FirstError string  `json:"first_error,omitempty"`
}

func measure(o options, name, base string, prefix string) []result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: o.conc * 2, MaxIdleConnsPerHost: o.conc * 2,
		IdleConnTimeout: time.Minute}, Timeout: 30 * time.Second}
	g := &generator{secret: []byte(o.secret), prefix: prefix, url: base + "/v1/hotline/tickets", client: client}
	max := throughput(g, o.n, o.conc)
	max.Target, max.Phase = name, fmt.Sprintf("max throughput, %d connections", o.conc)
	fixed := fixedRate(g, o.rate, o.duration)
	fixed.Target, fixed.Phase = name, fmt.Sprintf("fixed rate %d/s for %s", o.rate, o.duration)
	fmt.Fprintf(os.Stderr, "%-34s %-30s acked %7d in %6.2fs = %8.0f/s  p50 %6.2fms p99 %6.2fms errors %d\n",
		name, max.Phase, max.Acked, max.Seconds, max.PerSecond, max.P50Millis, max.P99Millis, max.Errors)
	fmt.Fprintf(os.Stderr, "%-34s %-30s acked %7d in %6.2fs = %8.0f/s  p50 %6.2fms p99 %6.2fms errors %d\n",
		name, fixed.Phase, fixed.Acked, fixed.Seconds, fixed.PerSecond, fixed.P50Millis, fixed.P99Millis, fixed.Errors)
	return []result{max, fixed}
}

// throughput sends n tickets over conc connections as fast as they are answered.
func throughput(g *generator, n, conc int) result {
	var next atomic.Int64
	lat := make([][]time.Duration, conc)
	var acked, errs atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				t0 := time.Now()
				if err := g.post(int(i)); err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
				acked.Add(1)
			}
		}(w)
	}
	wg.Wait()
	el := time.Since(start)
	r := summarize(slices.Concat(lat...), el)
	r.Sent, r.Acked, r.Errors = n, int(acked.Load()), int(errs.Load())
	if v := firstErr.Load(); v != nil {
		r.FirstError = v.(string)
	}
	return r
}

// fixedRate sends rate tickets a second for d, open loop: latency counts from the moment a
// ticket was due to be sent, so a stalled server cannot hide its queueing (coordinated omission).
func fixedRate(g *generator, rate int, d time.Duration) result {
	total := int(float64(rate) * d.Seconds())
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, total)
	ok := make([]bool, total)
	var errs atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 512) // bound on requests in flight
	base := 10_000_000
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int, due time.Time) {
			defer func() { <-sem; wg.Done() }()
			if err := g.post(base + i); err != nil {
				errs.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				return
			}
			lat[i], ok[i] = time.Since(due), true
		}(i, due)
	}
	wg.Wait()
	el := time.Since(start)
	var got []time.Duration
	for i := range lat {
		if ok[i] {
			got = append(got, lat[i])
		}
	}
	r := summarize(got, el)
	r.Sent, r.Acked, r.Errors = total, len(got), int(errs.Load())
	if v := firstErr.Load(); v != nil {
		r.FirstError = v.(string)
	}
	return r
}

func summarize(lat []time.Duration, el time.Duration) result {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	r := result{Seconds: el.Seconds(), P50Millis: pct(0.50), P99Millis: pct(0.99)}
	if len(lat) > 0 {
		r.MaxMillis = float64(lat[len(lat)-1].Microseconds()) / 1000
		r.PerSecond = float64(len(lat)) / el.Seconds()
	}
	return r
}

// generator makes distinct, realistic tickets: different callers, offices and wording, so
// that duplicate detection links none of them.
type generator struct {
	secret []byte
	prefix string
	url    string
	client *http.Client
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

func (g *generator) post(i int) error {
	body := g.ticket(i)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(intake.SignatureHeader, intake.Sign(g.secret, time.Now(), body))
	resp, err := g.client.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	return nil
}

// startBare serves a handler that does only what any webhook must: read the body within the
// size limit, verify the signature and parse the JSON, then answer 202.
func startBare(secret []byte) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := intake.Verify(secret, r.Header.Get(intake.SignatureHeader), body, time.Now()); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var t struct {
			TicketNo   string `json:"ticket_no"`
			ReceivedAt string `json:"received_at"`
			Type       string `json:"type"`
			Content    string `json:"content"`
			Caller     struct{ Name, Phone string }
			Address    string `json:"address"`
			Anonymous  bool   `json:"anonymous"`
		}
		if err := json.Unmarshal(body, &t); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"case_id":"%s","status":"dispatched"}`, t.TicketNo)
	})
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return srv, ln.Addr().String(), nil
}
