// Package notifytest runs a real SMTP server (github.com/emersion/go-smtp) on loopback for tests
// that deliver payment links by email. It is for tests only.
package notifytest
