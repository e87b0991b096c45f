package routing

import "testing"

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13812341234":    "138****1234",
		" 13812341234 ":  "138****1234",
		"+8613812341234": "+86*******1234",
		"02983612345":    "029****2345",
		"83612345":       "****2345",
		"1234567":        "***4567",
		"12345":          "*****",
		"":               "",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"张三丰": "张**", "张三": "张*", "欧阳娜娜": "欧***", "张": "*", "": "", "Li Lei": "L*****"} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (Complainant{Name: "李四", Phone: "13912345678"}).Masked(); got != (Complainant{"李*", "139****5678"}) {
		t.Errorf("Masked = %+v", got)
	}
}
