package main

import (
	"context"
	"fmt"
	"io"
)

// cmdDTMF is a placeholder until the DTMF commands land.
func cmdDTMF(_ context.Context, _ []string, _, _ io.Writer) error {
	return fmt.Errorf("not built yet")
}
