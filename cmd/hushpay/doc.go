// Command hushpay runs the hushpay secure payment gateway and its tools. This package only parses
// flags and wires the internal packages together.
package main
