package b2bua

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Route sends matching inbound calls to a target. A route matches when every condition it sets
// holds: User against the request-URI user or else the To user, Source against the source
// address. A route with neither is a default route.
type Route struct {
	User   string       // the called user, e.g. "support" or "+18005550100"; empty matches any
	Source netip.Prefix // the sender's address range; the zero value matches any
	Target sip.Uri      // where the onward INVITE goes, e.g. sip:agents@10.0.0.5:5070;transport=tcp
	Tenant string       // the tenant the call belongs to; empty means "default"
}

// Router holds the routes, tried in order; the first match wins.
type Router struct {
	routes []Route
}

// NewRouter returns a router over routes; defaultTarget (HUSHPAY_SIP_ROUTE), if not empty,
// is appended as the catch-all route of tenant "default".
func NewRouter(defaultTarget string, routes ...Route) (*Router, error) {
	r := &Router{routes: append([]Route(nil), routes...)}
	if defaultTarget != "" {
		u, err := ParseTarget(defaultTarget)
		if err != nil {
			return nil, err
		}
		r.routes = append(r.routes, Route{Target: u})
	}
	return r, nil
}

// ParseTarget parses a route target such as "sip:agents@127.0.0.1:5070".
func ParseTarget(s string) (sip.Uri, error) {
	var u sip.Uri
	if !strings.HasPrefix(s, "sip:") && !strings.HasPrefix(s, "sips:") {
		return u, errors.New("b2bua: route target: want a sip: or sips: URI")
	}
	if err := sip.ParseUri(s, &u); err != nil || u.Host == "" {
		return u, fmt.Errorf("b2bua: route target: not a SIP URI with a host")
	}
	return u, nil
}

// Lookup returns the route for an inbound INVITE that came from source.
func (r *Router) Lookup(req *sip.Request, source netip.Addr) (Route, bool) {
	user := req.Recipient.User
	toUser := ""
	if to := req.To(); to != nil {
		toUser = to.Address.User
	}
	for _, rt := range r.routes {
		if rt.User != "" && rt.User != user && rt.User != toUser {
			continue
		}
		if rt.Source.IsValid() && !rt.Source.Contains(source.Unmap()) {
			continue
		}
		return rt, true
	}
	return Route{}, false
}

// tenant returns the route's tenant or "default".
func (rt Route) tenant() string {
	if rt.Tenant == "" {
		return "default"
	}
	return rt.Tenant
}
