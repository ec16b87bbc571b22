package web

import (
	"io/fs"
	"os"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

func osDirFS(dir string) fs.FS { return os.DirFS(dir) }

func statusOf(code string) int { return server.Status(&passerelle.Error{Code: code}) }
