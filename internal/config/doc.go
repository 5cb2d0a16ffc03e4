// Package config holds hushpay's one configuration struct, its defaults (in one place), and how it
// is read: defaults, then an optional YAML or TOML file, then HUSHPAY_* environment variables, then
// validated with messages that name the bad setting.
//
// It imports nothing from hushpay's other packages.
package config
