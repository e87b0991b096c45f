package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"chengnuo/routing"
)

// TestCasesReceived: the range is [from, to), ordered by received_at, and fn's error stops the scan.
func TestCasesReceived(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, shanghai) }
	// Inserted out of order: the export must sort by received_at, not by rowid.
	received := []time.Time{day(26, 9), day(24, 23), day(25, 0), day(27, 0), day(25, 23)}
	err := db.WithTx(ctx, func(tx routing.CaseTx) error {
		for i, at := range received {
			c := &routing.Case{ID: fmt.Sprintf("BQ20261125-%04d", i+1), Channel: routing.ChannelHotline,
				Type: routing.TypeComplaint, Text: "内容", Department: "rsj", Status: routing.StatusDispatched,
				ReceivedAt: at.UTC(), Version: 1}
			if err := tx.InsertCase(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = db.CasesReceived(ctx, day(25, 0), day(27, 0), func(c *routing.Case) error {
		got = append(got, c.ID+" "+c.ReceivedAt.In(shanghai).Format("02T15"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"BQ20261125-0003 25T00", "BQ20261125-0005 25T23", "BQ20261125-0001 26T09"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CasesReceived = %v, want %v", got, want)
	}

	stop := errors.New("stop")
	calls := 0
	err = db.CasesReceived(ctx, day(1, 0), day(30, 0), func(*routing.Case) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("fn error: err %v after %d calls, want stop after 1", err, calls)
	}
}
