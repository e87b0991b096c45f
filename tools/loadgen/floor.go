package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

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
	mu       sync.RWMutex // guards closed against sends on the closed queue
	closed   bool
	done     chan struct{}
	stopCkpt func() error
}

var errFloorClosed = errors.New("floor closed")

type floorJob struct {
	ticketNo, body string
	stored         chan error
}

// openFloor creates the floor's database in dir.
func openFloor(dir string) (*floorStore, error) {
	path := filepath.Join(dir, "floor.db")
	db, err := sql.Open("sqlite3", store.WriteDSN(path, "NORMAL"))
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
// every 50 ms as serve does) on the floor's database until close.
func (f *floorStore) startCheckpointer(path string) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var err error
	wg.Go(func() {
		err = store.RunWALCheckpointer(ctx, path, f.db, 50*time.Millisecond, nil)
		if ctx.Err() != nil {
			err = nil // stopped, not failed
		}
	})
	// A floor measured without its checkpointer would not be the baseline it claims to be:
	// a failure is returned when the floor closes, and fails the run.
	f.stopCkpt = func() error {
		cancel()
		wg.Wait()
		if err != nil {
			return fmt.Errorf("checkpointer: %w", err)
		}
		return nil
	}
}

// store queues one ticket and waits until its batch is committed.
func (f *floorStore) store(ticketNo, body string) error {
	j := floorJob{ticketNo: ticketNo, body: body, stored: make(chan error, 1)}
	f.mu.RLock()
	if f.closed {
		f.mu.RUnlock()
		return errFloorClosed
	}
	f.queue <- j // the writer drains the queue until it is closed, so this cannot block close for good
	f.mu.RUnlock()
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
	f.mu.Lock()
	if !f.closed {
		f.closed = true
		close(f.queue)
	}
	f.mu.Unlock()
	<-f.done
	err := f.stopCkpt()
	if cerr := f.db.Close(); err == nil {
		err = cerr
	}
	return err
}

func floorHandler(secret []byte, f *floorStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, body, ok := readTicket(w, r, secret)
		if !ok {
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
