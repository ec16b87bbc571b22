// Package auth signs people in: argon2id password hashes, server-side sessions,
// personal API tokens, login throttling and the first-start setup link. Secrets handed
// to users (cookies, tokens, links) are random; only their SHA-256 is stored.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Params are argon2id's cost parameters.
type Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultParams follow RFC 9106's second recommended option (64 MiB, t=3), lowered
// to t=1 with 2 lanes, which keeps a sign-in under ~60 ms on a 2-core server.
var DefaultParams = Params{Time: 1, Memory: 64 * 1024, Threads: 2}

// HashPassword returns a PHC-formatted argon2id hash.
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches a hash made by HashPassword.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || p.Memory > 1<<20 || p.Time > 10 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Hash returns the stored form of a random secret (cookie, token, link).
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a random secret of n bytes, base32 lower-case, with a prefix.
func NewSecret(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return prefix + strings.ToLower(b32.EncodeToString(b))
}

// TokenPrefix is the visible start of personal API tokens.
const TokenPrefix = "psl_"

// Service signs users in and out.
type Service struct {
	DB     *store.DB
	Params Params
	Now    func() time.Time
	Logger *slog.Logger
	// SessionTTL is how long an idle session lives.
	SessionTTL time.Duration

	gate      *gate
	dummyOnce sync.Once
	dummy     string
}

// New returns a Service with the defaults: argon2id bounded to ArgonSlots at once.
func New(db *store.DB, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{DB: db, Params: DefaultParams, Now: time.Now, Logger: logger, SessionTTL: 14 * 24 * time.Hour}
	s.LimitArgon(ArgonSlots(), 5*time.Second)
	return s
}

// Throttling limits: attempts within the window before sign-in is refused. They
// count an account together with the client's address, so that nobody can lock a
// known user out from elsewhere, and every account from one address, so that one
// client cannot try many accounts.
const (
	throttleWindow           = 15 * time.Minute
	maxAttemptsAccountClient = 5
	maxAttemptsClient        = 30
)

// ErrThrottled tells the user to wait, and that the account itself is not locked.
var ErrThrottled = passerelle.Errorf(passerelle.ERATELIMITED, "Too many failed sign-in attempts for this account from your network. Wait 15 minutes and try again; the account is not locked for anyone else.")

// ErrBusy: too many password checks are under way; the client should retry shortly.
var ErrBusy = passerelle.Errorf(passerelle.EUNAVAILABLE, "The server is busy signing people in. Try again in a moment.")

var errBadLogin = passerelle.Errorf(passerelle.EUNAUTHENTICATED, "Wrong e-mail address or password.")

// dummyHash is verified when the e-mail is unknown, so timing does not reveal which
// addresses have accounts. It is made on first use, with the service's parameters:
// argon2id allocates 64 MiB, which the process should not carry from start-up.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = HashPassword("passerelle-dummy", s.Params) })
	return s.dummy
}

// Login checks the password and opens a session. It returns the cookie value.
//
// The attempt is counted before the password is checked, in one atomic write per
// counter: concurrent attempts cannot all slip under the limit. A success takes its
// attempt back.
func (s *Service) Login(ctx context.Context, email, password, ip, userAgent string) (string, *store.Session, *passerelle.User, error) {
	email = passerelle.NormalizeEmail(email)
	pairKey, ipKey := "account-client:"+email+"|"+ip, "client:"+ip
	counts, err := s.DB.RecordLoginAttempts(ctx, []string{pairKey, ipKey}, throttleWindow)
	if err != nil {
		return "", nil, nil, err
	}
	if counts[0] > maxAttemptsAccountClient || counts[1] > maxAttemptsClient {
		s.Logger.InfoContext(ctx, "sign-in throttled", slog.String("ip", ip))
		return "", nil, nil, ErrThrottled
	}
	u, hash, err := s.DB.UserByEmail(ctx, email)
	if err != nil && passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
		return "", nil, nil, err
	}
	if u == nil {
		hash = s.dummyHash()
	}
	var ok bool
	if err := s.argon(ctx, func() { ok = VerifyPassword(hash, password) }); err != nil {
		// Not the user's fault: the attempt does not count.
		s.forget(ctx, pairKey, ipKey)
		return "", nil, nil, err
	}
	if u == nil || !ok || u.DisabledAt != nil {
		s.Logger.InfoContext(ctx, "sign-in failed", slog.String("ip", ip))
		if u != nil {
			s.DB.Audit(ctx, store.AuditEntry{ActorID: u.ID, Action: store.AuditSignInFailed, Object: "user", ObjectID: store.ID(u.ID)})
		}
		return "", nil, nil, errBadLogin
	}
	if err := s.DB.ClearLoginFailures(ctx, pairKey); err != nil {
		return "", nil, nil, err
	}
	s.forget(ctx, ipKey)
	if err := s.DB.TouchLogin(ctx, u.ID); err != nil {
		return "", nil, nil, err
	}
	cookie, sess, err := s.OpenSession(ctx, u.ID, ip, userAgent)
	if err == nil {
		s.DB.Audit(ctx, store.AuditEntry{ActorID: u.ID, Action: store.AuditSignIn, Object: "user", ObjectID: store.ID(u.ID)})
	}
	return cookie, sess, u, err
}

