package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	a.org("Agence", "owner@example.org", "owner-password")

	tests := []struct {
		name       string
		email, pw  string
		next       string
		wantStatus int
		wantLoc    string
		wantBody   string
	}{
		{name: "success goes to next", email: "owner@example.org", pw: "owner-password", next: "/institutions", wantStatus: http.StatusSeeOther, wantLoc: "/institutions"},
		{name: "e-mail case and spaces ignored", email: "  Owner@Example.org ", pw: "owner-password", wantStatus: http.StatusSeeOther, wantLoc: "/"},
		{name: "next elsewhere is refused", email: "owner@example.org", pw: "owner-password", next: "//evil.example/x", wantStatus: http.StatusSeeOther, wantLoc: "/"},
		{name: "wrong password", email: "owner@example.org", pw: "nope-nope-nope", wantStatus: http.StatusUnauthorized, wantBody: "Wrong e-mail address or password."},
		{name: "unknown user", email: "who@example.org", pw: "whatever-long", wantStatus: http.StatusUnauthorized, wantBody: "Wrong e-mail address or password."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a.client()
			c.header.Set("Accept-Language", "en")
			r := c.post("/login", url.Values{"email": {tt.email}, "password": {tt.pw}, "next": {tt.next}})
			if r.Status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.wantStatus, excerpt(r.Body))
			}
			if r.Location != tt.wantLoc {
				t.Errorf("location %q, want %q", r.Location, tt.wantLoc)
			}
			if tt.wantBody != "" {
				wantContains(t, r.Body, tt.wantBody, `role="alert"`)
				if strings.Contains(r.Body, tt.pw) {
					t.Error("the password is echoed back")
				}
			}
			if tt.wantStatus == http.StatusSeeOther {
				if home := c.get("/"); home.Status != http.StatusOK || !strings.Contains(home.Body, `action="/logout"`) {
					t.Errorf("not signed in after success: %d", home.Status)
				}
			}
		})
	}
}

func TestSignInThrottled(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	a.org("Agence", "owner@example.org", "owner-password")
	c := a.client()
	c.header.Set("Accept-Language", "fr")
	for range 5 {
		if r := c.post("/login", url.Values{"email": {"owner@example.org"}, "password": {"wrong-password"}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure: %d", r.Status)
		}
	}
	r := c.post("/login", url.Values{"email": {"owner@example.org"}, "password": {"owner-password"}})
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("6th attempt with the right password: %d, want 429", r.Status)
	}
	wantContains(t, r.Body, "Trop de tentatives de connexion échouées", "compte n’est pas bloqué")
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestSignedInPagesNeedASession(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	c := a.client()
	r := c.get("/institutions?archived=1")
	if r.Status != http.StatusSeeOther || r.Location != "/login?next=%2Finstitutions%3Farchived%3D1" {
		t.Fatalf("got %d %q", r.Status, r.Location)
	}
}

func TestSignOutAndSignOutEverywhere(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	a.org("Agence", "owner@example.org", "owner-password")
	laptop, phone := a.client(), a.client()
	laptop.login("owner@example.org", "owner-password")
	phone.login("owner@example.org", "owner-password")

	if r := laptop.post("/logout", nil); r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("logout: %d %q", r.Status, r.Location)
	}
	if r := laptop.get("/"); r.Status != http.StatusSeeOther {
		t.Fatalf("still signed in after sign-out: %d", r.Status)
	}
	if r := phone.get("/"); r.Status != http.StatusOK {
		t.Fatalf("the other session ended too: %d", r.Status)
	}

	laptop.login("owner@example.org", "owner-password")
	if r := phone.post("/settings/sign-out-everywhere", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", r.Status)
	}
	for name, c := range map[string]*client{"laptop": laptop, "phone": phone} {
		if r := c.get("/"); r.Status != http.StatusSeeOther {
			t.Errorf("%s still signed in: %d", name, r.Status)
		}
	}
}

