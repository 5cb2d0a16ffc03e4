// Package web serves hushpay's HTML pages: the hosted payment page behind a secure link
// (/pay/{token}), which works without JavaScript as a plain form POST, under a strict Content
// Security Policy with no third-party resources.
//
// It renders only masked payment state; it never echoes what the caller typed. It talks to the
// payment service only, never to the store or the vault.
package web
