package audit

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/hushpay/hushpay"
)

// Problem says how an entry breaks its chain.
type Problem string

// The ways a chain can break.
const (
	// HashMismatch: the entry's stored hash is not the hash of its content (the entry was edited).
	HashMismatch Problem = "hash_mismatch"
	// PrevLinkMismatch: the entry's PrevHash is not the hash of the entry before it (the entry
	// before was rewritten, hash and all, or entries were swapped).
	PrevLinkMismatch Problem = "prev_link_mismatch"
	// SeqGap: the entry's Seq does not follow the one before it (entries were removed or inserted).
	SeqGap Problem = "seq_gap"
)

// Break names the first broken entry of one tenant's chain.
type Break struct {
	Tenant  string
	Seq     int64 // the Seq of the broken entry as stored
	Want    int64 // the Seq the chain expected there (differs from Seq only for SeqGap)
	Problem Problem
}

// String describes the break for an operator.
func (b Break) String() string {
	switch b.Problem {
	case HashMismatch:
		return fmt.Sprintf("tenant %q, entry %d: its hash does not match its content", b.Tenant, b.Seq)
	case PrevLinkMismatch:
		return fmt.Sprintf("tenant %q, entry %d: it does not link to the hash of entry %d", b.Tenant, b.Seq, b.Seq-1)
	case SeqGap:
		return fmt.Sprintf("tenant %q, entry %d: expected entry %d here", b.Tenant, b.Seq, b.Want)
	}
	return fmt.Sprintf("tenant %q, entry %d: %s", b.Tenant, b.Seq, b.Problem)
}

// Head is the newest entry of a tenant's chain, worth keeping elsewhere: Verify cannot see entries
// removed from the end of a chain, a comparison with an earlier head can.
type Head struct {
	Tenant string
	Seq    int64
	Hash   []byte
}

// Report is the result of Verify.
type Report struct {
	Entries int64   // entries checked, in every tenant
	Heads   []Head  // each tenant's newest entry (the last good one of a broken chain), in the store's tenant order
	Breaks  []Break // the first broken entry of each broken chain
}

// OK reports whether every chain is intact.
func (r Report) OK() bool { return len(r.Breaks) == 0 }

// String reports for an operator: the verdict, each break, and each chain's head (worth keeping
// elsewhere to notice later removals from the end).
func (r Report) String() string {
	var b strings.Builder
	if r.OK() {
		fmt.Fprintf(&b, "audit trail intact: %d entries in %d tenants", r.Entries, len(r.Heads))
	} else {
		fmt.Fprintf(&b, "audit trail BROKEN in %d of %d tenants", len(r.Breaks), len(r.Heads))
	}
	for _, br := range r.Breaks {
		b.WriteString("\nbroken: " + br.String())
	}
	for _, h := range r.Heads {
		fmt.Fprintf(&b, "\ntenant %q: last good entry %d, hash %x", h.Tenant, h.Seq, h.Hash)
	}
	return b.String()
}

// verifyPage is how many entries Verify asks for at once; a store may return fewer, so Verify reads
// on until a page comes back empty.
const verifyPage = 1000

// Verify walks every tenant's chain in store and reports the first broken entry of each. The error
// is for a store that cannot be read, not for a broken chain.
func Verify(ctx context.Context, store hushpay.AuditStore) (Report, error) {
	var r Report
	tenants, err := store.AuditTenants(ctx)
	if err != nil {
		return r, fmt.Errorf("audit verify: %w", err)
	}
	for _, tenant := range tenants {
		if err := verifyTenant(ctx, store, tenant, &r); err != nil {
			return r, fmt.Errorf("audit verify: %w", err)
		}
	}
	return r, nil
}

func verifyTenant(ctx context.Context, store hushpay.AuditStore, tenant string, r *Report) error {
	head := Head{Tenant: tenant}
	for {
		page, err := store.ListAudit(ctx, tenant, head.Seq, verifyPage)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			r.Heads = append(r.Heads, head)
			return nil
		}
		for _, e := range page {
			r.Entries++
			if problem, ok := checkLink(&head, e); !ok {
				r.Breaks = append(r.Breaks, Break{Tenant: tenant, Seq: e.Seq, Want: head.Seq + 1, Problem: problem})
				r.Heads = append(r.Heads, head)
				return nil
			}
			head.Seq, head.Hash = e.Seq, e.Hash
		}
	}
}

// checkLink checks that e follows head (the last good entry) and hashes to its stored hash.
func checkLink(head *Head, e *hushpay.AuditEntry) (Problem, bool) {
	switch {
	case e.Seq != head.Seq+1:
		return SeqGap, false
	case !bytes.Equal(e.PrevHash, head.Hash):
		return PrevLinkMismatch, false
	case e.Tenant != head.Tenant || !bytes.Equal(Hash(e), e.Hash):
		return HashMismatch, false
	}
	return "", true
}
