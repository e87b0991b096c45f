package routing

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCodeAndMessage(t *testing.T) {
	app := Errorf(ECONFLICT, "案件 %s 已办结", "BQ1")
	tests := []struct {
		err           error
		code, message string
	}{
		{nil, "", ""},
		{app, ECONFLICT, "案件 BQ1 已办结"},
		{fmt.Errorf("accept BQ1: %w", app), ECONFLICT, "案件 BQ1 已办结"},
		{errors.New("database is locked"), EINTERNAL, "内部错误"},
	}
	for _, tt := range tests {
		if c, m := ErrorCode(tt.err), ErrorMessage(tt.err); c != tt.code || m != tt.message {
			t.Errorf("%v: code %q message %q, want %q %q", tt.err, c, m, tt.code, tt.message)
		}
	}
	if app.Error() == "" {
		t.Error("empty Error()")
	}
}
