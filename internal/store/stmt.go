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
	defer c.mu.Unlock()
	for _, m := range c.pools {
		for _, st := range m {
			st.Close()
		}
	}
	c.pools = nil
}

// prepared returns a cached statement for query on x's handle, or nil to run the
// query as it is.
func (x q) prepared(ctx context.Context, query string) *sql.Stmt {
	if x.db.dialect != SQLite {
		return nil
	}
	// Inside a transaction the only write connection is taken, so nothing can be
	// prepared on the pool: transactions run their queries as they are.
	if pool, ok := x.run.(*sql.DB); ok {
		return x.db.stmts.get(ctx, pool, query)
	}
	return nil
}
