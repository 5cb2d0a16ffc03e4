package payments

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/hushpay/hushpay"
)

// A keypad payment's capture session (the digits, in memory) lives on the node that anchors its
// call, where the caller's keys arrive. Commands that act on the session — move capture, reset a
// field, submit — reach any node's API; a node that does not anchor the call forwards them over
// the bus to the node that does (hushpay.Call.Node, which must be the name that node's cluster
// link uses), waits for its reply and answers from the store. Without a cluster (SQLite, one
// node) every call is anchored here and nothing is forwarded.

// The command channels between nodes.
const (
	// CommandsChannel carries commands to the node that holds a payment's capture session.
	CommandsChannel = "hushpay_commands"
	// RepliesChannel carries the outcome of each forwarded command back to its sender.
	RepliesChannel = "hushpay_replies"
)

// The forwarded commands.
const (
	opMoveCapture = "capture"
	opResetField  = "reset"
	opSubmit      = "submit"
)

// Forwarded commands wait this long for the anchoring node's reply: a submit includes the
// processor's authorization (processorTimeout), the others only the node's own work.
var (
	commandTimeout = 10 * time.Second
	submitTimeout  = processorTimeout + 5*time.Second
)

// commandNote is a command for the node To. It never holds card data: the operation, the field
// name and who asked.
type commandNote struct {
	Node    string            `json:"node"` // the sender
	To      string            `json:"to"`
	ID      string            `json:"id"`
	Tenant  string            `json:"tenant"`
	Payment string            `json:"payment"`
	Op      string            `json:"op"`
	Field   hushpay.FieldName `json:"field,omitempty"`
	Role    hushpay.Role      `json:"role"`
	Actor   string            `json:"actor"`
}

// replyNote is the outcome of a command; Error is empty on success.
type replyNote struct {
	Node  string     `json:"node"`
	To    string     `json:"to"`
	ID    string     `json:"id"`
	Error *errorNote `json:"error,omitempty"`
}

// errorNote carries a *hushpay.Error's client-facing parts (never its underlying error).
type errorNote struct {
	Kind    hushpay.Kind `json:"kind"`
	Code    string       `json:"code"`
	Field   string       `json:"field,omitempty"`
	Message string       `json:"message"`
}

// replies routes replies to the commands this node is waiting on.
type replies struct {
	mu      sync.Mutex
	waiting map[string]chan replyNote
}

// anchoredElsewhere reports whether another node of the cluster anchors call.
func (s *Service) anchoredElsewhere(call *hushpay.Call) bool {
	c := s.clusterLink.Load()
	return c != nil && call.Node != "" && call.Node != c.cfg.Node && call.State != hushpay.CallEnded
}

// anchorElsewhere returns the node that anchors p's call when that is another node of the cluster,
// or "" when the command runs here.
func (s *Service) anchorElsewhere(ctx context.Context, p *hushpay.Payment) string {
	c := s.clusterLink.Load()
	if c == nil || p.CallID == "" {
		return ""
	}
	call, err := s.cfg.Store.GetCall(ctx, p.Tenant, p.CallID)
	if err != nil || !s.anchoredElsewhere(call) {
		return ""
	}
	return call.Node
}

// forward runs a command on node and returns the payment as it is afterwards.
func (s *Service) forward(ctx context.Context, pr hushpay.Principal, node, id, op string, field hushpay.FieldName) (*hushpay.Payment, error) {
	c := s.clusterLink.Load()
	if c == nil {
		return nil, errors.New("payments: no cluster to forward a command on")
	}
	n := commandNote{Node: c.cfg.Node, To: node, ID: newID("cmd_"), Tenant: pr.Tenant, Payment: id, Op: op,
		Field: field, Role: pr.Role, Actor: pr.Actor}
	ch := make(chan replyNote, 1)
	c.replies.mu.Lock()
	c.replies.waiting[n.ID] = ch
	c.replies.mu.Unlock()
	defer func() {
		c.replies.mu.Lock()
		delete(c.replies.waiting, n.ID)
		c.replies.mu.Unlock()
	}()
	timeout := commandTimeout
	if op == opSubmit {
		timeout = submitTimeout
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	b, _ := json.Marshal(n)
	if err := c.cfg.Bus.Notify(ctx, CommandsChannel, string(b)); err != nil {
		return nil, &hushpay.Error{Op: "payments.forward", Kind: hushpay.KindUnavailable, Code: "node_unavailable",
			Message: "the node that anchors the call could not be reached", Err: err}
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return nil, &hushpay.Error{Op: "payments.forward", Kind: r.Error.Kind, Code: r.Error.Code,
				Field: r.Error.Field, Message: r.Error.Message}
		}
	case <-ctx.Done():
		s.log.Warn("cluster: no reply from the node that anchors the call", "node", node, "payment", id, "op", op)
		return nil, &hushpay.Error{Op: "payments.forward", Kind: hushpay.KindUnavailable, Code: "node_unavailable",
			Message: "the node that anchors the call did not answer"}
	}
	return s.load(context.WithoutCancel(ctx), pr.Tenant, id)
}

// commandIn runs a command another node forwarded here and replies, in the background.
func (c *cluster) commandIn(n commandNote) {
	s := c.svc
	s.spawn(func() {
		ctx, cancel := context.WithTimeout(c.ctx, submitTimeout)
		defer cancel()
		pr := hushpay.Principal{Tenant: n.Tenant, Role: n.Role, Actor: n.Actor}
		var err error
		switch n.Op {
		case opMoveCapture:
			_, err = s.onFieldHere(ctx, pr, n.Payment, n.Field, "payment.capture_moved", moveTo(n.Field))
		case opResetField:
			_, err = s.onFieldHere(ctx, pr, n.Payment, n.Field, "payment.field_reset", resetField(n.Field))
		case opSubmit:
			_, err = s.submitHere(ctx, pr, n.Payment)
		default:
			err = hushpay.Errorf(hushpay.KindInvalid, "unknown_command", "unknown command")
		}
		r := replyNote{Node: c.cfg.Node, To: n.Node, ID: n.ID}
		if err != nil {
			var he *hushpay.Error
			if errors.As(err, &he) {
				r.Error = &errorNote{Kind: he.Kind, Code: he.Code, Field: he.Field, Message: he.Message}
			} else {
				c.log.Warn("cluster: forwarded command failed", "payment", n.Payment, "op", n.Op, "err", err)
				r.Error = &errorNote{Kind: hushpay.KindOther, Code: "internal_error", Message: "internal error"}
			}
		}
		b, _ := json.Marshal(r)
		nctx, ncancel := context.WithTimeout(c.ctx, 5*time.Second)
		defer ncancel()
		if err := c.cfg.Bus.Notify(nctx, RepliesChannel, string(b)); err != nil && c.ctx.Err() == nil {
			c.log.Warn("cluster: reply to a forwarded command not sent", "err", err)
		}
	})
}

// replyIn hands a reply to the command waiting for it.
func (c *cluster) replyIn(r replyNote) {
	c.replies.mu.Lock()
	ch := c.replies.waiting[r.ID]
	c.replies.mu.Unlock()
	if ch != nil {
		select {
		case ch <- r:
		default:
		}
	}
}
