package users

import "testing"

func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, phc string) {
		p, salt, key, err := parsePHC(phc)
		if err != nil {
			return
		}
		if p.MemoryKiB > 256<<10 || p.Time > 16 || len(salt) < 8 || len(key) < 16 {
			t.Fatalf("accepted out-of-bounds parameters %+v", p)
		}
	})
}
