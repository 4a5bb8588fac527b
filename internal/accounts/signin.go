package accounts

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/netip"
	"slices"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// SignInRequest is one sign-in attempt.
type SignInRequest struct {
	Email    string
	Password string
	// Code is the 6-digit TOTP code, when the user has a second factor and
	// gives it with the password. Without it, a user with a second factor
	// gets a half-signed-in session and completes it with VerifyMFA.
	Code string
	// Addr is the client's address, for throttling; it is hashed, never
	// stored as it is.
	Addr netip.Addr
	// PreviousToken is the session token the browser presented, if any.
	// That session ends when the new one starts (rotation), so a token
	// planted before sign-in is worth nothing after it.
	PreviousToken string
	RequestID     string
}

// SignInResult is a new session.
type SignInResult struct {
	// Token goes in the session cookie (auth.SessionCookie) and is never
	// stored or shown again.
	Token   string
	Session *discern.Session
	User    *discern.User
	// MFARequired: the session still owes the second factor (VerifyMFA);
	// until then it may only sign out.
	MFARequired bool
	// MFAEnrollmentRequired: the user's role needs a second factor that
	// is not set up yet; the session may only set one up (BeginTOTP,
	// ConfirmTOTP) or sign out.
	MFAEnrollmentRequired bool
}

// errBadCredentials is every wrong-email-or-password answer, so that the
// response does not tell which was wrong or whether the account exists.
func errBadCredentials(cause error) error {
	return &discern.Error{Kind: discern.KindUnauthorized, Message: "The email or password is not correct.", Err: cause}
}

// maxEmailLen bounds the email given at sign-in (RFC 5321's path limit).
const maxEmailLen = 254

// SignIn checks an email and password (and the TOTP code, if given) and
// starts a session. Attempts are throttled per account (by a hash of the
// email as typed, so unknown emails are throttled alike) and per address;
// an unknown or disabled account costs the same password hash as a real
// one and fails with the same message.
func (s *Service) SignIn(ctx context.Context, req SignInRequest) (*SignInResult, error) {
	if req.Email == "" {
		return nil, discern.Invalid("email", "Enter your email address.")
	}
	if len(req.Email) > maxEmailLen {
		return nil, discern.Invalid("email", "Enter an email address of at most %d characters.", maxEmailLen)
	}
	if req.Password == "" {
		return nil, discern.Invalid("password", "Enter your password.")
	}
	if len(req.Password) > auth.MaxPasswordBytes {
		return nil, discern.Invalid("password", "Enter a password of at most %d characters.", auth.MaxPasswordLength)
	}
	now := s.now()
	acctKey, addrKey := auth.AccountKey(req.Email), auth.AddressKey(req.Addr)
	if err := s.throttleBegin(ctx, acctKey, addrKey, now); err != nil {
		return nil, err
	}

	u, err := s.db.FindUserByEmail(ctx, discern.NormalizeEmail(req.Email))
	switch {
	case discern.KindOf(err) == discern.KindNotFound:
		u = nil
	case err != nil:
		return nil, internal("sign in", err)
	}
	ok := false
	if u == nil || u.PasswordHash == "" {
		if err := s.hasher.VerifyNoUser(ctx, req.Password); err != nil {
			return nil, internal("sign in", err)
		}
	} else {
		if ok, err = s.hasher.Verify(ctx, req.Password, u.PasswordHash); err != nil {
			return nil, internal("sign in", err)
		}
	}
	if !ok || u.Disabled {
		e := entry{action: "session.sign_in", targetType: "user", outcome: discern.OutcomeFailure}
		if u != nil {
			e.actor, e.org, e.targetID = u.ID, u.OrgID, u.ID
		}
		s.auditAlone(ctx, req.RequestID, e)
		return nil, errBadCredentials(errors.New("accounts: sign in: wrong password, unknown or disabled account"))
	}

	// The password is right. A code given with it is checked now; a wrong
	// one leaves the attempt counted as a failure.
	enrolled := u.MFASecret != nil
	verified, step := false, int64(0)
	if enrolled && req.Code != "" {
		if step, err = s.checkTOTP(ctx, u, req.Code, now); err != nil {
			s.auditAlone(ctx, req.RequestID, entry{actor: u.ID, org: u.OrgID, action: "session.sign_in",
				targetType: "user", targetID: u.ID, outcome: discern.OutcomeFailure})
			return nil, err
		}
		verified = true
	}
	var rehash string
	if s.hasher.NeedsRehash(u.PasswordHash) {
		if rehash, err = s.hasher.Hash(ctx, req.Password); err != nil {
			return nil, internal("sign in", err)
		}
	}
	// A user with nothing to verify is fully signed in.
	if !enrolled && !auth.MFARequired(u.Role) {
		verified = true
	}
	token, sess, err := s.newSession(u, verified, now)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := updateFailures(ctx, tx, acctKey, addrKey, s.throttle.Succeed); err != nil {
			return err
		}
		if rehash != "" {
			if _, err := tx.UpdateUser(ctx, u.OrgID, u.ID, discern.UserUpdate{PasswordHash: &rehash}); err != nil {
				return err
			}
		}
		if step > 0 {
			if err := advanceStep(ctx, tx, u, step); err != nil {
				return err
			}
		}
		if err := endPresented(ctx, tx, req.PreviousToken); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, req.RequestID, entry{actor: u.ID, org: u.OrgID, action: "session.sign_in",
			targetType: "session", targetID: sess.ID})
	})
	if err != nil {
		return nil, internal("sign in", err)
	}
	return &SignInResult{
		Token: token, Session: sess, User: u,
		MFARequired:           enrolled && !verified,
		MFAEnrollmentRequired: !enrolled && auth.MFARequired(u.Role),
	}, nil
}

