package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"io"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/discern-org/discern/internal/discern"
)

// MFARequired reports whether users of role must present a second factor.
// Administrators must: they create users and reset second factors, so
// taking over one administrator account would open every account of the
// organization. Other roles may enroll voluntarily.
func MFARequired(role discern.Role) bool {
	return role == discern.RoleAdministrator
}

// TOTPIssuer is the name authenticator apps show next to the code.
const TOTPIssuer = "Discern"

// The TOTP parameters every authenticator app understands (RFC 6238
// defaults): 30-second steps, six digits, HMAC-SHA1, 160-bit secrets.
const (
	totpPeriod     = 30
	totpSecretSize = 20
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPKey is a new second-factor secret for one account.
type TOTPKey struct {
	// Secret is the shared secret in base32. Store it encrypted (seal):
	// unlike a password it cannot be hashed, because the server must
	// compute codes from it.
	Secret string
	// URL is the otpauth:// URL authenticator apps read from a QR code.
	URL string
}

// NewTOTPKey creates a secret for accountName (the user's sign-in name, as
// shown in the authenticator app). Store it only after the user has entered
// a valid code from it (VerifyTOTP), so a mistyped enrollment cannot lock
// them out.
func NewTOTPKey(random io.Reader, accountName string) (TOTPKey, error) {
	if strings.TrimSpace(accountName) == "" {
		return TOTPKey{}, discern.Invalid("account", "An account name is needed for the authenticator app.")
	}
	k, err := totp.Generate(totp.GenerateOpts{
		Issuer:      TOTPIssuer,
		AccountName: accountName,
		Period:      totpPeriod,
		SecretSize:  totpSecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
		Rand:        random,
	})
	if err != nil {
		return TOTPKey{}, fmt.Errorf("auth: generating TOTP secret: %w", err)
	}
	return TOTPKey{Secret: k.Secret(), URL: k.URL()}, nil
}

// QRCodePNG renders the key's URL as a PNG QR code of size×size pixels, to
// be served from our own origin (no third-party QR service ever sees the
// secret).
func (k TOTPKey) QRCodePNG(size int) ([]byte, error) {
	key, err := otp.NewKeyFromURL(k.URL)
	if err != nil {
		return nil, fmt.Errorf("auth: TOTP URL: %w", err)
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("auth: TOTP QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("auth: TOTP QR code: %w", err)
	}
	return buf.Bytes(), nil
}

// Reasons a second-factor code is refused, wrapped in discern.Error.
var (
	ErrTOTPInvalid = errors.New("TOTP code does not match")
	ErrTOTPReused  = errors.New("TOTP code already used")
)

// TOTPStep returns the time step a code for now belongs to.
func TOTPStep(now time.Time) int64 {
	u := now.Unix()
	if u < 0 {
		return (u - totpPeriod + 1) / totpPeriod
	}
	return u / totpPeriod
}

// VerifyTOTP checks a code against secret at now, accepting the previous,
// current and next step (skew 1) for clock drift. A code is accepted only
// for a step after lastUsedStep, so a code seen over someone's shoulder
// cannot be replayed. On success it returns the step used; the caller must
// record it with MFAStore.UseTOTPStep, which settles races between replicas.
func VerifyTOTP(secret, code string, now time.Time, lastUsedStep int64) (int64, error) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != int(otp.DigitsSix) || strings.Trim(code, "0123456789") != "" {
		return 0, discern.Invalid("code", "Please enter the 6-digit code from your authenticator app.")
	}
	cur := TOTPStep(now)
	var matched, found bool
	var fresh int64
	for step := cur - 1; step <= cur+1; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, &discern.Error{Kind: discern.KindInternal, Err: fmt.Errorf("auth: stored TOTP secret: %w", err)}
		}
		// Compare every candidate, so timing does not tell which step matched.
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			matched = true
			if step > lastUsedStep {
				found, fresh = true, step
			}
		}
	}
	switch {
	case found:
		return fresh, nil
	case matched:
		return 0, &discern.Error{Kind: discern.KindUnauthorized, Err: ErrTOTPReused,
			Message: "This code has already been used. Please wait for the next code in your authenticator app."}
	default:
		return 0, &discern.Error{Kind: discern.KindUnauthorized, Err: ErrTOTPInvalid,
			Message: "That code did not match. Please check the time on your phone and try the current code."}
	}
}

