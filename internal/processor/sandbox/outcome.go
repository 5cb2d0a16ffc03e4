package sandbox

import (
	"time"

	"github.com/hushpay/hushpay/internal/card"
	"github.com/hushpay/hushpay/internal/processor"
)

// outcome is what the sandbox answers for an instrument.
type outcome struct {
	code    string // processor.CodeApproved, a decline code, or processor.CodeProcessingError
	message string
	// failsOnlyOnCharge marks a card that can be saved but whose charges decline (Stripe's
	// 4000000000000341).
	failsOnlyOnCharge bool
}

func (o outcome) approved() bool { return o.code == processor.CodeApproved }
func (o outcome) failed() bool   { return o.code == processor.CodeProcessingError }

func approvedOutcome() outcome { return outcome{code: processor.CodeApproved, message: "Approved."} }

// cardOutcome maps a card number to its test-mode outcome, as Stripe's test cards do. Every
// Luhn-valid number that is not a decline card is approved (4242424242424242, 5555555555554444,
// 378282246310005, …); a number with a bad check digit is declined as incorrect_number.
func cardOutcome(pan string) outcome {
	switch pan {
	case "4000000000000002":
		return outcome{code: processor.CodeCardDeclined, message: "The card was declined."}
	case "4000000000009995":
		return outcome{code: processor.CodeInsufficientFunds, message: "The card has insufficient funds."}
	case "4000000000000069":
		return outcome{code: processor.CodeExpiredCard, message: "The card has expired."}
	case "4000000000000127":
		return outcome{code: processor.CodeIncorrectCVC, message: "The card's security code is incorrect."}
	case "4000000000009987":
		return outcome{code: processor.CodeLostCard, message: "The card was reported lost."}
	case "4000000000009979":
		return outcome{code: processor.CodeStolenCard, message: "The card was reported stolen."}
	case "4100000000000019":
		return outcome{code: processor.CodeCardDeclined, message: "The card was declined (suspected fraud)."}
	case "4000000000000341":
		return outcome{code: processor.CodeCardDeclined, message: "The card was declined.", failsOnlyOnCharge: true}
	case "4000000000000119":
		return outcome{code: processor.CodeProcessingError, message: "An error occurred while processing the card; try again later."}
	}
	if !card.Luhn(pan) {
		return outcome{code: processor.CodeIncorrectNumber, message: "The card number is incorrect."}
	}
	return approvedOutcome()
}

// expiredOutcome declines a card whose expiry month has passed.
func expiredOutcome(month, year int, now time.Time) (outcome, bool) {
	y, m := now.Year(), int(now.Month())
	if year < y || (year == y && month < m) {
		return outcome{code: processor.CodeExpiredCard, message: "The card has expired."}, true
	}
	return outcome{}, false
}

// bankOutcome maps a bank account number to its test-mode outcome, as Stripe's ACH test accounts
// do (with routing number 110000000). A failed debit is a decline, not an error: the bank gave a
// definitive answer (the SPEC's "fails (no_account)" is a payment that does not succeed, whose
// outcome code is no_account), exactly as a gateway reports it as the charge's failure code.
// Every other account is approved.
func bankOutcome(account string) outcome {
	switch account {
	case "000111111116":
		return outcome{code: processor.CodeNoAccount, message: "The bank account does not exist."}
	case "000111111113":
		return outcome{code: processor.CodeAccountClosed, message: "The bank account is closed."}
	case "000222222227":
		return outcome{code: processor.CodeInsufficientFunds, message: "The bank account has insufficient funds."}
	case "000333333335":
		return outcome{code: processor.CodeDebitNotAuthorized, message: "The customer has not authorized the debit."}
	}
	return approvedOutcome()
}