// throttleBegin counts an attempt before it is checked (see
// auth.Throttle.Begin) and refuses it when the account or address must
// wait.
func (s *Service) throttleBegin(ctx context.Context, acctKey, addrKey string, now time.Time) error {
	var dec auth.ThrottleDecision
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		return updateFailures(ctx, tx, acctKey, addrKey, func(a, b auth.FailureRecord) (auth.FailureRecord, auth.FailureRecord) {
			a, b, dec = s.throttle.Begin(a, b, now)
			return a, b
		})
	})
	if err != nil {
		return internal("throttle", err)
	}
	return dec.Err(now)
}

// checkTOTP opens the user's sealed secret and checks code against it.
func (s *Service) checkTOTP(ctx context.Context, u *discern.User, code string, now time.Time) (int64, error) {
	secret, err := s.sealer.DecryptField(ctx, u.ID, mfaBinding(u.ID), u.MFASecret)
	if err != nil {
		return 0, internal("open TOTP secret", err)
	}
	return auth.VerifyTOTP(string(secret), code, now, u.MFALastStep)
}

// advanceStep records a used TOTP step; a step already used (a code
// replayed, perhaps on another replica at the same moment) is refused.
func advanceStep(ctx context.Context, tx *sqldb.Tx, u *discern.User, step int64) error {
	fresh, err := tx.AdvanceMFAStep(ctx, u.OrgID, u.ID, step)
	if err != nil {
		return err
	}
	if !fresh {
		return &discern.Error{Kind: discern.KindUnauthorized, Err: auth.ErrTOTPReused,
			Message: "This code has already been used. Please wait for the next code in your authenticator app."}
	}
	return nil
}

// endPresented deletes the session whose token the browser presented, if
// it is a well-formed token at all.
func endPresented(ctx context.Context, tx *sqldb.Tx, token string) error {
	if token == "" {
		return nil
	}
	h, err := auth.ParseSessionToken(token)
	if err != nil {
		return nil
	}
	return tx.DeleteSession(ctx, h[:])
}

// newSession makes a session for u and the token for its cookie.
func (s *Service) newSession(u *discern.User, mfaVerified bool, now time.Time) (string, *discern.Session, error) {
	token, as, err := s.sessions.NewSession(s.rand, now, u.ID, u.OrgID, "", mfaVerified)
	if err != nil {
		return "", nil, internal("new session", err)
	}
	return token, &discern.Session{
		TokenHash:   as.TokenHash[:],
		OrgID:       u.OrgID,
		UserID:      u.ID,
		ExpiresAt:   as.ExpiresAt,
		MFAVerified: mfaVerified,
	}, nil
}

