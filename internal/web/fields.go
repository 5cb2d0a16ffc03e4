package web

import "github.com/hushpay/hushpay"

// describe returns how a field is presented: label, mobile keyboard and autocomplete hint.
func describe(name hushpay.FieldName) formField {
	switch name {
	case hushpay.FieldCardNumber:
		return formField{Name: name, Label: "Card number", Autocomplete: "cc-number", InputMode: "numeric", Placeholder: "1234 5678 9012 3456"}
	case hushpay.FieldExpiry:
		return formField{Name: name, Label: "Expiry date (MM/YY)", Autocomplete: "cc-exp", InputMode: "numeric", Placeholder: "MM/YY"}
	case hushpay.FieldSecurityCode:
		return formField{Name: name, Label: "Security code", Autocomplete: "cc-csc", InputMode: "numeric", Placeholder: "CVC"}
	case hushpay.FieldPostalCode:
		return formField{Name: name, Label: "Postal code", Autocomplete: "postal-code", InputMode: "text"}
	case hushpay.FieldRoutingNumber:
		return formField{Name: name, Label: "Routing number", Autocomplete: "off", InputMode: "numeric"}
	case hushpay.FieldAccountNumber:
		return formField{Name: name, Label: "Account number", Autocomplete: "off", InputMode: "numeric"}
	case hushpay.FieldAccountType:
		return formField{Name: name, Label: "Account type", Options: []string{"checking", "savings"}}
	}
	return formField{Name: name, Label: string(name)}
}

// explain turns a field error code into words for the caller. It never repeats the value.
func explain(name hushpay.FieldName, code hushpay.FieldErrorCode) string {
	switch code {
	case hushpay.ErrLuhn:
		return "This number is not valid. Please check it and try again."
	case hushpay.ErrLength:
		return "This has the wrong number of digits."
	case hushpay.ErrBrandNotAccepted:
		return "This card type is not accepted. Please use another card."
	case hushpay.ErrExpired:
		return "This card has expired."
	case hushpay.ErrTooManyAttempts:
		return "Too many attempts."
	case hushpay.ErrTimeout:
		return "This took too long. Please enter it again."
	}
	if name == hushpay.FieldExpiry {
		return "Please enter the expiry date as MM/YY."
	}
	return "Please check this field."
}
