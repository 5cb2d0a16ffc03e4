// Package lanecheck is for the tests that keep each package in its lane: it fails a test when a
// package imports what its doc.go promises it does not. It is for tests only.
package lanecheck