// errSessionEnded is every failed session lookup.
func errSessionEnded(cause error) error {
	return &discern.Error{Kind: discern.KindUnauthorized, Message: "Your session has ended. Please sign in again.", Err: cause}
}

// AuthenticateSession resolves a session token (from the cookie) to the
// principal making the request: the user's current role, team and second
// factor state, read afresh on every request, so that a role change or a
// disabled account takes effect at once. Activity is recorded about once a
// minute.
func (s *Service) AuthenticateSession(ctx context.Context, token string) (auth.Principal, *discern.Session, error) {
	h, err := auth.ParseSessionToken(token)
	if err != nil {
		return auth.Principal{}, nil, err
	}
	now := s.now()
	sess, err := s.db.FindSessionByTokenHash(ctx, h[:])
	if discern.KindOf(err) == discern.KindNotFound {
		return auth.Principal{}, nil, errSessionEnded(err)
	}
	if err != nil {
		return auth.Principal{}, nil, internal("find session", err)
	}
	if !s.sessionValid(sess, now) {
		// Gone for good; delete it now rather than at the next sweep.
		if err := s.db.DeleteSession(ctx, h[:]); err != nil {
			s.log.ErrorContext(ctx, "accounts: deleting an expired session failed", "err", err)
		}
		return auth.Principal{}, nil, errSessionEnded(errors.New("accounts: session expired"))
	}
	u, err := s.db.FindUserByID(ctx, sess.OrgID, sess.UserID)
	if discern.KindOf(err) == discern.KindNotFound || (err == nil && u.Disabled) {
		return auth.Principal{}, nil, errSessionEnded(errors.New("accounts: session of a missing or disabled user"))
	}
	if err != nil {
		return auth.Principal{}, nil, internal("find user", err)
	}
	if now.Sub(sess.LastSeenAt) >= time.Minute {
		if err := s.db.TouchSession(ctx, h[:], sess.MFAVerified); err != nil && discern.KindOf(err) != discern.KindNotFound {
			return auth.Principal{}, nil, internal("touch session", err)
		}
	}
	return principalOf(u, sess.MFAVerified), sess, nil
}

// sessionValid applies auth's rules: before the absolute expiry and not
// idle for the idle timeout or longer.
func (s *Service) sessionValid(sess *discern.Session, now time.Time) bool {
	var h auth.TokenHash
	copy(h[:], sess.TokenHash)
	return auth.Session{
		TokenHash: h, UserID: sess.UserID, OrgID: sess.OrgID,
		CreatedAt: sess.CreatedAt, LastSeenAt: sess.LastSeenAt, ExpiresAt: sess.ExpiresAt,
		IdleTimeout: s.sessions.IdleTimeout, MFAVerified: sess.MFAVerified,
	}.Valid(now)
}

// principalOf is the principal of user u.
func principalOf(u *discern.User, mfaVerified bool) auth.Principal {
	p := auth.Principal{
		UserID:      u.ID,
		OrgID:       u.OrgID,
		Role:        u.Role,
		MFAEnrolled: u.MFASecret != nil,
		MFAVerified: mfaVerified,
	}
	if u.TeamID != "" {
		p.TeamIDs = []string{u.TeamID}
	}
	return p
}

// errBadToken is every failed API token lookup.
func errBadToken(cause error) error {
	return &discern.Error{Kind: discern.KindUnauthorized, Message: "The API token is not valid or has expired.", Err: cause}
}

