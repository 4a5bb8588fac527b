package httpserver

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/discern"
)

// changePassword is PUT /api/v1/account/password: the caller changes
// their own password; their other sessions end.
func changePassword(svc *accounts.Service) func(huma.API, huma.Operation) {
	type passwordChangeRequest struct {
		CurrentPassword string `json:"current_password" minLength:"1" maxLength:"1024"`
		NewPassword     string `json:"new_password" minLength:"1" maxLength:"1024"`
	}
	type input struct{ Body passwordChangeRequest }
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusNoContent
		register(api, op, func(ctx context.Context, in *input) (*noContent, error) {
			st := stateOf(ctx)
			err := svc.ChangePassword(ctx, st.id, principalOf(ctx), accounts.PasswordChange{
				Current: in.Body.CurrentPassword, New: in.Body.NewPassword, KeepToken: st.sessionToken, Addr: st.addr,
			})
			if err != nil {
				return nil, err
			}
			return &noContent{}, nil
		})
	}
}

// beginTOTP is POST /api/v1/account/mfa/totp: starts setting up a TOTP
// second factor. Nothing is stored until the set-up is confirmed.
func beginTOTP(svc *accounts.Service) func(huma.API, huma.Operation) {
	type totpEnrollment struct {
		Secret          string    `json:"secret" doc:"The secret in base32, to type into an authenticator app."`
		URL             string    `json:"otpauth_url" doc:"The otpauth:// URL, for authenticator apps that read a link."`
		QRCodePNG       []byte    `json:"qr_code_png" doc:"The URL as a QR code (PNG, base64)."`
		EnrollmentToken string    `json:"enrollment_token" doc:"Send this back with a code to confirm the set-up."`
		ExpiresAt       time.Time `json:"expires_at" doc:"The set-up must be confirmed before this time."`
	}
	type output struct{ Body totpEnrollment }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, _ *struct{}) (*output, error) {
			st := stateOf(ctx)
			if !st.viaSession {
				return nil, discern.Errorf(discern.KindForbidden, "A second factor is set up from a signed-in session.")
			}
			en, err := svc.BeginTOTP(ctx, st.id, principalOf(ctx))
			if err != nil {
				return nil, err
			}
			return &output{Body: totpEnrollment{Secret: en.Secret, URL: en.URL, QRCodePNG: en.QRCodePNG, EnrollmentToken: en.Token, ExpiresAt: en.ExpiresAt}}, nil
		})
	}
}

// confirmTOTP is POST /api/v1/account/mfa/totp/confirm: finishes the
// set-up with a code from the app. The session is replaced by a verified
// one under a new cookie; the user's other sessions end.
func confirmTOTP(svc *accounts.Service) func(huma.API, huma.Operation) {
	type totpConfirmRequest struct {
		EnrollmentToken string `json:"enrollment_token" minLength:"1" maxLength:"512"`
		Code            string `json:"code" minLength:"1" maxLength:"16"`
	}
	type input struct{ Body totpConfirmRequest }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*signInOutput, error) {
			st := stateOf(ctx)
			if !st.viaSession {
				return nil, discern.Errorf(discern.KindForbidden, "A second factor is set up from a signed-in session.")
			}
			res, err := svc.ConfirmTOTP(ctx, st.id, principalOf(ctx), st.sessionToken, in.Body.EnrollmentToken, in.Body.Code, st.addr)
			if err != nil {
				return nil, err
			}
			return signInOf(res), nil
		})
	}
}
