package main

import (
	"context"
	"fmt"

	"github.com/passerelle-oss/passerelle/internal/demo"
)

// seedDemo fills an empty data directory with the demo organization and prints how to
// sign in.
func seedDemo(ctx context.Context, m *Main) error {
	res, err := demo.Seed(ctx, m.DB, m.Auth)
	if err != nil {
		return err
	}
	state := "Demo data loaded"
	if !res.Seeded {
		state = "Demo mode (existing data kept)"
	}
	fmt.Fprintf(m.Out, "\n%s. Open %s/login and sign in as\n\n    e-mail:   %s\n    password: %s\n\nOther demo users (same password):", state, m.Config.BaseURL, demo.OwnerEmail, demo.Password)
	for _, u := range demo.Team[1:] {
		fmt.Fprintf(m.Out, " %s (%s)", u.Email, u.Role)
	}
	fmt.Fprintln(m.Out)
	fmt.Fprintln(m.Out)
	return nil
}