// AuthenticateAPIToken resolves a bearer API token to the principal it
// acts for: its owner with their current role, narrowed by the token's
// scopes. A revoked or expired token, or one of a disabled user, is
// refused with the same message as an unknown one.
func (s *Service) AuthenticateAPIToken(ctx context.Context, token string) (auth.Principal, *discern.APIToken, error) {
	if _, _, err := auth.ParseAPIToken(token); err != nil {
		return auth.Principal{}, nil, err
	}
	h := hashToken(token)
	now := s.now()
	t, err := s.db.FindAPITokenByHash(ctx, h)
	if discern.KindOf(err) == discern.KindNotFound {
		return auth.Principal{}, nil, errBadToken(err)
	}
	if err != nil {
		return auth.Principal{}, nil, internal("find API token", err)
	}
	switch {
	case subtle.ConstantTimeCompare(t.TokenHash, h) != 1:
		return auth.Principal{}, nil, errBadToken(errors.New("accounts: token hash mismatch"))
	case t.RevokedAt != nil:
		return auth.Principal{}, nil, errBadToken(errors.New("accounts: token revoked"))
	case !now.Before(t.ExpiresAt):
		return auth.Principal{}, nil, errBadToken(errors.New("accounts: token expired"))
	}
	u, err := s.db.FindUserByID(ctx, t.OrgID, t.UserID)
	if discern.KindOf(err) == discern.KindNotFound || (err == nil && u.Disabled) {
		return auth.Principal{}, nil, errBadToken(errors.New("accounts: token of a missing or disabled user"))
	}
	if err != nil {
		return auth.Principal{}, nil, internal("find user", err)
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= time.Minute {
		if err := s.db.TouchAPIToken(ctx, t.ID); err != nil && discern.KindOf(err) != discern.KindNotFound {
			return auth.Principal{}, nil, internal("touch API token", err)
		}
	}
	// Tokens are made only from a verified session or by the operator,
	// so they count as having passed the second factor.
	p := principalOf(u, true)
	p.ViaToken = true
	for _, sc := range t.Scopes {
		if ts := auth.TokenScope(sc); ts.Valid() && !slices.Contains(p.TokenScopes, ts) {
			p.TokenScopes = append(p.TokenScopes, ts)
		}
	}
	return p, t, nil
}

// VerifyMFA completes a half-signed-in session with the TOTP code: the
// session is replaced by a new, verified one under a new token (rotation at
// the privilege change). Attempts are throttled per user and address.
func (s *Service) VerifyMFA(ctx context.Context, reqID, sessionToken, code string, addr netip.Addr) (*SignInResult, error) {
	_, sess, err := s.AuthenticateSession(ctx, sessionToken)
	if err != nil {
		return nil, err
	}
	u, err := s.db.FindUserByID(ctx, sess.OrgID, sess.UserID)
	if err != nil {
		return nil, internal("find user", err)
	}
	if u.MFASecret == nil {
		return nil, discern.Invalid("code", "There is no second factor to confirm; set one up first.")
	}
	now := s.now()
	mfaKey, addrKey := auth.MFAKey(u.ID), auth.AddressKey(addr)
	if err := s.throttleBegin(ctx, mfaKey, addrKey, now); err != nil {
		return nil, err
	}
	step, err := s.checkTOTP(ctx, u, code, now)
	if err != nil {
		s.auditAlone(ctx, reqID, entry{actor: u.ID, org: u.OrgID, action: "session.mfa_verify",
			targetType: "session", targetID: sess.ID, outcome: discern.OutcomeFailure})
		return nil, err
	}
	token, next, err := s.newSession(u, true, now)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := advanceStep(ctx, tx, u, step); err != nil {
			return err
		}
		if err := updateFailures(ctx, tx, mfaKey, addrKey, s.throttle.Succeed); err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, sess.TokenHash); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, next); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: u.ID, org: u.OrgID, action: "session.mfa_verify",
			targetType: "session", targetID: next.ID})
	})
	if err != nil {
		return nil, internal("verify second factor", err)
	}
	return &SignInResult{Token: token, Session: next, User: u}, nil
}

// SignOut ends the session whose token is given, which must be the
// principal's own.
func (s *Service) SignOut(ctx context.Context, reqID string, p auth.Principal, sessionToken string) error {
	r := auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}
	if _, err := s.authorize(ctx, reqID, p, auth.SignOut, r, "session", ""); err != nil {
		return err
	}
	h, err := auth.ParseSessionToken(sessionToken)
	if err != nil {
		return err
	}
	sess, err := s.db.FindSessionByTokenHash(ctx, h[:])
	if discern.KindOf(err) == discern.KindNotFound {
		return nil // signed out already
	}
	if err != nil {
		return internal("sign out", err)
	}
	if sess.UserID != p.UserID || sess.OrgID != p.OrgID {
		return discern.Errorf(discern.KindNotFound, "No such session.")
	}
	return internal("sign out", s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.DeleteSession(ctx, h[:]); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: p.OrgID, action: "session.sign_out",
			targetType: "session", targetID: sess.ID})
	}))
}
