package sim

import (
	"strings"
	"testing"
)

// FuzzParseFault: any flag text yields a valid fault or an error, and a parsed fault's
// draws never panic.
func FuzzParseFault(f *testing.F) {
	for _, s := range []string{
		"path=/2/statuses/share.json,lost=1,count=1",
		"path=*,latency=20ms/200ms,error=0.01",
		"path=/datacube/*,5xx=0.5,timeout=0.1,ratelimit=3",
		"path=/x,latency=1h",
		"lost=2",
		"path=,=,",
		"path=/a,error=NaN",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		fault, err := ParseFault(spec)
		if err != nil {
			return
		}
		if fault.validate() != nil {
			t.Fatalf("ParseFault accepted an invalid fault %+v", fault)
		}
		fs := newFaultSet(1)
		if err := fs.add(fault); err != nil {
			t.Fatal(err)
		}
		path := strings.TrimSuffix(fault.Path, "*")
		for range 3 {
			if _, d := fs.draw(path); d < 0 {
				t.Fatalf("negative latency from %+v", fault)
			}
		}
	})
}

// FuzzWeiboLength: the length rule never panics and is monotone in appended text.
func FuzzWeiboLength(f *testing.F) {
	f.Add("看 https://museum.example/a 吧", "x")
	f.Add("\xff\xfe", "展")
	f.Fuzz(func(t *testing.T, a, b string) {
		la, lab := weiboLength(a), weiboLength(a+" "+b)
		if la < 0 || lab < la {
			t.Fatalf("weiboLength(%q)=%d, weiboLength(%q)=%d", a, la, a+" "+b, lab)
		}
	})
}
