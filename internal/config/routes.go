package config

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// SIPRoute is one entry of the route table (sip_routes): inbound calls to User (the request-URI
// or To user) from Source go to Target and belong to Tenant. Empty User or Source match any.
type SIPRoute struct {
	User   string `yaml:"user" toml:"user"`
	Source string `yaml:"source" toml:"source"` // a CIDR (10.0.0.0/8) or a single IP
	Target string `yaml:"target" toml:"target"` // a sip: or sips: URI
	Tenant string `yaml:"tenant" toml:"tenant"` // empty: "default"
}

// routeKeys are the keys of a route entry, in the order the syntax lists them.
var routeKeys = []string{"user", "source", "target", "tenant"}

// routeEntrySep separates entries in HUSHPAY_SIP_ROUTES; "|" cannot appear unescaped in a SIP URI.
const routeEntrySep = "|"

// ParseSIPRoutes reads the HUSHPAY_SIP_ROUTES form: entries separated by "|", each a
// comma-separated list of key=value with the keys user, source, target and tenant, e.g.
//
//	user=support,target=sip:agents@10.0.0.5:5070;transport=tcp,tenant=acme | source=192.0.2.0/24,target=sips:pbx.example.net
//
// A value runs to the next comma; a target URI may hold ';' and '=' but no ',' or '|'. Errors
// name the entry (from 1) and the key, never the value.
func ParseSIPRoutes(s string) ([]SIPRoute, error) {
	var out []SIPRoute
	for i, entry := range strings.Split(s, routeEntrySep) {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("entry %d: empty (entries are separated by %q)", i+1, routeEntrySep)
		}
		m := map[string]string{}
		for _, kv := range strings.Split(entry, ",") {
			k, v, ok := strings.Cut(kv, "=")
			k = strings.ToLower(strings.TrimSpace(k))
			if !ok || k == "" {
				return nil, fmt.Errorf("entry %d: want key=value pairs separated by commas", i+1)
			}
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("entry %d: %s: given twice", i+1, k)
			}
			m[k] = strings.TrimSpace(v)
		}
		r, err := routeFromMap(m)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// routeFromMap builds a route from a file's or the environment's key/value entry.
func routeFromMap(m map[string]string) (SIPRoute, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !oneOf(k, routeKeys...) {
			return SIPRoute{}, fmt.Errorf("unknown key %q (want %s)", k, strings.Join(routeKeys, ", "))
		}
	}
	return SIPRoute{User: m["user"], Source: m["source"], Target: m["target"], Tenant: m["tenant"]}, nil
}

// routesFromFile reads the sip_routes value of a YAML or TOML file: a list of tables.
func routesFromFile(v any) ([]SIPRoute, error) {
	var list []any
	switch l := v.(type) {
	case []any:
		list = l
	case []map[string]any: // TOML arrays of tables
		for _, e := range l {
			list = append(list, e)
		}
	default:
		return nil, fmt.Errorf("want a list of routes (YAML: a sequence of mappings; TOML: [[sip_routes]] tables)")
	}
	out := make([]SIPRoute, 0, len(list))
	for i, e := range list {
		raw, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("entry %d: want a table with user, source, target, tenant", i+1)
		}
		m := make(map[string]string, len(raw))
		for k, v := range raw {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("entry %d: %s: want a string (quote numbers: \"+18005550100\")", i+1, k)
			}
			m[k] = strings.TrimSpace(s)
		}
		r, err := routeFromMap(m)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// validate checks one route; the error names the key.
func (r SIPRoute) validate() error {
	if r.User != "" && strings.ContainsAny(r.User, " \t@;:<>\"") {
		return fmt.Errorf("user: want the user part of a SIP URI (no '@', ':', ';' or spaces)")
	}
	if r.Source != "" {
		if _, err := r.SourcePrefix(); err != nil {
			return fmt.Errorf("source: want a CIDR such as 10.0.0.0/8 or a single IP address")
		}
	}
	if r.Target == "" {
		return fmt.Errorf("target: required (a sip: or sips: URI)")
	}
	if !validTarget(r.Target) {
		return fmt.Errorf("target: want a sip: or sips: URI with a host, e.g. sip:agents@10.0.0.5:5070")
	}
	if r.Tenant != "" && !validTenant(r.Tenant) {
		return fmt.Errorf("tenant: want 1 to 64 letters, digits, '.', '-' or '_'")
	}
	return nil
}

// SourcePrefix returns Source as an address range: a single IP is a /32 (or /128); empty is
// the zero Prefix, which matches any source.
func (r SIPRoute) SourcePrefix() (netip.Prefix, error) {
	if r.Source == "" {
		return netip.Prefix{}, nil
	}
	if strings.Contains(r.Source, "/") {
		p, err := netip.ParsePrefix(r.Source)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(r.Source)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// validTarget reports whether s looks like a sip: or sips: URI with a host. The B2BUA parses it
// fully at start.
func validTarget(s string) bool {
	rest, ok := strings.CutPrefix(s, "sip:")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "sips:"); !ok {
			return false
		}
	}
	if strings.ContainsAny(rest, " \t,|<>") {
		return false
	}
	if _, host, found := strings.Cut(rest, "@"); found {
		rest = host
	}
	host, _, _ := strings.Cut(rest, ";")
	host, _, _ = strings.Cut(host, "?")
	return host != "" && host[0] != ':'
}

func validTenant(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}
