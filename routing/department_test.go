package routing

import (
	"strings"
	"testing"
)

func TestDirectoryBuiltin(t *testing.T) {
	d := BuiltinDirectory()
	all := d.All()
	if len(all) != 25 {
		t.Errorf("%d departments, want 25", len(all))
	}
	kinds := map[string]int{}
	for _, dep := range all {
		kinds[dep.Kind]++
		if dep.Code == "" || dep.Name == "" {
			t.Errorf("department without code or name: %+v", dep)
		}
		switch dep.Kind {
		case KindStreet:
			if !strings.HasPrefix(dep.Code, "jd-") {
				t.Errorf("street office %s: code without jd- prefix", dep.Code)
			}
			if !strings.HasSuffix(dep.Name, "街道办事处") {
				t.Errorf("street office %s: name %q", dep.Code, dep.Name)
			}
		case KindLead, KindDept:
			if strings.HasPrefix(dep.Code, "jd-") {
				t.Errorf("%s is a jd- code of kind %s", dep.Code, dep.Kind)
			}
		default:
			t.Errorf("%s: unknown kind %q", dep.Code, dep.Kind)
		}
		if got, ok := d.Get(dep.Code); !ok || got.Name != dep.Name {
			t.Errorf("Get(%s) = %+v, %v", dep.Code, got, ok)
		}
		if d.Name(dep.Code) != dep.Name {
			t.Errorf("Name(%s) = %q, want %q", dep.Code, d.Name(dep.Code), dep.Name)
		}
		if code, ok := d.Resolve(dep.Name); !ok || code != dep.Code {
			t.Errorf("Resolve(%q) = %q, %v; want %s", dep.Name, code, ok, dep.Code)
		}
	}
	if kinds[KindStreet] != 9 {
		t.Errorf("%d street offices, want 9", kinds[KindStreet])
	}
	for _, code := range []string{CodeSupervision, CodeTriage, CodeJustice} {
		dep, ok := d.Get(code)
		if !ok {
			t.Errorf("%s missing", code)
			continue
		}
		if dep.Kind != KindLead {
			t.Errorf("%s: kind %q, want %q", code, dep.Kind, KindLead)
		}
	}
	if d.Has("nope") || d.Name("nope") != "nope" {
		t.Errorf("unknown code: Has = %v, Name = %q", d.Has("nope"), d.Name("nope"))
	}
	if _, ok := d.Get("nope"); ok {
		t.Errorf("Get(nope) found something")
	}
}

func TestResolve(t *testing.T) {
	d := BuiltinDirectory()
	cases := []struct {
		in, want string
	}{
		{"区人社局", "rsj"},
		{"灞桥区人社局", "rsj"},
		{"灞桥区民政局", "mzj"},
		{"西安市灞桥区民政局", "mzj"},
		{"西安市灞桥区人力资源和社会保障局", "rsj"},
		{"西安市公安局灞桥分局", "gafj"},
		{"派出所", "gafj"},
		{"rsj", "rsj"},
		{" 区教育局 ", "jyj"},
		{"区司法局", "sfj"},
		{"纺织城街道", "jd-fangzhicheng"},
		{"jd-xinzhu", "jd-xinzhu"},
		// Published lists often drop only the city: the district plus the office's own name.
		{"区行政审批服务局", "xzspj"},
		{"灞桥区人力资源和社会保障局", "rsj"},
		{"灞桥区市场监督管理局", "scjgj"},
		{"纺织城街道办事处", "jd-fangzhicheng"},
	}
	for _, c := range cases {
		if got, ok := d.Resolve(c.in); !ok || got != c.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	for _, in := range []string{"", "区外星人管理局", "西安市", "区", "灞桥区", "外星人管理局"} {
		if got, ok := d.Resolve(in); ok {
			t.Errorf("Resolve(%q) = %q, want not found", in, got)
		}
	}
}

const testHeader = "code\tname\tkind\taliases\tdomains\tkeywords\n"

func TestParseDirectory(t *testing.T) {
	d, err := ParseDirectory(testHeader +
		"a\t甲局\tdept\t甲|甲甲\td1|d2\tk1\n" +
		"b\t乙局\tlead\t甲\t\t\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.All()) != 2 {
		t.Fatalf("%d departments, want 2", len(d.All()))
	}
	a, _ := d.Get("a")
	if len(a.Aliases) != 2 || len(a.Domains) != 2 || len(a.Keywords) != 1 {
		t.Errorf("a = %+v", a)
	}
	b, _ := d.Get("b")
	if len(b.Aliases) != 1 || b.Domains != nil || b.Keywords != nil {
		t.Errorf("b = %+v (a CRLF line must not leave \\r in the last column)", b)
	}
	// An alias claimed by two departments goes to the first.
	if code, ok := d.Resolve("甲"); !ok || code != "a" {
		t.Errorf("Resolve(甲) = %q, %v; want a", code, ok)
	}
}

func TestParseDirectoryRejects(t *testing.T) {
	cases := []struct {
		name, tsv, want string
	}{
		{"duplicate code", testHeader + "a\t甲局\tdept\t\t\t\na\t乙局\tdept\t\t\t\n", "row 3"},
		{"too few columns", testHeader + "a\t甲局\tdept\t\t\n", "row 2"},
		{"too many columns", testHeader + "a\t甲局\tdept\t\t\t\t\n", "row 2"},
		{"empty code", testHeader + "a\t甲局\tdept\t\t\t\n\t乙局\tdept\t\t\t\n", "row 3"},
		{"empty name", testHeader + "a\t\tdept\t\t\t\n", "row 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseDirectory(c.tsv)
			if err == nil {
				t.Fatalf("ParseDirectory accepted %q", c.tsv)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name %q", err, c.want)
			}
		})
	}
}
