package accounts

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

// TOTPEnrollment is a started TOTP set-up: the secret to put in an
// authenticator app, and a token that carries it, sealed, until the user
// confirms with a code. Nothing is stored until then, so an abandoned or
// mistyped set-up changes nothing.
type TOTPEnrollment struct {
	Secret    string // base32, for typing into the app
	URL       string // otpauth:// URL, for a QR code
	QRCodePNG []byte // the URL as a QR code, rendered here so no outside service sees it
	// Token is given back with the code to ConfirmTOTP. It is the secret
	// sealed under the user's own data key and bound to the user and the
	// expiry, so it is useless to anyone else and after ExpiresAt.
	Token     string
	ExpiresAt time.Time
}

// enrollmentBinding binds a pending secret to the user and its expiry.
func enrollmentBinding(userID string, expires int64) seal.Binding {
	return seal.Binding{Table: "users", Column: "mfa_pending", RowID: userID + "@" + strconv.FormatInt(expires, 10)}
}

var enrollmentEncoding = base64.RawURLEncoding

// maxEnrollmentToken bounds what ConfirmTOTP decodes.
const maxEnrollmentToken = 512

// BeginTOTP starts setting up a TOTP second factor for the principal. An
// administrator who has none yet may do this half signed in; replacing a
// factor that exists needs a session verified with it.
func (s *Service) BeginTOTP(ctx context.Context, reqID string, p auth.Principal) (*TOTPEnrollment, error) {
	if _, err := s.authorize(ctx, reqID, p, auth.MFAEnroll, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "user", p.UserID); err != nil {
		return nil, err
	}
	u, err := s.db.FindUserByID(ctx, p.OrgID, p.UserID)
	if err != nil {
		return nil, internal("find user", err)
	}
	key, err := auth.NewTOTPKey(s.rand, u.Email)
	if err != nil {
		return nil, internal("new TOTP key", err)
	}
	png, err := key.QRCodePNG(256)
	if err != nil {
		return nil, internal("TOTP QR code", err)
	}
	exp := s.now().Add(s.enrollmentTTL).Unix()
	ct, err := s.sealer.EncryptField(ctx, u.ID, enrollmentBinding(u.ID, exp), []byte(key.Secret))
	if err != nil {
		return nil, internal("seal TOTP secret", err)
	}
	buf := binary.BigEndian.AppendUint64(nil, uint64(exp))
	return &TOTPEnrollment{
		Secret: key.Secret, URL: key.URL, QRCodePNG: png,
		Token:     enrollmentEncoding.EncodeToString(append(buf, ct...)),
		ExpiresAt: time.Unix(exp, 0).UTC(),
	}, nil
}

// errEnrollment is every bad or expired enrollment token.
func errEnrollment(cause error) error {
	return &discern.Error{Kind: discern.KindInvalid, Field: "enrollment_token",
		Message: "This set-up has expired or is not valid. Please start the set-up again.", Err: cause}
}

// ConfirmTOTP finishes a TOTP set-up with a code from the app: the secret
// is stored sealed, the user's other sessions end, and the current session
// (sessionToken) is replaced by a verified one whose token is returned.
// Codes are throttled like second-factor sign-ins.
func (s *Service) ConfirmTOTP(ctx context.Context, reqID string, p auth.Principal, sessionToken, enrollmentToken, code string, addr netip.Addr) (*SignInResult, error) {
	if _, err := s.authorize(ctx, reqID, p, auth.MFAEnroll, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "user", p.UserID); err != nil {
		return nil, err
	}
	h, err := auth.ParseSessionToken(sessionToken)
	if err != nil {
		return nil, err
	}
	sess, err := s.db.FindSessionByTokenHash(ctx, h[:])
	if err != nil || sess.UserID != p.UserID {
		return nil, errSessionEnded(err)
	}
	u, err := s.db.FindUserByID(ctx, p.OrgID, p.UserID)
	if err != nil {
		return nil, internal("find user", err)
	}
	if len(enrollmentToken) > maxEnrollmentToken {
		return nil, errEnrollment(errors.New("too long"))
	}
	raw, err := enrollmentEncoding.DecodeString(enrollmentToken)
	if err != nil || len(raw) < 8+seal.Overhead {
		return nil, errEnrollment(err)
	}
	exp := int64(binary.BigEndian.Uint64(raw[:8]))
	now := s.now()
	if !now.Before(time.Unix(exp, 0)) {
		return nil, errEnrollment(errors.New("expired"))
	}
	secret, err := s.sealer.DecryptField(ctx, u.ID, enrollmentBinding(u.ID, exp), raw[8:])
	if err != nil {
		return nil, errEnrollment(err)
	}
	mfaKey, addrKey := auth.MFAKey(u.ID), auth.AddressKey(addr)
	if err := s.throttleBegin(ctx, mfaKey, addrKey, now); err != nil {
		return nil, err
	}
	step, err := auth.VerifyTOTP(string(secret), code, now, 0)
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealer.EncryptField(ctx, u.ID, mfaBinding(u.ID), secret)
	if err != nil {
		return nil, internal("seal TOTP secret", err)
	}
	token, next, err := s.newSession(u, true, now)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		ms := discern.Sealed(sealed)
		if _, err := tx.UpdateUser(ctx, u.OrgID, u.ID, discern.UserUpdate{MFASecret: &ms}); err != nil {
			return err
		}
		if err := advanceStep(ctx, tx, u, step); err != nil {
			return err
		}
		if err := updateFailures(ctx, tx, mfaKey, addrKey, s.throttle.Succeed); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, u.OrgID, u.ID); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, next); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: u.ID, org: u.OrgID, action: "user.mfa_enroll", targetType: "user", targetID: u.ID})
	})
	if err != nil {
		return nil, internal("confirm second factor", err)
	}
	u.MFASecret = sealed
	return &SignInResult{Token: token, Session: next, User: u}, nil
}
