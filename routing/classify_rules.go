package routing

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

//go:embed data/routing_rules.tsv
var builtinRulesTSV string

// Kinds of row in the rules table (routing/data/routing_rules.tsv).
const (
	ruleOffice       = "office"
	ruleStreetOffice = "street-office"
	ruleNonGov       = "nongov"
	ruleCommunity    = "community"
	ruleStaff        = "staff"
	ruleStreet       = "street"
	ruleMask         = "mask"
	ruleSkip         = "skip"
	ruleTopic        = "topic"
	ruleCue          = "cue"
	ruleType         = "type"
)

// Rules are the editable word lists of the classifier, merged with the directory's names,
// aliases and keywords. They are read once and never change afterwards.
type Rules struct {
	entities phraseIndex // offices, street offices, staff, non-government demanders, communities, streets, masks
	cues     phraseIndex // topics and department cues (longest match, no overlaps)
	types    phraseIndex // type cues (overlapping matches: "来电人咨询" also counts "咨询")
	streets  map[string]string
	codes    []string // the codes the rows name, sorted: phrase.cid is a position in it
}

// ParseRules reads a rules table (kind, pattern, code, weight; see the built-in file for the
// kinds) and merges it with dir. Unknown kinds, codes and types are errors naming the line.
func ParseRules(tsv string, dir *Directory) (*Rules, error) {
	var ents, cues, types []*phrase
	skip := map[string]bool{}
	seen := map[string]bool{}
	add := func(list *[]*phrase, p *phrase) {
		key := fmt.Sprintf("%p\x00%s\x00%s", list, p.kind, p.text)
		if p.text == "" || seen[key] {
			return
		}
		seen[key] = true
		p.runes = []rune(p.text)
		*list = append(*list, p)
	}
	for n, line := range strings.Split(tsv, "\n") {
		line = strings.TrimRight(line, "\r")
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		c := strings.Split(line, "\t")
		for len(c) < 4 {
			c = append(c, "")
		}
		kind, pat, code := strings.TrimSpace(c[0]), normText(strings.TrimSpace(c[1])), strings.TrimSpace(c[2])
		weight := 1.0
		if w := strings.TrimSpace(c[3]); w != "" {
			v, err := strconv.ParseFloat(w, 64)
			if err != nil || v < 0 {
				return nil, fmt.Errorf("routing rules line %d: bad weight %q", n+1, w)
			}
			weight = v
		}
		if pat == "" {
			return nil, fmt.Errorf("routing rules line %d: empty pattern", n+1)
		}
		p := &phrase{text: pat, kind: kind, code: code, weight: weight}
		switch kind {
		case ruleOffice, ruleStreet:
			if !dir.Has(code) {
				return nil, fmt.Errorf("routing rules line %d: unknown department code %q", n+1, code)
			}
			add(&ents, p)
		case ruleTopic, ruleCue:
			if !dir.Has(code) {
				return nil, fmt.Errorf("routing rules line %d: unknown department code %q", n+1, code)
			}
			add(&cues, p)
		case ruleType:
			if !CaseType(code).Valid() {
				return nil, fmt.Errorf("routing rules line %d: unknown case type %q", n+1, code)
			}
			add(&types, p)
		case ruleMask:
			add(&ents, p)
			add(&cues, &phrase{text: p.text, kind: p.kind})
		case ruleStreetOffice, ruleNonGov, ruleCommunity, ruleStaff:
			add(&ents, p)
		case ruleSkip:
			skip[pat] = true
		default:
			return nil, fmt.Errorf("routing rules line %d: unknown kind %q", n+1, kind)
		}
	}
	streets := map[string]string{}
	for _, d := range dir.All() {
		names := append([]string{d.Name}, d.Aliases...)
		if d.Kind == KindStreet {
			streets[d.Code] = streetName(d)
			for _, w := range append(names[1:], d.Keywords...) {
				add(&ents, &phrase{text: normText(w), kind: ruleStreet, code: d.Code, weight: 1})
			}
			continue
		}
		for _, w := range names {
			if w = normText(w); !skip[w] {
				add(&ents, &phrase{text: w, kind: ruleOffice, code: d.Code, weight: 1})
			}
		}
	}
	for _, d := range dir.All() {
		if d.Kind == KindStreet {
			continue
		}
		for _, w := range d.Keywords {
			// A keyword that names an office ("派出所") is read as a mention, with its role.
			if w = normText(w); !skip[w] && !seen[fmt.Sprintf("%p\x00%s\x00%s", &ents, ruleOffice, w)] {
				add(&cues, &phrase{text: w, kind: ruleTopic, code: d.Code, weight: 0.5})
			}
		}
	}
	// Number the codes, so that the classifier counts votes in arrays instead of maps.
	ids := map[string]int32{}
	for _, p := range types {
		p.cid = -1 // a type, not a department
	}
	for _, list := range [][]*phrase{ents, cues} {
		for _, p := range list {
			if p.code != "" {
				ids[p.code] = 0
			}
		}
	}
	codes := make([]string, 0, len(ids))
	for code := range ids {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for i, code := range codes {
		ids[code] = int32(i)
	}
	for _, list := range [][]*phrase{ents, cues} {
		for _, p := range list {
			p.cid = -1
			if p.code != "" {
				p.cid = ids[p.code]
			}
		}
	}
	return &Rules{entities: newPhraseIndex(ents), cues: newPhraseIndex(cues), types: newPhraseIndex(types),
		streets: streets, codes: codes}, nil
}

// BuiltinRules returns the built-in rules table merged with dir.
func BuiltinRules(dir *Directory) *Rules {
	r, err := ParseRules(builtinRulesTSV, dir)
	if err != nil {
		panic(fmt.Sprintf("embedded routing_rules.tsv: %v", err)) // a build-time defect, caught by tests
	}
	return r
}

// streetName is how a clerk names a street office: "十里铺街道".
func streetName(d Department) string {
	n := strings.TrimPrefix(d.Name, "灞桥区")
	return strings.TrimSuffix(n, "办事处")
}

// shortName is a department's name without the city and district: "区人力资源和社会保障局".
func shortName(dir *Directory, code string) string {
	d, ok := dir.Get(code)
	if !ok {
		return code
	}
	if d.Kind == KindStreet {
		return streetName(d)
	}
	n := d.Name
	for _, p := range []string{"西安市灞桥区", "国家税务总局西安市灞桥区"} {
		if r, ok := strings.CutPrefix(n, p); ok {
			return "区" + r
		}
	}
	return n
}
