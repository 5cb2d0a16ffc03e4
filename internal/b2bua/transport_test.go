package b2bua

import (
	"testing"
)

func TestTargetTransport(t *testing.T) {
	for target, want := range map[string]string{
		"sip:agents@10.0.0.5:5070":                  "UDP",
		"sip:agents@10.0.0.5;transport=tcp":         "TCP",
		"sip:agents@10.0.0.5;transport=tls":         "TLS",
		"sips:agents@pbx.example.net":               "TLS",
		"sips:agents@pbx.example.net;transport=tcp": "TLS",
		"sip:agents@10.0.0.5;transport=ws":          "WS",
	} {
		u, err := ParseTarget(target)
		if err != nil {
			t.Fatal(err)
		}
		if got := targetTransport(u); got != want {
			t.Errorf("targetTransport(%s) = %s, want %s", target, got, want)
		}
	}
}
