package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
)

// faultFlags collects repeated --fault flags.
type faultFlags []sim.Fault

func (f *faultFlags) String() string { return fmt.Sprint(len(*f), " faults") }

func (f *faultFlags) Set(s string) error {
	fault, err := sim.ParseFault(s)
	if err != nil {
		return err
	}
	*f = append(*f, fault)
	return nil
}

func runSim(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "sim", "sim [--addr HOST:PORT] [flags]")
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	seed := fs.Int64("seed", 1, "seed of metrics, ids and fault draws")
	speed := fs.Float64("speed", 1, "simulated seconds per real second (3600: an hour a second)")
	demo := fs.String("demo-callback", "", "also create the demo WeChat account (verified, safe mode) pushing to this callback URL, and the demo Weibo app")
	var faults faultFlags
	fs.Var(&faults, "fault", `inject a fault, repeatable: "path=/2/statuses/share.json,lost=1,count=1" or "path=*,latency=20ms/200ms,error=0.01" (keys: path, latency, error, 5xx, timeout, lost, ratelimit, count)`)
	build := config.Flags(fs, env.Getenv, "log-level", "log-format")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := build()
	if err != nil {
		return err
	}
	logger := newLogger(cfg, env.Stderr)
	sc := sim.Config{Seed: *seed, Speed: *speed, Logger: logger, Faults: faults}
	if *demo != "" {
		sc.WeChatAccounts = []sim.WeChatAccount{sim.DemoWeChatAccount(*demo)}
		sc.WeiboApps = []sim.WeiboApp{sim.DemoWeiboApp(hostOf(*demo))}
	}
	s := sim.New(sc)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(env.Stdout, "Weibo and WeChat simulator on http://%s (admin endpoints under /_sim/)\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	// The simulator first: it releases requests it holds for injected timeouts.
	s.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("simulator stopped", slog.String("addr", ln.Addr().String()))
	return nil
}

func hostOf(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	host, _, _ := strings.Cut(u, "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}
