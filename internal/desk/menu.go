package desk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/passerelle-oss/passerelle"
)

// WeChat's custom-menu limits (PLATFORMS.md).
const (
	maxButtons       = 3
	maxSubButtons    = 5
	maxButtonBytes   = 16 // 4 Chinese characters
	maxSubButtonByte = 60 // 8 Chinese characters (WeChat counts 60 bytes)
	maxKeyBytes      = 128
	maxURLBytes      = 1024
	maxMenuBody      = 64 << 10
)

// MenuButton is one button of WeChat's menu JSON, first level or sub-button.
type MenuButton struct {
	Type      string       `json:"type,omitempty"`
	Name      string       `json:"name"`
	Key       string       `json:"key,omitempty"`
	URL       string       `json:"url,omitempty"`
	AppID     string       `json:"appid,omitempty"`
	PagePath  string       `json:"pagepath,omitempty"`
	SubButton []MenuButton `json:"sub_button,omitempty"`
}

// Menu is WeChat's menu JSON: {"button": [...]}.
type Menu struct {
	Button []MenuButton `json:"button"`
}

// ParseMenu reads and validates WeChat's menu JSON against the platform's limits. An
// invalid menu is EINVALID naming the field ("button[1].sub_button[0].url").
func ParseMenu(raw []byte) (*Menu, error) {
	if len(raw) > maxMenuBody {
		return nil, fieldErr("button", "The menu is too large.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var m Menu
	if err := dec.Decode(&m); err != nil {
		return nil, fieldErr("button", "Send WeChat's menu JSON: {\"button\": [...]} with type, name, key, url, appid, pagepath and sub_button.")
	}
	if dec.More() {
		return nil, fieldErr("button", "Send one JSON object.")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks the menu against WeChat's limits.
func (m *Menu) Validate() error {
	if len(m.Button) == 0 || len(m.Button) > maxButtons {
		return fieldErr("button", fmt.Sprintf("A menu has 1 to %d buttons.", maxButtons))
	}
	for i, b := range m.Button {
		path := fmt.Sprintf("button[%d]", i)
		if err := checkName(path, b.Name, maxButtonBytes); err != nil {
			return err
		}
		if len(b.SubButton) > 0 {
			if len(b.SubButton) > maxSubButtons {
				return fieldErr(path+".sub_button", fmt.Sprintf("A button has at most %d sub-buttons.", maxSubButtons))
			}
			if b.Type != "" || b.Key != "" || b.URL != "" {
				return fieldErr(path+".type", "A button with sub-buttons has no type, key or url.")
			}
			for j, s := range b.SubButton {
				sp := fmt.Sprintf("%s.sub_button[%d]", path, j)
				if len(s.SubButton) > 0 {
					return fieldErr(sp+".sub_button", "Sub-buttons cannot have sub-buttons.")
				}
				if err := checkName(sp, s.Name, maxSubButtonByte); err != nil {
					return err
				}
				if err := checkAction(sp, s); err != nil {
					return err
				}
			}
			continue
		}
		if err := checkAction(path, b); err != nil {
			return err
		}
	}
	return nil
}

func checkName(path, name string, max int) error {
	switch {
	case name == "":
		return fieldErr(path+".name", "Give the button a name.")
	case len(name) > max:
		return fieldErr(path+".name", fmt.Sprintf("At most %d bytes of UTF-8 (a Chinese character takes 3).", max))
	case !validText(name):
		return fieldErr(path+".name", "Plain text only.")
	}
	return nil
}

func checkAction(path string, b MenuButton) error {
	switch b.Type {
	case "click":
		if b.Key == "" || len(b.Key) > maxKeyBytes {
			return fieldErr(path+".key", fmt.Sprintf("A click button needs a key of 1 to %d bytes.", maxKeyBytes))
		}
	case "view":
		if err := checkURL(path+".url", b.URL); err != nil {
			return err
		}
	case "miniprogram":
		if b.AppID == "" || b.PagePath == "" {
			return fieldErr(path+".appid", "A mini program button needs appid and pagepath.")
		}
		if err := checkURL(path+".url", b.URL); err != nil {
			return err
		}
	case "":
		return fieldErr(path+".type", "Give the button a type (click, view or miniprogram) or sub-buttons.")
	default:
		return fieldErr(path+".type", "Use click, view or miniprogram.")
	}
	return nil
}

func checkURL(field, s string) error {
	if s == "" || len(s) > maxURLBytes {
		return fieldErr(field, fmt.Sprintf("Give an http(s) address of at most %d bytes.", maxURLBytes))
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fieldErr(field, "Give an http(s) address.")
	}
	return nil
}

func fieldErr(field, msg string) error {
	return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{field: msg}}
}
