package passerelle

// Kiosk is how a published tour or exhibition runs on a screen in a cultural space:
// each stop or work stays PaceSeconds on screen before the next, and after
// IdleSeconds without a touch the kiosk goes back to its first page.
type Kiosk struct {
	PaceSeconds int `json:"pace_seconds"`
	IdleSeconds int `json:"idle_seconds"`
}

// Bounds and defaults of a kiosk's settings.
const (
	MinKioskPace     = 5
	MaxKioskPace     = 600
	MinKioskIdle     = 15
	MaxKioskIdle     = 3600
	DefaultKioskPace = 20
	DefaultKioskIdle = 120
)

// Validate checks a kiosk's settings.
func (k Kiosk) Validate() error {
	f := FieldErrors{}
	if k.PaceSeconds < MinKioskPace || k.PaceSeconds > MaxKioskPace {
		f.Add("pace_seconds", "A page stays from 5 to 600 seconds.")
	}
	if k.IdleSeconds < MinKioskIdle || k.IdleSeconds > MaxKioskIdle {
		f.Add("idle_seconds", "The return to the start comes after 15 to 3600 seconds without a touch.")
	}
	return f.Err()
}
