package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// typedText holds what a resident may type into a complaint: a mobile, an ID-card number, a
// landline and the own name, beside a ticket number and a date that must stay readable.
const typedText = "我叫张三，电话13912345678，身份证61011119900101123X，座机029-88886666，" +
	"工单BQ12345-20261125-0001，2026-12-01前未办结"

// typedSecrets are the parts of typedText (and of the reply) no view may show without --reveal.
var typedSecrets = []string{"13912345678", "61011119900101123X", "88886666", "张三"}

func leaked(out string) string {
	for _, s := range typedSecrets {
		if strings.Contains(out, s) {
			return s
		}
	}
	return ""
}

// TestCasesMaskTypedData: numbers and the name typed into the text and the reply are masked
// by list, show (table and JSON), CSV and XLSX export, and shown with --reveal.
func TestCasesMaskTypedData(t *testing.T) {
	var c caseJSON
	decodeOne(t, mustRun(t, "cases", "file", "--json", "--type", "投诉", "--department", "rsj",
		"--phone", testPhone, "--name", "张三", typedText), &c)
	if s := leaked(c.Text); s != "" || !strings.Contains(c.Text, "BQ12345-20261125-0001") || !strings.Contains(c.Text, "2026-12-01") {
		t.Errorf("cases file --json text %q (shows %q)", c.Text, s)
	}
	mustRun(t, "cases", "accept", c.ID, "--as", "rsj")
	mustRun(t, "cases", "reply", c.ID, "--as", "rsj", "已电话联系13912345678，张三表示认可")

	views := map[string]string{
		"list":       mustRun(t, "cases", "list", "--limit", "5"),
		"list json":  mustRun(t, "cases", "list", "--json"),
		"show":       mustRun(t, "cases", "show", c.ID),
		"show json":  mustRun(t, "cases", "show", "--json", c.ID),
		"export csv": mustRun(t, "cases", "export", "--from", "2000-01-01", "--to", "2999-12-31", "--out", "-"),
	}
	xlsx := filepath.Join(t.TempDir(), "out.xlsx")
	mustRun(t, "cases", "export", "--from", "2000-01-01", "--to", "2999-12-31", "--format", "xlsx", "--out", xlsx)
	views["export xlsx"] = xlsxText(t, xlsx)
	for name, out := range views {
		if s := leaked(out); s != "" {
			t.Errorf("%s shows %q:\n%s", name, s, out)
		}
	}
	for _, want := range []string{"139****5678", "610***********123X", "029-****6666", "张*", "BQ12345-20261125-0001", "2026-12-01"} {
		if !strings.Contains(views["show"], want) || !strings.Contains(views["export xlsx"], want) {
			t.Errorf("show or xlsx lacks %q:\n%s", want, views["show"])
		}
	}
	if !strings.Contains(views["list"], "张*，电话139****5") {
		t.Errorf("list excerpt not masked as expected:\n%s", views["list"])
	}

	// --reveal shows the stored original, to an operator.
	for _, args := range [][]string{{"cases", "show", c.ID, "--reveal"}, {"cases", "show", "--json", c.ID, "--reveal"},
		{"cases", "export", "--from", "2000-01-01", "--to", "2999-12-31", "--out", "-", "--reveal"}} {
		out := mustRun(t, args...)
		for _, s := range typedSecrets {
			if !strings.Contains(out, s) {
				t.Errorf("%s: %q missing:\n%s", strings.Join(args, " "), s, out)
			}
		}
	}
}

// TestCasesWithheldTypedData: for an anonymous case and a report the department sees the
// typed numbers masked even with --reveal; an operator's --reveal shows them.
func TestCasesWithheldTypedData(t *testing.T) {
	for _, extra := range [][]string{{"--anonymous", "--type", "投诉"}, {"--type", "举报"}} {
		var c caseJSON
		args := append([]string{"cases", "file", "--json", "--department", "rsj", "--phone", testPhone, "--name", "张三"}, extra...)
		decodeOne(t, mustRun(t, append(args, typedText)...), &c)
		for _, view := range [][]string{{"cases", "show", c.ID, "--as", "rsj", "--reveal"},
			{"cases", "show", "--json", c.ID, "--as", "rsj", "--reveal"}, {"cases", "list", "--json", "--as", "rsj", "--reveal"}} {
			if out := mustRun(t, view...); leaked(out) != "" || strings.Contains(out, testPhone) {
				t.Errorf("%v: %s shows personal data:\n%s", extra, strings.Join(view, " "), out)
			}
		}
		if out := mustRun(t, "cases", "show", c.ID, "--reveal"); !strings.Contains(out, "13912345678") {
			t.Errorf("%v: operator --reveal lost the original:\n%s", extra, out)
		}
	}
}

// xlsxText is every cell of the export's sheet, one row a line.
func xlsxText(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(exportSheet)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t") + "\n")
	}
	return b.String()
}

// TestCasesFilePhoneChecked: a number that is neither a mobile nor a landline with its area
// code is refused with a Chinese message and files nothing; a valid one is stored normalised.
func TestCasesFilePhoneChecked(t *testing.T) {
	for _, bad := range []string{"1381234", "88886666", "138-abc"} {
		msg := mustFail(t, "cases", "file", "--phone", bad, testText)
		if !strings.Contains(msg, "--phone") || !strings.Contains(msg, "电话号码") {
			t.Errorf("--phone %s: %q", bad, msg)
		}
	}
	var rows []caseJSON
	decodeOne(t, mustRun(t, "cases", "list", "--json"), &rows)
	if len(rows) != 0 {
		t.Fatalf("refused phones filed %d cases", len(rows))
	}
	var c caseJSON
	decodeOne(t, mustRun(t, "cases", "file", "--json", "--reveal", "--phone", "+86 139-1234-5678", testText), &c)
	if c.Complainant.Phone != "13912345678" {
		t.Errorf("stored phone %q", c.Complainant.Phone)
	}
}
