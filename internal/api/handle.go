package api

import (
	"context"
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// The handlers of an object named by the path's {id} repeat the same steps: read the
// id, (check the object is visible, then decode the body,) call the service, answer
// its result as JSON or its error. byID and byIDWith are those steps once.

// byID answers fn's result for the path's {id} and the caller with status.
func byID[T any](srv *server.Server, status int, fn func(ctx context.Context, u *passerelle.User, id int64) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			srv.Error(w, r, err)
			return
		}
		out, err := fn(r.Context(), server.User(r.Context()), id)
		answer(srv, w, r, status, out, err)
	}
}

// byIDWith is byID for a JSON body: visible (nil to skip) is checked first, so that an
// object the caller cannot see answers 404 whatever the body; then the body is decoded
// into In (400 or 422 when it is not one) and given to fn.
func byIDWith[In, T any](srv *server.Server, status int, visible func(ctx context.Context, u *passerelle.User, id int64) error,
	fn func(ctx context.Context, u *passerelle.User, id int64, in In) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			srv.Error(w, r, err)
			return
		}
		ctx, u := r.Context(), server.User(r.Context())
		if visible != nil {
			if err := visible(ctx, u, id); err != nil {
				srv.Error(w, r, err)
				return
			}
		}
		var in In
		if err := decode(r, &in); err != nil {
			srv.Error(w, r, err)
			return
		}
		out, err := fn(ctx, u, id, in)
		answer(srv, w, r, status, out, err)
	}
}

// answer writes out as JSON with status, or err.
func answer[T any](srv *server.Server, w http.ResponseWriter, r *http.Request, status int, out T, err error) {
	if err != nil {
		srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, status, out)
}
