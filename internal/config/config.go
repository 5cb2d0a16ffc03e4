package config

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"
)

// Config is every hushpay setting. Each field's `name` tag is its key in a config file; the
// environment variable is HUSHPAY_ followed by the name in upper case.
type Config struct {
	DataDir    string        `name:"data_dir" help:"where the SQLite file, development keys and recordings live"`
	Database   string        `name:"database" help:"sqlite:FILE (relative to the data dir) or postgres://…"`
	HTTPAddr   string        `name:"http_addr" help:"API, agent desktop and hosted payment page address"`
	PublicURL  string        `name:"public_url" help:"base of the links sent to callers (default http:// + http_addr)"`
	SIPAddr    string        `name:"sip_addr" help:"SIP listen address (UDP and TCP)"`
	SIPRoute   string        `name:"sip_route" help:"default onward target for inbound calls"`
	SIPRoutes  []SIPRoute    `name:"sip_routes" help:"route table tried before sip_route: user=U,source=CIDR,target=URI,tenant=T | …"`
	RTPPorts   string        `name:"rtp_ports" help:"media relay port range, LOW-HIGH"`
	SIPContact string        `name:"sip_contact_host" help:"host in hushpay's SIP Contact instead of the SIP host (behind NAT: the public name or IPv4 address)"`
	MediaAddr  string        `name:"media_addr" help:"IP address written in SDP instead of the SIP host (behind NAT: the public address); the relay still binds the SIP host"`
	MediaLoops string        `name:"media_loops" help:"media threads (epoll loops) relaying RTP: a number, or auto (one per CPU but one, at least one)"`
	MaskMode   string        `name:"mask_mode" help:"tone, silence or drop"`
	MaskScope  string        `name:"mask_scope" help:"secure or always"`
	Processor  string        `name:"processor" help:"sandbox or stripe"`
	StripeKey  string        `name:"stripe_key" secret:"true" help:"Stripe secret key (processor stripe)"`
	StripeURL  string        `name:"stripe_url" help:"Stripe API base URL (processor stripe)"`
	KEK        string        `name:"kek" secret:"true" help:"key-encryption keys VERSION:BASE64[,…]; empty means a development key in the data dir"`
	Merchant   string        `name:"merchant_name" help:"merchant name shown on the payment page"`
	PaymentTTL time.Duration `name:"payment_ttl" help:"a payment not finished by then expires"`
	LinkTTL    time.Duration `name:"link_ttl" help:"a secure link expires this long after it is issued"`
	Retention  time.Duration `name:"retention" help:"final payments and their tokens are purged this long after creation"`
	LogLevel   string        `name:"log_level" help:"debug, info, warn or error"`
	LogFormat  string        `name:"log_format" help:"text or json"`
	TLSCert    string        `name:"tls_cert" help:"certificate file for HTTPS (and SIP TLS)"`
	TLSKey     string        `name:"tls_key" help:"private key file for HTTPS (and SIP TLS)"`
	SIPTLSAddr string        `name:"sip_tls_addr" help:"SIP over TLS listen address (with tls_cert and tls_key; default: port 5061 of the sip_addr host)"`
	SIPTLSCA   string        `name:"sip_tls_ca" help:"PEM file of the CAs trusted for onward SIP over TLS (default: the system's)"`
	SMTPURL    string        `name:"smtp_url" secret:"true" help:"email delivery of payment links: smtp://user:pass@host:587?from=pay@example.com"`
	SMSURL     string        `name:"sms_url" secret:"true" help:"SMS delivery of payment links (Twilio-compatible): https://SID:TOKEN@api.twilio.com?from=+15005550006"`
}

// Default returns the defaults: everything hushpay needs to run on a laptop with nothing installed.
func Default() Config {
	return Config{
		DataDir:    ".",
		Database:   "sqlite:hushpay.db",
		HTTPAddr:   "127.0.0.1:8080",
		SIPAddr:    "127.0.0.1:5060",
		RTPPorts:   "20000-29999",
		MediaLoops: "auto",
		MaskMode:   "tone",
		MaskScope:  "secure",
		Processor:  "sandbox",
		StripeURL:  "https://api.stripe.com",
		Merchant:   "hushpay",
		PaymentTTL: 15 * time.Minute,
		LinkTTL:    15 * time.Minute,
		Retention:  90 * 24 * time.Hour,
		LogLevel:   "info",
		LogFormat:  "text",
	}
}

// EnvPrefix is the prefix of every environment variable hushpay reads.
const EnvPrefix = "HUSHPAY_"

