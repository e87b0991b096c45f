package delivery

import (
	"context"
	"sync"
	"time"

	"chengnuo/routing"
)

// manyDeliverer marks many messages delivered in one statement (*store.DB) and reports
// which ones it marked.
type manyDeliverer interface {
	MarkDeliveredMany(ctx context.Context, ids []int64) (map[int64]bool, error)
}

// marks group-commits "delivered". Every delivered message costs a write, and the database
// has one writer, which intake needs: with webhooks configured, a write per message would
// take the writer from intake thousands of times a second. Each stream still waits for its
// own mark (the next message of a stream goes only once the one before is settled), but the
// marks that arrive while one write runs share the next write, as intake's tickets do.
type marks struct {
	ob manyDeliverer
	// timeout bounds each write (0: the caller's context alone). Per write, not per leader:
	// a leader that keeps writing for later arrivals must not run its own deadline out on
	// their marks.
	timeout time.Duration
	mu      sync.Mutex
	queue   []markReq
	busy    bool // a caller is writing; the others queue behind it
}

type markReq struct {
	id   int64
	done chan error
}

// delivered marks message id delivered and returns once the mark is stored. The caller
// that finds no write in progress writes for everyone queued meanwhile, until none is left.
func (k *marks) delivered(ctx context.Context, id int64) error {
	r := markReq{id: id, done: make(chan error, 1)}
	k.mu.Lock()
	k.queue = append(k.queue, r)
	lead := !k.busy
	k.busy = true
	k.mu.Unlock()
	if lead {
		k.flush(ctx)
	}
	return <-r.done
}

func (k *marks) flush(ctx context.Context) {
	for {
		k.mu.Lock()
		batch := k.queue
		k.queue = nil
		if len(batch) == 0 {
			k.busy = false
			k.mu.Unlock()
			return
		}
		k.mu.Unlock()
		ids := make([]int64, len(batch))
		for i, r := range batch {
			ids[i] = r.id
		}
		marked, err := k.write(ctx, ids)
		for _, r := range batch {
			switch {
			case err != nil:
				r.done <- err
			case !marked[r.id]:
				r.done <- routing.Errorf(routing.ENOTFOUND, "没有待投递的消息 %d", r.id)
			default:
				r.done <- nil
			}
		}
	}
}

func (k *marks) write(ctx context.Context, ids []int64) (map[int64]bool, error) {
	if k.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), k.timeout)
		defer cancel()
	}
	return k.ob.MarkDeliveredMany(ctx, ids)
}
