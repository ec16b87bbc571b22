// Package webhook receives WeChat's pushes at /wechat/callback/{account_id}: it reads
// the raw body, verifies the signature, decrypts, parses, stores the event durably with
// de-duplication, and answers in well under WeChat's 5 s. Stored events are processed
// later by a job (DrainWorker), so nothing slow happens while WeChat waits.
//
// Many pushes arriving together are stored in one transaction (see batcher): on SQLite
// with synchronous=FULL every commit waits for the disk, and group commit is what lets
// one writer keep up with thousands of events a second.
package webhook

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Enqueuer inserts a job in a transaction (the jobs client).
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Replier computes the passive reply to a push (the service desk): "" for none.
type Replier interface {
	PassiveReply(ctx context.Context, accountID int64, m *wechat.Message) string
}

// ReplyBudget bounds the time spent computing a passive reply; past it the push is
// answered "success" (stored, no reply), well inside WeChat's 5 s.
const ReplyBudget = time.Second

// Handler serves the callback URL.
type Handler struct {
	db      *store.DB
	jobs    Enqueuer
	srv     *server.Server
	logger  *slog.Logger
	now     func() time.Time
	batch   *batcher
	replier Replier

	mu       sync.Mutex
	crypters map[int64]cachedCrypter
}

type cachedCrypter struct {
	c       *wechat.Crypter
	expires time.Time
}

// crypterTTL bounds how long a credential change takes to reach pushes in this process.
const crypterTTL = 10 * time.Second

// Options configure Register.
type Options struct {
	DB     *store.DB
	Jobs   Enqueuer
	Server *server.Server
	Logger *slog.Logger
	Now    func() time.Time
	// Replier answers pushes with passive replies; nil answers "success" to all.
	Replier Replier
}

// Register adds the callback routes and returns the handler; Close it on shutdown.
func Register(o Options) *Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{db: o.DB, jobs: o.Jobs, srv: o.Server, logger: o.Logger, now: o.Now, replier: o.Replier, crypters: map[int64]cachedCrypter{}}
	h.batch = newBatcher(h.commit, o.Logger)
	o.Server.HandleFunc("GET /wechat/callback/{account_id}", server.Public, h.verify)
	o.Server.HandleFunc("POST /wechat/callback/{account_id}", server.Public, h.push, server.BodyLimit(wechat.MaxPushBody))
	return h
}

// Close stops the batcher after the pushes in flight are stored.
func (h *Handler) Close() { h.batch.close() }

// crypter returns the account's message crypter, from a short cache.
func (h *Handler) crypter(ctx context.Context, r *http.Request) (*wechat.Crypter, int64, error) {
	id, err := strconv.ParseInt(r.PathValue("account_id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, 0, passerelle.ErrNotFound
	}
	now := h.now()
	h.mu.Lock()
	cc, ok := h.crypters[id]
	h.mu.Unlock()
	if ok && now.Before(cc.expires) {
		return cc.c, id, nil
	}
	_, creds, err := h.db.AccountForPush(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if creds["token"] == "" {
		// No callback configured for this account: as unknown as an unknown account.
		return nil, 0, passerelle.ErrNotFound
	}
	c, err := wechat.NewCrypter(wechat.CrypterConfig{Token: creds["token"], EncodingAESKey: creds["encoding_aes_key"], AppID: creds["appid"]})
	if err != nil {
		h.logger.WarnContext(ctx, "wechat callback: unusable credentials", slog.Int64("account_id", id), slog.String("error", err.Error()))
		return nil, 0, passerelle.Errorf(passerelle.EUNAVAILABLE, "This account's WeChat credentials are incomplete.")
	}
	h.mu.Lock()
	h.crypters[id] = cachedCrypter{c: c, expires: now.Add(crypterTTL)}
	h.mu.Unlock()
	return c, id, nil
}

// fail answers a push error as plain text: WeChat reads no JSON.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.srv.LogError(r, err)
	status := server.Status(err)
	if errors.Is(err, wechat.ErrTooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, server.Message(err))
}

// verify answers WeChat's URL verification by echoing echostr.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	c, _, err := h.crypter(r.Context(), r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	echo, err := c.Echo(wechat.ParsePushParams(q), q.Get("echostr"), h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, echo)
}