// forget takes back an attempt under each key; a failure only leaves the count high.
func (s *Service) forget(ctx context.Context, keys ...string) {
	for _, k := range keys {
		if err := s.DB.ForgetLoginAttempt(ctx, k); err != nil {
			s.Logger.WarnContext(ctx, "sign-in counter", slog.Any("error", err))
		}
	}
}

// argon runs fn, an argon2id hash or verification (64 MiB each), when one of the
// service's slots is free: a flood of sign-ins queues here instead of allocating
// without bound. It gives up with ErrBusy when the queue is long or the wait too long.
func (s *Service) argon(ctx context.Context, fn func()) error {
	g := s.gate
	if g == nil {
		fn()
		return nil
	}
	select {
	case g.slots <- struct{}{}:
	default:
		if g.waiting.Add(1) > int64(g.maxWaiting) {
			g.waiting.Add(-1)
			return ErrBusy
		}
		t := time.NewTimer(g.maxWait)
		select {
		case g.slots <- struct{}{}:
			g.waiting.Add(-1)
			t.Stop()
		case <-t.C:
			g.waiting.Add(-1)
			return ErrBusy
		case <-ctx.Done():
			g.waiting.Add(-1)
			t.Stop()
			return ctx.Err()
		}
	}
	defer func() { <-g.slots }()
	fn()
	return nil
}

// gate bounds concurrent argon2id computations.
type gate struct {
	slots      chan struct{}
	waiting    atomic.Int64
	maxWaiting int
	maxWait    time.Duration
}

// ArgonSlots is how many argon2id computations run at once by default: one per
// processor, at most 4 (4 × 64 MiB), so that a sign-in flood keeps the process's
// memory bounded whatever the machine.
func ArgonSlots() int { return max(1, min(runtime.GOMAXPROCS(0), 4)) }

// LimitArgon bounds concurrent argon2id computations to slots (0: no bound), with at
// most 32 requests per slot waiting up to maxWait for their turn.
func (s *Service) LimitArgon(slots int, maxWait time.Duration) {
	if slots <= 0 {
		s.gate = nil
		return
	}
	s.gate = &gate{slots: make(chan struct{}, slots), maxWaiting: 32 * slots, maxWait: maxWait}
}

// hash hashes a password with the service's parameters, through the gate.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	var h string
	var herr error
	if err := s.argon(ctx, func() { h, herr = HashPassword(password, s.Params) }); err != nil {
		return "", err
	}
	return h, herr
}

// OpenSession creates a session for the user and returns the cookie value.
func (s *Service) OpenSession(ctx context.Context, userID int64, ip, userAgent string) (string, *store.Session, error) {
	cookie := NewSecret("", 32)
	now := s.Now().UTC()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	sess := &store.Session{Hash: Hash(cookie), UserID: userID, CSRF: NewSecret("", 16), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.SessionTTL), IP: ip, UserAgent: userAgent}
	return cookie, sess, s.DB.CreateSession(ctx, sess)
}

