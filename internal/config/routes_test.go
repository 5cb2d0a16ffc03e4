package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// wantRoutes is the table every form of the tests below describes.
var wantRoutes = []SIPRoute{
	{User: "support", Source: "10.0.0.0/8", Target: "sip:agents@10.0.0.5:5070;transport=tcp", Tenant: "acme"},
	{Source: "192.0.2.7", Target: "sips:pbx.example.net"},
}

func TestRoutesFromFileAndEnvironment(t *testing.T) {
	for _, tc := range []struct{ name, file string }{
		{"yaml", `sip_route: sip:fallback@127.0.0.1:5070
sip_routes:
  - user: support
    source: 10.0.0.0/8
    target: "sip:agents@10.0.0.5:5070;transport=tcp"
    tenant: acme
  - source: 192.0.2.7
    target: sips:pbx.example.net
`},
		{"toml", `sip_route = "sip:fallback@127.0.0.1:5070"
[[sip_routes]]
user = "support"
source = "10.0.0.0/8"
target = "sip:agents@10.0.0.5:5070;transport=tcp"
tenant = "acme"
[[sip_routes]]
source = "192.0.2.7"
target = "sips:pbx.example.net"
`},
	} {
		t.Run("a "+tc.name+" file lists the routes in order", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hushpay."+tc.name)
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path, env(nil))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.SIPRoutes, wantRoutes) || c.SIPRoute != "sip:fallback@127.0.0.1:5070" {
				t.Fatalf("routes = %+v, default %q", c.SIPRoutes, c.SIPRoute)
			}
		})
		t.Run("HUSHPAY_SIP_ROUTES replaces the "+tc.name+" file's routes", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hushpay."+tc.name)
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path, env(map[string]string{"HUSHPAY_SIP_ROUTES": "user=sales,target=sip:sales@10.0.0.9"}))
			if err != nil {
				t.Fatal(err)
			}
			want := []SIPRoute{{User: "sales", Target: "sip:sales@10.0.0.9"}}
			if !reflect.DeepEqual(c.SIPRoutes, want) {
				t.Fatalf("routes = %+v, want %+v", c.SIPRoutes, want)
			}
		})
	}
	t.Run("the environment form", func(t *testing.T) {
		c, err := Load("", env(map[string]string{"HUSHPAY_SIP_ROUTES": " user=support, source=10.0.0.0/8 ," +
			"target=sip:agents@10.0.0.5:5070;transport=tcp,tenant=acme |source=192.0.2.7,target=sips:pbx.example.net "}))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.SIPRoutes, wantRoutes) {
			t.Fatalf("routes = %+v", c.SIPRoutes)
		}
	})
}

func TestSourcePrefix(t *testing.T) {
	for src, want := range map[string]string{
		"10.1.2.3/8": "10.0.0.0/8", "192.0.2.7": "192.0.2.7/32", "2001:db8::1": "2001:db8::1/128",
		"::ffff:192.0.2.7": "192.0.2.7/32", "": "invalid Prefix",
	} {
		p, err := SIPRoute{Source: src}.SourcePrefix()
		if err != nil || p.String() != want {
			t.Errorf("SourcePrefix(%q) = %v, %v; want %s", src, p, err, want)
		}
	}
	if _, err := (SIPRoute{Source: "10.0.0.0/33"}).SourcePrefix(); err == nil {
		t.Error("10.0.0.0/33 accepted")
	}
	var zero netip.Prefix
	if p, _ := (SIPRoute{}).SourcePrefix(); p != zero {
		t.Error("empty source is not the zero prefix")
	}
}

func TestBadRoutesNameTheEntryAndKey(t *testing.T) {
	good := "user=a,target=sip:a@10.0.0.1"
	for _, tc := range []struct{ name, value, want string }{
		{"a bad source", good + " | source=10.0.0.0/33,target=sip:b@10.0.0.2", "entry 2: source"},
		{"a source that is a host name", "source=pbx.example.net,target=sip:b@10.0.0.2", "entry 1: source"},
		{"no target", good + " | user=b", "entry 2: target: required"},
		{"a target that is not SIP", "user=b,target=http://10.0.0.2", "entry 1: target"},
		{"a target without host", "user=b,target=sip:b@", "entry 1: target"},
		{"a bad tenant", "user=b,target=sip:b@10.0.0.2,tenant=a b", "entry 1: tenant"},
		{"a user with @", "user=b@x,target=sip:b@10.0.0.2", "entry 1: user"},
		{"an unknown key", good + " | usr=b,target=sip:b@10.0.0.2", `entry 2: unknown key "usr"`},
		{"a key given twice", "user=a,user=b,target=sip:b@10.0.0.2", "entry 1: user: given twice"},
		{"an empty entry", good + " || " + good, "entry 2: empty"},
		{"no key=value", "sip:b@10.0.0.2", "entry 1: want key=value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("", env(map[string]string{"HUSHPAY_SIP_ROUTES": tc.value}))
			if err == nil || !strings.Contains(err.Error(), "HUSHPAY_SIP_ROUTES") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want HUSHPAY_SIP_ROUTES and %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "10.0.0.2") {
				t.Fatalf("err = %v echoes a value", err)
			}
		})
	}
}

func TestBadRoutesInFiles(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"yaml: not a list", "sip_routes: sip:a@10.0.0.1\n", "sip_routes: want a list"},
		{"yaml: an unknown key", "sip_routes:\n  - user: a\n    target: sip:a@10.0.0.1\n  - trget: sip:b@10.0.0.2\n",
			`sip_routes: entry 2: unknown key "trget"`},
		{"yaml: a number", "sip_routes:\n  - user: 18005550100\n    target: sip:a@10.0.0.1\n", "entry 1: user: want a string"},
		{"yaml: a bad source", "sip_routes:\n  - source: 10.0.0.300\n    target: sip:a@10.0.0.1\n", "sip_routes (HUSHPAY_SIP_ROUTES): entry 1: source"},
		{"toml: no target", "[[sip_routes]]\nuser = \"a\"\n", "entry 1: target: required"},
		{"toml: an entry that is not a table", "sip_routes = [\"sip:a@10.0.0.1\"]\n", "entry 1: want a table"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ext, _, _ := strings.Cut(tc.name, ":")
			path := filepath.Join(t.TempDir(), "c."+ext)
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path, env(nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzParseSIPRoutes(f *testing.F) {
	for _, s := range []string{"user=support,source=10.0.0.0/8,target=sip:agents@10.0.0.5:5070,tenant=acme",
		"source=192.0.2.7,target=sips:pbx.example.net | user=x,target=sip:x@h;transport=tls", "||", "=,=", "user"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		routes, err := ParseSIPRoutes(s)
		if err != nil {
			return
		}
		if len(routes) != strings.Count(s, "|")+1 {
			t.Fatalf("%d routes from %d entries", len(routes), strings.Count(s, "|")+1)
		}
		for _, r := range routes {
			_ = r.validate()
			_, _ = r.SourcePrefix()
		}
	})
}
