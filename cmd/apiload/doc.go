// Command apiload measures hushpay's HTTP API under load: it starts hushpay in this process on a
// loopback port, on a fresh SQLite file or PostgreSQL schema, and takes payments by secure link
// with many concurrent workers (create, link, form submit, read back succeeded), then prints each
// step's count, errors, throughput and p50/p90/p99/max latency.
//
//	go run ./cmd/apiload --database sqlite --concurrency 500 --payments 10000
//	go run ./cmd/apiload --database postgres --concurrency 500 --duration 30s --cpuprofile pg.prof
//
// The server and the load generator share one process and its CPUs; see docs/benchmarks.md.
package main
