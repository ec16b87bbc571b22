package visit

import (
	"context"

	"github.com/passerelle-oss/passerelle"
)

// MoveInExhibition moves a room (work < 0) or a work of a room of an exhibition the
// user may write in to position to (from 0), the others keeping their order; a
// published exhibition's pages and kiosk show the new order. It returns the saved
// exhibition.
func (s *Service) MoveInExhibition(ctx context.Context, u *passerelle.User, id int64, room, work, to int) (*passerelle.Exhibition, error) {
	e, err := s.Exhibition(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(e.InstitutionID, passerelle.PermWrite); err != nil {
		return nil, err
	}
	if room < 0 || room >= len(e.Rooms) {
		return nil, fieldError("room", "Choose a room.")
	}
	if work < 0 {
		if to < 0 || to >= len(e.Rooms) {
			return nil, fieldError("to", "The new position is outside the list.")
		}
		e.Rooms = move(e.Rooms, room, to)
	} else {
		works := e.Rooms[room].Works
		if work >= len(works) {
			return nil, fieldError("work", "Choose a work.")
		}
		if to < 0 || to >= len(works) {
			return nil, fieldError("to", "The new position is outside the list.")
		}
		e.Rooms[room].Works = move(works, work, to)
	}
	if err := s.UpdateExhibition(ctx, u, e); err != nil {
		return nil, err
	}
	s.kiosks.forget("e/" + e.PublicToken)
	return e, nil
}

// move returns list with its element at from moved to position to.
func move[T any](list []T, from, to int) []T {
	if from == to {
		return list
	}
	x := list[from]
	out := make([]T, 0, len(list))
	out = append(out, list[:from]...)
	out = append(out, list[from+1:]...)
	out = append(out[:to], append([]T{x}, out[to:]...)...)
	return out
}

// fieldError is a refusal of one field whose message is also the error's, for the
// screens that show it as a notice.
func fieldError(field, msg string) error {
	return &passerelle.Error{Code: passerelle.EINVALID, Message: msg, Fields: passerelle.FieldErrors{field: msg}}
}
