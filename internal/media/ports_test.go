package media

import (
	"errors"
	"sync"
	"testing"
)

func TestNewPortAllocatorRanges(t *testing.T) {
	cases := []struct {
		name      string
		low, high int
		pairs     int
		ok        bool
	}{
		{"even to odd holds whole pairs", 20000, 20009, 5, true},
		{"odd low loses its first port", 20001, 20009, 4, true},
		{"even high loses its last port", 20000, 20008, 4, true},
		{"one port holds no pair", 20000, 20000, 0, false},
		{"low above high", 20010, 20000, 0, false},
		{"port zero", 0, 10, 0, false},
		{"above 65535", 65530, 65536, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewPortAllocator(tc.low, tc.high)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if tc.ok && a.Available() != tc.pairs {
				t.Errorf("pairs = %d, want %d", a.Available(), tc.pairs)
			}
		})
	}
}

func TestPortAllocatorsStartAtDifferentPairs(t *testing.T) {
	firsts := map[int]bool{}
	for range 20 {
		a, err := NewPortAllocator(20000, 29999)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := a.Allocate()
		if p%2 != 0 || p < 20000 || p > 29998 {
			t.Fatalf("first port %d", p)
		}
		firsts[p] = true
	}
	if len(firsts) < 2 {
		t.Fatalf("20 allocators over 5000 pairs all started at %v: processes sharing a range would collide", firsts)
	}
}

func TestPortAllocatorHandsOutEvenPortsAndReusesReleasedOnesLast(t *testing.T) {
	a, err := NewPortAllocator(30001, 30006) // pairs 30002 and 30004
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := a.Allocate()
	p2, _ := a.Allocate()
	if p1 == p2 || (p1 != 30002 && p1 != 30004) || (p2 != 30002 && p2 != 30004) {
		t.Fatalf("got %d, %d; want 30002 and 30004", p1, p2)
	}
	if _, err := a.Allocate(); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("third allocation: %v, want ErrNoPorts", err)
	}
	a.Release(p1)
	a.Release(p1) // twice: no effect
	a.Release(31000)
	if a.Available() != 1 {
		t.Fatalf("available = %d, want 1", a.Available())
	}
	if p, _ := a.Allocate(); p != p1 {
		t.Errorf("got %d, want the released %d", p, p1)
	}
}

func TestPortAllocatorIsSafeForConcurrentUse(t *testing.T) {
	a, err := NewPortAllocator(40000, 40199)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	held := map[int]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				p, err := a.Allocate()
				if err != nil {
					continue
				}
				mu.Lock()
				if held[p] {
					t.Errorf("port %d handed out twice", p)
				}
				held[p] = true
				mu.Unlock()
				mu.Lock()
				delete(held, p)
				mu.Unlock()
				a.Release(p)
			}
		})
	}
	wg.Wait()
	if a.Available() != 100 {
		t.Errorf("available = %d after all released, want 100", a.Available())
	}
}