// Load returns the defaults overlaid with the file (if path is not empty) and then with the
// HUSHPAY_* variables found by getenv, validated.
func Load(path string, getenv func(string) string) (Config, error) {
	c := Default()
	if path != "" {
		if err := c.loadFile(path); err != nil {
			return Config{}, err
		}
	}
	for _, f := range fields() {
		v := getenv(f.env)
		if v == "" {
			continue
		}
		if err := f.set(&c, v); err != nil {
			return Config{}, fmt.Errorf("%s: %w", f.env, err)
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	raw := map[string]any{}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		err = yaml.Unmarshal(data, &raw)
	case ".toml":
		_, err = toml.NewDecoder(bytes.NewReader(data)).Decode(&raw)
	default:
		return fmt.Errorf("config file %s: unknown format (use .yaml, .yml or .toml)", path)
	}
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	byName := map[string]field{}
	for _, f := range fields() {
		byName[f.name] = f
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := byName[k]
		if !ok {
			return fmt.Errorf("config file %s: unknown setting %q", path, k)
		}
		if k == "sip_routes" {
			routes, err := routesFromFile(raw[k])
			if err != nil {
				return fmt.Errorf("config file %s: %s: %w", path, k, err)
			}
			c.SIPRoutes = routes
			continue
		}
		if err := f.set(c, fmt.Sprint(raw[k])); err != nil {
			return fmt.Errorf("config file %s: %s: %w", path, k, err)
		}
	}
	return nil
}

// field is one settable Config field.
type field struct {
	name, env, help string
	secret          bool
	index           int
}

func fields() []field {
	t := reflect.TypeOf(Config{})
	out := make([]field, 0, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		name := sf.Tag.Get("name")
		out = append(out, field{name: name, env: EnvPrefix + strings.ToUpper(name), help: sf.Tag.Get("help"),
			secret: sf.Tag.Get("secret") == "true", index: i})
	}
	return out
}

func (f field) set(c *Config, value string) error {
	v := reflect.ValueOf(c).Elem().Field(f.index)
	switch v.Interface().(type) {
	case string:
		v.SetString(strings.TrimSpace(value))
	case time.Duration:
		d, err := time.ParseDuration(strings.TrimSpace(value))
		if err != nil {
			return fmt.Errorf("not a duration (e.g. 15m, 90h)")
		}
		v.SetInt(int64(d))
	case []SIPRoute:
		routes, err := ParseSIPRoutes(value)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(routes))
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// Validate checks every setting and names the first bad one.
func (c *Config) Validate() error {
	bad := func(name, format string, args ...any) error {
		return fmt.Errorf("invalid setting %s (%s%s): %s", name, EnvPrefix, strings.ToUpper(name), fmt.Sprintf(format, args...))
	}
	if c.DataDir == "" {
		return bad("data_dir", "must not be empty")
	}
	if !strings.HasPrefix(c.Database, "sqlite:") && !strings.HasPrefix(c.Database, "postgres://") &&
		!strings.HasPrefix(c.Database, "postgresql://") {
		return bad("database", "want sqlite:FILE or postgres://…")
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return bad("http_addr", "want HOST:PORT")
	}
	if _, _, err := net.SplitHostPort(c.SIPAddr); err != nil {
		return bad("sip_addr", "want HOST:PORT")
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("public_url", "want an http:// or https:// URL")
		}
	}
	if c.SIPRoute != "" && !strings.HasPrefix(c.SIPRoute, "sip:") && !strings.HasPrefix(c.SIPRoute, "sips:") {
		return bad("sip_route", "want a sip: or sips: URI")
	}
	for i, r := range c.SIPRoutes {
		if err := r.validate(); err != nil {
			return bad("sip_routes", "entry %d: %v", i+1, err)
		}
	}
	if c.SIPContact != "" && !validContactHost(c.SIPContact) {
		return bad("sip_contact_host", "want a host name or IPv4 address, without port")
	}
	if c.MediaAddr != "" {
		if a, err := netip.ParseAddr(c.MediaAddr); err != nil || a.IsUnspecified() {
			return bad("media_addr", "want an IP address such as 203.0.113.7 (no port)")
		}
	}
	if _, _, err := c.RTPPortRange(); err != nil {
		return bad("rtp_ports", "%v", err)
	}
	if _, err := c.MediaLoopCount(1); err != nil {
		return bad("media_loops", "%v", err)
	}
	if !oneOf(c.MaskMode, "tone", "silence", "drop") {
		return bad("mask_mode", "want tone, silence or drop")
	}
	if !oneOf(c.MaskScope, "secure", "always") {
		return bad("mask_scope", "want secure or always")
	}
	switch c.Processor {
	case "sandbox":
	case "stripe":
		if c.StripeKey == "" {
			return bad("stripe_key", "required when processor is stripe")
		}
	default:
		return bad("processor", "want sandbox or stripe")
	}
	if c.PaymentTTL < time.Minute || c.PaymentTTL > 7*24*time.Hour {
		return bad("payment_ttl", "want between 1m and 168h")
	}
	if c.LinkTTL < time.Minute || c.LinkTTL > 7*24*time.Hour {
		return bad("link_ttl", "want between 1m and 168h")
	}
	if c.Retention < 24*time.Hour {
		return bad("retention", "want at least 24h")
	}
	if !oneOf(c.LogLevel, "debug", "info", "warn", "error") {
		return bad("log_level", "want debug, info, warn or error")
	}
	if !oneOf(c.LogFormat, "text", "json") {
		return bad("log_format", "want text or json")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return bad("tls_cert", "tls_cert and tls_key go together")
	}
	if c.SIPTLSAddr != "" {
		if _, _, err := net.SplitHostPort(c.SIPTLSAddr); err != nil {
			return bad("sip_tls_addr", "want HOST:PORT")
		}
	}
	if c.SMTPURL != "" && !strings.HasPrefix(c.SMTPURL, "smtp://") {
		return bad("smtp_url", "want smtp://[user:pass@]host[:port]?from=address")
	}
	if c.SMSURL != "" && !strings.HasPrefix(c.SMSURL, "https://") && !strings.HasPrefix(c.SMSURL, "http://") {
		return bad("sms_url", "want https://ACCOUNT_SID:AUTH_TOKEN@host?from=NUMBER")
	}
	return nil
}

// RTPPortRange returns the low and high media ports.
func (c *Config) RTPPortRange() (low, high int, err error) {
	lo, hi, ok := strings.Cut(c.RTPPorts, "-")
	if !ok {
		return 0, 0, fmt.Errorf("want LOW-HIGH")
	}
	low, err1 := strconv.Atoi(strings.TrimSpace(lo))
	high, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if err1 != nil || err2 != nil || low < 1024 || high > 65535 || low >= high {
		return 0, 0, fmt.Errorf("want LOW-HIGH with 1024 ≤ LOW < HIGH ≤ 65535")
	}
	return low, high, nil
}

// BaseURL returns the public base URL of links: PublicURL, or http:// + HTTPAddr.
func (c *Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	return scheme + "://" + c.HTTPAddr
}

// DatabaseURL returns the database setting with a relative SQLite file resolved in the data dir.
func (c *Config) DatabaseURL() string {
	if file, ok := strings.CutPrefix(c.Database, "sqlite:"); ok && !filepath.IsAbs(file) {
		return "sqlite:" + filepath.Join(c.DataDir, file)
	}
	return c.Database
}

// Describe lists every setting with its variable and help, for --help output.
func Describe() []string {
	d := Default()
	v := reflect.ValueOf(d)
	var out []string
	for _, f := range fields() {
		def := fmt.Sprint(v.Field(f.index).Interface())
		if f.secret || def == "" || v.Field(f.index).Kind() == reflect.Slice && v.Field(f.index).Len() == 0 {
			def = "-"
		}
		out = append(out, fmt.Sprintf("%-28s %-22s %s", f.env, def, f.help))
	}
	return out
}

// validContactHost reports whether s is an IPv4 address or a DNS host name.
func validContactHost(s string) bool {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Is4() && !a.IsUnspecified()
	}
	if len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}

// maxMediaLoops bounds media_loops: more loops than this only add wake-ups.
const maxMediaLoops = 256

// MediaLoopCount returns how many media loops to run on a machine with cpus CPUs: media_loops as
// a number, or for "auto" one per CPU but one (at least one), which leaves a core for SIP, the API
// and the processor calls. docs/benchmarks-media.md shows why: on 2 cores one loop relays 800
// masked calls within 1.05-1.12x of the minimal relay's CPU per packet, two loops cost up to 1.86x.
func (c *Config) MediaLoopCount(cpus int) (int, error) {
	v := strings.TrimSpace(c.MediaLoops)
	if v == "" || v == "auto" {
		return max(1, cpus-1), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxMediaLoops {
		return 0, fmt.Errorf("want auto or a number from 1 to %d", maxMediaLoops)
	}
	return n, nil
}
