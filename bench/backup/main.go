// Command backup measures an online backup of a large SQLite installation with media:
// how long it takes, what it does to the latency of API requests served meanwhile
// (against the same load without a backup, run alternately in the same process), and
// how long the restore takes.
//
//	go run ./bench/backup [-db-mb 256] [-media-mb 1024] [-reps 3] [-clients 4] [-rps 0] [-rate-mb 0] [-modes apart,inprocess] [-slowest N] [-cpuprofile FILE]
//
// Each mode is a way to write the backup, measured in every rep beside the others:
// apart is how serve writes its scheduled backups (backup.Apart: the passerelle
// binary's backup command in a process of its own at the lowest priority; the binary
// is built first), inprocess is backup.WriteFile inside the server's process (the
// backup command run by hand, the backup before a migration).
//
// Besides the whole backup, it reports the requests' p99 during each of its two phases:
// the database copy, and the archiving that follows (split at the Debug record
// backup.MsgDatabaseCopied).
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/backup"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

func main() {
	dbMB := flag.Int("db-mb", 256, "approximate database size to build, MB")
	mediaMB := flag.Int("media-mb", 1024, "media to build, MB (4 MB files)")
	reps := flag.Int("reps", 3, "backup/baseline pairs")
	clients := flag.Int("clients", 4, "concurrent API clients")
	rate := flag.Int64("rate-mb", 0, "backup pace, MB/s (0: unpaced)")
	rps := flag.Int("rps", 0, "API requests per second, spread over the clients and timed from their scheduled start (0: each client sends its next request as soon as the last returns)")
	dir := flag.String("workdir", "", "work directory (default: a temporary one, removed)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of each in-process backup (not of the baselines) to FILE.<rep>")
	modes := flag.String("modes", "apart,inprocess", "the ways to write the backup, each measured in every rep: apart, inprocess")
	flag.IntVar(&slowest, "slowest", 0, "print the N slowest requests of each backup, with when they were due (seconds after its start)")
	flag.Parse()
	ms := strings.Split(*modes, ",")
	for _, m := range ms {
		if m != "apart" && m != "inprocess" {
			log.Fatalf("unknown mode %q", m)
		}
	}
	if err := run(*dbMB, *mediaMB, *reps, *clients, *rps, *dir, *rate, ms, *cpuprofile); err != nil {
		log.Fatal(err)
	}
}

