package intake

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"

	"chengnuo/routing"
)

// ConsoleSessionStore keeps the console's sessions (store.DB), so that a restart signs no
// clerk out. key is the hex SHA-256 of the session id: the id itself stays with the browser.
// data is the session as the console encodes it. ConsoleSession answers only a session
// that has not ended by now; saving one may drop those that have ended.
type ConsoleSessionStore interface {
	SaveConsoleSession(ctx context.Context, key, data string, expires, now time.Time) error
	ConsoleSession(ctx context.Context, key string, now time.Time) (data string, ok bool, err error)
	DeleteConsoleSession(ctx context.Context, key string) error
}

// consoleSession is one signed-in clerk.
type consoleSession struct {
	Dept     string    `json:"dept"` // department code
	DeptName string    `json:"dept_name"`
	Clerk    string    `json:"clerk"` // the clerk's name, for the audit trail
	CSRF     string    `json:"csrf"`
	Token    string    `json:"token"` // tokenMark of the department token signed in with
	Expires  time.Time `json:"-"`     // kept by the store beside the data, which answers only live sessions
}

func (sess *consoleSession) actor() routing.Actor {
	return routing.Actor{Role: routing.RoleDepartment, Department: sess.Dept, Name: sess.Clerk}
}

// sessionKey is what a store keeps for a session id.
func sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// tokenMark names the department token a session signed in with without being it (nor the
// sum the API compares): once that token is gone from the configuration (rotated, revoked),
// its sessions have ended, as a restart used to end them all.
func tokenMark(sum [sha256.Size]byte) string {
	m := sha256.Sum256(append([]byte("chengnuo console session\x00"), sum[:]...))
	return hex.EncodeToString(m[:16])
}

// clerkRef is the pseudonym logs use for a clerk: 8 hex characters of an HMAC of the name
// keyed with the mark of the department token signed in with. It is stable across sign-ins
// and restarts while the token stays, so log lines of one clerk can be followed, and unlike a
// plain hash of the name it cannot be reversed by trying the common names.
func clerkRef(mark, clerk string) string {
	h := hmac.New(sha256.New, []byte(mark))
	h.Write([]byte(clerk))
	return hex.EncodeToString(h.Sum(nil)[:4])
}

// holds reports whether dept still has the token marked mark, comparing every token.
func (ts tokenSet) holds(dept, mark string) bool {
	found := false
	for i := range ts {
		if ts[i].dept == dept && subtle.ConstantTimeCompare([]byte(ts[i].mark), []byte(mark)) == 1 {
			found = true
		}
	}
	return found
}

// memorySessions keeps sessions in this process only (Deps.ConsoleSessions unset).
type memorySessions struct {
	mu sync.Mutex
	m  map[string]memorySession
}

type memorySession struct {
	data    string
	expires time.Time
}

func newMemorySessions() *memorySessions { return &memorySessions{m: map[string]memorySession{}} }

func (ms *memorySessions) SaveConsoleSession(_ context.Context, key, data string, expires, now time.Time) error {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	for k, v := range ms.m { // sweep ended sessions at each sign-in
		if !now.Before(v.expires) {
			delete(ms.m, k)
		}
	}
	ms.m[key] = memorySession{data: data, expires: expires}
	return nil
}

func (ms *memorySessions) ConsoleSession(_ context.Context, key string, now time.Time) (string, bool, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	s, ok := ms.m[key]
	if !ok || !now.Before(s.expires) {
		return "", false, nil
	}
	return s.data, true, nil
}

func (ms *memorySessions) DeleteConsoleSession(_ context.Context, key string) error {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	delete(ms.m, key)
	return nil
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("intake: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
