package processor

// Shape checks every connector runs before talking to its gateway. They check the request's form
// (presence, lengths, digits), not the card's validity (check digit, brand, expiry in the past):
// that is internal/card's job before a payment reaches a processor, and the gateway's answer after.

// Limits on request values.
const (
	MaxIdempotencyKeyLen = 255
	minPANLen, maxPANLen = 12, 19
	minAccountLen        = 4
	maxAccountLen        = 17
	routingNumberLen     = 9
)

// Validate checks the request's shape: an idempotency key, a positive amount, a three-letter
// currency and exactly one instrument, itself well formed. The error is an ErrInvalidRequest
// *Error naming the field.
func (r *AuthorizeRequest) Validate() error {
	if err := validateKey(r.IdempotencyKey); err != nil {
		return err
	}
	if r.Amount <= 0 {
		return Invalid("amount", "amount must be a positive number of minor units")
	}
	if !isCurrency(r.Currency) {
		return Invalid("currency", "currency must be a three-letter ISO 4217 code")
	}
	if count(r.Card != nil, r.Bank != nil, r.Saved != "") != 1 {
		return Invalid("instrument", "exactly one of card, bank account or saved instrument is required")
	}
	switch {
	case r.Card != nil:
		return r.Card.Validate()
	case r.Bank != nil:
		return r.Bank.Validate()
	}
	return nil
}

// Validate checks the request's shape: an idempotency key and exactly one well-formed instrument.
func (r *SaveRequest) Validate() error {
	if err := validateKey(r.IdempotencyKey); err != nil {
		return err
	}
	if count(r.Card != nil, r.Bank != nil) != 1 {
		return Invalid("instrument", "exactly one of card or bank account is required")
	}
	if r.Card != nil {
		return r.Card.Validate()
	}
	return r.Bank.Validate()
}

// Validate checks the request's shape: an idempotency key, a charge reference, a positive amount
// and a three-letter currency.
func (r *RefundRequest) Validate() error {
	if err := validateKey(r.IdempotencyKey); err != nil {
		return err
	}
	if r.Reference == "" {
		return Invalid("reference", "the charge reference is required")
	}
	if r.Amount <= 0 {
		return Invalid("amount", "amount must be a positive number of minor units")
	}
	if !isCurrency(r.Currency) {
		return Invalid("currency", "currency must be a three-letter ISO 4217 code")
	}
	return nil
}

// Validate checks the card's shape: 12 to 19 digits, a month 1–12, a four-digit year, and a
// security code (when present) of 3 or 4 digits.
func (c *Card) Validate() error {
	if n := c.PAN.Len(); n < minPANLen || n > maxPANLen || !allDigits(c.PAN.Reveal()) {
		return Invalid("card_number", "card number must be 12 to 19 digits")
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 {
		return Invalid("expiry", "expiry month must be 1 to 12")
	}
	if c.ExpYear < 1000 || c.ExpYear > 9999 {
		return Invalid("expiry", "expiry year must have four digits")
	}
	if n := c.SecurityCode.Len(); n != 0 && (n < 3 || n > 4 || !allDigits(c.SecurityCode.Reveal())) {
		return Invalid("security_code", "security code must be 3 or 4 digits")
	}
	return nil
}

// Validate checks the bank account's shape: a nine-digit routing number, an account number of 4
// to 17 digits and an account type of checking or savings.
func (b *Bank) Validate() error {
	if len(b.RoutingNumber) != routingNumberLen || !allDigits(b.RoutingNumber) {
		return Invalid("routing_number", "routing number must be 9 digits")
	}
	if n := b.Account.Len(); n < minAccountLen || n > maxAccountLen || !allDigits(b.Account.Reveal()) {
		return Invalid("account_number", "account number must be 4 to 17 digits")
	}
	if b.AccountType != "checking" && b.AccountType != "savings" {
		return Invalid("account_type", "account type must be checking or savings")
	}
	return nil
}

func validateKey(key string) error {
	if key == "" || len(key) > MaxIdempotencyKeyLen {
		return Invalid("idempotency_key", "an idempotency key of 1 to 255 characters is required")
	}
	return nil
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range len(s) {
		c := s[i] | 0x20 // lower-case ASCII letters
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func count(conds ...bool) int {
	n := 0
	for _, c := range conds {
		if c {
			n++
		}
	}
	return n
}
