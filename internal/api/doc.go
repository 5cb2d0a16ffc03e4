// Package api serves hushpay's HTTP API under /v1 (payments, calls, Server-Sent Events of masked
// progress, the OpenAPI document), plus /healthz, /readyz and /metrics.
//
// It owns the HTTP concerns only: API-key authentication, the role matrix, JSON parsing and views,
// errors mapped from hushpay.Kind in one place, idempotency keys, security headers, request logs and
// metrics. Validation of what a request means (amounts, currencies, transitions) is the payment
// service's; this package parses and passes on.
//
// It must not import the vault, the capture engine, a processor or a store implementation: it talks
// to the payment service (internal/payments), an Authenticator (internal/apikey) and a
// hushpay.IdempotencyStore. Responses are built from views that never carry card data, tenants,
// token ids or versions.
package api
