package passerelle

import "time"

// CoAuthorDecision is a co-author's answer on a co-created post.
type CoAuthorDecision string

const (
	CoAuthorPending          CoAuthorDecision = "pending"
	CoAuthorApproved         CoAuthorDecision = "approved"
	CoAuthorChangesRequested CoAuthorDecision = "changes_requested"
)

// MaxCoAuthors bounds the partners a post names as co-authors.
const MaxCoAuthors = 20

// CoAuthor is a partner named as a co-author of a post (an artist's favourites, a
// partner museum's joint post): their approval of the post's content, and their own
// publication of it on their account, with its figures.
type CoAuthor struct {
	PostID    int64  `json:"post_id"`
	PartnerID int64  `json:"partner_id"`
	Name      string `json:"name"`
	NameZH    string `json:"name_zh"`
	// Decision is the co-author's last answer, taken on the post's content at
	// DecidedVersion; Approved says whether it approves the content as it is now.
	Decision       CoAuthorDecision `json:"decision"`
	DecidedVersion int              `json:"decided_version,omitempty"`
	DecidedBy      string           `json:"decided_by,omitempty"`
	DecidedAt      *time.Time       `json:"decided_at"`
	Approved       bool             `json:"approved"`
	// The co-author's publication of the joint post: its address (a post of one of
	// the partner's platforms) and its figures, typed or imported.
	URL             string     `json:"url"`
	Platform        Platform   `json:"platform,omitempty"`
	Views           *int64     `json:"views"`
	ViewsLowerBound bool       `json:"views_lower_bound"`
	Reposts         *int64     `json:"reposts"`
	Likes           *int64     `json:"likes"`
	Comments        *int64     `json:"comments"`
	RecordedAt      *time.Time `json:"recorded_at"`
	FiguresAt       *time.Time `json:"figures_at"`
}

// Settle sets Approved for a post's content version.
func (c *CoAuthor) Settle(version int) {
	c.Approved = c.Decision == CoAuthorApproved && c.DecidedVersion == version
}

// Display is the name a Chinese reader knows the partner by, when there is one.
func (c *CoAuthor) Display() string {
	if c.NameZH != "" {
		return c.NameZH
	}
	return c.Name
}

// CoAuthorFigures are what a co-author's publication did. ViewsLowerBound says that
// Views is "at least" (WeChat's "10万+").
type CoAuthorFigures struct {
	Views           *int64
	ViewsLowerBound bool
	Reposts         *int64
	Likes           *int64
	Comments        *int64
}

// Validate refuses negative and absurd figures, and a lower bound without views.
func (f CoAuthorFigures) Validate() error {
	fe := FieldErrors{}
	checkFigure(fe, "views", f.Views)
	checkFigure(fe, "reposts", f.Reposts)
	checkFigure(fe, "likes", f.Likes)
	checkFigure(fe, "comments", f.Comments)
	if f.ViewsLowerBound && f.Views == nil {
		fe.Add("views_lower_bound", "Only a number of views can be a lower bound.")
	}
	return fe.Err()
}

// Empty says no figure is given.
func (f CoAuthorFigures) Empty() bool {
	return f.Views == nil && f.Reposts == nil && f.Likes == nil && f.Comments == nil
}

// Apply records the figures given on c; a figure not given is kept.
func (c *CoAuthor) Apply(f CoAuthorFigures, now time.Time) {
	for _, m := range []struct{ src, dst **int64 }{{&f.Views, &c.Views}, {&f.Reposts, &c.Reposts}, {&f.Likes, &c.Likes}, {&f.Comments, &c.Comments}} {
		if *m.src != nil {
			v := **m.src
			*m.dst = &v
		}
	}
	if f.Views != nil {
		c.ViewsLowerBound = f.ViewsLowerBound
	}
	if !f.Empty() {
		c.FiguresAt = &now
	}
}
