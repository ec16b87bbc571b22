// Package web is Passerelle's HTML interface.
package web

import (
	"log/slog"

	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// Deps are what the pages need.
type Deps struct {
	Server  *server.Server
	DB      *store.DB
	Auth    *auth.Service
	Tenancy *tenancy.Service
	Logger  *slog.Logger
	// BaseURL is the public address, for links shown to users.
	BaseURL string
	// Demo tells the sign-in page to show the demo credentials.
	Demo bool
}

// Register adds the pages to d.Server.
func Register(d Deps) error {
	return nil
}
