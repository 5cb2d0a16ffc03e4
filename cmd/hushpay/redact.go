package main

import (
	"context"
	"fmt"
	"io"
)

// cmdRedact is a placeholder until the redaction commands land.
func cmdRedact(_ context.Context, _ []string, _, _ io.Writer) error {
	return fmt.Errorf("not built yet")
}