// Session returns the live session for a cookie value and its user, sliding the
// expiry at most once an hour.
func (s *Service) Session(ctx context.Context, cookie string) (*store.Session, *passerelle.User, error) {
	if cookie == "" {
		return nil, nil, passerelle.Errorf(passerelle.EUNAUTHENTICATED, "Sign in first.")
	}
	sess, u, err := s.DB.SessionUser(ctx, Hash(cookie))
	if err != nil {
		if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			return nil, nil, passerelle.Errorf(passerelle.EUNAUTHENTICATED, "Your session has ended. Sign in again.")
		}
		return nil, nil, err
	}
	now := s.Now().UTC()
	if now.Sub(sess.LastSeenAt) > time.Hour {
		sess.ExpiresAt = now.Add(s.SessionTTL)
		if err := s.DB.TouchSession(ctx, sess.Hash, sess.ExpiresAt); err != nil {
			return nil, nil, err
		}
	}
	return sess, u, nil
}

// Token returns the user of a bearer token.
func (s *Service) Token(ctx context.Context, token string) (*passerelle.APIToken, *passerelle.User, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 200 {
		return nil, nil, passerelle.Errorf(passerelle.EUNAUTHENTICATED, "Invalid API token.")
	}
	t, u, err := s.DB.APITokenUser(ctx, Hash(token))
	if err != nil {
		if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			return nil, nil, passerelle.Errorf(passerelle.EUNAUTHENTICATED, "Invalid, revoked or expired API token.")
		}
		return nil, nil, err
	}
	return t, u, nil
}

// CreateToken creates a personal API token and returns its secret, shown once.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string, expires *time.Time) (string, *passerelle.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	if len([]rune(name)) > 100 {
		return "", nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"name": "Too long."}}
	}
	if expires != nil && !expires.After(s.Now()) {
		return "", nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"expires_at": "Must be in the future."}}
	}
	secret := NewSecret(TokenPrefix, 20)
	t := &passerelle.APIToken{UserID: userID, Name: name, Prefix: secret[:len(TokenPrefix)+6], ExpiresAt: expires}
	if err := s.DB.CreateAPIToken(ctx, t, Hash(secret)); err != nil {
		return "", nil, err
	}
	s.DB.Audit(ctx, store.AuditEntry{ActorID: userID, Action: store.AuditTokenCreate, Object: "token", ObjectID: store.ID(t.ID), Detail: name})
	return secret, t, nil
}

// RevokeToken revokes a token of the user and records it in the audit log.
func (s *Service) RevokeToken(ctx context.Context, userID, id int64) error {
	if err := s.DB.RevokeAPIToken(ctx, userID, id); err != nil {
		return err
	}
	s.DB.Audit(ctx, store.AuditEntry{ActorID: userID, Action: store.AuditTokenRevoke, Object: "token", ObjectID: store.ID(id)})
	return nil
}

// ChangePassword checks the current password, sets the new one and ends the user's
// other sessions.
func (s *Service) ChangePassword(ctx context.Context, u *passerelle.User, current, next, keepSessionHash string) error {
	_, hash, err := s.DB.UserByEmail(ctx, u.Email)
	if err != nil {
		return err
	}
	var ok bool
	if err := s.argon(ctx, func() { ok = VerifyPassword(hash, current) }); err != nil {
		return err
	}
	if !ok {
		return &passerelle.Error{Code: passerelle.EINVALID, Message: "The current password is wrong.", Fields: map[string]string{"current_password": "Wrong password."}}
	}
	return s.SetPassword(ctx, u.ID, next, keepSessionHash)
}

// SetPassword validates and sets a password, ending the user's other sessions.
func (s *Service) SetPassword(ctx context.Context, userID int64, password, keepSessionHash string) error {
	if err := passerelle.ValidatePassword(password); err != nil {
		return err
	}
	h, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	if err := s.DB.SetPasswordHash(ctx, userID, h, keepSessionHash); err != nil {
		return err
	}
	s.DB.Audit(ctx, store.AuditEntry{ActorID: userID, Action: store.AuditPasswordSet, Object: "user", ObjectID: store.ID(userID)})
	return nil
}