// RecoveryCodeCount is how many recovery codes a user gets at a time.
const RecoveryCodeCount = 10

// recoveryAlphabet is Crockford's base32: no I, L, O or U, so codes read
// aloud or copied by hand are hard to get wrong.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

var recoveryEncoding = base32.NewEncoding(recoveryAlphabet).WithPadding(base32.NoPadding)

// recoveryCodeBytes gives 80 bits per code, 16 characters.
const recoveryCodeBytes = 10

// NewRecoveryCodes returns RecoveryCodeCount single-use codes to show the
// user once (as xxxx-xxxx-xxxx-xxxx) and their hashes to store.
//
// The hashes are plain SHA-256, deliberately not Argon2id: a slow hash
// protects secrets people choose, which are guessable; these codes carry
// 80 random bits each, so even a stolen table would need about 2^79 SHA-256
// guesses per code. A deterministic hash also lets the store find and delete
// a used code in one statement (MFAStore.UseRecoveryCode).
func NewRecoveryCodes(random io.Reader) ([]string, []TokenHash, error) {
	codes := make([]string, RecoveryCodeCount)
	hashes := make([]TokenHash, RecoveryCodeCount)
	b := make([]byte, recoveryCodeBytes)
	for i := range codes {
		if _, err := io.ReadFull(random, b); err != nil {
			return nil, nil, fmt.Errorf("auth: reading random bytes: %w", err)
		}
		s := recoveryEncoding.EncodeToString(b)
		codes[i] = s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		hashes[i] = sha256.Sum256([]byte(s))
	}
	return codes, hashes, nil
}

// ParseRecoveryCode reads a recovery code as a person may type it (any
// case, with or without dashes and spaces, I/L for 1 and O for 0) and
// returns the hash to look up.
func ParseRecoveryCode(code string) (TokenHash, error) {
	bad := discern.Invalid("code", "A recovery code has 16 letters and digits, like 7k2m-9qdx-4h0a-zt3e. Please check it and try again.")
	if len(code) > 64 {
		return TokenHash{}, bad
	}
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'i' || r == 'l':
			r = '1'
		case r == 'o':
			r = '0'
		case !strings.ContainsRune(recoveryAlphabet, r):
			return TokenHash{}, bad
		}
		b.WriteRune(r)
	}
	s := b.String()
	if len(s) != 16 {
		return TokenHash{}, bad
	}
	if _, err := recoveryEncoding.DecodeString(s); err != nil {
		return TokenHash{}, bad
	}
	return sha256.Sum256([]byte(s)), nil
}

// MFAStore persists second factors. The TOTP secret must be stored
// encrypted (seal). Methods return a discern.Error of kind not_found when
// the user has no second factor.
type MFAStore interface {
	// SaveTOTP stores a confirmed secret, replacing any earlier one, with
	// the step of the code that confirmed it as the last used step.
	SaveTOTP(ctx context.Context, userID string, secret string, confirmedStep int64) error
	// FindTOTP returns the secret and the last used step.
	FindTOTP(ctx context.Context, userID string) (secret string, lastUsedStep int64, err error)
	// UseTOTPStep records step as used if it is later than the stored one
	// (UPDATE ... WHERE last_step < step) and reports whether it was; false
	// means another request, perhaps on another replica, used it first.
	UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error)
	// ReplaceRecoveryCodes deletes the user's recovery codes and stores
	// hashes instead.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []TokenHash) error
	// UseRecoveryCode deletes the user's code with hash h and reports
	// whether there was one (each code works once).
	UseRecoveryCode(ctx context.Context, userID string, h TokenHash) (bool, error)
	// CountRecoveryCodes returns how many unused codes the user has left.
	CountRecoveryCodes(ctx context.Context, userID string) (int, error)
	// DeleteMFA removes the secret and all recovery codes
	// (`discern user reset-mfa`).
	DeleteMFA(ctx context.Context, userID string) error
}