// push stores one event.
func (h *Handler) push(w http.ResponseWriter, r *http.Request) {
	c, accountID, err := h.crypter(r.Context(), r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	params := wechat.ParsePushParams(r.URL.Query())
	plain, err := c.OpenPush(body, params, h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	msg, err := wechat.ParseMessage(plain)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	scene, _ := msg.Scene()
	bodySum := sha256.Sum256(body)
	sigSum := sha256.Sum256([]byte(params.Timestamp + "\x00" + params.Nonce + "\x00" + params.Signature + "\x00" + params.MsgSignature))
	p := store.Push{
		AccountID: accountID,
		SigKey:    hex.EncodeToString(sigSum[:]),
		BodyHash:  hex.EncodeToString(bodySum[:]),
		Event: &store.WeChatEvent{
			DedupKey: msg.DedupKey(),
			MsgType:  msg.MsgType,
			Event:    msg.Event,
			Scene:    scene,
			FromUser: msg.FromUserName,
			SentAt:   time.Unix(msg.CreateTime, 0).UTC(),
			Payload:  string(plain),
		},
	}
	// The reply is computed beside the storing, never in its way: a slow rule store
	// delays neither this event nor the others of its batch.
	var replies chan []byte
	if h.replier != nil {
		replies = make(chan []byte, 1)
		rctx, rcancel := context.WithTimeout(r.Context(), ReplyBudget)
		defer rcancel()
		go func() { replies <- h.reply(rctx, c, accountID, msg, params) }()
	}
	ctx, cancel := context.WithTimeout(r.Context(), 4*time.Second)
	defer cancel()
	outcome, err := h.batch.submit(ctx, p)
	if err != nil {
		// Not stored: answer an error so WeChat tries again.
		h.fail(w, r, passerelle.Errorf(passerelle.EUNAVAILABLE, "The event could not be stored; WeChat will retry."))
		h.logger.ErrorContext(r.Context(), "wechat push not stored", slog.Int64("account_id", accountID), slog.Any("error", err))
		return
	}
	if outcome == store.PushReplayed {
		h.fail(w, r, passerelle.Errorf(passerelle.EUNAUTHENTICATED, "This signed request was already used with another body."))
		return
	}
	if replies != nil {
		if reply := <-replies; reply != nil {
			w.Header().Set("Content-Type", "application/xml; charset=utf-8")
			w.Write(reply)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "success")
}

// reply builds the passive reply's body, nil for none: the reply XML in plaintext
// mode, its safe-mode envelope when the push came encrypted.
func (h *Handler) reply(ctx context.Context, c *wechat.Crypter, accountID int64, msg *wechat.Message, params wechat.PushParams) []byte {
	text := h.replier.PassiveReply(ctx, accountID, msg)
	if text == "" || ctx.Err() != nil {
		return nil
	}
	now := h.now().Unix()
	inner := wechat.TextReply(msg, text, now)
	if params.EncryptType != "aes" {
		return inner
	}
	body, err := c.EncryptReply(inner, strconv.FormatInt(now, 10), params.Nonce)
	if err != nil {
		h.logger.ErrorContext(ctx, "wechat passive reply not encrypted", slog.Int64("account_id", accountID), slog.Any("error", err))
		return nil
	}
	return body
}

// commit stores a batch and enqueues the drain job in the same transaction.
func (h *Handler) commit(ctx context.Context, pushes []store.Push) ([]store.PushOutcome, error) {
	return h.db.StorePushes(ctx, pushes, func(tx *store.Tx, stored int) error {
		if stored == 0 || h.jobs == nil {
			return nil
		}
		return h.jobs.InsertTx(ctx, tx.Tx, DrainArgs{}, DrainInsertOpts())
	})
}

// DrainInsertOpts makes drain jobs unique per second: a burst of pushes enqueues one
// job, and a push that arrives while a drain runs still gets a job after it.
func DrainInsertOpts() *river.InsertOpts {
	return &river.InsertOpts{
		Queue: "ingest",
		UniqueOpts: river.UniqueOpts{
			ByPeriod: time.Second,
			ByState:  []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable},
		},
	}
}