// CreateUser validates the password and creates the user. A first owner with no
// organization gets a new one named orgName.
func (s *Service) CreateUser(ctx context.Context, u *passerelle.User, password string) error {
	if err := passerelle.ValidatePassword(password); err != nil {
		return err
	}
	h, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	if err := s.DB.CreateUser(ctx, u, h); err != nil {
		return err
	}
	s.DB.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, Action: store.AuditUserCreate, Object: "user", ObjectID: store.ID(u.ID), Detail: describeUser(u)})
	return nil
}

// CreateSharedPasswordUsers creates users who all sign in with one published
// password, the demo team's, hashing it once: each hash costs argon2id's 64 MiB and
// tens of milliseconds, most of the demo's start. They share the hash's salt, which
// protects nothing here since the password is public; create real users with
// CreateUser.
func (s *Service) CreateSharedPasswordUsers(ctx context.Context, users []*passerelle.User, password string) error {
	if err := passerelle.ValidatePassword(password); err != nil {
		return err
	}
	h, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := s.DB.CreateUser(ctx, u, h); err != nil {
			return err
		}
		s.DB.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, Action: store.AuditUserCreate, Object: "user", ObjectID: store.ID(u.ID), Detail: describeUser(u)})
	}
	return nil
}

// describeUser is an audit detail: email, owner, memberships (no secrets).
func describeUser(u *passerelle.User) string {
	var b strings.Builder
	b.WriteString(u.Email)
	if u.Owner {
		b.WriteString("; owner")
	}
	for _, m := range u.Memberships {
		fmt.Fprintf(&b, "; %s of institution %d", m.Role, m.InstitutionID)
	}
	return b.String()
}

// SetupTTL is how long the first-start setup link works.
const SetupTTL = 24 * time.Hour

// NewSetupLink creates a one-time setup token when no user exists, and returns it
// ("" when users exist).
func (s *Service) NewSetupLink(ctx context.Context) (string, error) {
	n, err := s.DB.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	token := NewSecret("", 20)
	return token, s.DB.CreateSetupToken(ctx, Hash(token), 0, s.Now().Add(SetupTTL))
}

// NewOrganization creates an organization, so that one installation serves several
// agencies, and returns a one-time link token that creates its first owner.
func (s *Service) NewOrganization(ctx context.Context, name string) (*passerelle.Organization, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return nil, "", passerelle.Errorf(passerelle.EINVALID, "Name the organization (at most 200 characters).")
	}
	token := NewSecret("", 20)
	o, err := s.DB.CreateOrganizationWithSetup(ctx, name, Hash(token), s.Now().Add(SetupTTL))
	if err != nil {
		return nil, "", err
	}
	return o, token, nil
}

// NewOrganizationSetupLink returns a new setup link token for an organization that has
// no user yet (the first one expired or was lost).
func (s *Service) NewOrganizationSetupLink(ctx context.Context, orgID int64) (string, error) {
	if _, err := s.DB.Organization(ctx, orgID); err != nil {
		return "", err
	}
	users, err := s.DB.Users(ctx, orgID)
	if err != nil {
		return "", err
	}
	if len(users) > 0 {
		return "", passerelle.Errorf(passerelle.ECONFLICT, "The organization has users already: its owners invite the others.")
	}
	token := NewSecret("", 20)
	return token, s.DB.CreateSetupToken(ctx, Hash(token), orgID, s.Now().Add(SetupTTL))
}

// CompleteSetup creates the first owner from a setup link, and the organization for
// the first start's link (an organization's own link may rename it).
func (s *Service) CompleteSetup(ctx context.Context, token, orgName string, u *passerelle.User, password string) error {
	orgName = strings.TrimSpace(orgName)
	f := passerelle.FieldErrors{}
	if orgName == "" {
		f.Add("organization", "Name your organization.")
	} else if utf8.RuneCountInString(orgName) > 200 {
		f.Add("organization", "At most 200 characters.")
	}
	if err := passerelle.ValidatePassword(password); err != nil {
		for k, v := range passerelle.ErrorFields(err) {
			f.Add(k, v)
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	h, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	if err := s.DB.CompleteSetup(ctx, Hash(token), orgName, u, h); err != nil {
		return err
	}
	s.DB.Audit(ctx, store.AuditEntry{ActorID: u.ID, Action: store.AuditUserCreate, Object: "user", ObjectID: store.ID(u.ID), Detail: describeUser(u) + "; first owner, from the setup link"})
	return nil
}
