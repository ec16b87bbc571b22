package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by pool and query text. On SQLite, parsing a
// query costs about as much as running a small one, and modernc's driver caches
// nothing; pgx caches statements per connection by itself, so PostgreSQL skips this.
type stmtCache struct {
	mu    sync.Mutex
	pools map[*sql.DB]map[string]*sql.Stmt
	// noted are the queries transactions ran unprepared, to prepare after them.
	noted map[string]bool
	// preparing: a goroutine prepares noted queries (prepareNotedLater); closed: the
	// store is closing, nothing is prepared any more.
	preparing, closed bool
	wg                sync.WaitGroup
}

// maxCachedStmts bounds the cache: queries built with IN lists of varying length are
// many distinct texts, and past the bound they simply run unprepared.
const maxCachedStmts = 512

func (c *stmtCache) get(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.pools[pool][query]
	full := len(c.pools[pool]) >= maxCachedStmts
	c.mu.Unlock()
	if ok || full {
		return st
	}
	// Prepare without the lock: on the write pool it waits for the one connection.
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil // run unprepared: the error comes back from the query itself
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		st.Close()
		return nil
	}
	if c.pools == nil {
		c.pools = map[*sql.DB]map[string]*sql.Stmt{}
	}
	if c.pools[pool] == nil {
		c.pools[pool] = map[string]*sql.Stmt{}
	}
	if prev, ok := c.pools[pool][query]; ok {
		st.Close() // another goroutine prepared it meanwhile
		return prev
	}
	c.pools[pool][query] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.pools {
		for _, st := range m {
			st.Close()
		}
	}
	c.pools = nil
	c.noted = nil
}

// prepared returns a cached statement for query on x's handle, or nil to run the
// query as it is. Inside a write transaction it is the write pool's statement bound to
// the transaction (rows: false only, see txPrepared).
func (x q) prepared(ctx context.Context, query string) *sql.Stmt {
	if x.db.dialect != SQLite {
		return nil
	}
	if pool, ok := x.run.(*sql.DB); ok {
		return x.db.stmts.get(ctx, pool, query)
	}
	return nil
}

// txPrepared is prepared for a statement run inside a write transaction that returns
// no rows or one row, read before the next statement (exec, row): a statement that
// iterates rows could meet itself again before its rows are closed, and one SQLite
// statement cannot run twice at once.
//
// The transaction holds the only write connection, so a statement cannot be prepared
// on the pool while it runs: a query seen for the first time runs unprepared and is
// noted, and inTx has the noted queries prepared once the transaction has ended. Later
// transactions bind the pool's statement to themselves (Tx.StmtContext), which reuses
// what the connection already prepared: the writer parses each query once, not once
// per transaction. This matters most on the push endpoint's write path, where one
// transaction stores hundreds of pushes.
func (x q) txPrepared(ctx context.Context, query string) *sql.Stmt {
	if x.tx == nil || x.db.dialect != SQLite {
		return x.prepared(ctx, query)
	}
	x.tx.mu.Lock()
	defer x.tx.mu.Unlock()
	if st, ok := x.tx.stmts[query]; ok {
		return st
	}
	st := x.db.stmts.cached(x.db.write, query)
	if st == nil {
		return nil
	}
	st = x.tx.StmtContext(ctx, st)
	if x.tx.stmts == nil {
		x.tx.stmts = map[string]*sql.Stmt{}
	}
	x.tx.stmts[query] = st
	return st
}

// cached returns pool's statement for query, nil when there is none yet; it notes
// the query for prepareNoted.
func (c *stmtCache) cached(pool *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.pools[pool][query]; ok {
		return st
	}
	if len(c.pools[pool])+len(c.noted) < maxCachedStmts {
		if c.noted == nil {
			c.noted = map[string]bool{}
		}
		c.noted[query] = true
	}
	return nil
}

// prepareNotedLater prepares on pool, in a goroutine, the queries cached noted: the
// transaction that noted them has answered its callers by then (a push's batch is not
// kept waiting for the write connection a second time).
func (c *stmtCache) prepareNotedLater(pool *sql.DB) {
	c.mu.Lock()
	if len(c.noted) == 0 || c.preparing || c.closed {
		c.mu.Unlock()
		return
	}
	noted := c.noted
	c.noted, c.preparing = nil, true
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		for {
			for query := range noted {
				c.get(context.Background(), pool, query)
			}
			// Queries noted meanwhile are this goroutine's too.
			c.mu.Lock()
			if len(c.noted) == 0 || c.closed {
				c.preparing = false
				c.mu.Unlock()
				return
			}
			noted, c.noted = c.noted, nil
			c.mu.Unlock()
		}
	}()
}
