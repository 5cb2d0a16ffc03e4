// Package apikey issues and checks hushpay's API keys.
//
// A key's secret ("hp_live_<id>_<random>") is shown once, when it is created; only its SHA-256 is
// stored, so a database dump holds nothing that authenticates. Authenticate finds a key by the hash of
// the presented secret, which makes the check independent of how many characters of a guess match.
//
// It imports the root hushpay package and the standard library only: no net/http, no store
// implementation (it is given a hushpay.APIKeyStore), no audit implementation (it is given a Recorder).
package apikey
