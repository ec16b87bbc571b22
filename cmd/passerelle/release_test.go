package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestReleaseConfig keeps .goreleaser.yaml from rotting without running GoReleaser in
// CI (too slow there, see docs/release.md): the four targets, static builds, and
// ldflags that name variables this package declares.
// Not parallel: it sets the build variables the other tests read.
func TestReleaseConfig(t *testing.T) {
	b, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Env     []string `yaml:"env"`
			Flags   []string `yaml:"flags"`
			Ldflags []string `yaml:"ldflags"`
			Targets []string `yaml:"targets"`
		} `yaml:"builds"`
		Checksum struct {
			Algorithm string `yaml:"algorithm"`
		} `yaml:"checksum"`
		SBOMs []map[string]any `yaml:"sboms"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 1 || cfg.Checksum.Algorithm != "sha256" || len(cfg.SBOMs) == 0 {
		t.Fatalf("config: %+v", cfg)
	}
	// SBOMs by cyclonedx-gomod, one per binary, for the binary's own target.
	sbom := cfg.SBOMs[0]
	env := fmt.Sprint(sbom["env"])
	if sbom["cmd"] != "cyclonedx-gomod" || sbom["artifacts"] != "binary" || !strings.Contains(env, "GOOS={{ .Os }}") || !strings.Contains(env, "GOARCH={{ .Arch }}") {
		t.Errorf("sboms: %v", sbom)
	}
	// CI runs the snapshot release, so that the configuration cannot rot.
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), "scripts/release-check") {
		t.Error(".ci/run does not run scripts/release-check")
	}
	build := cfg.Builds[0]
	if _, err := os.Stat("../../" + strings.TrimPrefix(build.Main, "./")); err != nil || build.Main != "./cmd/passerelle" {
		t.Errorf("main %q", build.Main)
	}
	want := []string{"linux_amd64", "linux_arm64", "darwin_arm64", "windows_amd64"}
	if !slices.Equal(build.Targets, want) {
		t.Errorf("targets %v, want %v", build.Targets, want)
	}
	if !slices.Contains(build.Env, "CGO_ENABLED=0") || !slices.Contains(build.Flags, "-trimpath") {
		t.Errorf("not a static, reproducible build: env %v flags %v", build.Env, build.Flags)
	}
	ld := strings.Join(build.Ldflags, " ")
	for _, v := range []string{"main.Version=", "main.Commit=", "main.Date="} {
		if !strings.Contains(ld, "-X "+v) {
			t.Errorf("ldflags lack -X %s", v)
		}
	}
	Version, Commit, Date = "9.9.9", "0123456789abcdef", "2026-12-05T00:00:00Z"
	defer func() { Version, Commit, Date = "", "", "" }()
	code, out, _ := run(t, "", nil, "version")
	if code != 0 || !strings.Contains(out, "passerelle 9.9.9\ncommit 0123456789abcdef\nbuilt 2026-12-05T00:00:00Z") {
		t.Errorf("version: %q", out)
	}
}