func run(dbMB, mediaMB, reps, clients, rps int, dir string, rateMB int64, modes []string, cpuprofile string) error {
	ctx := context.Background()
	if dir == "" {
		d, err := os.MkdirTemp("", "backup-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	data := filepath.Join(dir, "data")
	keys, _ := secret.NewKeyring(map[int][]byte{1: secret.NewKey()})
	db, err := store.Open(ctx, store.Options{DataDir: data, Keys: keys})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	org, err := db.CreateOrganization(ctx, "Bench")
	if err != nil {
		return err
	}
	owner := &passerelle.User{OrgID: org.ID, Email: "bench@example.org", Owner: true}
	if err := db.CreateUser(ctx, owner, "unused"); err != nil {
		return err
	}
	a := auth.New(db, nil)
	token, _, err := a.CreateToken(ctx, owner.ID, "bench", nil)
	if err != nil {
		return err
	}
	var inst *passerelle.Institution
	for i := range 50 {
		inst = &passerelle.Institution{OrgID: org.ID, Name: fmt.Sprintf("Musée %d", i), TimeZone: "Europe/Paris", Kind: "museum"}
		if err := db.CreateInstitution(ctx, inst); err != nil {
			return err
		}
	}

	start := time.Now()
	if err := fillDatabase(ctx, db, dbMB); err != nil {
		return err
	}
	if err := fillMedia(ctx, db, org.ID, inst.ID, data, mediaMB); err != nil {
		return err
	}
	st, _ := os.Stat(filepath.Join(data, "passerelle.db"))
	fmt.Printf("built: database %d MB, media %d MB in %s (%s)\n", st.Size()>>20, mediaMB, time.Since(start).Round(time.Second), runtime.Version())

	srv := server.New(server.Options{DB: db, Auth: a})
	api.Register(srv, &tenancy.Service{DB: db}, a)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	var program string
	if slices.Contains(modes, "apart") {
		program = filepath.Join(dir, "passerelle")
		build := exec.Command("go", "build", "-o", program, "./cmd/passerelle")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build the passerelle binary (run from the repository's root): %w", err)
		}
	}

	// Warm the server (its connections, statements and caches) before the first
	// measurement: the first requests it ever serves are slower, and would count against
	// the first backup.
	stop := make(chan struct{})
	warm := load(ts.URL, token, clients, rps, stop)
	time.Sleep(3 * time.Second)
	close(stop)
	warm()

	phases := &phaseLog{}
	logger := slog.New(phases)
	var lastArchive string
	type result struct {
		took                 time.Duration
		p50, p99, bp50, bp99 time.Duration
		n, bn                int
		dbRatio, arRatio     float64
	}
	results := map[string][]result{}
	for rep := range reps {
		for _, mode := range modes {
			archive := filepath.Join(dir, fmt.Sprintf("b%d-%s.tar", rep, mode))
			// During a backup.
			stop := make(chan struct{})
			lat := load(ts.URL, token, clients, rps, stop)
			var prof *os.File
			if cpuprofile != "" && mode == "inprocess" {
				if prof, err = os.Create(fmt.Sprintf("%s.%d", cpuprofile, rep)); err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(prof); err != nil {
					return err
				}
			}
			t0 := time.Now()
			phases.reset()
			if mode == "apart" {
				a := &backup.Apart{Program: program, Stderr: phases,
					Env: append(os.Environ(), "PASSERELLE_DATA_DIR="+data, "PASSERELLE_LOG_LEVEL=debug", "PASSERELLE_LOG_FORMAT=json")}
				_, err = a.WriteFile(ctx, archive, rateMB<<20)
			} else {
				_, err = backup.WriteFile(ctx, archive, backup.Options{DB: db, DataDir: data, BytesPerSecond: rateMB << 20, Logger: logger})
			}
			t1 := time.Now()
			took := t1.Sub(t0)
			if prof != nil {
				pprof.StopCPUProfile()
				if err := prof.Close(); err != nil {
					return err
				}
			}
			if err != nil {
				return err
			}
			close(stop)
			duringS := lat()
			during := latencies(duringS)
			// The same load, as long, without a backup.
			stop = make(chan struct{})
			lat = load(ts.URL, token, clients, rps, stop)
			time.Sleep(took)
			close(stop)
			base := latencies(lat())
			r := result{took: took, p50: pct(during, 50), p99: pct(during, 99), n: len(during), bp50: pct(base, 50), bp99: pct(base, 99), bn: len(base)}
			fmt.Printf("rep %d %s: backup %s; during: %d req p50 %s p99 %s; baseline: %d req p50 %s p99 %s; p99 ratio baseline/during %.2f\n",
				rep, mode, took.Round(time.Millisecond), r.n, r.p50, r.p99, r.bn, r.bp50, r.bp99, float64(r.bp99)/float64(r.p99))
			if copied, ok := phases.copied(); ok {
				dbPhase := latencies(between(duringS, t0, copied))
				arPhase := latencies(between(duringS, copied, t1))
				r.dbRatio, r.arRatio = ratio(r.bp99, pct(dbPhase, 99)), ratio(r.bp99, pct(arPhase, 99))
				fmt.Printf("  phases: database copy %s: %d req p99 %s ratio %.2f; archive %s: %d req p99 %s ratio %.2f\n",
					copied.Sub(t0).Round(time.Millisecond), len(dbPhase), pct(dbPhase, 99), r.dbRatio,
					t1.Sub(copied).Round(time.Millisecond), len(arPhase), pct(arPhase, 99), r.arRatio)
			}
			if slowest > 0 {
				printSlowest(duringS, t0, slowest)
			}
			results[mode] = append(results[mode], r)
			if lastArchive != "" {
				os.Remove(lastArchive)
			}
			lastArchive = archive
		}
	}
	for _, mode := range modes {
		rs := results[mode]
		var ratios, dbRatios, arRatios []float64
		var tooks []time.Duration
		for _, r := range rs {
			ratios = append(ratios, float64(r.bp99)/float64(r.p99))
			tooks = append(tooks, r.took)
			if r.dbRatio > 0 || r.arRatio > 0 {
				dbRatios, arRatios = append(dbRatios, r.dbRatio), append(arRatios, r.arRatio)
			}
		}
		slices.Sort(ratios)
		slices.Sort(tooks)
		fmt.Printf("%s: backup time min/median/max: %s / %s / %s\n", mode, tooks[0].Round(time.Millisecond), tooks[len(tooks)/2].Round(time.Millisecond), tooks[len(tooks)-1].Round(time.Millisecond))
		fmt.Printf("%s: p99 ratio (baseline/during) min/median/max: %.2f / %.2f / %.2f\n", mode, ratios[0], ratios[len(ratios)/2], ratios[len(ratios)-1])
		for _, ph := range []struct {
			name   string
			ratios []float64
		}{{"database copy", dbRatios}, {"archive", arRatios}} {
			if len(ph.ratios) > 0 {
				slices.Sort(ph.ratios)
				fmt.Printf("  %s phase: p99 ratio min/median/max: %.2f / %.2f / %.2f\n", ph.name, ph.ratios[0], ph.ratios[len(ph.ratios)/2], ph.ratios[len(ph.ratios)-1])
			}
		}
	}

	ast, _ := os.Stat(lastArchive)
	t0 := time.Now()
	if _, err := backup.Restore(ctx, lastArchive, backup.RestoreOptions{DataDir: filepath.Join(dir, "restored")}); err != nil {
		return err
	}
	fmt.Printf("restore of a %d MB archive: %s\n", ast.Size()>>20, time.Since(t0).Round(time.Millisecond))
	return nil
}

// fillDatabase adds raw WeChat pushes (1 KB payloads) until the database is about mb.
func fillDatabase(ctx context.Context, db *store.DB, mb int) error {
	payload := bytes.Repeat([]byte("x"), 1024)
	rows := mb * 900
	const batch = 5000
	for done := 0; done < rows; done += batch {
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if done == 0 {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
				tx.Rollback()
				return err
			}
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO bench_filler (body) VALUES (?)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		for range min(batch, rows-done) {
			if _, err := st.ExecContext(ctx, payload); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

func fillMedia(ctx context.Context, db *store.DB, orgID, instID int64, data string, mb int) error {
	ms := &media.DiskStore{Root: filepath.Join(data, "media")}
	buf := make([]byte, 4<<20)
	for i := 0; i < mb/4; i++ {
		rand.Read(buf)
		key, err := ms.Put(ctx, bytes.NewReader(buf))
		if err != nil {
			return err
		}
		m := &store.MediaAsset{InstitutionID: instID, StorageKey: key, MIME: "video/mp4", Bytes: int64(len(buf)), Filename: fmt.Sprintf("clip%d.mp4", i)}
		if _, err := db.AddMediaAsset(ctx, orgID, m); err != nil {
			return err
		}
	}
	return nil
}

// load runs clients that GET /api/v1/institutions until stop; the returned function
// waits for them and returns the latencies. With rps > 0 the clients send rps requests
// a second between them, each timed from its scheduled instant, so that a request
// delayed by the one before counts its wait (an open load, as visitors' and editors'
// requests arrive); with rps = 0 each sends its next request when the last returns (a
// closed load that keeps both cores busy).
func load(base, token string, clients, rps int, stop chan struct{}) func() []sample {
	var mu sync.Mutex
	var all []sample
	var wg sync.WaitGroup
	var failures atomic.Int64
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []sample
			var every time.Duration
			if rps > 0 {
				every = time.Duration(clients) * time.Second / time.Duration(rps)
			}
			for k := 0; ; k++ {
				t0 := time.Now()
				if every > 0 {
					// The k-th request of client c is due at start + (k + c/clients) × every.
					t0 = start.Add(time.Duration(k)*every + time.Duration(c)*every/time.Duration(clients))
					if d := time.Until(t0); d > 0 {
						select {
						case <-stop:
						case <-time.After(d):
						}
					}
				}
				select {
				case <-stop:
					mu.Lock()
					all = append(all, mine...)
					mu.Unlock()
					return
				default:
				}
				req, _ := http.NewRequest("GET", base+"/api/v1/institutions", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failures.Add(1)
					continue
				}
				mine = append(mine, sample{at: t0, d: time.Since(t0)})
			}
		}()
	}
	return func() []sample {
		wg.Wait()
		if n := failures.Load(); n > 0 {
			fmt.Printf("  %d failed requests\n", n)
		}
		return all
	}
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}

// sample is one request: when it was due (or sent) and how long it took.
type sample struct {
	at time.Time
	d  time.Duration
}

func latencies(s []sample) []time.Duration {
	d := make([]time.Duration, len(s))
	for i, x := range s {
		d[i] = x.d
	}
	return d
}

// between keeps the requests due in [from, to).
func between(s []sample, from, to time.Time) []sample {
	var out []sample
	for _, x := range s {
		if !x.at.Before(from) && x.at.Before(to) {
			out = append(out, x)
		}
	}
	return out
}

func ratio(base, during time.Duration) float64 {
	if during == 0 {
		return 0
	}
	return float64(base) / float64(during)
}

// phaseLog is a slog handler that notes when the backup logged backup.MsgDatabaseCopied.
type phaseLog struct {
	mu sync.Mutex
	at time.Time
}

func (p *phaseLog) reset() {
	p.mu.Lock()
	p.at = time.Time{}
	p.mu.Unlock()
}

func (p *phaseLog) copied() (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.at, !p.at.IsZero()
}

func (p *phaseLog) Enabled(context.Context, slog.Level) bool { return true }

func (p *phaseLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == backup.MsgDatabaseCopied {
		p.mu.Lock()
		p.at = r.Time
		p.mu.Unlock()
	}
	return nil
}

// Write reads the JSON log lines of a backup process (backup.Apart's Stderr), noting
// when it logged backup.MsgDatabaseCopied.
func (p *phaseLog) Write(b []byte) (int, error) {
	if bytes.Contains(b, []byte(`"msg":"`+backup.MsgDatabaseCopied+`"`)) {
		p.mu.Lock()
		p.at = time.Now()
		p.mu.Unlock()
	}
	return len(b), nil
}

func (p *phaseLog) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p *phaseLog) WithGroup(string) slog.Handler      { return p }

// slowest is the -slowest flag.
var slowest int

// printSlowest prints the n slowest requests of s, in the order they were due.
func printSlowest(s []sample, t0 time.Time, n int) {
	s = slices.Clone(s)
	slices.SortFunc(s, func(a, b sample) int { return int(b.d - a.d) })
	s = s[:min(n, len(s))]
	slices.SortFunc(s, func(a, b sample) int { return a.at.Compare(b.at) })
	var b strings.Builder
	for _, x := range s {
		fmt.Fprintf(&b, " %.3fs:%s", x.at.Sub(t0).Seconds(), x.d.Round(100*time.Microsecond))
	}
	fmt.Printf("  slowest:%s\n", b.String())
}