func TestDisabledUserLosesSessionAtOnce(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@example.org", "owner-password")
	inst := a.institution(owner, "Musée")
	ed := a.user(owner.OrgID, "ed@example.org", "editor-password", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleEditor})
	oc, ec := a.client(), a.client()
	oc.login("owner@example.org", "owner-password")
	ec.login("ed@example.org", "editor-password")
	if r := ec.get("/"); r.Status != http.StatusOK {
		t.Fatal(r.Status)
	}
	r := oc.post("/users/"+itoa(ed.ID)+"/disable", nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", r.Status, excerpt(r.Body))
	}
	if r := ec.get("/"); r.Status != http.StatusSeeOther {
		t.Fatalf("disabled user still served: %d", r.Status)
	}
	if r := ec.post("/login", url.Values{"email": {"ed@example.org"}, "password": {"editor-password"}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("disabled user signs in: %d", r.Status)
	}
	// An owner cannot disable themself.
	r = oc.post("/users/"+itoa(owner.ID)+"/disable", nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("self-disable: %d", r.Status)
	}
	if page := oc.follow(r); !strings.Contains(page.Body, "flash-error") {
		t.Errorf("no error shown for self-disable:\n%s", excerpt(page.Body))
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	a.org("Agence", "owner@example.org", "owner-password")
	here, there := a.client(), a.client()
	here.login("owner@example.org", "owner-password")
	there.login("owner@example.org", "owner-password")

	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantBody   string
	}{
		{"confirmation differs", url.Values{"current_password": {"owner-password"}, "password": {"new-password-1"}, "password_confirm": {"new-password-2"}}, http.StatusUnprocessableEntity, "The two passwords differ."},
		{"current wrong", url.Values{"current_password": {"nope-nope-nope"}, "password": {"new-password-1"}, "password_confirm": {"new-password-1"}}, http.StatusUnprocessableEntity, "Wrong password."},
		{"too short", url.Values{"current_password": {"owner-password"}, "password": {"short"}, "password_confirm": {"short"}}, http.StatusUnprocessableEntity, "Use at least 8 characters."},
	}
	here.header.Set("Accept-Language", "en")
	for _, tt := range tests {
		r := here.post("/settings/password", tt.form)
		if r.Status != tt.wantStatus {
			t.Fatalf("%s: %d", tt.name, r.Status)
		}
		wantContains(t, r.Body, tt.wantBody)
	}
	r := here.post("/settings/password", url.Values{"current_password": {"owner-password"}, "password": {"new-password-1"}, "password_confirm": {"new-password-1"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.Status, excerpt(r.Body))
	}
	if r := here.get("/settings"); r.Status != http.StatusOK {
		t.Errorf("this session ended: %d", r.Status)
	}
	if r := there.get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("other session survived: %d", r.Status)
	}
	c := a.client()
	c.login("owner@example.org", "new-password-1")
}

func TestSetupLinkIsOneTime(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	ctx := context.Background()
	token, err := a.Auth.NewSetupLink(ctx)
	if err != nil || token == "" {
		t.Fatalf("setup link: %q %v", token, err)
	}
	c := a.client()
	c.header.Set("Accept-Language", "en")
	if r := c.get("/login"); !strings.Contains(r.Body, "No user exists yet") {
		t.Error("sign-in page does not mention the setup link")
	}
	if r := c.get("/setup?token=wrong"); r.Status != http.StatusForbidden {
		t.Fatalf("wrong token: %d", r.Status)
	}
	if r := c.get("/setup?token=" + token); r.Status != http.StatusOK {
		t.Fatalf("setup page: %d", r.Status)
	}
	form := url.Values{"token": {token}, "organization": {"Agence Passerelle"}, "email": {"first@example.org"}, "name": {"Marie"}, "password": {"first-password"}, "password_confirm": {"first-password"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("organization", "")
	bad.Set("email", "not-an-address")
	r := c.post("/setup", bad)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid setup: %d", r.Status)
	}
	wantContains(t, r.Body, "Name your organization.", `value="not-an-address"`, `aria-describedby="f-organization-hint f-organization-error"`)
	if strings.Contains(r.Body, "first-password") {
		t.Error("password echoed back")
	}

	r = c.post("/setup", form)
	if r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("setup: %d %s", r.Status, excerpt(r.Body))
	}
	home := c.follow(r)
	wantContains(t, home.Body, "Welcome! Your organization is ready.", "Marie")

	other := a.client()
	if r := other.get("/setup?token=" + token); r.Status != http.StatusForbidden {
		t.Errorf("used link still opens: %d", r.Status)
	}
	form.Set("email", "second@example.org")
	if r := other.post("/setup", form); r.Status != http.StatusForbidden {
		t.Errorf("used link works twice: %d", r.Status)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@example.org", "owner-password")
	c := a.client()
	c.login("owner@example.org", "owner-password")
	c.header.Set("Sec-Fetch-Site", "cross-site")
	r := c.post("/institutions", url.Values{"name": {"Forged"}})
	if r.Status != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", r.Status)
	}
	r = c.post("/login", url.Values{"email": {"owner@example.org"}, "password": {"owner-password"}})
	if r.Status != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d, want 403", r.Status)
	}
	insts, err := a.Ten.Institutions(context.Background(), owner, true, tenancyPage())
	if err != nil || len(insts) != 0 {
		t.Fatalf("forged request changed data: %v %v", insts, err)
	}
	c.header.Set("Sec-Fetch-Site", "same-origin")
	if r := c.post("/institutions", url.Values{"name": {"Real"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("same-origin POST: %d", r.Status)
	}
}
