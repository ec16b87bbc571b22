// Package editorial is the daily work of an agency: writing posts and their
// publications, moving them through the workflow (draft → translation → review →
// approved → scheduled) with the roles' rules, running the pre-publication checks,
// keeping the history, the glossary and the sensitive vocabulary, the media library,
// guest review links and the calendar. HTML and JSON handlers call it; it calls the
// store, internal/checks, internal/media and internal/occasions.
package editorial

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Options configure a Service.
type Options struct {
	DB *store.DB
	// Media keeps the library's files; New uses a DiskStore under DataDir/media when
	// nil.
	Media   media.Store
	DataDir string
	// Limits bound uploads and renditions; their Gate bounds how many are worked on
	// at once.
	Limits media.Limits
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// GuestLinkTTL is how long a new guest link lasts (7 days when zero).
	GuestLinkTTL time.Duration
}

// Service runs the editorial operations. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	media    media.Store
	limits   media.Limits
	logger   *slog.Logger
	now      func() time.Time
	guestTTL time.Duration

	renders atomic.Int64

	mu       sync.Mutex
	checkers map[int64]*cachedChecker // by institution (0: organization only) and org
}

type cachedChecker struct {
	org, institution int64
	stamp            string
	checker          *checks.Checker
}

// MediaStore is the store of media files (backups and exports read it).
func (s *Service) MediaStore() media.Store { return s.media }

// DefaultGuestLinkTTL is how long a guest review link lasts unless chosen otherwise.
const DefaultGuestLinkTTL = 7 * 24 * time.Hour

// New returns a Service.
func New(o Options) *Service {
	s := &Service{db: o.DB, media: o.Media, limits: o.Limits, logger: o.Logger, now: o.Now, guestTTL: o.GuestLinkTTL, checkers: map[int64]*cachedChecker{}}
	if s.media == nil {
		s.media = &media.DiskStore{Root: o.DataDir + "/media"}
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.guestTTL <= 0 {
		s.guestTTL = DefaultGuestLinkTTL
	}
	return s
}

// DB returns the store, for handlers that show related data (accounts, institutions).
func (s *Service) DB() *store.DB { return s.db }

var (
	errNotFound  = passerelle.ErrNotFound
	errForbidden = passerelle.ErrForbidden
)

// institution applies User.Allow to an institution and makes sure it is one of the user's
// organization. The role alone is not enough: an owner's role grants every permission
// on any id, so an institution of another organization must be looked up to answer
// not found rather than an empty list.
func (s *Service) institution(ctx context.Context, u *passerelle.User, id int64, p passerelle.Permission) error {
	if err := u.Allow(id, p); err != nil {
		return err
	}
	_, err := s.db.Institution(ctx, u.OrgID, id)
	return err
}

func actorOf(u *passerelle.User, institutionID int64) passerelle.Actor {
	name := u.Name
	if name == "" {
		name = u.Email
	}
	return passerelle.Actor{UserID: u.ID, Name: name, Role: u.RoleOn(institutionID)}
}

// post loads a post the user may see.
func (s *Service) post(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Post, error) {
	p, err := s.db.Post(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(p.InstitutionID, passerelle.PermView) {
		return nil, errNotFound
	}
	return p, nil
}

// Checker returns the checker of an institution (its glossary merged over the
// organization's, and the organization's vocabulary), rebuilt when either changed.
func (s *Service) Checker(ctx context.Context, orgID, institutionID int64) (*checks.Checker, error) {
	if err := s.seedGlossary(ctx, orgID); err != nil {
		return nil, err
	}
	stamp, err := s.db.CheckStamp(ctx, orgID)
	if err != nil {
		return nil, err
	}
	key := institutionID
	if key == 0 {
		key = -orgID
	}
	s.mu.Lock()
	c := s.checkers[key]
	s.mu.Unlock()
	if c != nil && c.stamp == stamp && c.org == orgID {
		return c.checker, nil
	}
	all, err := s.db.Glossary(ctx, store.GlossaryFilter{OrgID: orgID, InstitutionID: -1})
	if err != nil {
		return nil, err
	}
	var orgTerms, instTerms []checks.Term
	for _, t := range all {
		switch t.InstitutionID {
		case 0:
			orgTerms = append(orgTerms, toCheckTerm(t))
		case institutionID:
			instTerms = append(instTerms, toCheckTerm(t))
		}
	}
	lex, err := s.db.Lexicon(ctx, orgID, 0, 0)
	if err != nil {
		return nil, err
	}
	entries := make([]checks.LexiconEntry, len(lex))
	for i, e := range lex {
		entries[i] = checks.LexiconEntry{ID: e.ID, Term: e.Term, Severity: e.Severity, Note: e.Note}
	}
	checker, err := checks.NewChecker(checks.Config{Glossary: checks.MergeGlossaries(orgTerms, instTerms), Lexicon: entries})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.checkers) >= 256 {
		clear(s.checkers) // simplest bound: rebuilding costs milliseconds
	}
	s.checkers[key] = &cachedChecker{org: orgID, institution: institutionID, stamp: stamp, checker: checker}
	s.mu.Unlock()
	return checker, nil
}

func toCheckTerm(t *store.GlossaryTerm) checks.Term {
	return checks.Term{ID: t.ID, Source: t.Source, Aliases: t.Aliases, ZH: t.ZH, ZHHant: t.ZHHant, Accepted: t.Accepted,
		Variants: t.Variants, Kind: t.Kind, Note: t.Note, BirthDate: t.BirthDate, DeathDate: t.DeathDate}
}

func fromCheckTerm(t checks.Term, institutionID int64) *store.GlossaryTerm {
	return &store.GlossaryTerm{ID: t.ID, InstitutionID: institutionID, Source: t.Source, Aliases: t.Aliases, ZH: t.ZH, ZHHant: t.ZHHant,
		Accepted: t.Accepted, Variants: t.Variants, Kind: t.Kind, Note: t.Note, BirthDate: t.BirthDate, DeathDate: t.DeathDate}
}

// seedGlossary gives a new organization the shared glossary, once.
func (s *Service) seedGlossary(ctx context.Context, orgID int64) error {
	seed := checks.SeedGlossary()
	terms := make([]*store.GlossaryTerm, len(seed))
	for i, t := range seed {
		terms[i] = fromCheckTerm(t, 0)
	}
	_, err := s.db.SeedGlossaryOnce(ctx, orgID, terms)
	return err
}
