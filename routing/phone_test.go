package routing

import "testing"

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"13812341234":         "13812341234",
		" 138 1234 1234 ":     "13812341234",
		"138-1234-1234":       "13812341234",
		"+86 138 1234 1234":   "13812341234",
		"+8613812341234":      "13812341234",
		"008613812341234":     "13812341234",
		"8613812341234":       "13812341234",
		"１３８１２３４１２３４":         "13812341234",
		"19912345678":         "19912345678",
		"029-88886666":        "02988886666",
		"02988886666":         "02988886666",
		"(029) 8888 6666":     "02988886666",
		"（029）88886666":       "02988886666",
		"010-12345678":        "",
		"010-62345678":        "01062345678",
		"0917-2345678":        "09172345678",
		"0917-23456789":       "091723456789",
		"+86 29 8888 6666":    "02988886666",
		"029-88886666-123":    "02988886666-123",
		"029-88886666转123":    "02988886666-123",
		"029-88886666 ext 45": "02988886666-45",
		"+44 7700 900123":     "+447700900123",
		"0044 7700 900123":    "+447700900123",
		"":                    "",
		"  ":                  "",
	} {
		got, err := NormalizePhone(in)
		if want == "" && in != "" && in != "  " {
			if err == nil || ErrorCode(err) != EINVALID {
				t.Errorf("NormalizePhone(%q) = %q, %v; want an invalid-input error", in, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"1381234", "12345", "110", "12812341234", "138123412345", "88886666",
		"2988886666", "029-1888666", "029-888866661234567", "138abc", "13812341234转1", "+1 234",
		"029-88886666转", "029-88886666转1234567", "phone"} {
		got, err := NormalizePhone(in)
		if err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", in, got)
			continue
		}
		if ErrorCode(err) != EINVALID || ErrorMessage(err) == "" {
			t.Errorf("NormalizePhone(%q): %v", in, err)
		}
	}
	if _, err := NormalizePhone("1381234"); ErrorMessage(err) != msgPhoneForm {
		t.Errorf("message %q", ErrorMessage(err))
	}
}
