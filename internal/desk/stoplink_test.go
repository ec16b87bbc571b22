package desk

import "testing"

func TestStopNumber(t *testing.T) {
	for in, want := range map[string]int{"12": 12, " 7 ": 7, "１２": 12, "9999": 9999, "0": 0, "": 0, "12a": 0, "10000": 0, "-1": 0, "1 2": 0, "٣": 0} {
		n, ok := stopNumber(in)
		if ok != (want > 0) || (ok && n != want) {
			t.Errorf("stopNumber(%q) = %d, %v; want %d", in, n, ok, want)
		}
	}
}

func FuzzStopNumber(f *testing.F) {
	for _, s := range []string{"12", "１２", "", "9999", "abc", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := stopNumber(s)
		if ok && (n < 1 || n > 9999) {
			t.Fatalf("stopNumber(%q) = %d", s, n)
		}
	})
}
