package checks

import "time"

// RuleQuietHours warns about a publication scheduled in the institution's quiet
// hours, the Beijing night (Input.Quiet).
const RuleQuietHours = "quiet_hours"

// checkQuiet adds a warning, anchored to the publication's time, for each publication
// scheduled inside the quiet hours.
func (c *Checker) checkQuiet(r *reporter, in Input) {
	if in.Quiet == nil || in.Quiet.Off() || r.off(RuleQuietHours) {
		return
	}
	bj, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		bj = time.FixedZone("CST", 8*3600)
	}
	for i := range in.Publications {
		p := &in.Publications[i]
		if p.ScheduledAt == nil || !in.Quiet.Contains(*p.ScheduledAt) {
			continue
		}
		r.add(RuleQuietHours, SeverityWarning, "quiet_hours.inside", p.ID, pubField(i, "scheduled_at"), 0, 0,
			"beijing", p.ScheduledAt.In(bj).Format("15:04"), "start", in.Quiet.StartClock(), "end", in.Quiet.EndClock())
	}
}
