package bot

import "testing"

// TestContactPhone: a shared Telegram contact is read without its "+", as Telegram sends it;
// a typed number must be a valid one.
func TestContactPhone(t *testing.T) {
	for in, want := range map[string]string{"13800001234": "13800001234", "8613800001234": "13800001234",
		"+86 138-1234-5678": "13812345678", "447700900123": "+447700900123", "": "", "12": ""} {
		if got := contactPhone(in); got != want {
			t.Errorf("contactPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"1381234": "", "447700900123": "", "029-88886666": "02988886666",
		"１３８１２３４５６７８": "13812345678"} {
		if got := normalizePhone(in); got != want {
			t.Errorf("normalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}
