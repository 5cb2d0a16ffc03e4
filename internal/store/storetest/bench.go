package storetest

import (
	"context"
	"crypto/rand"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

// BenchCreateUpdatePayment measures what the API does per payment step against s: create a
// payment, then update it at its version. It runs with one writer (latency without queueing) and
// with 500 concurrent writers (the API latency goal's load, a closed loop that saturates the
// store, so ns/op is the inverse of its throughput) and reports, besides ns/op and allocations,
// the p50 and p99 latency of one create+update pair in milliseconds.
func BenchCreateUpdatePayment(b *testing.B, s hushpay.Store) {
	b.Run("writers=1", func(b *testing.B) {
		b.ReportAllocs()
		var all []time.Duration
		for b.Loop() {
			start := time.Now()
			if err := createUpdate(s); err != nil {
				b.Fatal(err)
			}
			all = append(all, time.Since(start))
		}
		reportLatency(b, all)
	})
	b.Run("writers=500", func(b *testing.B) {
		b.ReportAllocs()
		var mu sync.Mutex
		var all []time.Duration
		procs := runtime.GOMAXPROCS(0)
		b.SetParallelism((500 + procs - 1) / procs)
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			for pb.Next() {
				start := time.Now()
				if err := createUpdate(s); err != nil {
					b.Error(err) // not Fatal: this is not the benchmark's goroutine
					break
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
		reportLatency(b, all)
	})
}

func reportLatency(b *testing.B, all []time.Duration) {
	slices.Sort(all)
	b.ReportMetric(percentileMillis(all, 0.50), "p50-ms")
	b.ReportMetric(percentileMillis(all, 0.99), "p99-ms")
}

func createUpdate(s hushpay.Store) error {
	ctx := context.Background()
	p := benchPayment()
	if err := s.CreatePayment(ctx, p); err != nil {
		return err
	}
	p.State = hushpay.PaymentReady
	p.Fields[hushpay.FieldSecurityCode] = hushpay.Field{State: hushpay.FieldComplete, Length: 3}
	return s.UpdatePayment(ctx, p)
}

func percentileMillis(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, int(q*float64(len(sorted))))
	return float64(sorted[i]) / float64(time.Millisecond)
}

// benchPayment is a payment shaped like the service's, with a fresh random ID.
func benchPayment() *hushpay.Payment {
	now := time.Now()
	return &hushpay.Payment{
		ID: "pay_" + rand.Text(), Tenant: "acme", State: hushpay.PaymentCapturing, Amount: 1999, Currency: "EUR",
		Reference: "order-1", Method: hushpay.MethodCard, CallID: "call_1",
		Capture:      hushpay.DefaultCapture(hushpay.MethodCard),
		CurrentField: hushpay.FieldCardNumber,
		Fields: map[hushpay.FieldName]hushpay.Field{
			hushpay.FieldCardNumber:   {State: hushpay.FieldComplete, Length: 16, Brand: "visa", Last4: "4242"},
			hushpay.FieldExpiry:       {State: hushpay.FieldComplete, Length: 4},
			hushpay.FieldSecurityCode: {State: hushpay.FieldPartial, Length: 2},
		},
		Processor: "sandbox", Metadata: map[string]string{"crm": "case-77"},
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(15 * time.Minute), Version: 1,
	}
}
