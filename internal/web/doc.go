// Package web serves hushpay's HTML pages:
//
//   - the hosted payment page behind a secure link (/pay/{token}), which works without JavaScript
//     as a plain form POST and, with its one pinned script, shows the brand, checks the card
//     before submit and posts field states (never values) to /pay/{token}/progress;
//   - sign-in with a password and a TOTP code, one-time account set-up and sign-out (/signin,
//     /enrol/{token}, /signout), with session cookies and CSRF tokens on every form;
//   - the agent desktop (/agent) and the supervisor's payments list (/agent/payments), whose
//     JSON calls and event stream (/agent/api/…) act for the signed-in user.
//
// Every page has a strict Content Security Policy and no third-party resource; every script is
// pinned with an integrity hash. It renders only masked payment state and never echoes what the
// caller typed. It talks to the payment service and the users manager only, never to the store
// or the vault.
package web
