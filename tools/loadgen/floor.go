package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"chengnuo/intake"
	"chengnuo/store"
)

// The durable floor: what any webhook that acknowledges only stored tickets costs on this
// machine, whatever it does with them. Its handler does what the bare one does (read within
// the size limit, verify, parse), then stores the raw ticket in SQLite with chengnuo's
// storage settings (WAL, synchronous=NORMAL: committed before the answer, safe against a
// process crash; the same background checkpointer) and answers 202. One table keyed by ticket_no (idempotent), no
// classification, no case, no event, no outbox, no index beyond the key. Tickets are group
// committed: one writer commits everything that arrived while its previous commit ran.
// Measured beside the bare handler and chengnuo, it splits chengnuo's overhead into what
// durable storage alone costs here and what chengnuo's own work adds.

// floorMaxBatch bounds the tickets of one commit, as chengnuo's intake does (256).
const floorMaxBatch = 256

// floorStore is the writer side: a queue of tickets and one goroutine committing them.
type floorStore struct {
	db       *sql.DB
	queue    chan floorJob
	done     chan struct{}
	stopCkpt func()
}

type floorJob struct {
	ticketNo, body string
	stored         chan error
}

// openFloor creates the floor's database in dir.
func openFloor(dir string) (*floorStore, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_txlock", "immediate")
	path := filepath.Join(dir, "floor.db")
	db, err := sql.Open("sqlite3", "file:"+filepath.ToSlash(path)+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS tickets (ticket_no TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID`); err != nil {
		db.Close()
		return nil, fmt.Errorf("floor database: %w", err)
	}
	f := &floorStore{db: db, queue: make(chan floorJob, 8192), done: make(chan struct{})}
	f.startCheckpointer(path)
	go f.run()
	return f, nil
}

// startCheckpointer runs chengnuo's background checkpointer (store.RunWALCheckpointer,
// every 50 ms as serve does) on the floor's database.
func (f *floorStore) startCheckpointer(path string) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := store.RunWALCheckpointer(ctx, path, f.db, 50*time.Millisecond, nil); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: floor:", err)
		}
	})
	f.stopCkpt = func() { cancel(); wg.Wait() }
}

// store queues one ticket and waits until its batch is committed.
func (f *floorStore) store(ticketNo, body string) error {
	j := floorJob{ticketNo: ticketNo, body: body, stored: make(chan error, 1)}
	f.queue <- j
	return <-j.stored
}

func (f *floorStore) run() {
	defer close(f.done)
	batch := make([]floorJob, 0, floorMaxBatch)
	for j := range f.queue {
		batch = append(batch[:0], j)
	drain:
		for len(batch) < floorMaxBatch {
			select {
			case j, ok := <-f.queue:
				if !ok {
					break drain
				}
				batch = append(batch, j)
			default:
				break drain
			}
		}
		err := f.commit(batch)
		for _, j := range batch {
			j.stored <- err
		}
	}
}

// commit inserts the batch in one transaction; a ticket_no seen before is kept as it was.
func (f *floorStore) commit(batch []floorJob) error {
	ctx := context.Background() // not cancellable: go-sqlite3 then needs no goroutine per statement
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO tickets (ticket_no, body) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, j := range batch {
		if _, err := stmt.ExecContext(ctx, j.ticketNo, j.body); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// count is the number of stored tickets.
func (f *floorStore) count() (int, error) {
	var n int
	err := f.db.QueryRow(`SELECT count(*) FROM tickets`).Scan(&n)
	return n, err
}

// close stops the writer once every queued ticket is answered, then closes the database.
func (f *floorStore) close() error {
	close(f.queue)
	<-f.done
	f.stopCkpt()
	return f.db.Close()
}

func floorHandler(secret []byte, f *floorStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			TicketNo string `json:"ticket_no"`
		}
		if err := json.Unmarshal(body, &t); err != nil || t.TicketNo == "" {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		if err := f.store(t.TicketNo, string(body)); err != nil {
			http.Error(w, "store: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"case_id":"%s","status":"dispatched"}`, t.TicketNo)
	})
}

// startFloor serves the floor handler on a loopback port with its database in dir.
func startFloor(secret []byte, dir string) (f *floorStore, stop func() error, addr string, err error) {
	f, err = openFloor(dir)
	if err != nil {
		return nil, nil, "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.close()
		return nil, nil, "", err
	}
	srv := &http.Server{Handler: floorHandler(secret, f)}
	var wg sync.WaitGroup
	wg.Go(func() { srv.Serve(ln) })
	stop = func() error {
		// Shutdown waits for handlers in flight, so none is left queuing on a closed store.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		wg.Wait()
		if cerr := f.close(); err == nil {
			err = cerr
		}
		return err
	}
	return f, stop, ln.Addr().String(), nil
}
