package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadWithNothingGivesTheDefaults(t *testing.T) {
	c, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Fatalf("got %+v, want the defaults", c)
	}
	if got := c.BaseURL(); got != "http://127.0.0.1:8080" {
		t.Errorf("BaseURL = %q", got)
	}
	if got := c.DatabaseURL(); got != "sqlite:hushpay.db" {
		t.Errorf("DatabaseURL = %q", got)
	}
}

func TestFileThenEnvironment(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, file string }{
		{"yaml", "data_dir: /srv/hp\nhttp_addr: 0.0.0.0:9000\npayment_ttl: 10m\nmask_mode: silence\n"},
		{"toml", "data_dir = \"/srv/hp\"\nhttp_addr = \"0.0.0.0:9000\"\npayment_ttl = \"10m\"\nmask_mode = \"silence\"\n"},
	} {
		t.Run(tc.name+" file is read and the environment wins over it", func(t *testing.T) {
			path := filepath.Join(dir, "hushpay."+tc.name)
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path, env(map[string]string{"HUSHPAY_HTTP_ADDR": "127.0.0.1:7000"}))
			if err != nil {
				t.Fatal(err)
			}
			if c.DataDir != "/srv/hp" || c.HTTPAddr != "127.0.0.1:7000" || c.PaymentTTL != 10*time.Minute || c.MaskMode != "silence" {
				t.Fatalf("got %+v", c)
			}
			if got := c.DatabaseURL(); got != "sqlite:/srv/hp/hushpay.db" {
				t.Errorf("DatabaseURL = %q", got)
			}
		})
	}
}

func TestBadSettingsAreNamed(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"HUSHPAY_DATABASE": "mysql://x"}, "HUSHPAY_DATABASE"},
		{map[string]string{"HUSHPAY_HTTP_ADDR": "8080"}, "HUSHPAY_HTTP_ADDR"},
		{map[string]string{"HUSHPAY_RTP_PORTS": "30000-20000"}, "HUSHPAY_RTP_PORTS"},
		{map[string]string{"HUSHPAY_MEDIA_LOOPS": "many"}, "HUSHPAY_MEDIA_LOOPS"},
		{map[string]string{"HUSHPAY_MEDIA_LOOPS": "0"}, "HUSHPAY_MEDIA_LOOPS"},
		{map[string]string{"HUSHPAY_MASK_MODE": "loud"}, "HUSHPAY_MASK_MODE"},
		{map[string]string{"HUSHPAY_MASK_SCOPE": "never"}, "HUSHPAY_MASK_SCOPE"},
		{map[string]string{"HUSHPAY_PROCESSOR": "stripe"}, "HUSHPAY_STRIPE_KEY"},
		{map[string]string{"HUSHPAY_PROCESSOR": "paypal"}, "HUSHPAY_PROCESSOR"},
		{map[string]string{"HUSHPAY_PAYMENT_TTL": "soon"}, "HUSHPAY_PAYMENT_TTL"},
		{map[string]string{"HUSHPAY_LINK_TTL": "1s"}, "HUSHPAY_LINK_TTL"},
		{map[string]string{"HUSHPAY_PUBLIC_URL": "ftp://x"}, "HUSHPAY_PUBLIC_URL"},
		{map[string]string{"HUSHPAY_SIP_ROUTE": "agents@host"}, "HUSHPAY_SIP_ROUTE"},
		{map[string]string{"HUSHPAY_MEDIA_ADDR": "203.0.113.7:5060"}, "HUSHPAY_MEDIA_ADDR"},
		{map[string]string{"HUSHPAY_MEDIA_ADDR": "0.0.0.0"}, "HUSHPAY_MEDIA_ADDR"},
		{map[string]string{"HUSHPAY_SIP_CONTACT_HOST": "sip.example.net:5060"}, "HUSHPAY_SIP_CONTACT_HOST"},
		{map[string]string{"HUSHPAY_SIP_CONTACT_HOST": "2001:db8::1"}, "HUSHPAY_SIP_CONTACT_HOST"},
		{map[string]string{"HUSHPAY_SIP_CONTACT_HOST": "bad_host.example"}, "HUSHPAY_SIP_CONTACT_HOST"},
		{map[string]string{"HUSHPAY_TLS_CERT": "cert.pem"}, "HUSHPAY_TLS_CERT"},
		{map[string]string{"HUSHPAY_SIP_TLS_ADDR": "5061"}, "HUSHPAY_SIP_TLS_ADDR"},
		{map[string]string{"HUSHPAY_SMTP_URL": "mail.example.com:587"}, "HUSHPAY_SMTP_URL"},
		{map[string]string{"HUSHPAY_SMS_URL": "AC1:token@api.twilio.com"}, "HUSHPAY_SMS_URL"},
	} {
		for k := range tc.env {
			t.Run(k+" is named in the error", func(t *testing.T) {
				_, err := Load("", env(tc.env))
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want it to name %s", err, tc.want)
				}
				if strings.Contains(tc.env[k], ":") && strings.Contains(err.Error(), tc.env[k]) {
					t.Fatalf("err = %v echoes the setting's value", err)
				}
			})
		}
	}
}

func TestNATSettings(t *testing.T) {
	c, err := Load("", env(map[string]string{"HUSHPAY_MEDIA_ADDR": "203.0.113.7", "HUSHPAY_SIP_CONTACT_HOST": "sip.example.net"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MediaAddr != "203.0.113.7" || c.SIPContact != "sip.example.net" {
		t.Fatalf("got media_addr %q, sip_contact_host %q", c.MediaAddr, c.SIPContact)
	}
	if _, err := Load("", env(map[string]string{"HUSHPAY_SIP_CONTACT_HOST": "203.0.113.7"})); err != nil {
		t.Fatalf("an IPv4 contact host: %v", err)
	}
}

func TestMediaLoopCount(t *testing.T) {
	for _, tc := range []struct {
		setting string
		cpus    int
		want    int
	}{
		{"auto", 1, 1}, {"auto", 2, 1}, {"auto", 8, 7}, {"", 4, 3}, {"2", 2, 2}, {" 3 ", 1, 3},
	} {
		c := Default()
		c.MediaLoops = tc.setting
		if got, err := c.MediaLoopCount(tc.cpus); err != nil || got != tc.want {
			t.Errorf("media_loops %q on %d CPUs: %d %v, want %d", tc.setting, tc.cpus, got, err, tc.want)
		}
	}
	c, err := Load("", env(map[string]string{"HUSHPAY_MEDIA_LOOPS": "4"}))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := c.MediaLoopCount(2); n != 4 {
		t.Errorf("HUSHPAY_MEDIA_LOOPS=4 gives %d loops", n)
	}
}

func TestUnknownFileSettingIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("http_adress: 1.2.3.4:5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, env(nil))
	if err == nil || !strings.Contains(err.Error(), `"http_adress"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestDescribeHidesSecrets(t *testing.T) {
	for _, line := range Describe() {
		if strings.HasPrefix(line, "HUSHPAY_KEK ") && !strings.Contains(line, " - ") {
			t.Errorf("secret default shown: %s", line)
		}
	}
	if len(Describe()) != len(fields()) {
		t.Fatal("Describe skips settings")
	}
}
