package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
)

// startDemo fills an empty data directory with the demo organization, starts the
// platform simulator in-process and points the platform clients at it.
func startDemo(ctx context.Context, m *Main) error {
	res, err := demo.Seed(ctx, m.DB, m.Auth)
	if err != nil {
		return err
	}
	m.demo = res
	apps, accounts, err := demo.Simulated(ctx, m.DB, res.OrgID, m.Config.BaseURL)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// WeChat publishes within seconds in the demo, so a scheduled article is seen out soon.
	m.Sim = sim.New(sim.Config{Seed: 1, Logger: m.Logger, WeiboApps: apps, WeChatAccounts: accounts, PublishDelay: 3 * time.Second})
	m.simServer = &http.Server{Handler: m.Sim, ReadHeaderTimeout: 10 * time.Second}
	go m.simServer.Serve(ln)
	simURL := "http://" + ln.Addr().String()
	m.demoWeibo = apps
	m.Config.WeiboAPI, m.Config.WeChatAPI = simURL, simURL

	state := "Demo data loaded"
	if !res.Seeded {
		state = "Demo mode (existing data kept)"
	}
	fmt.Fprintf(m.Out, "\n%s. Open %s/login and sign in as\n\n    e-mail:   %s\n    password: %s\n\nOther demo users (same password):", state, m.Config.BaseURL, demo.OwnerEmail, demo.Password)
	for _, u := range demo.Team[1:] {
		fmt.Fprintf(m.Out, " %s (%s)", u.Email, u.Role)
	}
	fmt.Fprintf(m.Out, "\nWeibo and WeChat are simulated at %s (passerelle sim).\n\n", simURL)
	return nil
}
