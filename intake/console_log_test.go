package intake

import (
	"crypto/sha256"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleLogsNoClerkName: signing in and acting log the department and a pseudonym of
// the clerk, never the name; the pseudonym is the same for the same clerk and token, and
// differs for another clerk.
func TestConsoleLogsNoClerkName(t *testing.T) {
	e := newEnv(t)
	a1, _, _ := consoleCases(t, e)
	u := newConsoleUser(e)
	if st, _, b := u.signIn(tokRSJ); st != 200 { // as 王五
		t.Fatalf("sign in: %d %s", st, b)
	}
	u.post("/console/cases/"+a1+"/accept", url.Values{"csrf": {u.csrf}}, e.ts.URL)
	other := newConsoleUser(e)
	other.get("/console/login")
	other.post("/console/login", url.Values{"csrf": {other.csrf}, "token": {tokRSJ}, "clerk": {"孙经办"}}, e.ts.URL)

	logs := e.logs.String()
	for _, name := range []string{"王五", "孙经办"} {
		if strings.Contains(logs, name) {
			t.Errorf("the log names clerk %q:\n%s", name, logs)
		}
	}
	refs := regexp.MustCompile(`console[: ][^\n]*department=rsj clerk_ref=([0-9a-f]{8})`).FindAllStringSubmatch(logs, -1)
	if len(refs) != 3 || refs[0][1] != refs[1][1] || refs[0][1] == refs[2][1] {
		t.Errorf("clerk pseudonyms %v in:\n%s", refs, logs)
	}
	if refs != nil && refs[0][1] != clerkRef(tokenMark(sha256.Sum256([]byte(tokRSJ))), "王五") {
		t.Errorf("pseudonym %s is not clerkRef of the token's mark", refs[0][1])
	}
}
